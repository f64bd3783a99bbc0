from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.models import ProgrammePartner
from rentals import selectors, services
from rentals.models import Charge, Contract, UnitStatus
from rentals.tests.cast import RentalTestCase


class RentalFlowTest(RentalTestCase):
    def test_intake_to_installation(self) -> None:
        contract = self.active_contract()
        self.assertEqual(contract.status, Contract.Status.ACTIVE)
        self.assertEqual(contract.start_date, date(2026, 3, 10))
        self.assertEqual(contract.unit.status, UnitStatus.INSTALLED)
        self.assertEqual(contract.tenant_fee, Decimal("7.50"))
        self.assertTrue(contract.payment_reference.startswith("+++"))

    def test_billing_twice_adds_nothing(self) -> None:
        self.active_contract()
        first = services.billing_run(programme=self.rental, month=date(2026, 3, 1))
        again = services.billing_run(programme=self.rental, month=date(2026, 3, 1))
        self.assertEqual((first.created, again.created), (1, 0))
        charge = Charge.objects.get()
        # 22 of 31 days of March.
        self.assertEqual(charge.tenant_amount, Decimal("5.32"))

    def test_second_active_contract_on_a_unit_is_refused_by_the_database(self) -> None:
        contract = self.active_contract()
        other = Contract.objects.get(pk=contract.pk)
        other.pk = None
        other.application_id = services.application_create(
            acting=self.acting("ines"),
            household=self.jansens,
            programme=self.rental,
            category="washing_machine",
        ).pk
        other.payment_reference = "x"
        with self.assertRaises(IntegrityError), transaction.atomic():
            other.save()

    def test_payment_settles_oldest_first_and_never_more(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 1, 1))
        for month in (1, 2, 3):
            services.billing_run(programme=self.rental, month=date(2026, month, 1))
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("10.00"),
            received_on=date(2026, 3, 5),
            method="cash",
        )
        charges = list(contract.charges.order_by("month"))
        self.assertEqual(
            [c.settled for c in charges], [Decimal("7.50"), Decimal("2.50"), Decimal("0.00")]
        )
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("50.00"),
            received_on=date(2026, 3, 6),
            method="cash",
        )
        balance = selectors.household_balance(
            self.jansens, collector=self.ocmw, today=date(2026, 3, 20)
        )
        self.assertEqual(balance.credit, Decimal("37.50"))
        self.assertTrue(all(c.settled == c.tenant_amount for c in contract.charges.all()))

    def test_waiting_list_first_come_first_served(self) -> None:
        ines = self.acting("ines")
        first = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        self.peeters.enrolments.create(programme=self.rental, status="enrolled")
        second = services.application_create(
            acting=ines, household=self.peeters, programme=self.rental, category="fridge"
        )
        with self.assertRaises(ValidationError):
            services.contract_draft(acting=ines, application=second)
        services.application_prioritise(
            acting=self.acting("cora"), application=second, reason="Fridge broken, baby at home"
        )
        contract = services.contract_draft(acting=ines, application=second)
        self.assertEqual(contract.unit.serial, "F-001")
        with self.assertRaises(ValidationError):
            services.contract_draft(acting=ines, application=first)

    def test_money_paid_in_advance_settles_the_next_charges(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 1, 1))
        services.billing_run(programme=self.rental, month=date(2026, 1, 1))
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("20.00"),
            received_on=date(2026, 1, 20),
            method="cash",
        )
        services.billing_run(programme=self.rental, month=date(2026, 2, 1))
        february = contract.charges.get(month=date(2026, 2, 1))
        self.assertEqual(february.settled, Decimal("7.50"))
        balance = selectors.household_balance(
            self.jansens, collector=self.ocmw, today=date(2026, 3, 15)
        )
        self.assertEqual((balance.arrears, balance.credit), (Decimal("0.00"), Decimal("5.00")))
        self.assertIsNone(
            selectors.arrears_next_step(self.jansens, collector=self.ocmw, today=date(2026, 3, 15))
        )

    def test_the_registering_welfare_office_collects_when_it_is_a_collecting_partner(self) -> None:
        self.assertEqual(selectors.collector_for(self.jansens, self.rental), self.ocmw)
        # Kortrijk only refers: the scheme's collector collects for its households...
        self.assertEqual(selectors.collector_for(self.dubois, self.rental), self.ocmw)
        # ...until it collects itself, and then it sees the contract and ocmw does not.
        ProgrammePartner.objects.create(
            programme=self.rental, organisation=self.kortrijk, role="collector"
        )
        self.assertEqual(selectors.collector_for(self.dubois, self.rental), self.kortrijk)
        self.dubois.enrolments.create(programme=self.rental, status="enrolled")
        ilse = self.acting("ilse")
        application = services.application_create(
            acting=ilse, household=self.dubois, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ilse, application=application)
        self.assertEqual(contract.collector, self.kortrijk)
        self.assertEqual(list(selectors.collected_programmes(self.kortrijk)), [self.rental])
