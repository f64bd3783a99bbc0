"""Who sees a household's rental money: payments, arrears steps and the resident link belong to
a rental programme (the payment's and the step's `programme`), so they are visible to the
registering organisation, the collector and the lead of *that* programme, never to the lead of
another programme the household is enrolled in (a job bureau, an energy community).

Checked through tenancy (scoped), the collector's household page, the API and the export."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import time_machine
from django.urls import reverse

from core.models import Programme, ProgrammePartner
from core.tenancy import scoped
from core.tests.test_api import ApiTestCase
from households.models import Enrolment
from households.services import household_export
from rentals import services
from rentals.models import (
    ApplianceModel,
    Application,
    ArrearsStep,
    Contract,
    Payment,
    RentalScheme,
    ResidentAccess,
    Unit,
)
from rentals.services.resident import resident_access_issue
from rentals.tests.cast import RentalTestCase

NOTE = "Belt maandag terug"


class MoneyScopeMixin(RentalTestCase):
    """jansens: a washing machine in `rental` (lead sowv, collector ocmw), a payment of 7.50
    and an arrears step taken by ocmw, a resident link; also enrolled in arnhem's job bureau."""

    def setUp(self) -> None:
        super().setUp()
        self.bureau = Programme.objects.create(
            name="Buurtbaanbureau Arnhem",
            slug="bbb-arnhem",
            kind="job_bureau",
            lead_organisation=self.arnhem,
        )
        Enrolment.objects.create(household=self.jansens, programme=self.bureau, status="enrolled")
        ines = self.acting("ines")
        with time_machine.travel(date(2026, 5, 20)):
            self.contract = self.active_contract(self.jansens)
            services.billing_run(programme=self.rental, month=date(2026, 3, 1))
            services.billing_run(programme=self.rental, month=date(2026, 4, 1))
            self.payment = services.payment_record(
                acting=ines,
                household=self.jansens,
                amount=Decimal("7.50"),
                received_on=date(2026, 5, 2),
                method="cash",
            )
            self.step = services.arrears_step_take(
                acting=ines, household=self.jansens, level=1, note=NOTE
            )
            resident_access_issue(acting=ines, household=self.jansens)

    def arnhem_collects_too(self) -> Contract:
        """Arnhem also runs a rental programme of its own and collects a contract of jansens
        there: it passes the collector check of the money page and API."""
        programme = Programme.objects.create(
            name="Huren Arnhem",
            slug="huren-arnhem",
            kind="appliance_rental",
            lead_organisation=self.arnhem,
        )
        RentalScheme.objects.create(
            programme=programme, collector=self.arnhem, supplier=self.supplier
        )
        ProgrammePartner.objects.create(
            programme=programme, organisation=self.supplier, role="supplier"
        )
        model = ApplianceModel.objects.create(
            programme=programme,
            category="fridge",
            brand="Bosch",
            model_name="KGN",
            energy_class="D",
            kwh_per_year=Decimal("150"),
        )
        unit = Unit.objects.create(programme=programme, appliance_model=model, serial="A-1")
        application = Application.objects.create(
            household=self.jansens, programme=programme, category="fridge", status="contracted"
        )
        return Contract.objects.create(
            application=application,
            household=self.jansens,
            programme=programme,
            unit=unit,
            collector=self.arnhem,
            category="fridge",
            status="active",
            start_date=date(2026, 2, 1),
            tenant_fee=Decimal("9.00"),
            subsidy=Decimal("0"),
            term_months=120,
            payment_reference="+++000/0009/99947+++",
        )


