"""Billing and settling: property tests (hypothesis) and the management commands."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from core.models import Programme
from money.proration import charge_split, contract_total, months_between
from rentals import services
from rentals.models import (
    Allocation,
    Application,
    Charge,
    Contract,
    Payment,
    RentalScheme,
    Ticket,
)
from rentals.tests.cast import RentalTestCase

FEES = st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=2)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


class BillingPropertyTest(HypothesisTestCase, RentalTestCase):
    """Each hypothesis example runs in its own transaction (hypothesis.extra.django)."""

    def make_contract(
        self,
        *,
        start: date,
        end: date | None,
        tenant_fee: Decimal,
        subsidy: Decimal,
        serial: str = "W-001",
    ) -> Contract:
        """A contract made straight in the database: fast enough for many examples."""
        unit = self.unit(serial)
        category = unit.appliance_model.category
        application = Application.objects.create(
            household=self.jansens,
            programme=self.rental,
            category=category,
            status=Application.Status.CONTRACTED,
        )
        return Contract.objects.create(
            application=application,
            household=self.jansens,
            programme=self.rental,
            unit=unit,
            category=category,
            collector=self.ocmw,
            status=Contract.Status.ENDED if end else Contract.Status.ACTIVE,
            tenant_fee=tenant_fee,
            subsidy=subsidy,
            term_months=120,
            payment_reference=f"TEST-{application.pk}",
            start_date=start,
            end_date=end,
        )

    def snapshot(self) -> list[tuple]:
        return list(
            Charge.objects.order_by("pk").values_list(
                "pk", "contract_id", "month", "tenant_amount", "subsidy_amount", "settled"
            )
        )

    @settings(max_examples=25, deadline=None)
    @given(
        start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
        days=st.integers(min_value=0, max_value=800),
        tenant_fee=FEES,
        subsidy=FEES,
    )
    def test_charges_add_up_to_the_proration_rule_and_a_second_run_changes_nothing(
        self, start: date, days: int, tenant_fee: Decimal, subsidy: Decimal
    ) -> None:
        # Billing refuses months more than one ahead of today: run after the last month.
        with time_machine.travel(datetime(2033, 6, 1, 12, tzinfo=UTC), tick=False):
            end = start + timedelta(days=days)
            contract = self.make_contract(
                start=start, end=end, tenant_fee=tenant_fee, subsidy=subsidy
            )
            covered = months_between(start, end)
            # The months just around the contract are billed too: they must add nothing.
            months = [previous_month(covered[0]), *covered, next_month(covered[-1])]
            for month in months:
                services.billing_run(programme=self.rental, month=month)
            charges = list(contract.charges.all())
            self.assertEqual(
                sum((c.tenant_amount for c in charges), Decimal("0")),
                contract_total(fee=tenant_fee, start=start, end=end),
            )
            self.assertEqual(
                sum((c.subsidy_amount for c in charges), Decimal("0")),
                contract_total(fee=subsidy, start=start, end=end),
            )
            # One charge for every covered month, except months that prorate to nothing at all.
            expected = [
                month
                for month in covered
                if any(
                    charge_split(
                        tenant_fee=tenant_fee, subsidy=subsidy, start=start, end=end, month=month
                    )
                )
            ]
            self.assertEqual([c.month for c in charges], expected)

            before = self.snapshot()
            for month in months:
                again = services.billing_run(programme=self.rental, month=month)
                self.assertEqual(again.created, 0)
            self.assertEqual(self.snapshot(), before)

    @settings(max_examples=25, deadline=None)
    @given(
        washer_fee=st.decimals(min_value=Decimal("1"), max_value=Decimal("20"), places=2),
        fridge_start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 5, 31)),
        months=st.integers(min_value=1, max_value=6),
        amounts=st.lists(
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("40"), places=2),
            min_size=1,
            max_size=8,
        ),
    )
    def test_payments_never_settle_more_than_owed_and_the_oldest_month_first(
        self, washer_fee: Decimal, fridge_start: date, months: int, amounts: list[Decimal]
    ) -> None:
        ines = self.acting("ines")
        self.make_contract(
            start=date(2026, 1, 20), end=None, tenant_fee=washer_fee, subsidy=Decimal("2")
        )
        self.make_contract(
            start=fridge_start,
            end=None,
            tenant_fee=Decimal("8.00"),
            subsidy=Decimal("2"),
            serial="F-001",
        )
        for month in range(1, months + 1):
            services.billing_run(programme=self.rental, month=date(2026, month, 1))
        for amount in amounts:
            services.payment_record(
                acting=ines,
                household=self.jansens,
                amount=amount,
                received_on=date(2026, 7, 1),
                method="cash",
            )

        charges = list(Charge.objects.order_by("month", "contract_id", "pk"))
        for charge in charges:
            allocated = charge.allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
            self.assertEqual(allocated, charge.settled)
            self.assertLessEqual(charge.settled, charge.tenant_amount)
        for payment in Payment.objects.all():
            allocated = payment.allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
            self.assertLessEqual(allocated, payment.amount)
        owed = sum((c.tenant_amount for c in charges), Decimal("0"))
        paid = sum(amounts, Decimal("0"))
        settled = Allocation.objects.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        self.assertEqual(settled, min(owed, paid))

        # Oldest first: settled charges, at most one partly settled, then untouched ones.
        states = [
            "full" if c.settled == c.tenant_amount else "part" if c.settled else "none"
            for c in charges
            if c.tenant_amount
        ]
        shape = "".join({"full": "F", "part": "P", "none": "N"}[s] for s in states)
        self.assertRegex(shape, r"^F*P?N*$")


class BillingRunCommandTest(RentalTestCase):
    def run_command(self, *args: str) -> str:
        out = StringIO()
        with translation.override("en"):
            call_command(*args, stdout=out)
        return out.getvalue()

    def assert_refused(self, *args: str, message: str) -> None:
        with translation.override("en"), self.assertRaises(CommandError) as caught:
            call_command(*args, stdout=StringIO(), stderr=StringIO())
        self.assertIn(message, str(caught.exception))
        self.assertEqual(caught.exception.returncode, 1)

    def test_billing_run_makes_the_month_once(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        out = self.run_command(
            "billing_run", "--programme", "huren-wvl", "--month", "2026-04", "--confirm"
        )
        self.assertEqual(out.strip(), "huren-wvl, 2026-04: 1 charges made (1 contracts to bill).")
        charge = contract.charges.get()
        self.assertEqual((charge.month, charge.tenant_amount), (date(2026, 4, 1), Decimal("7.50")))
        again = self.run_command(
            "billing_run", "--programme", "huren-wvl", "--month", "2026-04", "--confirm"
        )
        self.assertIn(": 0 charges made", again)
        self.assertEqual(contract.charges.count(), 1)

    def test_bad_arguments_are_refused_with_a_clear_message(self) -> None:
        self.active_contract()
        self.assert_refused(
            "billing_run", "--programme", "nope", "--month", "2026-04", message="“nope”"
        )
        for month in ("2026-13", "2026-00", "november", "26-11", "2026-4", "2026-04-01"):
            with self.subTest(month=month):
                self.assert_refused(
                    "billing_run",
                    "--programme",
                    "huren-wvl",
                    "--month",
                    month,
                    message=f"“{month}” is not a month",
                )
        jobs = Programme.objects.create(
            name="Wijkfabriek", slug="wijkfabriek", kind="job_bureau", lead_organisation=self.lead
        )
        self.assert_refused(
            "billing_run",
            "--programme",
            jobs.slug,
            "--month",
            "2026-04",
            message="not an appliance-rental programme",
        )
        self.assert_refused("billing_run", "--programme", "huren-wvl", message="--month")
        self.assertFalse(Charge.objects.exists())


class TicketRemindersCommandTest(RentalTestCase):
    def test_reminds_tickets_open_too_long_once_a_week(self) -> None:
        contract = self.active_contract()
        old = services.ticket_open(
            acting=self.acting("ines"), contract=contract, channel="phone", description="Lekt"
        )
        Ticket.objects.filter(pk=old.pk).update(opened_at=timezone.now() - timedelta(days=11))
        # One open ticket per contract: the recent one is of the household's fridge.
        fridge = self.active_contract(category="fridge")
        recent = Ticket.objects.create(contract=fridge, channel="desk", description="Lawaai")

        out = StringIO()
        with translation.override("en"):
            call_command("ticket_reminders", stdout=out)
        self.assertEqual(
            out.getvalue().strip(), "huren-wvl: 1 tickets open too long, 1 reminders sent."
        )
        old.refresh_from_db()
        recent.refresh_from_db()
        self.assertIsNotNone(old.reminded_at)
        self.assertIsNone(recent.reminded_at)

        out = StringIO()
        with translation.override("en"):
            call_command("ticket_reminders", "--programme", "huren-wvl", stdout=out)
        self.assertIn("1 tickets open too long, 0 reminders sent.", out.getvalue())

    def test_unknown_programme_or_no_rental_set_up(self) -> None:
        with translation.override("en"), self.assertRaises(CommandError) as caught:
            call_command("ticket_reminders", "--programme", "nope", stdout=StringIO())
        self.assertIn("“nope”", str(caught.exception))
        RentalScheme.objects.all().delete()
        with translation.override("en"), self.assertRaises(CommandError) as caught:
            call_command("ticket_reminders", "--programme", "huren-wvl", stdout=StringIO())
        self.assertIn("no rental set-up", str(caught.exception))
        out = StringIO()
        call_command("ticket_reminders", stdout=out)  # no programme with a set-up: nothing
        self.assertEqual(out.getvalue(), "")
