"""The monthly totals and open households that billing and payments keep
(rentals/services/totals.py) equal what the charges say, recomputed from scratch, after every
kind of write: billing (whole and prorated months, again, out of order, after an ended
contract), payments (part of a month, several months, more than owed), credit settling new
charges after billing, a bank statement; the database refuses impossible totals."""

import random
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from rentals import services
from rentals.models import MonthTotal, OpenHousehold
from rentals.selectors import dashboard
from rentals.services import totals
from rentals.tests.cast import RentalTestCase
from rentals.tests.test_collection import camt, entry
from rentals.tests.test_dashboard import enrolled_household
from wijk.testing import clock_at


@clock_at(date(2026, 9, 15))
class MonthTotalsTest(RentalTestCase):
    def assert_kept(self, step: str) -> None:
        with self.subTest(step=step):
            self.assertEqual(
                totals.month_totals_kept(self.rental), totals.month_totals_recomputed(self.rental)
            )
            self.assertEqual(
                totals.open_households_kept(self.rental),
                totals.open_households_recomputed(self.rental),
            )

    def bill(self, *months: int) -> None:
        for month in months:
            # confirm: a month billed out of order (a skipped month) on purpose.
            services.billing_run(programme=self.rental, month=date(2026, month, 1), confirm=True)

    def pay(self, household, amount: str, day: date = date(2026, 6, 2)) -> None:
        services.payment_record(
            acting=self.acting("ines"),
            household=household,
            amount=Decimal(amount),
            received_on=day,
            method="cash",
        )

    def test_billing_and_payments_keep_the_totals_equal_to_the_charges(self) -> None:
        claes = enrolled_household(self, "Claes")
        self.active_contract(installed_on=date(2026, 3, 10))  # prorated first month
        self.active_contract(category="fridge", installed_on=date(2026, 4, 1))
        washer_claes = self.active_contract(household=claes, installed_on=date(2026, 4, 20))
        self.assertFalse(MonthTotal.objects.exists())

        self.bill(3, 5)
        self.assert_kept("billed March and May")
        self.bill(4)  # a month billed late: Claes's oldest open month moves back to April
        self.assert_kept("April billed after May")
        self.assertEqual(totals.open_households_kept(self.rental)[claes.pk], date(2026, 4, 1))
        self.bill(3, 4, 5)
        self.assert_kept("billed again: nothing added")

        self.pay(self.jansens, "5.00")  # part of March
        self.assert_kept("part of a month paid")
        self.pay(self.jansens, "20.00")  # the rest of March and part of April
        self.assert_kept("several months paid")
        self.pay(claes, "100.00")  # everything, and credit for later
        self.assert_kept("paid more than owed")
        self.assertNotIn(claes.pk, totals.open_households_kept(self.rental))

        self.bill(6)  # Claes's credit settles the new charge after billing
        self.assert_kept("credit settles a new month")
        self.assertNotIn(claes.pk, totals.open_households_kept(self.rental))

        services.contract_end(
            acting=self.acting("ines"),
            contract=washer_claes,
            reason="moved",
            on=date(2026, 7, 10),
        )
        self.bill(7, 8)  # July prorated to the 10th, no August for Claes's washer
        self.assert_kept("an ended contract")

        rng = random.Random(7)
        for _ in range(6):
            household = rng.choice([self.jansens, claes])
            self.pay(household, f"{rng.randint(1, 2500) / 100:.2f}", date(2026, 8, 20))
        self.assert_kept("random payments")

        # What the dashboard shows comes from the kept totals, and equals the charges.
        figures = dashboard.money(self.rental, date(2026, 9, 15))
        recomputed = totals.month_totals_recomputed(self.rental)
        self.assertEqual(
            figures.billed_total, sum((t.billed for t in recomputed.values()), Decimal(0))
        )
        self.assertEqual(
            figures.collected_total, sum((t.collected for t in recomputed.values()), Decimal(0))
        )

        # Rebuilding from scratch gives the same rows.
        kept = totals.month_totals_kept(self.rental), totals.open_households_kept(self.rental)
        totals.month_totals_rebuild(programme=self.rental)
        self.assertEqual(
            (totals.month_totals_kept(self.rental), totals.open_households_kept(self.rental)),
            kept,
        )

    def test_a_bank_statement_and_a_direct_debit_file_keep_the_totals(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        self.bill(3, 4)
        statement = camt(entry("B-1", "9.99", contract.payment_reference, booked="2026-05-03"))
        services.bank_statement_import(acting=self.acting("ines"), filename="s.xml", data=statement)
        self.assert_kept("after a bank statement")
        kept = totals.month_totals_kept(self.rental)
        self.assertEqual(sum(t.collected for t in kept.values()), Decimal("9.99"))

    def test_the_database_refuses_impossible_totals(self) -> None:
        self.active_contract(installed_on=date(2026, 3, 10))
        self.bill(3)
        total = MonthTotal.objects.get(programme=self.rental)
        for change in (
            {"collected_cents": total.billed_cents + 1},  # more collected than billed
            {"collected_cents": -1},
            {"charges": 0},  # sums without charges
        ):
            with (
                self.subTest(change=change),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                MonthTotal.objects.filter(pk=total.pk).update(**change)
        with self.assertRaises(IntegrityError), transaction.atomic():
            OpenHousehold.objects.create(
                programme=self.rental, household=self.jansens, oldest_open_month=date(2026, 1, 1)
            )
