"""The rental operations pages: roles, tenancy, the flow from intake to installation, and the
errors a person sees when something is refused."""

import importlib.util
import re
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from households.models import Enrolment
from households.services import household_erase
from rentals import services
from rentals.models import (
    ApplianceModel,
    Application,
    Contract,
    Offer,
    RentalScheme,
    ResidentAccess,
    Ticket,
    Unit,
    UnitEvent,
    UnitStatus,
    Visit,
)
from rentals.services.resident import resident_access_check
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at

HAS_DOCUMENTS = importlib.util.find_spec("rentals.documents") is not None


def url(name: str, *args: object) -> str:
    return reverse(f"rentals:{name}", args=args)


class ViewTestCase(RentalTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The messages are asserted in their English source text.
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


class SetupPagesTest(ViewTestCase):
    def test_lead_coordinator_sees_the_set_up_forms(self) -> None:
        self.login("cora")
        response = self.client.get(url("programme", self.rental.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "OCMW Brugge")
        self.assertContains(response, url("scheme", self.rental.pk))
        self.assertContains(response, url("offer", self.rental.pk))
        self.assertContains(response, url("waiting", self.rental.pk))

    def test_partner_reads_the_set_up_without_forms(self) -> None:
        self.login("ines")
        response = self.client.get(url("programme", self.rental.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Elektro Desmet")
        self.assertNotContains(response, url("scheme", self.rental.pk))

    def test_lead_coordinator_finds_billing_and_dashboard(self) -> None:
        billing = reverse("collection:billing", kwargs={"programme_pk": self.rental.pk})
        dashboard = reverse("collection:dashboard", kwargs={"programme_pk": self.rental.pk})
        self.login("cora")
        response = self.client.get(url("programme", self.rental.pk))
        self.assertContains(response, f'href="{billing}"')
        self.assertContains(response, f'href="{dashboard}"')
        self.assertEqual(self.client.get(billing).status_code, 200)
        self.login("ines")  # a partner: those pages would answer 403, so no links
        response = self.client.get(url("programme", self.rental.pk))
        self.assertNotContains(response, billing)
        self.assertNotContains(response, dashboard)

    def test_programmes_is_the_current_menu_item_on_rental_programme_pages(self) -> None:
        programmes = reverse("programme_list")
        current = f'<a href="{programmes}" aria-current="page">'
        self.login("cora")
        for name in ("programme", "catalogue", "units", "waiting", "contracts", "tickets"):
            with self.subTest(page=name):
                self.assertContains(self.client.get(url(name, self.rental.pk)), current)
        # A lead without collection: its billing page belongs to the programme too.
        billing = reverse("collection:billing", kwargs={"programme_pk": self.rental.pk})
        self.assertContains(self.client.get(billing), current)
        # Not on a household's page.
        self.assertNotContains(self.client.get(url("household", self.jansens.pk)), current)

    def test_wrong_roles_and_organisations_are_refused(self) -> None:
        self.login("otto")
        self.assertEqual(self.client.get(url("programme", self.rental.pk)).status_code, 404)
        self.login("tom")  # a technician has no programme.view
        self.assertEqual(self.client.get(url("programme", self.rental.pk)).status_code, 403)

    def test_scheme_is_configured_by_the_lead_only(self) -> None:
        data = {
            "collector": self.ocmw.pk,
            "supplier": self.supplier.pk,
            "max_appliances": 2,
            "ticket_reminder_days": 5,
        }
        self.login("ines")
        self.assertEqual(self.client.post(url("scheme", self.rental.pk), data).status_code, 403)
        self.assertEqual(RentalScheme.objects.get().max_appliances, 3)
        self.login("cora")
        response = self.client.post(url("scheme", self.rental.pk), data)
        self.assertRedirects(response, url("programme", self.rental.pk))
        scheme = RentalScheme.objects.get()
        self.assertEqual((scheme.max_appliances, scheme.ticket_reminder_days), (2, 5))

    def test_scheme_refuses_an_organisation_outside_the_programme(self) -> None:
        self.login("cora")
        response = self.client.post(
            url("scheme", self.rental.pk),
            {
                "collector": self.arnhem.pk,
                "supplier": self.supplier.pk,
                "max_appliances": 3,
                "ticket_reminder_days": 10,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(RentalScheme.objects.get().collector, self.ocmw)

    def test_offer_is_set_and_bad_fee_stores_nothing(self) -> None:
        self.login("cora")
        response = self.client.post(
            url("offer", self.rental.pk),
            {"category": "dishwasher", "tenant_fee": "8.50", "subsidy": "2", "term_months": 120},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Offer.objects.get(category="dishwasher").tenant_fee, Decimal("8.50"))
        response = self.client.post(
            url("offer", self.rental.pk),
            {"category": "dryer", "tenant_fee": "-1", "subsidy": "2", "term_months": 120},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Offer.objects.filter(category="dryer").exists())

    def test_catalogue_add_and_duplicate(self) -> None:
        data = {
            "category": "dryer",
            "brand": "Miele",
            "model_name": "TWC 220",
            "energy_class": "a+++",
            "label_scale": "old",
            "kwh_per_year": "193",
        }
        self.login("ines")
        self.assertEqual(self.client.get(url("catalogue", self.rental.pk)).status_code, 200)
        self.assertEqual(self.client.post(url("catalogue", self.rental.pk), data).status_code, 403)
        self.login("cora")
        response = self.client.post(url("catalogue", self.rental.pk), data)
        self.assertEqual(response.status_code, 302)
        model = ApplianceModel.objects.get(brand="Miele")
        self.assertEqual(model.energy_class, "A+++")
        response = self.client.post(url("catalogue", self.rental.pk), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "already in the catalogue", status_code=400)
        self.assertEqual(ApplianceModel.objects.filter(brand="Miele").count(), 1)

    def test_catalogue_needs_a_declared_consumption(self) -> None:
        self.login("cora")
        response = self.client.post(
            url("catalogue", self.rental.pk),
            {
                "category": "dryer",
                "brand": "AEG",
                "model_name": "T8",
                "energy_class": "A",
                "label_scale": "2021",
                "kwh_per_100_cycles": "50",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ApplianceModel.objects.filter(brand="AEG").exists())


class UnitPagesTest(ViewTestCase):
    def test_unit_list_filters(self) -> None:
        self.login("cora")
        response = self.client.get(url("units", self.rental.pk), {"category": "fridge"})
        self.assertContains(response, "F-001")
        self.assertNotContains(response, "W-001")
        response = self.client.get(url("units", self.rental.pk), {"q": "w-00"})
        self.assertContains(response, "W-002")
        self.assertNotContains(response, "F-001")
        services.unit_transition(
            acting=self.acting("cora"), unit=self.unit("W-002"), to="in_repair"
        )
        response = self.client.get(url("units", self.rental.pk), {"status": "in_repair"})
        self.assertContains(response, "W-002")
        self.assertNotContains(response, "W-001")

    def test_unit_list_partial_for_htmx(self) -> None:
        self.login("cora")
        response = self.client.get(url("units", self.rental.pk), HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="results"')
        self.assertNotContains(response, "<html")

    def test_the_supplier_technician_sees_and_adds_units(self) -> None:
        self.login("tom")
        self.assertEqual(self.client.get(url("units", self.rental.pk)).status_code, 200)
        response = self.client.post(
            url("unit_create", self.rental.pk),
            {"appliance_model": self.fridge.pk, "serial": "F-002", "status": "in_stock"},
        )
        unit = Unit.objects.get(serial="F-002")
        self.assertRedirects(response, url("unit_detail", unit.pk))

    def test_other_organisation_and_viewer_are_refused(self) -> None:
        unit = self.unit("W-001")
        self.login("otto")
        self.assertEqual(self.client.get(url("units", self.rental.pk)).status_code, 404)
        self.assertEqual(self.client.get(url("unit_detail", unit.pk)).status_code, 404)
        self.assertEqual(
            self.client.post(url("unit_transition", unit.pk), {"to": "retired"}).status_code, 404
        )
        self.login("vera")  # viewer at a partner: reads, does not change
        self.assertEqual(self.client.get(url("unit_detail", unit.pk)).status_code, 200)
        self.assertEqual(self.client.get(url("unit_create", self.rental.pk)).status_code, 403)
        self.assertEqual(
            self.client.post(url("unit_transition", unit.pk), {"to": "retired"}).status_code, 403
        )
        self.assertEqual(self.unit("W-001").status, UnitStatus.IN_STOCK)

    def test_duplicate_serial_shows_an_error_and_stores_nothing(self) -> None:
        self.login("cora")
        before = Unit.objects.count()
        response = self.client.post(
            url("unit_create", self.rental.pk),
            {"appliance_model": self.washer.pk, "serial": " w-001 ", "status": "in_stock"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "already exists", status_code=400)
        self.assertContains(response, "Nothing was saved", status_code=400)
        self.assertEqual(Unit.objects.count(), before)

    def test_detail_shows_history_and_only_allowed_moves(self) -> None:
        unit = self.unit("W-001")
        self.login("cora")
        response = self.client.get(url("unit_detail", unit.pk))
        self.assertContains(response, "cora")  # who created it
        self.assertContains(response, 'value="in_repair"')
        self.assertContains(response, 'value="retired"')
        self.assertNotContains(response, 'value="refurbishing"')  # not from "in stock"
        self.assertNotContains(response, 'value="reserved"')  # only through a contract
        self.assertContains(response, url("unit_label", unit.pk))
        response = self.client.post(url("unit_transition", unit.pk), {"to": "in_repair"})
        self.assertRedirects(response, url("unit_detail", unit.pk))
        self.assertEqual(self.unit("W-001").status, UnitStatus.IN_REPAIR)
        event = UnitEvent.objects.filter(unit=unit).last()
        assert event is not None
        self.assertEqual(
            (event.from_status, event.to_status, event.by), ("in_stock", "in_repair", self.cora)
        )

    def test_illegal_transition_is_refused_with_a_message(self) -> None:
        unit = self.unit("W-001")
        self.login("cora")
        events = UnitEvent.objects.filter(unit=unit).count()
        response = self.client.post(
            url("unit_transition", unit.pk), {"to": "refurbishing"}, follow=True
        )
        self.assertContains(response, "cannot become")
        response = self.client.post(
            url("unit_transition", unit.pk), {"to": "reserved"}, follow=True
        )
        self.assertContains(response, "through its contract")
        response = self.client.post(
            url("unit_transition", unit.pk), {"to": "nonsense"}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.unit("W-001").status, UnitStatus.IN_STOCK)
        self.assertEqual(UnitEvent.objects.filter(unit=unit).count(), events)

    def test_labels_need_a_matching_selection(self) -> None:
        self.login("cora")
        response = self.client.get(url("unit_labels", self.rental.pk), {"q": "nothing-matches"})
        self.assertRedirects(
            response,
            url("units", self.rental.pk) + "?q=nothing-matches",
            fetch_redirect_response=False,
        )


class WaitingListTest(ViewTestCase):
    def apply(self, household, category: str = "fridge") -> Application:
        return services.application_create(
            acting=self.acting("ines")
            if household.organisation == self.ocmw
            else self.acting("ilse"),
            household=household,
            programme=self.rental,
            category=category,
        )

    def test_household_page_for_the_right_organisation_only(self) -> None:
        self.login("ines")
        response = self.client.get(url("household", self.jansens.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, url("apply", self.jansens.pk))
        self.login("ilse")
        self.assertEqual(self.client.get(url("household", self.jansens.pk)).status_code, 404)
        self.login("tom")
        self.assertEqual(self.client.get(url("household", self.jansens.pk)).status_code, 403)
        self.login("vera")  # reads, cannot apply
        response = self.client.get(url("household", self.jansens.pk))
        self.assertNotContains(response, url("apply", self.jansens.pk))
        self.assertEqual(self.client.get(url("apply", self.jansens.pk)).status_code, 403)

    def test_apply_records_the_old_appliance(self) -> None:
        self.login("ines")
        response = self.client.post(
            url("apply", self.jansens.pk),
            {
                "programme": self.rental.pk,
                "category": "washing_machine",
                "has_old_appliance": "on",
                "old_age_band": ">15",
                "old_label": "a+",
                "old_label_scale": "old",
                "old_measured_kwh": "412.5",
            },
        )
        self.assertRedirects(response, url("household", self.jansens.pk))
        application = Application.objects.get()
        self.assertEqual(
            (application.old_label, application.old_label_scale, application.old_measured_kwh),
            ("A+", "old", Decimal("412.5")),
        )

    def test_apply_for_a_category_without_offer_stores_nothing(self) -> None:
        self.login("ines")
        response = self.client.post(
            url("apply", self.jansens.pk),
            {"programme": self.rental.pk, "category": "dryer", "old_age_band": "unknown"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "does not rent this appliance", status_code=400)
        self.assertFalse(Application.objects.exists())

    def test_not_enrolled_household_cannot_apply(self) -> None:
        self.login("ines")
        response = self.client.get(url("apply", self.peeters.pk))
        self.assertContains(response, "Enrol the household")
        response = self.client.post(
            url("apply", self.peeters.pk),
            {"programme": self.rental.pk, "category": "fridge", "old_age_band": "unknown"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Application.objects.exists())

    def test_order_positions_and_other_partners_hidden(self) -> None:
        Enrolment.objects.create(household=self.dubois, programme=self.rental, status="enrolled")
        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")
        self.apply(self.dubois)
        self.apply(self.jansens)
        self.apply(self.peeters)
        self.login("ines")
        response = self.client.get(url("waiting", self.rental.pk), {"category": "fridge"})
        self.assertNotContains(response, "Dubois")  # kortrijk's household
        rows = response.context["rows"]
        self.assertEqual(
            [(r["application"].household, r["position"]) for r in rows],
            [(self.jansens, 2), (self.peeters, 3)],
        )
        # One fridge is free, and it goes to Dubois: nobody of ocmw may take it yet.
        self.assertFalse(any(r["unit_free"] for r in rows))
        self.assertNotContains(response, "Make contract")

    def test_all_appliances_are_grouped_with_positions_per_appliance(self) -> None:
        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")
        # Applied in turns, so a list in order of application mixes the appliances.
        self.apply(self.jansens, "fridge")
        self.apply(self.peeters, "washing_machine")
        self.apply(self.peeters, "fridge")
        self.apply(self.jansens, "washing_machine")
        self.login("ines")
        response = self.client.get(url("waiting", self.rental.pk))
        groups = response.context["groups"]
        self.assertEqual(
            [
                (g["category"], [(r["application"].household, r["position"]) for r in g["rows"]])
                for g in groups
            ],
            [
                ("washing_machine", [(self.peeters, 1), (self.jansens, 2)]),
                ("fridge", [(self.jansens, 1), (self.peeters, 2)]),
            ],
        )
        html = response.content.decode()
        # One heading and one table per appliance, in the order of the groups.
        washing = html.index('<h2 id="waiting-washing_machine">')
        fridge = html.index('<h2 id="waiting-fridge">')
        self.assertLess(washing, fridge)
        self.assertEqual(html.count("<table"), 2)
        positions = re.findall(r'<td class="number">(\d+)</td>', html)
        self.assertEqual(positions, ["1", "2", "1", "2"])

    def test_one_appliance_gives_one_group(self) -> None:
        self.apply(self.jansens, "fridge")
        self.apply(self.jansens, "washing_machine")
        self.login("ines")
        response = self.client.get(url("waiting", self.rental.pk), {"category": "fridge"})
        self.assertEqual([g["category"] for g in response.context["groups"]], ["fridge"])
        self.assertNotContains(response, 'id="waiting-washing_machine"')

    def test_priority_needs_a_reason_and_a_lead_coordinator(self) -> None:
        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")
        self.apply(self.jansens)
        second = self.apply(self.peeters)
        self.login("ines")
        response = self.client.post(url("application_prioritise", second.pk), {"reason": "x"})
        self.assertEqual(response.status_code, 403)
        self.login("cora")
        response = self.client.post(url("application_prioritise", second.pk), {"reason": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Nothing was saved", status_code=400)
        second.refresh_from_db()
        self.assertFalse(second.priority)
        response = self.client.post(
            url("application_prioritise", second.pk), {"reason": "Fridge broken, baby at home"}
        )
        self.assertRedirects(response, url("waiting", self.rental.pk) + "?category=fridge")
        response = self.client.get(url("waiting", self.rental.pk), {"category": "fridge"})
        rows = response.context["rows"]
        self.assertEqual([r["application"].pk for r in rows][0], second.pk)
        self.assertEqual(rows[0]["position"], 1)
        self.assertTrue(rows[0]["unit_free"])
        self.assertContains(response, "Fridge broken, baby at home")

    def test_make_contract_refused_when_no_unit_is_free(self) -> None:
        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")
        self.apply(self.jansens)
        second = self.apply(self.peeters)
        self.login("ines")
        response = self.client.post(url("application_contract", second.pk), follow=True)
        self.assertContains(response, "number 2 on the waiting list")
        self.assertFalse(Contract.objects.exists())

    def test_cancel(self) -> None:
        application = self.apply(self.jansens)
        self.login("vera")
        self.assertEqual(
            self.client.post(url("application_cancel", application.pk)).status_code, 403
        )
        self.login("ilse")
        self.assertEqual(
            self.client.post(url("application_cancel", application.pk)).status_code, 404
        )
        self.login("ines")
        response = self.client.post(
            url("application_cancel", application.pk), {"next": "https://evil.example/"}
        )
        self.assertRedirects(response, url("household", self.jansens.pk))
        application.refresh_from_db()
        self.assertEqual(application.status, Application.Status.CANCELLED)

    def test_waiting_list_refuses_others(self) -> None:
        self.login("otto")
        self.assertEqual(self.client.get(url("waiting", self.rental.pk)).status_code, 404)
        self.login("tom")
        self.assertEqual(self.client.get(url("waiting", self.rental.pk)).status_code, 403)


class ResidentLinkTest(ViewTestCase):
    """The letter's link and PIN: made on the household's rental page, shown once."""

    def issue(self, username: str = "ines"):
        self.login(username)
        return self.client.post(url("resident_link", self.jansens.pk))

    def test_link_and_pin_are_shown_once_and_open_the_resident_page(self) -> None:
        self.login("ines")
        page = self.client.get(url("household", self.jansens.pk))
        self.assertContains(page, f'action="{url("resident_link", self.jansens.pk)}"')
        self.assertContains(page, "Make a new resident link and PIN")
        self.assertContains(page, "The household has no link yet.")

        response = self.issue()
        self.assertEqual(response.status_code, 200)  # shown in the answer, no redirect
        self.assertIn("no-store", response["Cache-Control"])
        access = ResidentAccess.objects.get(household=self.jansens)
        link = "http://testserver" + reverse("resident:pin", kwargs={"key": access.key})
        self.assertContains(response, link)
        pin = response.context["issued"]["pin"]
        self.assertRegex(pin, r"^\d{6}$")
        self.assertContains(response, f'<span class="secret pin">{pin}</span>')
        self.assertContains(response, "shows the PIN only once")
        self.assertContains(response, "A new link replaces the old one")
        # Only the hash is kept, and the link and PIN really open the resident page.
        self.assertNotIn(pin, access.pin_hash)
        self.assertEqual(resident_access_check(key=access.key, pin=pin), self.jansens)
        # Shown once: the page opened again has neither the PIN nor the link.
        again = self.client.get(url("household", self.jansens.pk))
        self.assertNotContains(again, link)
        self.assertIsNone(again.context["issued"])
        self.assertContains(again, "The household has a link, valid until")

    def test_a_new_link_replaces_the_old_one(self) -> None:
        self.issue()
        old_key = ResidentAccess.objects.get(household=self.jansens).key
        response = self.issue()
        access = ResidentAccess.objects.get(household=self.jansens)
        self.assertNotEqual(access.key, old_key)
        self.assertNotContains(response, old_key)
        self.assertContains(response, access.key)

    def test_refused_to_readers_other_organisations_and_get(self) -> None:
        self.login("vera")  # a viewer: no button, and the POST is refused
        page = self.client.get(url("household", self.jansens.pk))
        self.assertNotContains(page, url("resident_link", self.jansens.pk))
        self.assertEqual(self.issue("vera").status_code, 403)
        self.assertEqual(self.issue("ilse").status_code, 404)  # kortrijk cannot see jansens
        self.assertEqual(self.issue("otto").status_code, 404)
        self.assertEqual(self.issue("tom").status_code, 403)
        self.login("ines")
        self.assertEqual(self.client.get(url("resident_link", self.jansens.pk)).status_code, 405)
        self.assertFalse(ResidentAccess.objects.exists())

    def test_erased_household_gets_no_link(self) -> None:
        household_erase(acting=self.acting("ada"), household=self.jansens)
        self.login("ines")
        page = self.client.get(url("household", self.jansens.pk))
        self.assertNotContains(page, url("resident_link", self.jansens.pk))
        response = self.issue()
        self.assertRedirects(
            response, url("household", self.jansens.pk) + "#resident", fetch_redirect_response=False
        )
        self.assertFalse(ResidentAccess.objects.exists())
        self.assertContains(self.client.get(url("household", self.jansens.pk)), "was erased")


class FlowThroughThePagesTest(ViewTestCase):
    def test_apply_to_active_contract(self) -> None:
        self.login("ines")
        self.client.post(
            url("apply", self.jansens.pk),
            {
                "programme": self.rental.pk,
                "category": "fridge",
                "has_old_appliance": "on",
                "old_age_band": "10-15",
            },
        )
        application = Application.objects.get()
        response = self.client.get(url("waiting", self.rental.pk))
        self.assertContains(response, "Jansens")
        self.assertContains(response, url("application_contract", application.pk))

        response = self.client.post(url("application_contract", application.pk))
        contract = Contract.objects.get()
        self.assertRedirects(response, url("contract", contract.pk))
        self.assertEqual(contract.unit.serial, "F-001")
        response = self.client.get(url("contract", contract.pk))
        self.assertContains(response, url("contract_sign", contract.pk))
        self.assertContains(response, url("contract_pdf", contract.pk))
        if HAS_DOCUMENTS:  # the contract is printed to be signed
            response = self.client.get(url("contract_pdf", contract.pk))
            self.assertTrue(response.content.startswith(b"%PDF"))

        # Direct debit without an IBAN: refused, nothing signed.
        sign = {"payment_method": "direct_debit", "installation_on": "2026-04-02"}
        response = self.client.post(url("contract_sign", contract.pk), sign)
        self.assertEqual(response.status_code, 400)
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.DRAFT)
        response = self.client.post(
            url("contract_sign", contract.pk), {**sign, "debtor_iban": "BE71 0961 2345 6768"}
        )
        self.assertContains(response, "is not a valid IBAN", status_code=400)
        response = self.client.post(
            url("contract_sign", contract.pk), {**sign, "debtor_iban": "BE71 0961 2345 6769"}
        )
        self.assertRedirects(response, url("contract", contract.pk))
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.SIGNED)
        self.assertEqual(contract.debtor_iban, "BE71096123456769")
        visit = Visit.objects.get(contract=contract, kind=Visit.Kind.INSTALLATION)

        # The lead coordinator assigns Tom.
        self.login("cora")
        response = self.client.get(url("visits", self.rental.pk))
        self.assertContains(response, "Kerkstraat 12")
        self.assertContains(response, url("visit_assign", visit.pk))
        response = self.client.post(
            url("visit_assign", visit.pk),
            {"technician": self.tom.pk, "planned_on": "2026-04-02", "window": "9:00-12:00"},
        )
        self.assertRedirects(response, url("visits", self.rental.pk))

        # Tom completes the installation; the old fridge goes to recycling.
        self.login("tom")
        response = self.client.get(url("today_visit", visit.pk))
        self.assertEqual(response.status_code, 200)
        response = self.client.post(url("today_visit", visit.pk), {"report": "ok"})
        self.assertEqual(response.status_code, 400)  # the old appliance must be recorded
        response = self.client.post(
            url("today_visit", visit.pk), {"disposal": "recycled", "report": "Installed."}
        )
        self.assertRedirects(response, url("today"))
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.ACTIVE)
        self.assertEqual(contract.unit.status, UnitStatus.INSTALLED)
        visit.refresh_from_db()
        self.assertEqual((visit.status, visit.disposal), (Visit.Status.DONE, "recycled"))

        self.login("ines")
        response = self.client.get(url("contract", contract.pk))
        self.assertContains(response, "Taken away for recycling")
        self.assertContains(response, url("contract_end", contract.pk))

    def test_assign_refuses_a_technician_of_another_organisation(self) -> None:
        contract = self.active_contract()
        contract = services.contract_end(
            acting=self.acting("ines"), contract=contract, reason="moved", on=date(2026, 5, 1)
        )
        visit = contract.visits.get(kind=Visit.Kind.RETURN)
        self.login("ines")  # an intake worker does not plan the supplier's technicians
        self.assertEqual(self.client.get(url("visit_assign", visit.pk)).status_code, 403)
        self.login("cora")
        response = self.client.post(
            url("visit_assign", visit.pk), {"technician": self.otto.pk, "planned_on": "2026-05-02"}
        )
        self.assertEqual(response.status_code, 400)
        visit.refresh_from_db()
        self.assertIsNone(visit.technician)


class ContractPagesTest(ViewTestCase):
    def test_end_contract_and_bad_date(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        self.login("ines")
        response = self.client.post(
            url("contract_end", contract.pk), {"reason": "moved", "on": "2026-01-01"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "cannot end before it started", status_code=400)
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.ACTIVE)
        response = self.client.post(
            url("contract_end", contract.pk), {"reason": "moved", "on": "2026-06-30"}
        )
        self.assertContains(response, 'name="confirm"')  # asks first
        response = self.client.post(
            url("contract_end", contract.pk),
            {"reason": "moved", "on": "2026-06-30", "confirm": "yes"},
        )
        self.assertRedirects(response, url("contract", contract.pk))
        contract.refresh_from_db()
        self.assertEqual((contract.status, contract.end_reason), ("ended", "moved"))
        self.assertTrue(contract.visits.filter(kind=Visit.Kind.RETURN).exists())

    def test_contract_pages_refuse_others(self) -> None:
        contract = self.active_contract()
        self.login("ilse")
        self.assertEqual(self.client.get(url("contract", contract.pk)).status_code, 404)
        self.assertEqual(
            self.client.post(
                url("contract_end", contract.pk), {"reason": "moved", "on": "2026-06-30"}
            ).status_code,
            404,
        )
        self.login("vera")
        self.assertEqual(self.client.get(url("contract", contract.pk)).status_code, 200)
        self.assertEqual(
            self.client.post(
                url("contract_end", contract.pk), {"reason": "moved", "on": "2026-06-30"}
            ).status_code,
            403,
        )
        self.login("tom")
        self.assertEqual(self.client.get(url("contract", contract.pk)).status_code, 403)
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.ACTIVE)

    def test_contract_list_status_filter(self) -> None:
        self.active_contract()
        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")
        application = services.application_create(
            acting=self.acting("ines"),
            household=self.peeters,
            programme=self.rental,
            category="fridge",
        )
        services.contract_draft(acting=self.acting("ines"), application=application)
        self.login("cora")
        response = self.client.get(url("contracts", self.rental.pk), {"status": "draft"})
        self.assertContains(response, "Peeters")
        self.assertNotContains(response, "Jansens")
        response = self.client.get(url("contracts", self.rental.pk))
        self.assertContains(response, "Peeters")
        self.assertContains(response, "Jansens")
        self.login("ilse")  # kortrijk sees none of ocmw's contracts
        response = self.client.get(url("contracts", self.rental.pk))
        self.assertNotContains(response, "Jansens")

    def test_contract_pdf(self) -> None:
        if not HAS_DOCUMENTS:
            self.skipTest("rentals.documents is not there yet")
        contract = self.active_contract()
        self.login("ines")
        response = self.client.get(url("contract_pdf", contract.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.login("ilse")
        self.assertEqual(self.client.get(url("contract_pdf", contract.pk)).status_code, 404)

    def test_unit_label_pdfs(self) -> None:
        if not HAS_DOCUMENTS:
            self.skipTest("rentals.documents is not there yet")
        self.login("tom")
        response = self.client.get(url("unit_label", self.unit("W-001").pk))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        response = self.client.get(
            url("unit_labels", self.rental.pk), {"category": "washing_machine"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.login("otto")
        self.assertEqual(self.client.get(url("unit_label", self.unit("W-001").pk)).status_code, 404)


class TechnicianPageTest(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.jansens.net_monthly_income = Decimal("1234.56")
        self.jansens.phone = "050 12 34 56"
        self.jansens.contact_channel = "letter"
        self.jansens.save()
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ines, application=application)
        services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method="transfer",
            installation_on=timezone.localdate(),
        )
        self.visit = contract.visits.get()
        services.visit_assign(acting=self.acting("cora"), visit=self.visit, technician=self.tom)

    def test_shows_the_visit_but_not_the_income(self) -> None:
        self.login("tom")
        for page in (url("today"), url("today_visit", self.visit.pk)):
            response = self.client.get(page)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "An Jansens")
            self.assertContains(response, "Kerkstraat 12")
            self.assertContains(response, "F-001")
            self.assertNotContains(response, "1234")
            self.assertNotContains(response, "1.234")
            self.assertNotContains(response, "1,234")
            self.assertNotContains(response, "social")
            # The household wants letters: no phone number for the technician.
            self.assertNotContains(response, "050 12 34 56")

    def test_address_names_the_box(self) -> None:
        self.jansens.box = "8"
        self.jansens.save()
        self.login("tom")
        self.assertContains(self.client.get(url("today")), "Kerkstraat 12 box 8, 8000 Brugge")
        self.login("cora")
        self.assertContains(
            self.client.get(url("visits", self.rental.pk)), "Kerkstraat 12 box 8, 8000 Brugge"
        )

    def test_phone_shown_when_the_household_wants_calls(self) -> None:
        self.jansens.contact_channel = "phone"
        self.jansens.save()
        self.login("tom")
        self.assertContains(self.client.get(url("today")), "050 12 34 56")

    def test_another_technician_gets_404_and_no_household_page(self) -> None:
        tim = get_user_model().objects.create_user(username="tim", password="x")
        tim.memberships.create(organisation=self.supplier, role="technician")
        self.client.force_login(tim)
        response = self.client.get(url("today"))
        self.assertNotContains(response, "Jansens")
        self.assertEqual(self.client.get(url("today_visit", self.visit.pk)).status_code, 404)
        self.assertEqual(
            self.client.post(
                url("today_visit", self.visit.pk), {"disposal": "recycled"}
            ).status_code,
            404,
        )
        self.visit.refresh_from_db()
        self.assertEqual(self.visit.status, Visit.Status.PLANNED)
        self.login("tom")
        self.assertEqual(self.client.get(url("household", self.jansens.pk)).status_code, 403)
        self.assertEqual(
            self.client.get(reverse("households:detail", args=[self.jansens.pk])).status_code, 403
        )

    def test_later_visits_are_listed_under_coming_days(self) -> None:
        day = date(2027, 3, 10)
        self.visit.planned_on = day + timedelta(days=3)
        self.visit.save()
        with clock_at(day):
            self.login("tom")
            response = self.client.get(url("today"))
        self.assertEqual(response.context["todays"], [])
        self.assertEqual([c.id for c in response.context["later"]], [self.visit.pk])


class TicketPagesTest(ViewTestCase):
    def test_ticket_to_swap(self) -> None:
        contract = self.active_contract()
        old_unit = contract.unit
        self.login("ines")
        response = self.client.post(
            url("ticket_open", contract.pk), {"channel": "phone", "description": "  "}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Ticket.objects.exists())
        response = self.client.post(
            url("ticket_open", contract.pk), {"channel": "phone", "description": "Does not spin"}
        )
        ticket = Ticket.objects.get()
        self.assertRedirects(response, url("ticket", ticket.pk))

        response = self.client.get(url("tickets", self.rental.pk))
        self.assertContains(response, "Does not spin")
        self.assertNotContains(response, 'class="overdue"')
        Ticket.objects.filter(pk=ticket.pk).update(opened_at=timezone.now() - timedelta(days=20))
        response = self.client.get(url("tickets", self.rental.pk))
        self.assertContains(response, 'class="overdue"')
        self.assertEqual(response.context["overdue_count"], 1)

        response = self.client.post(
            url("ticket_plan", ticket.pk),
            {
                "kind": "swap",
                "planned_on": timezone.localdate().isoformat(),
                "technician": self.tom.pk,
            },
        )
        self.assertRedirects(response, url("ticket", ticket.pk))
        visit = Visit.objects.get(kind=Visit.Kind.SWAP)
        ticket.refresh_from_db()
        self.assertEqual(ticket.status, Ticket.Status.PLANNED)

        self.login("tom")
        response = self.client.get(url("today_visit", visit.pk))
        self.assertContains(response, "Does not spin")
        replacement = self.unit("W-002")
        response = self.client.post(url("today_visit", visit.pk), {"report": "swapped"})
        self.assertEqual(response.status_code, 400)  # a swap needs the replacement
        response = self.client.post(
            url("today_visit", visit.pk), {"replacement": replacement.pk, "report": "swapped"}
        )
        self.assertRedirects(response, url("today"))
        contract.refresh_from_db()
        self.assertEqual(contract.unit, replacement)
        self.assertEqual(self.unit(old_unit.serial).status, UnitStatus.IN_REPAIR)

        self.login("ines")
        response = self.client.get(url("ticket", ticket.pk))
        self.assertContains(response, "Time to resolution")
        self.assertContains(response, "20 days")
        self.assertNotContains(response, url("ticket_plan", ticket.pk))
        response = self.client.get(url("contract", contract.pk))
        self.assertContains(response, old_unit.serial)  # the unit history keeps both
        self.assertContains(response, "W-002")

    def test_tickets_refuse_others(self) -> None:
        contract = self.active_contract()
        ticket = services.ticket_open(
            acting=self.acting("ines"), contract=contract, channel="desk", description="Leaks"
        )
        self.login("ilse")
        self.assertEqual(self.client.get(url("ticket", ticket.pk)).status_code, 404)
        self.assertNotContains(self.client.get(url("tickets", self.rental.pk)), "Leaks")
        self.assertEqual(
            self.client.post(
                url("ticket_open", contract.pk), {"channel": "desk", "description": "x"}
            ).status_code,
            404,
        )
        self.login("vera")
        self.assertEqual(
            self.client.post(
                url("ticket_plan", ticket.pk), {"kind": "repair", "planned_on": "2026-05-01"}
            ).status_code,
            403,
        )
        self.assertFalse(Visit.objects.filter(ticket=ticket).exists())
        self.assertEqual(Ticket.objects.count(), 1)


class UnitScanTest(RentalTestCase):
    def test_the_label_leads_to_the_unit_only_for_those_who_may_see_it(self) -> None:
        unit = self.unit("W-001")
        self.login("cora")
        response = self.client.get(f"/rentals/units/scan/{unit.label_code.lower()}/")
        self.assertRedirects(response, f"/rentals/units/{unit.pk}/")
        self.login("otto")
        self.assertEqual(
            self.client.get(f"/rentals/units/scan/{unit.label_code}/").status_code, 404
        )