class TenancyTest(MoneyScopeMixin):
    def test_the_payment_and_step_belong_to_the_rental_programme(self) -> None:
        self.assertEqual(self.payment.programme, self.rental)
        self.assertEqual(self.step.programme, self.rental)
        self.assertEqual(self.step.collector, self.ocmw)

    def test_who_sees_the_money(self) -> None:
        for username, sees in (
            ("ines", True),  # registered jansens and collects
            ("cora", True),  # the lead of the rental programme
            ("otto", False),  # the lead of the job bureau jansens is enrolled in
            ("ilse", False),  # another partner
        ):
            acting = self.acting(username)
            for model in (Payment, ArrearsStep, ResidentAccess):
                with self.subTest(user=username, model=model.__name__):
                    self.assertEqual(
                        scoped(model, acting).filter(household=self.jansens).exists(), sees
                    )

    def test_the_lead_of_another_programme_sees_the_household_but_not_its_money(self) -> None:
        from households.models import Household

        otto = self.acting("otto")
        self.assertTrue(scoped(Household, otto).filter(pk=self.jansens.pk).exists())
        self.assertFalse(scoped(Payment, otto).exists())
        self.assertFalse(scoped(ArrearsStep, otto).exists())


class MoneyPageTest(MoneyScopeMixin):
    def test_the_collector_page_of_another_lead_shows_only_its_own_money(self) -> None:
        self.arnhem_collects_too()
        self.login("otto")
        url = reverse("collection:household", kwargs={"household_pk": self.jansens.pk})
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["payments"]), [])
        self.assertEqual(list(response.context["steps"]), [])
        self.assertNotContains(response, NOTE)

    def test_the_collector_sees_its_payments_and_steps(self) -> None:
        self.login("ines")
        url = reverse("collection:household", kwargs={"household_pk": self.jansens.pk})
        response = self.client.get(url)
        self.assertEqual(list(response.context["payments"]), [self.payment])
        self.assertEqual(list(response.context["steps"]), [self.step])


class MoneyApiTest(MoneyScopeMixin, ApiTestCase):
    def test_another_lead_collecting_elsewhere_lists_none_of_the_payments(self) -> None:
        self.arnhem_collects_too()
        path = f"/api/v1/rentals/households/{self.jansens.pk}/payments"
        response = self.get(path, as_user="otto")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), [])
        response = self.get(path, as_user="ines")
        self.assertEqual([p["id"] for p in response.json()], [self.payment.pk])

    def test_the_lead_of_another_programme_is_refused(self) -> None:
        path = f"/api/v1/rentals/households/{self.jansens.pk}/payments"
        self.assertIn(self.get(path, as_user="otto").status_code, (403, 404))


class SavingsScopeTest(MoneyScopeMixin, ApiTestCase):
    """The savings of a household's rental contracts (API and statement) are rental data: the
    lead of the job bureau the household is enrolled in sees the household, not them."""

    def test_the_lead_of_another_programme_gets_no_savings_of_the_rentals(self) -> None:
        from rentals.documents import savings_statement_data

        path = f"/api/v1/rentals/households/{self.jansens.pk}/savings"
        with time_machine.travel(date(2026, 5, 20)):
            mine = self.get(path, as_user="cora").json()
            theirs = self.get(path, as_user="otto").json()
            data = savings_statement_data(
                household=self.jansens,
                year=2026,
                contracts=scoped(Contract, self.acting("otto")),
            )
            own = savings_statement_data(
                household=self.jansens,
                year=2026,
                contracts=scoped(Contract, self.acting("cora")),
            )
        self.assertTrue(mine["years"])
        self.assertEqual(theirs["years"], [])
        self.assertEqual(list(data.rows), [])
        self.assertEqual([r.contract for r in own.rows], [self.contract])


class MoneyExportTest(MoneyScopeMixin):
    def export(self, username: str) -> dict[str, Any]:
        text = household_export(acting=self.acting(username), household=self.jansens)
        return json.loads(text)["rentals"]

    def test_the_lead_of_the_rental_programme_exports_its_money(self) -> None:
        part = self.export("cora")
        self.assertEqual([p["id"] for p in part["payments"]], [self.payment.pk])
        self.assertEqual([s["id"] for s in part["arrears_steps"]], [self.step.pk])
        self.assertIsNotNone(part["resident_access"])

    def test_the_lead_of_another_programme_exports_none_of_it(self) -> None:
        part = self.export("otto")
        self.assertEqual(part["payments"], [])
        self.assertEqual(part["arrears_steps"], [])
        self.assertIsNone(part["resident_access"])
        self.assertNotIn(NOTE, json.dumps(part))

    def test_nor_when_it_collects_a_contract_of_its_own(self) -> None:
        self.arnhem_collects_too()
        part = self.export("otto")
        self.assertEqual(part["payments"], [])
        self.assertEqual(part["arrears_steps"], [])
        self.assertNotIn(NOTE, json.dumps(part))


