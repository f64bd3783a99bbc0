"""What rentals adds through the programme seam (rentals/programme.py, rentals/services/erasure.py):
menu and home page, the household's export (every rental record of it), erasure (refused while
a contract runs; IBAN and mandate removed, amounts kept) and the export's scoping per lead."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from core.models import AuditEvent, Programme, ProgrammePartner
from core.programmes import registry
from core.tests.test_api import ApiTestCase
from households.models import Enrolment, Household
from households.services import (
    household_erase,
    household_export,
    household_export_pdf,
    household_viewed,
)
from rentals import services
from rentals.documents import contract_html
from rentals.models import (
    Allocation,
    ApplianceModel,
    Application,
    ArrearsStep,
    BankImport,
    BankLine,
    Charge,
    Contract,
    ContractUnit,
    KeptCount,
    MonthTotal,
    Offer,
    OpenHousehold,
    Payment,
    RentalScheme,
    ResidentAccess,
    Ticket,
    Unit,
    UnitEvent,
    Visit,
)
from rentals.services.resident import resident_access_issue
from rentals.tests.cast import RentalTestCase

IBAN = "BE71096123456769"

# How each rentals model that holds something of a household leads to it.
HOUSEHOLD_LOOKUP: dict[type[models.Model], str] = {
    Application: "household",
    Contract: "household",
    ContractUnit: "contract__household",
    Visit: "contract__household",
    Ticket: "contract__household",
    Charge: "contract__household",
    Payment: "household",
    Allocation: "payment__household",
    BankLine: "payment__household",
    ArrearsStep: "household",
    ResidentAccess: "household",
}
# Programme configuration, stock and bank files: about no household in particular. A unit
# serves one household after another; which one is in the contracts and the unit history.
NOT_ABOUT_A_HOUSEHOLD = {
    RentalScheme,
    Offer,
    OpenHousehold,
    ApplianceModel,
    Unit,
    UnitEvent,
    BankImport,
    MonthTotal,  # a programme's sums per month
    KeptCount,  # a programme's counts per appliance and status
}
# Kept for speed and recomputed from records the export holds (the charges): the month of a
# household's oldest unpaid charge (rentals/tests/test_totals.py proves they stay equal).
DERIVED_FROM_EXPORTED = {OpenHousehold}


def exported_ids(export: dict[str, Any], model: type[models.Model]) -> set[int]:
    part = export["rentals"]
    if model is BankLine:
        return {p["bank_line"]["id"] for p in part["payments"] if p["bank_line"]}
    if model is ResidentAccess:
        return {part["resident_access"]["id"]} if part["resident_access"] else set()
    key = {
        Application: "applications",
        Contract: "contracts",
        ContractUnit: "unit_history",
        Visit: "visits",
        Ticket: "tickets",
        Charge: "charges",
        Payment: "payments",
        Allocation: "allocations",
        ArrearsStep: "arrears_steps",
    }[model]
    return {row["id"] for row in part[key]}


class RentalHistoryMixin(RentalTestCase):
    def full_history(self, household: Household | None = None) -> Contract:
        """Jansens' direct-debit washing machine with a breakdown, a repair visit, two months
        billed, a payment from a bank line, an arrears step and a resident link."""
        household = household or self.jansens
        ines = self.acting("ines")
        with time_machine.travel(date(2026, 5, 20)):
            contract = self.active_contract(household, payment_method="direct_debit")
            ticket = services.ticket_open(
                acting=ines, contract=contract, channel="phone", description="Leaks water"
            )
            services.visit_plan(
                acting=self.acting("cora"),
                contract=contract,
                kind=Visit.Kind.REPAIR,
                planned_on=date(2026, 5, 22),
                ticket=ticket,
            )
            for month in (date(2026, 3, 1), date(2026, 4, 1)):
                services.billing_run(programme=self.rental, month=month)
            bank_import = BankImport.objects.create(
                collector=self.ocmw, filename="mei.csv", file_format="csv"
            )
            line = BankLine.objects.create(
                bank_import=bank_import,
                number=1,
                booked_on=date(2026, 5, 2),
                amount=Decimal("7.50"),
                counterparty="AN JANSENS",
                iban=IBAN,
                text="huur wasmachine",
                status=BankLine.Status.MATCHED,
            )
            services.payment_record(
                acting=ines,
                household=household,
                amount=Decimal("7.50"),
                received_on=date(2026, 5, 2),
                method="transfer",
                bank_line=line,
            )
            services.arrears_step_take(
                acting=ines, household=household, level=1, note="Belt maandag terug"
            )
            resident_access_issue(acting=ines, household=household)
        contract.refresh_from_db()
        return contract

    def export(self, username: str, household: Household | None = None) -> dict[str, Any]:
        household = household or self.jansens
        text = household_export(acting=self.acting(username), household=household)
        return json.loads(text)


class RentalExportTest(RentalHistoryMixin):
    def test_every_rentals_model_is_classified(self) -> None:
        # A new model must say how it leads to a household (and then appear in the export),
        # or be listed as about no household.
        models_ = set(apps.get_app_config("rentals").get_models())
        self.assertEqual(
            models_, set(HOUSEHOLD_LOOKUP) | NOT_ABOUT_A_HOUSEHOLD | DERIVED_FROM_EXPORTED
        )

    def test_export_contains_every_rental_record_of_the_household(self) -> None:
        self.full_history()
        exports = {username: self.export(username) for username in ("ines", "cora")}
        for model, lookup in HOUSEHOLD_LOOKUP.items():
            rows = set(
                model._default_manager.filter(**{lookup: self.jansens}).values_list("pk", flat=True)
            )
            self.assertTrue(rows, f"the history must make a {model.__name__} to look for")
            # ines: the registrar and collector; cora: the lead of the programme the money
            # and the arrears step are about.
            for username, export in exports.items():
                expected = rows
                with self.subTest(user=username, model=model.__name__):
                    self.assertEqual(exported_ids(export, model), expected)

    def test_export_shows_iban_mandate_and_money(self) -> None:
        contract = self.full_history()
        part = self.export("ines")["rentals"]
        [exported] = part["contracts"]
        self.assertEqual(exported["debtor_iban"], IBAN)
        self.assertEqual(exported["mandate_id"], contract.mandate_id)
        self.assertEqual(part["payments"][0]["bank_line"]["account_name"], "AN JANSENS")
        self.assertEqual([c["tenant_amount"] for c in part["charges"]], ["5.32", "7.50"])
        self.assertEqual(len(part["resident_page_openings"]), 0)

    def test_pdf_export_has_the_rental_section(self) -> None:
        self.full_history()
        with self.assertTemplateUsed("rentals/parts/export.html"):
            pdf = household_export_pdf(acting=self.acting("ines"), household=self.jansens)
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_a_household_without_rentals_exports_an_empty_part(self) -> None:
        part = self.export("ines", self.peeters)["rentals"]
        self.assertEqual(part["contracts"], [])
        self.assertIsNone(part["resident_access"])


class TwoLeadsExportTest(RentalHistoryMixin):
    """Issue 6: a lead's export of a household lists only its own programmes' data and its own
    organisation's access-log events, not another lead's enrolment or events."""

    def setUp(self) -> None:
        super().setUp()
        self.other = Programme.objects.create(
            name="Buurtbaanbureau Arnhem",
            slug="bbb-arnhem",
            kind="job_bureau",
            lead_organisation=self.arnhem,
        )
        Enrolment.objects.create(
            household=self.jansens,
            programme=self.other,
            status="enrolled",
            rule_results=[{"rule": "postcode_served", "passed": False, "detail": {}}],
            override_reason="Verhuist binnenkort naar Arnhem",
        )
        self.full_history()
        household_viewed(acting=self.acting("otto"), household=self.jansens)
        household_viewed(acting=self.acting("cora"), household=self.jansens)

    def test_each_lead_exports_only_its_own(self) -> None:
        cora = self.export("cora")
        self.assertEqual([e["programme"] for e in cora["enrolments"]], [self.rental.name])
        self.assertNotIn("Verhuist binnenkort", json.dumps(cora))
        self.assertEqual({a["organisation"] for a in cora["access_log"]}, {self.lead.name})
        self.assertEqual(len(cora["rentals"]["contracts"]), 1)

        otto = self.export("otto")
        self.assertEqual([e["programme"] for e in otto["enrolments"]], [self.other.name])
        self.assertEqual({a["organisation"] for a in otto["access_log"]}, {self.arnhem.name})
        self.assertEqual(otto["rentals"]["contracts"], [])
        self.assertEqual(otto["rentals"]["payments"], [])
        self.assertEqual(otto["rentals"]["charges"], [])
        self.assertNotIn(IBAN, json.dumps(otto))

    def test_the_registrar_exports_everything_it_registered_but_only_its_own_log(self) -> None:
        ines = self.export("ines")
        self.assertEqual(
            {e["programme"] for e in ines["enrolments"]}, {self.rental.name, self.other.name}
        )
        self.assertEqual({a["organisation"] for a in ines["access_log"]}, {self.ocmw.name})

    def test_a_lead_sees_no_payment_to_another_programmes_collector(self) -> None:
        # Arnhem collects for a rental programme of its own, where jansens paid it.
        arnhem_rental = Programme.objects.create(
            name="Huren Arnhem",
            slug="huren-arnhem",
            kind="appliance_rental",
            lead_organisation=self.arnhem,
        )
        RentalScheme.objects.create(
            programme=arnhem_rental, collector=self.arnhem, supplier=self.supplier
        )
        ProgrammePartner.objects.create(
            programme=arnhem_rental, organisation=self.supplier, role="supplier"
        )
        Payment.objects.create(
            household=self.jansens,
            collector=self.arnhem,
            amount=Decimal("9.00"),
            received_on=date(2026, 5, 3),
            method="cash",
            unallocated=Decimal("9.00"),
        )
        amounts = [p["amount"] for p in self.export("cora")["rentals"]["payments"]]
        self.assertEqual(amounts, ["7.50"])  # the lead's programme's payment, not arnhem's
        amounts = sorted(p["amount"] for p in self.export("otto")["rentals"]["payments"])
        self.assertEqual(amounts, ["9.00"])


class RentalErasureTest(RentalHistoryMixin):
    def test_erasure_is_refused_while_a_contract_runs_and_changes_nothing(self) -> None:
        contract = self.full_history()
        with self.assertRaises(ValidationError) as caught:
            household_erase(acting=self.acting("ada"), household=self.jansens)
        [message] = caught.exception.messages
        self.assertIn(contract.payment_reference, message)
        self.assertIn("running", message)
        household = Household.objects.get(pk=self.jansens.pk)
        self.assertEqual(household.last_name, "Jansens")
        self.assertIsNone(household.erased_at)
        self.assertEqual(Contract.objects.get(pk=contract.pk).debtor_iban, IBAN)
        self.assertFalse(AuditEvent.objects.filter(action="erase").exists())

    def test_a_draft_or_signed_contract_refuses_too(self) -> None:
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ines, application=application)
        with self.assertRaises(ValidationError) as caught:
            household_erase(acting=self.acting("ada"), household=self.jansens)
        self.assertIn("draft", caught.exception.messages[0])
        with time_machine.travel(date(2026, 5, 20)):
            services.contract_sign(
                acting=ines,
                contract=contract,
                payment_method="transfer",
                installation_on=date(2026, 6, 2),
            )
        with self.assertRaises(ValidationError) as caught:
            household_erase(acting=self.acting("ada"), household=self.jansens)
        self.assertIn("signed", caught.exception.messages[0])

    def test_erase_page_says_why_and_offers_no_form(self) -> None:
        contract = self.full_history()
        self.login("ada")
        url = reverse("households:erase", args=[self.jansens.pk])
        response = self.client.get(url, headers={"accept-language": "en"})
        self.assertContains(response, contract.payment_reference)
        self.assertNotContains(response, "Erase for good")
        response = self.client.post(url, {"reference": self.jansens.reference})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(Household.objects.get(pk=self.jansens.pk).erased_at)

    def test_erasure_after_the_end_removes_iban_and_mandate_and_keeps_the_amounts(self) -> None:
        contract = self.full_history()
        with time_machine.travel(date(2026, 5, 25)):
            services.contract_end(
                acting=self.acting("ines"), contract=contract, reason="moved", on=date(2026, 5, 25)
            )
        charges = list(Charge.objects.filter(contract=contract).values_list("tenant_amount"))
        payments = list(Payment.objects.filter(household=self.jansens).values_list("amount"))
        self.assertIn(IBAN, contract_html(contract=Contract.objects.get(pk=contract.pk)))

        household_erase(acting=self.acting("ada"), household=self.jansens)

        contract.refresh_from_db()
        self.assertEqual((contract.debtor_iban, contract.mandate_id), ("", ""))
        self.assertIsNone(contract.mandate_signed_on)
        # Contract PDFs are made from the contract on request: none carries the IBAN now.
        self.assertNotIn(IBAN, contract_html(contract=contract))
        line = BankLine.objects.get(payment__household=self.jansens)
        self.assertEqual((line.counterparty, line.iban, line.text), ("", "", ""))
        self.assertEqual(ArrearsStep.objects.get(household=self.jansens).note, "")
        self.assertFalse(ResidentAccess.objects.filter(household=self.jansens).exists())
        # The books stay right.
        self.assertEqual(
            list(Charge.objects.filter(contract=contract).values_list("tenant_amount")), charges
        )
        self.assertEqual(
            list(Payment.objects.filter(household=self.jansens).values_list("amount")), payments
        )
        self.assertNotIn(IBAN, json.dumps(self.export("ada")))

    def test_waiting_applications_are_cancelled_and_priority_reasons_erased(self) -> None:
        application = services.application_create(
            acting=self.acting("ines"),
            household=self.jansens,
            programme=self.rental,
            category="fridge",
        )
        services.application_prioritise(
            acting=self.acting("cora"), application=application, reason="Baby op komst"
        )
        household_erase(acting=self.acting("ada"), household=self.jansens)
        application.refresh_from_db()
        self.assertEqual(application.status, Application.Status.CANCELLED)
        self.assertNotIn("Baby", application.priority_reason)


class RentalPagesTest(RentalTestCase):
    """Moved from core/tests/test_views.py: the rental menu item and home panel now come
    through the seam."""

    client_language = "en"

    def test_technician_is_sent_to_my_visits_not_told_soon(self) -> None:
        self.login("tom")
        response = self.client.get(reverse("home"))
        self.assertContains(response, f'href="{reverse("rentals:today")}"', count=2)  # menu, card
        self.assertContains(response, 'id="your-work"')
        self.assertNotContains(response, "Soon you will find")

    def test_neighbourhood_worker_has_no_visits_link(self) -> None:
        self.login("wout")
        self.assertNotContains(self.client.get(reverse("home")), reverse("rentals:today"))

    def test_no_rent_link_where_nobody_collects(self) -> None:
        self.login("ilse")  # kortrijk refers but collects for nobody
        self.assertNotContains(self.client.get(reverse("home")), reverse("collection:index"))

    def test_programme_page_links_to_the_rental_pages_only_for_rental_programmes(self) -> None:
        self.login("cora")
        rental_pages = reverse("rentals:programme", args=[self.rental.pk])
        self.assertContains(
            self.client.get(reverse("programme_detail", args=[self.rental.pk])), rental_pages
        )
        jobs = Programme.objects.create(
            name="Wijkwerken", slug="ww", kind="job_bureau", lead_organisation=self.lead
        )
        response = self.client.get(reverse("programme_detail", args=[jobs.pk]))
        self.assertNotContains(response, "/rentals/")

    def test_rentals_is_registered_for_its_kind(self) -> None:
        [app] = [a for a in registry.apps if a.label == "rentals"]
        self.assertEqual(app.kind, "appliance_rental")
        figures = registry.impact_figures(self.rental)
        self.assertLessEqual({"electricity_kwh", "co2_kg"}, {f.key for f in figures})


class RentalErasureApiTest(RentalHistoryMixin, ApiTestCase):
    def test_the_api_refuses_with_the_reason_and_erases_nothing(self) -> None:
        contract = self.full_history()
        response = self.post(f"/api/v1/households/{self.jansens.pk}/erase", "ada")
        body = self.assertError(response, 422)
        self.assertIn(contract.payment_reference, body["message"])
        self.assertIsNone(Household.objects.get(pk=self.jansens.pk).erased_at)
