from typing import Any

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from practices import selectors, services
from practices.models import ExchangeRequest, Practice
from practices.tests.helpers import make_practice
from wijk.testing import WijkTestCase


class PracticeTest(WijkTestCase):
    practice: Any
    draft: Any

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.practice = make_practice(cls.acting_of_user(cls.cora), programme=cls.rental)
        cls.draft = make_practice(
            cls.acting_of_user(cls.cora), publish=False, title="Geheim ontwerp"
        )

    @classmethod
    def acting_of_user(cls, user):
        from core.tenancy import acting_for

        return acting_for(user)

    def test_public_page_needs_no_login_and_marks_a_missing_translation(self):
        response = self.client.get(f"/practices/p/{self.practice.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Huishoudtoestellen huren")
        self.assertContains(response, "not yet translated into your language")
        self.assertContains(response, "translation missing")
        self.assertContains(response, "Jaarverslag 2025")
        # The result about 3 and the single enrolled household never leave as numbers.
        self.assertContains(response, "fewer than 5")
        self.assertNotContains(response, "Kleine proefgroep: 3")

    def test_a_translation_removes_the_mark(self):
        services.practice_text_set(
            acting=self.acting("cora"),
            practice=self.practice,
            language="en",
            title="Renting appliances",
            summary="Households rent an efficient appliance.",
        )
        response = self.client.get(f"/practices/p/{self.practice.pk}/?language=en")
        self.assertContains(response, "Renting appliances")
        self.assertNotContains(response, "not yet translated")

    def test_drafts_and_members_only_practices_stay_hidden(self):
        self.assertEqual(self.client.get(f"/practices/p/{self.draft.pk}/").status_code, 404)
        services.practice_update(
            acting=self.acting("cora"), practice=self.practice, visibility="members"
        )
        self.assertEqual(self.client.get(f"/practices/p/{self.practice.pk}/").status_code, 404)
        self.login("otto")
        self.assertEqual(self.client.get(f"/practices/p/{self.practice.pk}/").status_code, 200)
        self.assertEqual(self.client.get(f"/practices/p/{self.draft.pk}/").status_code, 404)

    def test_library_filters(self):
        response = self.client.get(
            "/practices/?theme=energy_poverty&country=BE&kind=appliance_rental&language=nl"
        )
        self.assertContains(response, "Huishoudtoestellen huren")
        self.assertNotContains(response, "Geheim ontwerp")
        partial = self.client.get("/practices/?theme=energy_poverty", HTTP_HX_REQUEST="true")
        self.assertContains(partial, 'id="results"')
        self.assertNotContains(partial, "<html")
        for query in (
            "theme=work",
            "country=NL",
            "kind=job_bureau",
            "language=fr",
            "q=zonnepanelen",
        ):
            self.assertNotContains(
                self.client.get(f"/practices/?{query}"), "Huishoudtoestellen huren"
            )

    def test_only_the_owner_changes_a_practice(self):
        with self.assertRaises(PermissionDenied):
            services.practice_publish(acting=self.acting("otto"), practice=self.draft)
        self.login("otto")
        self.assertEqual(self.client.get(f"/practices/{self.draft.pk}/edit/").status_code, 404)

    def test_live_figures_only_from_an_own_programme(self):
        from core.models import Programme

        theirs = Programme.objects.create(
            name="Elders", slug="elders", kind="job_bureau", lead_organisation=self.arnhem
        )
        with self.assertRaises(ValidationError):
            services.practice_update(
                acting=self.acting("cora"), practice=self.practice, programme=theirs
            )

    def test_exchange_thread_with_mail_both_ways(self):
        self.arnhem.email = "info@spijkerkwartier.example"
        self.arnhem.save()
        self.login("otto")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/practices/exchanges/new/",
                {
                    "practice": self.practice.pk,
                    "kind": "visit",
                    "message": "Mogen we komen kijken?",
                    "proposed_dates": "12 of 19 januari",
                    "meeting_link": "https://meet.example/abc",
                },
            )
        thread = ExchangeRequest.objects.get()
        self.assertRedirects(response, f"/practices/exchanges/{thread.pk}/")
        self.assertEqual(mail.outbox[-1].to, ["practice@example.org"])
        self.assertIn("Mogen we komen kijken?", mail.outbox[-1].body)
        self.login("cora")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/practices/exchanges/{thread.pk}/", {"text": "Welkom op de 19e."})
        thread.refresh_from_db()
        self.assertEqual(thread.status, "answered")
        self.assertEqual(mail.outbox[-1].to, ["info@spijkerkwartier.example"])
        self.login("otto")
        page = self.client.get(f"/practices/exchanges/{thread.pk}/")
        self.assertContains(page, "Welkom op de 19e.")
        self.assertContains(page, "Mogen we komen kijken?")
        # A third organisation sees nothing of it.
        self.login("ada")
        self.assertEqual(self.client.get(f"/practices/exchanges/{thread.pk}/").status_code, 404)

    def test_no_exchange_with_yourself_or_a_draft(self):
        with self.assertRaises(ValidationError):
            services.exchange_request_create(
                acting=self.acting("cora"), practice=self.practice, kind="visit", message="x"
            )
        with self.assertRaises(ValidationError):
            services.exchange_request_create(
                acting=self.acting("otto"), practice=self.draft, kind="visit", message="x"
            )

    def test_pages_of_the_owner(self):
        self.login("cora")
        for url in (
            "/practices/mine/",
            "/practices/new/",
            f"/practices/{self.practice.pk}/edit/",
            f"/practices/{self.practice.pk}/text/?language=fr",
            "/practices/exchanges/",
            "/practices/subscriptions/",
            "/practices/packages/adopt/",
        ):
            self.assertEqual(self.client.get(url).status_code, 200, url)
        response = self.client.post(
            "/practices/new/",
            {
                "original_language": "fr",
                "visibility": "public",
                "themes": ["work"],
                "title": "Bureau de quartier",
                "summary": "Des emplois dans le quartier.",
            },
        )
        created = Practice.objects.get(slug="bureau-de-quartier")
        self.assertRedirects(response, f"/practices/{created.pk}/edit/")
        text = selectors.text_in(created, "fr").text
        self.assertEqual(text.title if text else None, "Bureau de quartier")
        bad = self.client.post(f"/practices/{created.pk}/results/", {"label": "x"})
        self.assertEqual(bad.status_code, 400)
