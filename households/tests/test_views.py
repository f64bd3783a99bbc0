"""The household pages, as the named cast of wijk.testing uses them."""

import json
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.models import AuditEvent
from core.templatetags.wijk_tags import street_line
from households.models import Consent, Enrolment, Household, RestrictedNote
from wijk.testing import WijkTestCase, make_household


def household_post(**overrides: Any) -> dict[str, Any]:
    """A complete, valid household form as a browser would post it."""
    data: dict[str, Any] = {
        "first_name": "Sofie",
        "last_name": "Claes",
        "birth_year": "1984",
        "language": "nl",
        "street": "Ezelstraat",
        "house_number": "7",
        "box": "",
        "postcode": "8000",
        "city": "Brugge",
        "country": "BE",
        "contact_channel": "phone",
        "phone": "050 12 34 56",
        "email": "",
        "size": "3",
        "debt_support": "none",
        "net_monthly_income": "1850.50",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class PageTestCase(WijkTestCase):
    client_language = "en"  # these tests read the English source strings


class ListAndSearchTest(PageTestCase):
    url = reverse("households:list")

    def test_list_shows_only_the_households_the_organisation_may_see(self) -> None:
        self.login("cora")
        response = self.client.get(self.url)
        self.assertContains(response, "Jansens")
        self.assertNotContains(response, "Peeters")
        self.assertNotContains(response, "Dubois")

        self.login("ilse")
        response = self.client.get(self.url)
        self.assertContains(response, "Dubois")
        self.assertNotContains(response, "Jansens")
        self.assertNotContains(response, "Peeters")

    def test_list_shows_programmes_of_enrolled_households(self) -> None:
        self.login("ines")
        response = self.client.get(self.url)
        self.assertContains(response, "Huishoudtoestellen huren")

    def test_search_by_name(self) -> None:
        self.login("ines")
        response = self.client.get(self.url, {"q": "peeters"})
        self.assertContains(response, "Peeters")
        self.assertNotContains(response, "Jansens")

    def test_search_by_postcode(self) -> None:
        make_household(self.ocmw, last_name="Wouters", postcode="8310", city="Assebroek")
        self.login("ines")
        response = self.client.get(self.url, {"q": "8310"})
        self.assertContains(response, "Wouters")
        self.assertNotContains(response, "Jansens")
        self.assertNotContains(response, "Peeters")

    def test_search_by_reference(self) -> None:
        self.login("ines")
        response = self.client.get(self.url, {"q": self.peeters.reference.lower()})
        self.assertContains(response, "Peeters")
        self.assertNotContains(response, "Jansens")

    def test_search_never_finds_another_organisations_household(self) -> None:
        self.login("ines")
        response = self.client.get(self.url, {"q": "Dubois"})
        self.assertNotContains(response, "Dubois</a>")
        self.assertContains(response, "0 households")

    def test_htmx_request_gets_only_the_results(self) -> None:
        self.login("ines")
        response = self.client.get(self.url, {"q": "jansens"}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="results"', body)
        self.assertIn("Jansens", body)
        self.assertNotIn("<html", body)
        self.assertNotIn('role="search"', body)
        # Without htmx the whole page comes back, search form included.
        full = self.client.get(self.url, {"q": "jansens"}).content.decode()
        self.assertIn("<html", full)
        self.assertIn('role="search"', full)
        # htmx restoring a page from history needs the whole page too.
        restore = self.client.get(
            self.url,
            {"q": "jansens"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        )
        self.assertIn("<html", restore.content.decode())

    def test_bad_paging_and_huge_queries_are_not_errors(self) -> None:
        self.login("ines")
        for params in ({"page": "abc"}, {"page": "999"}, {"q": "x" * 5000}, {"q": "%00 ' \""}):
            self.assertEqual(self.client.get(self.url, params).status_code, 200, params)

    def test_pagination_at_25(self) -> None:
        for i in range(30):
            make_household(self.kortrijk, last_name=f"Naam{i:02d}", house_number=str(i + 1))
        self.login("ilse")
        first = self.client.get(self.url)
        self.assertEqual(len(first.context["page"].object_list), 25)
        second = self.client.get(self.url, {"page": 2})
        self.assertEqual(len(second.context["page"].object_list), 31 - 25)

    def test_technician_is_refused_and_anonymous_sent_to_login(self) -> None:
        self.login("tom")
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


class ListEnrolmentScopeTest(PageTestCase):
    def test_the_lead_of_another_programme_sees_only_its_own_enrolments_in_the_list(self) -> None:
        from core.models import Programme
        from wijk.testing import enrol

        bureau = Programme.objects.create(
            name="Buurtbaanbureau Arnhem",
            slug="bbb-arnhem",
            kind="job_bureau",
            lead_organisation=self.arnhem,
        )
        enrol(self.jansens, bureau)
        self.login("otto")
        response = self.client.get(reverse("households:list"))
        self.assertContains(response, "Buurtbaanbureau Arnhem")
        self.assertNotContains(response, self.rental.name)
        self.login("ines")  # the registering organisation sees both
        response = self.client.get(reverse("households:list"))
        self.assertContains(response, "Buurtbaanbureau Arnhem")
        self.assertContains(response, self.rental.name)


class CreateAndEditTest(PageTestCase):
    url = reverse("households:create")

    def test_create_registers_and_redirects_to_detail(self) -> None:
        self.login("ines")
        response = self.client.post(self.url, household_post())
        household = Household.objects.get(last_name="Claes")
        self.assertRedirects(response, reverse("households:detail", args=[household.pk]))
        self.assertEqual(household.organisation, self.ocmw)
        self.assertEqual(str(household.net_monthly_income), "1850.50")
        self.assertEqual(household.contact_channel, "phone")
        self.assertTrue(
            AuditEvent.objects.filter(household=household, action=AuditEvent.Action.CREATE).exists()
        )

    def test_form_defaults_come_from_the_organisation(self) -> None:
        self.login("otto")  # Bewonersinitiatief Spijkerkwartier, NL
        form = self.client.get(self.url).context["form"]
        self.assertEqual(form["country"].value(), "NL")
        self.assertEqual(form["language"].value(), "nl")
        self.assertContains(self.client.get(self.url), 'type="radio" name="contact_channel"')

    def test_duplicate_household_is_refused(self) -> None:
        self.login("ines")
        before = Household.objects.count()
        response = self.client.post(
            self.url,
            household_post(
                first_name="Anna", last_name="Jansens", street="Kerkstraat", house_number="12"
            ),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already registered a household")
        self.assertEqual(Household.objects.count(), before)

    def test_invalid_postcode_stores_nothing(self) -> None:
        self.login("ines")
        before = Household.objects.count()
        response = self.client.post(self.url, household_post(postcode="80000"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("postcode", response.context["form"].errors)
        self.assertContains(response, "not a valid Belgian postcode")
        self.assertEqual(Household.objects.count(), before)

    def test_bad_values_give_field_errors_not_500(self) -> None:
        self.login("ines")
        before = Household.objects.count()
        response = self.client.post(
            self.url,
            household_post(
                contact_channel="pigeon", size="-2", net_monthly_income="lots", country="XX"
            ),
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        for name in ("contact_channel", "size", "net_monthly_income", "country"):
            self.assertIn(name, errors)
        # The shared partials (templates/partials/) label each field and tie its errors to it.
        self.assertContains(response, '<label for="id_size">')
        self.assertContains(response, '<ul class="errorlist" id="id_size_error">')
        self.assertContains(response, 'aria-invalid="true" aria-describedby="id_size_error"')
        self.assertContains(response, '<fieldset aria-describedby="id_contact_channel_error">')
        self.assertContains(response, "<legend>")
        # Values the form accepts but the model's rules refuse come back from the service.
        response = self.client.post(self.url, household_post(birth_year="1850", size="0"))
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn("birth_year", errors)
        self.assertIn("size", errors)
        self.assertEqual(Household.objects.count(), before)

    def test_contact_channel_needs_its_contact_data(self) -> None:
        self.login("ines")
        response = self.client.post(self.url, household_post(contact_channel="email", email=""))
        self.assertIn("email", response.context["form"].errors)
        self.assertFalse(Household.objects.filter(last_name="Claes").exists())

    def test_edit_changes_the_household(self) -> None:
        self.login("ines")
        url = reverse("households:edit", args=[self.peeters.pk])
        form = self.client.get(url).context["form"]
        self.assertEqual(form["last_name"].value(), "Peeters")
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(phone="0470 11 22 33", contact_channel="sms", social_tariff="on")
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("households:detail", args=[self.peeters.pk]))
        self.peeters.refresh_from_db()
        self.assertEqual(self.peeters.phone, "+32470112233")  # stored as E.164
        self.assertTrue(self.peeters.social_tariff)

    def test_edit_with_invalid_postcode_changes_nothing(self) -> None:
        self.login("ines")
        url = reverse("households:edit", args=[self.peeters.pk])
        data = {k: v for k, v in self.client.get(url).context["form"].initial.items() if v}
        data.update(postcode="ABC", city="Elders")
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("postcode", response.context["form"].errors)
        self.peeters.refresh_from_db()
        self.assertEqual((self.peeters.postcode, self.peeters.city), ("8000", "Brugge"))

    def test_viewer_cannot_create_or_edit(self) -> None:
        self.login("vera")
        self.assertEqual(self.client.get(self.url).status_code, 403)
        url = reverse("households:edit", args=[self.peeters.pk])
        self.assertEqual(self.client.post(url, household_post()).status_code, 403)
        self.assertFalse(Household.objects.filter(last_name="Claes").exists())


class DetailTest(PageTestCase):
    def url(self, household: Household) -> str:
        return reverse("households:detail", args=[household.pk])

    def test_detail_shows_data_and_records_a_view(self) -> None:
        self.login("ines")
        response = self.client.get(self.url(self.jansens))
        self.assertContains(response, "Kerkstraat 12")
        self.assertContains(response, "Huishoudtoestellen huren")
        self.assertEqual(
            AuditEvent.objects.filter(
                household=self.jansens, action=AuditEvent.Action.VIEW, user__username="ines"
            ).count(),
            1,
        )

    def test_other_organisation_gets_404_and_technician_403(self) -> None:
        self.login("otto")
        self.assertEqual(self.client.get(self.url(self.jansens)).status_code, 404)
        self.login("ilse")  # partner of the same programme, but not her household
        self.assertEqual(self.client.get(self.url(self.jansens)).status_code, 404)
        self.login("tom")
        self.assertEqual(self.client.get(self.url(self.jansens)).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists())

    def test_buttons_follow_permissions(self) -> None:
        erase = reverse("households:erase", args=[self.jansens.pk])
        export = reverse("households:export_pdf", args=[self.jansens.pk])
        self.login("ada")
        response = self.client.get(self.url(self.jansens))
        self.assertContains(response, erase)
        self.assertContains(response, export)
        self.login("vera")
        response = self.client.get(self.url(self.jansens))
        self.assertNotContains(response, erase)
        self.assertNotContains(response, export)
        self.assertNotContains(response, reverse("households:enrol", args=[self.jansens.pk]))

    def test_box_is_written_as_part_of_the_address_not_as_the_field_label(self) -> None:
        Household.objects.filter(pk=self.jansens.pk).update(box="8")
        self.jansens.refresh_from_db()
        self.login("ines")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        with translation.override("nl"):
            label = gettext("box")  # the form label, "box / addition" in Dutch
            line = street_line(self.jansens)
        for url in (self.url(self.jansens), reverse("households:list")):
            html = self.client.get(url).content.decode()
            self.assertIn(line, html)
            self.assertNotIn(f"{label} 8", html)
        self.assertIn("8", line)
        self.assertTrue(line.startswith("Kerkstraat 12 "))

    def test_street_line_in_english(self) -> None:
        Household.objects.filter(pk=self.jansens.pk).update(box="3A")
        self.login("ines")
        self.assertContains(self.client.get(self.url(self.jansens)), "Kerkstraat 12 box 3A")
        Household.objects.filter(pk=self.jansens.pk).update(box="")
        response = self.client.get(self.url(self.jansens))
        self.assertContains(response, "Kerkstraat 12<br>")

    def test_enrolment_rule_results_in_plain_words(self) -> None:
        Enrolment.objects.filter(household=self.jansens).update(
            rule_results=[
                {"rule": "social_tariff", "passed": True, "detail": {}},
                {
                    "rule": "income_below",
                    "passed": False,
                    "detail": {"limit": "2100", "income": "2500.00"},
                },
            ]
        )
        self.login("ines")
        response = self.client.get(self.url(self.jansens))
        self.assertContains(response, "The household has the social energy tariff.")
        self.assertContains(response, "is not below the limit of")
        self.assertContains(response, "2,100.00")  # the limit, formatted for the language
        self.assertContains(response, "2,500.00")


class ConsentAndNoteTest(PageTestCase):
    def test_record_and_withdraw_a_consent(self) -> None:
        self.login("ines")
        url = reverse("households:consent_add", args=[self.peeters.pk])
        given = timezone.localdate() - timedelta(days=10)
        response = self.client.post(url, {"purpose": "contact", "given_on": given.isoformat()})
        self.assertEqual(response.status_code, 302)
        consent = Consent.objects.get(household=self.peeters)
        self.assertEqual((consent.purpose, consent.given_on), ("contact", given))
        self.assertEqual(consent.recorded_by_id, self.acting("ines").user_id)

        withdraw = reverse("households:consent_withdraw", args=[self.peeters.pk, consent.pk])
        self.assertEqual(self.client.get(withdraw).status_code, 405)
        self.client.post(withdraw)
        consent.refresh_from_db()
        self.assertEqual(consent.withdrawn_on, timezone.localdate())
        detail = self.client.get(reverse("households:detail", args=[self.peeters.pk]))
        self.assertNotContains(detail, withdraw)  # no withdraw button any more

    def test_bad_consents_store_nothing(self) -> None:
        self.login("ines")
        url = reverse("households:consent_add", args=[self.peeters.pk])
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        for data in (
            {"purpose": "contact", "given_on": future},
            {"purpose": "marketing", "given_on": "2026-01-05"},
            {"purpose": "contact", "given_on": "not a date"},
        ):
            response = self.client.post(url, data)
            self.assertEqual(response.status_code, 200, data)
            self.assertTrue(response.context["consent_form"].errors, data)
        self.assertContains(response, "Peeters")  # the page is shown again, with the error
        self.assertFalse(Consent.objects.filter(household=self.peeters).exists())

    def test_consent_of_another_household_cannot_be_withdrawn(self) -> None:
        consent = Consent.objects.create(
            household=self.dubois, purpose="contact", given_on=date(2026, 1, 5)
        )
        self.login("ines")
        url = reverse("households:consent_withdraw", args=[self.peeters.pk, consent.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        consent.refresh_from_db()
        self.assertIsNone(consent.withdrawn_on)

    def test_notes_are_shown_only_to_the_writing_organisation(self) -> None:
        self.login("ines")
        url = reverse("households:note_add", args=[self.jansens.pk])
        self.client.post(url, {"text": "Ring twice, the bell is broken"})
        self.assertTrue(RestrictedNote.objects.filter(household=self.jansens).exists())
        detail = reverse("households:detail", args=[self.jansens.pk])
        self.assertContains(self.client.get(detail), "Ring twice")

        self.login("cora")  # the lead organisation sees the household, not ocmw's notes
        response = self.client.get(detail)
        self.assertContains(response, "Jansens")
        self.assertNotContains(response, "Ring twice")

        self.login("vera")  # a viewer has no access to notes at all
        self.assertNotContains(self.client.get(detail), "Ring twice")
        self.assertEqual(self.client.post(url, {"text": "x"}).status_code, 403)

    def test_empty_note_is_refused(self) -> None:
        self.login("ines")
        url = reverse("households:note_add", args=[self.jansens.pk])
        response = self.client.post(url, {"text": "   "})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["note_form"].errors)
        self.assertFalse(RestrictedNote.objects.exists())


class EnrolTest(PageTestCase):
    def url(self, household: Household) -> str:
        return reverse("households:enrol", args=[household.pk])

    def test_eligible_household_is_enrolled(self) -> None:
        household = make_household(self.ocmw, last_name="Maes", social_tariff=True)
        self.login("ines")
        response = self.client.post(self.url(household), {"programme": self.rental.pk})
        self.assertRedirects(
            response, reverse("households:detail", args=[household.pk]) + "#enrolments"
        )
        enrolment = Enrolment.objects.get(household=household, programme=self.rental)
        self.assertEqual(enrolment.status, Enrolment.Status.ENROLLED)
        detail = self.client.get(reverse("households:detail", args=[household.pk]))
        self.assertContains(detail, "The household has the social energy tariff.")

    def test_the_page_shows_the_consent_a_contract_needs(self) -> None:
        household = make_household(self.ocmw, last_name="Maes", social_tariff=True)
        self.login("ines")
        consent_link = reverse("households:consent_add", args=[household.pk])
        response = self.client.get(self.url(household))
        self.assertContains(response, "no contract without it")
        self.assertContains(response, consent_link)
        Consent.objects.create(
            household=household, purpose=Consent.Purpose.PROGRAMME, given_on=date(2026, 1, 5)
        )
        response = self.client.get(self.url(household))
        self.assertContains(response, "consented to take part in a programme on")
        self.assertNotContains(response, consent_link)

    def test_refusal_shows_each_rule(self) -> None:
        self.login("ines")
        response = self.client.post(self.url(self.peeters), {"programme": self.rental.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "does not meet the rules")
        self.assertContains(response, "The household does not have the social energy tariff.")
        self.assertContains(response, "The household is not a client of the welfare office.")
        self.assertContains(response, "The net monthly income is not known.")
        self.assertContains(response, "2,100.00")  # the limit for a household of 2
        enrolment = Enrolment.objects.get(household=self.peeters)
        self.assertEqual(enrolment.status, Enrolment.Status.REFUSED)

    def test_only_a_coordinator_can_enrol_anyway(self) -> None:
        self.login("ines")
        self.assertNotContains(self.client.get(self.url(self.peeters)), 'name="override_reason"')
        self.client.post(
            self.url(self.peeters), {"programme": self.rental.pk, "override_reason": "Urgent"}
        )
        enrolment = Enrolment.objects.get(household=self.peeters)
        self.assertEqual(enrolment.status, Enrolment.Status.REFUSED)

        self.login("ada")  # org admin: may manage programmes, so may override
        self.assertContains(self.client.get(self.url(self.peeters)), 'name="override_reason"')
        response = self.client.post(
            self.url(self.peeters),
            {"programme": self.rental.pk, "override_reason": "Fridge broke, income just above"},
        )
        self.assertEqual(response.status_code, 302)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, Enrolment.Status.ENROLLED)
        self.assertEqual(enrolment.override_reason, "Fridge broke, income just above")

    def test_unknown_or_foreign_programme_is_a_form_error(self) -> None:
        self.login("otto")
        own = make_household(self.arnhem, postcode="6811 AB", city="Arnhem", country="NL")
        for value in ("abc", "999999", str(self.rental.pk)):
            response = self.client.post(self.url(own), {"programme": value})
            self.assertEqual(response.status_code, 200, value)
            self.assertContains(response, "no programme this household can join")
        self.assertFalse(Enrolment.objects.filter(household=own).exists())

    def test_enrolled_programme_is_not_offered_again(self) -> None:
        self.login("ines")
        response = self.client.post(self.url(self.jansens), {"programme": self.rental.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "no programme this household can join")
        self.assertEqual(Enrolment.objects.filter(household=self.jansens).count(), 1)

    def test_other_organisation_gets_404(self) -> None:
        self.login("otto")
        response = self.client.post(self.url(self.peeters), {"programme": self.rental.pk})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Enrolment.objects.filter(household=self.peeters).exists())


class ExportTest(PageTestCase):
    def test_json_export(self) -> None:
        self.login("ines")
        response = self.client.get(reverse("households:export_json", args=[self.jansens.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        self.assertEqual(response["Cache-Control"], "no-store")  # personal data: never cached
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(self.jansens.reference, response["Content-Disposition"])
        data = json.loads(response.content)
        self.assertEqual(data["household"]["last_name"], "Jansens")
        self.assertEqual(data["enrolments"][0]["programme"], "Huishoudtoestellen huren")
        self.assertTrue(
            AuditEvent.objects.filter(
                household=self.jansens, action=AuditEvent.Action.EXPORT, subject__endswith="JSON"
            ).exists()
        )

    def test_pdf_export(self) -> None:
        Consent.objects.create(household=self.dubois, purpose="contact", given_on=date(2026, 1, 5))
        self.login("ilse")
        response = self.client.get(reverse("households:export_pdf", args=[self.dubois.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn(f"{self.dubois.reference}.pdf", response["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertTrue(
            AuditEvent.objects.filter(
                household=self.dubois, action=AuditEvent.Action.EXPORT, subject__endswith="PDF"
            ).exists()
        )

    def test_export_refused_to_viewer_and_other_organisations(self) -> None:
        url = reverse("households:export_json", args=[self.jansens.pk])
        self.login("vera")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login("otto")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())


class EraseTest(PageTestCase):
    def url(self, household: Household) -> str:
        return reverse("households:erase", args=[household.pk])

    def test_confirmation_page_explains_and_wrong_reference_erases_nothing(self) -> None:
        self.login("ada")
        response = self.client.get(self.url(self.jansens))
        self.assertContains(response, "What is removed")
        self.assertContains(response, "What is kept")
        response = self.client.post(self.url(self.jansens), {"reference": "HWRONG12"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.jansens.refresh_from_db()
        self.assertEqual(self.jansens.last_name, "Jansens")
        self.assertIsNone(self.jansens.erased_at)

    def test_erase_with_reference_removes_the_name(self) -> None:
        self.login("ada")
        response = self.client.post(
            self.url(self.jansens), {"reference": f" {self.jansens.reference.lower()} "}
        )
        self.assertRedirects(response, reverse("households:list"))
        self.jansens.refresh_from_db()
        self.assertIsNotNone(self.jansens.erased_at)
        self.assertEqual(self.jansens.last_name, "")
        self.assertTrue(
            AuditEvent.objects.filter(
                household=self.jansens, action=AuditEvent.Action.ERASE
            ).exists()
        )
        detail = self.client.get(reverse("households:detail", args=[self.jansens.pk]))
        self.assertEqual(detail.status_code, 200)
        self.assertNotContains(detail, "Jansens")
        self.assertNotContains(detail, "Kerkstraat")
        self.assertNotContains(self.client.get(reverse("households:list")), "Jansens")

    def test_confirmation_page_is_refused_to_another_organisation(self) -> None:
        # cora (coordinator of the lead) has household.erase and sees jansens, but only ocmw,
        # which registered it, may erase: the page must not ask her to confirm.
        self.login("cora")
        response = self.client.get(self.url(self.jansens))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("What is removed", response.content.decode())
        self.assertNotContains(
            self.client.get(reverse("households:detail", args=[self.jansens.pk])),
            self.url(self.jansens),
        )

    def test_only_the_registering_organisation_may_erase(self) -> None:
        self.login("cora")  # coordinator of the lead: sees jansens, may not erase it
        response = self.client.post(self.url(self.jansens), {"reference": self.jansens.reference})
        self.assertEqual(response.status_code, 403)
        self.login("ines")  # intake worker: no erase permission
        self.assertEqual(self.client.get(self.url(self.jansens)).status_code, 403)
        self.login("otto")
        self.assertEqual(self.client.get(self.url(self.jansens)).status_code, 404)
        self.jansens.refresh_from_db()
        self.assertEqual(self.jansens.last_name, "Jansens")


class OptionalMarkerTest(PageTestCase):
    """A field that is not required says "(optional)" in its label, in every form through the
    shared partial (templates/partials/field.html), in the reader's language."""

    def labels(self, response: Any) -> dict[str, str]:
        import re

        found = {}
        for for_id, text in re.findall(
            r'<label[^>]*for="id_(\w+)"[^>]*>(.*?)</label>', response.content.decode(), re.S
        ):
            found[for_id] = re.sub(r"<[^>]+>", "", text).strip()
        return found

    def test_the_household_form_marks_optional_fields_only(self) -> None:
        self.login("ines")
        labels = self.labels(
            self.client.get(reverse("households:create"), HTTP_ACCEPT_LANGUAGE="en")
        )
        self.assertIn("(optional)", labels["phone"])
        self.assertIn("(optional)", labels["net_monthly_income"])
        self.assertNotIn("(optional)", labels["last_name"])
        self.assertNotIn("(optional)", labels["street"])

    def test_the_marker_is_translated(self) -> None:
        self.login("ines")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        labels = self.labels(self.client.get(reverse("households:create")))
        with translation.override("nl"):
            marker = gettext("(optional)")
        self.assertNotEqual(marker, "(optional)")  # the Dutch catalogue has it
        self.assertIn(marker, labels["phone"])

    def test_other_forms_through_the_partial_too(self) -> None:
        self.login("ines")
        labels = self.labels(self.client.get("/account/tokens/", HTTP_ACCEPT_LANGUAGE="en"))
        self.assertIn("(optional)", labels["name"])
        detail = self.client.get(
            reverse("households:detail", args=[self.jansens.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertNotIn("(optional)", self.labels(detail)["text"])  # the note is required