class ResidentLinkTest(MoneyScopeMixin):
    def test_the_lead_of_another_programme_issues_no_link(self) -> None:
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            resident_access_issue(acting=self.acting("otto"), household=self.jansens)
        resident_access_issue(acting=self.acting("cora"), household=self.jansens)


class PaymentProgrammeTest(MoneyScopeMixin):
    """ocmw collects for two rental programmes of jansens: a payment settles its own
    programme's charges only."""

    def second_programme(self) -> Contract:
        contract = self.arnhem_collects_too()
        RentalScheme.objects.filter(programme=contract.programme).update(collector=self.ocmw)
        Contract.objects.filter(pk=contract.pk).update(collector=self.ocmw)
        contract.refresh_from_db()
        return contract

    def test_a_payment_settles_only_its_programmes_charges(self) -> None:
        from django.core.exceptions import ValidationError

        from rentals.models import Charge

        other = self.second_programme()
        # An older open charge in the other programme than any of `rental`.
        ines = self.acting("ines")
        with time_machine.travel(date(2026, 5, 20)):
            services.billing_run(programme=other.programme, month=date(2026, 2, 1))
            older = Charge.objects.get(contract=other)
            paid = services.payment_record(
                acting=ines,
                household=self.jansens,
                amount=Decimal("4.00"),
                received_on=date(2026, 5, 3),
                method="cash",
                programme=self.rental,
            )
            self.assertEqual(paid.programme, self.rental)
            older.refresh_from_db()
            self.assertEqual(older.settled, Decimal("0.00"))
            self.assertTrue(
                paid.allocations.filter(charge__contract__programme=self.rental).exists()
            )
            # Without a programme: the one owed the longest.
            paid = services.payment_record(
                acting=ines,
                household=self.jansens,
                amount=Decimal("2.00"),
                received_on=date(2026, 5, 3),
                method="cash",
            )
            self.assertEqual(paid.programme, other.programme)
            older.refresh_from_db()
            self.assertEqual(older.settled, Decimal("2.00"))
            # A programme the collector collects nothing of: refused.
            with self.assertRaises(ValidationError):
                services.payment_record(
                    acting=ines,
                    household=self.jansens,
                    amount=Decimal("2.00"),
                    received_on=date(2026, 5, 3),
                    method="cash",
                    programme=self.bureau,
                )


class MigrationFillTest(MoneyScopeMixin):
    """rentals 0008 gives existing payments and arrears steps their programme."""

    def test_existing_records_get_their_programme_and_collector(self) -> None:
        import importlib

        from django.apps import apps

        fill = importlib.import_module("rentals.migrations.0010_money_programme").fill
        credit = Payment.objects.create(
            household=self.jansens,
            collector=self.ocmw,
            amount=Decimal("3.00"),
            received_on=date(2026, 5, 3),
            method="cash",
            unallocated=Decimal("3.00"),
        )
        stranger = Payment.objects.create(
            household=self.jansens,
            collector=self.kortrijk,  # collects no contract of jansens
            amount=Decimal("1.00"),
            received_on=date(2026, 5, 3),
            method="cash",
            unallocated=Decimal("1.00"),
        )
        Payment.objects.update(programme=None)
        ArrearsStep.objects.update(programme=None, collector=None)
        fill(apps, None)
        self.payment.refresh_from_db()
        credit.refresh_from_db()
        stranger.refresh_from_db()
        self.step.refresh_from_db()
        self.assertEqual(self.payment.programme, self.rental)  # from the charge it settled
        self.assertEqual(credit.programme, self.rental)  # the collector's contract
        self.assertIsNone(stranger.programme)  # no contract explains it
        self.assertEqual((self.step.programme, self.step.collector), (self.rental, self.ocmw))
        self.assertFalse(scoped(Payment, self.acting("cora")).filter(pk=stranger.pk).exists())
