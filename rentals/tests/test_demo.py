"""The rental history of the demo data: built through the services, complete, and loaded once."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Sum
from django.test import TestCase, override_settings
from django.urls import reverse
from stdnum.eu import at_02

from core.demo import LoadResult, load
from core.models import AuditEvent, Organisation, Programme
from core.validators import clean_iban
from households import counts as enrolment_counts
from rentals import demo, selectors
from rentals.models import (
    Allocation,
    Application,
    ArrearsStep,
    BankImport,
    BankLine,
    Charge,
    Contract,
    ContractUnit,
    Payment,
    ResidentAccess,
    Ticket,
    Unit,
    UnitEvent,
    UnitStatus,
    Visit,
)
from rentals.services import counts as rental_counts
from rentals.services import totals
from rentals.services.resident import resident_access_check
from wijk.testing import clock_at

FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
# Few households keep the test quick; with these the seeded history has a waiting list,
# endings, arrears and visits for the technician.
HOUSEHOLDS = 60

COUNTED = (
    Application,
    Contract,
    ContractUnit,
    Charge,
    Payment,
    Allocation,
    Visit,
    Ticket,
    Unit,
    UnitEvent,
    BankImport,
    BankLine,
    ArrearsStep,
    ResidentAccess,
    AuditEvent,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def months(first: date, last: date) -> list[date]:
    result, month = [], first.replace(day=1)
    while month <= last:
        result.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return result


DEMO_DAY = date(2026, 12, 1)  # the day the demo is loaded on (clock_at)


@FAST_HASHER
@clock_at(DEMO_DAY)
class RentalDemoTest(TestCase):
    result: LoadResult
    wvl: Programme
    arnhem: Programme

    @classmethod
    def setUpTestData(cls) -> None:
        cls.result = load(households=HOUSEHOLDS)
        cls.wvl = Programme.objects.get(slug="huren-wvl")
        cls.arnhem = Programme.objects.get(slug="huren-arnhem")

    def test_second_run_changes_nothing(self) -> None:
        before = counts()
        statuses = set(Contract.objects.values_list("pk", "status", "unit_id"))
        result = load(households=HOUSEHOLDS)
        self.assertEqual(counts(), before)
        self.assertEqual(set(Contract.objects.values_list("pk", "status", "unit_id")), statuses)
        self.assertEqual(result.created, {})
        self.assertEqual(result.resident, self.result.resident)

    def test_a_household_registered_by_hand_is_never_touched(self) -> None:
        """A used database: someone registered and enrolled a household by hand at the
        welfare office of Oostende; running the demo again (twice) gives it nothing."""
        from core.tenancy import acting_for
        from households.models import Household
        from households.services import household_create, household_enrol

        intake = acting_for(get_user_model().objects.get(username="intake"))
        assert intake is not None
        spec = next(s for s in demo.SCHEMES if s.programme == "huren-wvl")
        hand = []
        for number in range(90, 98):
            household = household_create(
                acting=intake,
                fields={
                    "first_name": "Hanne",
                    "last_name": f"Handgemaakt{number}",
                    "street": "Kapellestraat",
                    "house_number": str(number),
                    "postcode": "8400",
                    "city": "Oostende",
                    "country": "BE",
                    "language": "nl",
                    "contact_channel": "letter",
                    "size": 2,
                    "social_tariff": True,
                    "welfare_client": True,
                },
            )
            household_enrol(acting=intake, household=household, programme=self.wvl)
            hand.append(household)
        # The demo's dice would give some of them a rental story, were they its own.
        self.assertTrue([h for h in hand if demo.household_plan(spec, h) is not None])
        before = counts()
        load(households=HOUSEHOLDS)
        load(households=HOUSEHOLDS)
        self.assertEqual(counts(), before)
        for household in hand:
            self.assertFalse(Application.objects.filter(household=household).exists())
            self.assertFalse(Contract.objects.filter(household=household).exists())
            self.assertFalse(Payment.objects.filter(household=household).exists())
            self.assertFalse(ArrearsStep.objects.filter(household=household).exists())
            self.assertFalse(Household.objects.get(pk=household.pk).demo)
        self.assertFalse(BankLine.objects.filter(counterparty__icontains="Handgemaakt").exists())

    def test_the_command_prints_full_addresses(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command(
            "demo_data",
            "--households",
            str(HOUSEHOLDS),
            "--base-url",
            "http://0.0.0.0:8080/",
            stdout=out,
        )
        text = out.getvalue()
        self.assertIn("http://0.0.0.0:8080/accounts/login/", text)
        self.assertRegex(text, r"http://0\.0\.0\.0:8080/r/[\w-]+/ \(\w+ \d{6}\)")
        self.assertIn("http://0.0.0.0:8080/api/v1/docs", text)

    def test_a_smaller_run_afterwards_adds_nothing(self) -> None:
        before = counts()
        load(households=20)
        self.assertEqual(counts(), before)

    def test_the_history_scales_with_the_households(self) -> None:
        created = self.result.created
        self.assertGreater(created["rental contracts"], 10)
        self.assertEqual(created["rental contracts"], Contract.objects.count())
        self.assertGreater(created["charges"], created["rental contracts"] * 3)
        renting = Contract.objects.values("household").distinct().count()
        self.assertLess(renting, HOUSEHOLDS)

    def test_schemes_offers_and_collectors(self) -> None:
        wvl = self.wvl.rental_scheme
        self.assertEqual(wvl.collector.slug, "ocmw-oostende")
        self.assertEqual(wvl.supplier.slug, "elektro-vandamme")
        arnhem = self.arnhem.rental_scheme
        self.assertEqual(arnhem.collector, self.arnhem.lead_organisation)
        self.assertEqual(arnhem.supplier.slug, "witgoed-gelderland")
        fees = {o.category: (o.tenant_fee, o.subsidy, o.term_months) for o in self.wvl.offers.all()}
        self.assertEqual(len(fees), 6)
        self.assertEqual(fees["washing_machine"], (demo.D("7.50"), demo.D("2.00"), 120))
        self.assertEqual(set(self.arnhem.offers.values_list("subsidy", flat=True)), {demo.D("0")})
        for org in (wvl.collector, arnhem.collector):
            self.assertTrue(at_02.is_valid(org.sepa_creditor_id), org.sepa_creditor_id)
        self.assertTrue(Organisation.objects.get(slug="spijkerkwartier").sepa_creditor_id)

    def test_catalogue_and_units(self) -> None:
        self.assertEqual(self.wvl.appliance_models.count(), len(demo.WVL_CATALOGUE))
        dryer = self.wvl.appliance_models.get(category="dryer")
        self.assertEqual((dryer.energy_class, dryer.label_scale), ("A+++", "old"))
        statuses = set(Unit.objects.values_list("status", flat=True))
        self.assertTrue(
            {UnitStatus.INSTALLED, UnitStatus.IN_STOCK, UnitStatus.RETIRED, UnitStatus.IN_REPAIR}
            <= statuses
        )
        self.assertTrue(Unit.objects.filter(refurbished=True).exists())
        # Every unit's status is where its recorded events led it.
        for unit in Unit.objects.prefetch_related("events"):
            events = list(unit.events.all())
            self.assertEqual(events[-1].to_status, unit.status, unit)
            for before, after in zip(events, events[1:], strict=False):
                self.assertEqual(before.to_status, after.from_status, unit)

    def test_every_installed_contract_is_charged_for_each_billed_month(self) -> None:
        charged: dict[int, set[date]] = {}
        for contract_id, month in Charge.objects.values_list("contract_id", "month"):
            charged.setdefault(contract_id, set()).add(month)
        installed = Contract.objects.filter(start_date__isnull=False)
        self.assertTrue(installed.exists())
        for contract in installed:
            last = min(contract.end_date or demo.LAST_BILLED_MONTH, demo.LAST_BILLED_MONTH)
            expected = set(months(contract.start_date, last))  # type: ignore[arg-type]
            self.assertEqual(charged.get(contract.pk, set()), expected, contract)
        self.assertFalse(Charge.objects.filter(contract__start_date__isnull=True).exists())

    def test_history_dates_and_old_appliances(self) -> None:
        first = Contract.objects.order_by("start_date").exclude(start_date=None).first()
        assert first is not None and first.start_date is not None
        self.assertGreaterEqual(first.start_date, date(2024, 1, 1))
        last = Contract.objects.exclude(start_date=None).latest("start_date").start_date
        assert last is not None
        self.assertLessEqual(last, demo.LAST_INSTALL)
        for visit in Visit.objects.filter(kind=Visit.Kind.INSTALLATION, status="done"):
            self.assertEqual(visit.done_at.date(), visit.contract.start_date)  # type: ignore[union-attr]
            if visit.contract.application.has_old_appliance:
                self.assertIn(visit.disposal, ("recycled", "left"))
        # The timeline is the history's, not the day the demo was loaded.
        self.assertFalse(UnitEvent.objects.filter(at__date__gt=demo.DEMO_TODAY).exists())
        self.assertTrue(Application.objects.exclude(old_age_band="unknown").exists())

    def test_ended_contracts_were_collected(self) -> None:
        ended = Contract.objects.filter(status=Contract.Status.ENDED)
        self.assertTrue(ended.exists())
        for contract in ended:
            self.assertIn(contract.end_reason, ("moved", "deceased"))
            visit = contract.visits.get(kind=Visit.Kind.RETURN)
            self.assertEqual(visit.status, Visit.Status.DONE)
            self.assertNotEqual(contract.unit.status, UnitStatus.INSTALLED)
            self.assertEqual(
                contract.household.enrolments.get(programme=contract.programme).status, "ended"
            )

    def test_the_technician_has_work_in_the_coming_days(self) -> None:
        tom = get_user_model().objects.get(username=demo.TECHNICIAN)
        planned = Visit.objects.filter(technician=tom, status=Visit.Status.PLANNED)
        self.assertTrue(planned.filter(planned_on__gte=DEMO_DAY).exists())
        self.client.force_login(tom)
        response = self.client.get(reverse("rentals:today"))
        self.assertEqual(response.status_code, 200)
        visit = planned.order_by("planned_on").first()
        assert visit is not None
        self.assertContains(response, visit.contract.household.street)

    def test_waiting_list_with_one_priority(self) -> None:
        waiting = Application.objects.filter(status=Application.Status.WAITING)
        self.assertTrue(waiting.exists())
        self.assertFalse(waiting.filter(contract__isnull=False).exists())
        priorities = waiting.filter(priority=True)
        self.assertTrue(priorities.exists())
        for application in priorities:
            self.assertTrue(application.priority_reason)
            queue = list(selectors.waiting_list(application.programme))
            self.assertEqual(queue[0], application)

    def test_tickets_open_planned_resolved_and_one_overdue(self) -> None:
        tickets = Ticket.objects.filter(contract__programme=self.wvl)
        self.assertEqual(
            set(tickets.values_list("status", flat=True)), {"open", "planned", "resolved"}
        )
        self.assertEqual(
            set(tickets.exclude(resolution="").values_list("resolution", flat=True)),
            {"repaired", "replaced"},
        )
        self.assertTrue(selectors.tickets_overdue(self.wvl).exists())
        for ticket in tickets.filter(status="resolved"):
            assert ticket.resolved_at is not None
            self.assertGreater(ticket.resolved_at, ticket.opened_at)
        swapped = ContractUnit.objects.values("contract").annotate(n=Count("pk")).filter(n=2)
        self.assertTrue(swapped.exists())

    def test_payments_bank_statements_and_arrears(self) -> None:
        # Each Flemish welfare office imports its statements of the last months.
        per_collector = dict(
            BankImport.objects.values_list("collector__slug").annotate(n=Count("pk"))
        )
        self.assertIn("ocmw-oostende", per_collector)
        self.assertEqual(set(per_collector.values()), {len(demo.CAMT_MONTHS)})
        lines = dict(BankLine.objects.values_list("status").annotate(n=Count("pk")))
        self.assertGreater(lines["matched"], 0)
        self.assertGreater(lines["unmatched"], 0)  # left for the demo user to resolve
        # Before the last month, the line without a reference was linked to its contract by
        # hand and the gift set aside; the last month's wait for the demo user.
        handled = len(per_collector) * (len(demo.CAMT_MONTHS) - 1)
        self.assertEqual(lines.get("ignored"), handled)  # a gift on every statement
        self.assertTrue(0 < lines["resolved"] <= handled)
        self.assertTrue(len(per_collector) < lines["unmatched"] <= len(per_collector) * 2)
        methods = set(Payment.objects.values_list("method", flat=True))
        self.assertTrue({"cash", "transfer", "direct_debit"} <= methods)
        for payment in Payment.objects.annotate(used=Sum("allocations__amount")):
            self.assertEqual((payment.used or 0) + payment.unallocated, payment.amount)
        behind = {
            h: selectors.household_balance(h, collector=None).months_behind
            for h in {c.household for c in Contract.objects.select_related("household")}
        }
        paying = [h for h, months in behind.items() if months == 0]
        self.assertGreater(len(paying), len(behind) // 2)
        self.assertTrue(any(months >= 1 for months in behind.values()))
        self.assertTrue(ArrearsStep.objects.exists())

    def test_direct_debit_contracts_have_a_mandate_and_a_valid_iban(self) -> None:
        debits = Contract.objects.filter(payment_method="direct_debit")
        self.assertTrue(debits.exists())
        for contract in debits:
            self.assertEqual(clean_iban(contract.debtor_iban), contract.debtor_iban)
            self.assertTrue(contract.mandate_id)
            self.assertIsNotNone(contract.mandate_signed_on)

    def test_resident_link_opens_with_the_printed_pin(self) -> None:
        assert self.result.resident is not None
        path, pin = self.result.resident
        self.assertEqual(pin, demo.DEMO_PIN)
        key = path.strip("/").split("/")[-1]
        household = resident_access_check(key=key, pin=pin)
        self.assertTrue(household.rental_contracts.filter(status="active").exists())

    def test_no_constraint_is_broken(self) -> None:
        connection.check_constraints()  # foreign keys, deferred on SQLite until commit
        for contract in Contract.objects.filter(status="active").select_related("unit"):
            self.assertIn(contract.unit.status, (UnitStatus.INSTALLED, UnitStatus.IN_REPAIR))
        for charge in Charge.objects.annotate(paid=Sum("allocations__amount")):
            self.assertEqual(charge.paid or 0, charge.settled)

    def test_the_kept_figures_equal_the_records(self) -> None:
        # The demo writes through the services: what they keep for the dashboard and the
        # programme page equals the records, recomputed.
        self.assertEqual(
            rental_counts.rental_counts_kept(), rental_counts.rental_counts_recomputed()
        )
        self.assertEqual(
            enrolment_counts.enrolment_counts_kept(), enrolment_counts.enrolment_counts_recomputed()
        )
        for programme in Programme.objects.filter(kind="appliance_rental"):
            self.assertEqual(
                totals.month_totals_kept(programme), totals.month_totals_recomputed(programme)
            )
