"""The programme seam (core/programmes.py): a throwaway programme app
(core/tests/dummy_programme) registers a menu item, a home panel, household-page and
programme-page sections, an export part, an erasure handler and a demo loader, and they appear
where core and households render what is registered."""

import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from core.models import Programme
from core.programmes import ProgrammeApp, registry
from core.tests.dummy_programme import apps as dummy
from households.models import Household
from households.services import household_erase, household_export, household_export_pdf
from wijk.testing import WijkTestCase


@override_settings(
    INSTALLED_APPS=[*settings.INSTALLED_APPS, "core.tests.dummy_programme"],
    ROOT_URLCONF="core.tests.dummy_programme.urls",
)
class DummyProgrammeTest(WijkTestCase):
    client_language = "en"

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        registry.unregister("dummy_programme")  # Django calls ready() only when adding

    def setUp(self) -> None:
        super().setUp()
        dummy.erased.clear()
        dummy.demo_runs.clear()

    def page(self, username: str, url: str) -> str:
        self.login(username)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_app_is_registered_from_its_ready(self) -> None:
        self.assertIn("dummy_programme", [app.label for app in registry.apps])

    def test_menu_item_follows_its_permission_and_marks_its_pages(self) -> None:
        index = reverse("dummy:index")
        self.assertIn(f'<a href="{index}">Dummy jobs</a>', self.page("ines", reverse("home")))
        self.assertNotIn(index, self.page("tom", reverse("home")))  # no household.view
        self.assertIn(f'<a href="{index}" aria-current="page">', self.page("ines", index))

    def test_its_programme_pages_belong_under_programmes(self) -> None:
        current = f'<a href="{reverse("programme_list")}" aria-current="page">'
        url = reverse("dummy_programmes:programme", args=[self.rental.pk])
        self.assertIn(current, self.page("cora", url))
        self.assertNotIn(current, self.page("cora", reverse("dummy:index")))

    def test_home_panel_appears(self) -> None:
        body = self.page("cora", reverse("home"))
        self.assertIn('id="dummy-work">Dummy work: 7', body)

    def test_household_section_appears_where_the_app_allows(self) -> None:
        url = reverse("households:detail", args=[self.jansens.pk])
        body = self.page("ines", url)
        self.assertIn(f"Dummy section of {self.jansens.reference} for OCMW Brugge", body)
        # The lead sees jansens, but the app shows its section to the registrar only.
        self.assertNotIn("dummy-section", self.page("cora", url))

    def test_programme_section_appears_for_programmes_of_its_kind(self) -> None:
        mine = Programme.objects.create(
            name="Dummy", slug="dummy", kind=dummy.KIND, lead_organisation=self.lead
        )
        body = self.page("cora", reverse("programme_detail", args=[mine.pk]))
        self.assertIn("Dummy programme section (dummy_kind)", body)
        body = self.page("cora", reverse("programme_detail", args=[self.rental.pk]))
        self.assertNotIn("dummy-programme", body)

    def test_export_part_is_in_the_json_and_the_pdf(self) -> None:
        text = household_export(acting=self.acting("ines"), household=self.jansens)
        self.assertEqual(
            json.loads(text)["dummy"],
            {"greeting": f"dummy record of {self.jansens.reference}", "for": "OCMW Brugge"},
        )
        with self.assertTemplateUsed("dummy_programme/export.html"):
            household_export_pdf(acting=self.acting("ines"), household=self.jansens)

    def test_erasure_handler_refuses_or_erases(self) -> None:
        Household.objects.filter(pk=self.peeters.pk).update(size=9)
        peeters = Household.objects.get(pk=self.peeters.pk)
        with self.assertRaises(ValidationError) as caught:
            household_erase(acting=self.acting("ada"), household=peeters)
        self.assertEqual(
            caught.exception.messages, ["The dummy programme still needs this household."]
        )
        self.assertIsNone(Household.objects.get(pk=peeters.pk).erased_at)
        self.assertEqual(dummy.erased, [])

        household_erase(acting=self.acting("ada"), household=self.jansens)
        self.assertEqual(dummy.erased, [self.jansens.reference])
        self.assertEqual(Household.objects.get(pk=self.jansens.pk).last_name, "")

    def test_erase_page_names_what_the_app_removes(self) -> None:
        body = self.page("ada", reverse("households:erase", args=[self.jansens.pk]))
        self.assertIn("<li>the dummy records</li>", body)

    def test_demo_loaders_run_in_order(self) -> None:
        orders = [loader.order for loader in registry.demo_loaders()]
        self.assertEqual(orders, sorted(orders))
        self.assertEqual(orders[0], 5)  # the dummy's, before the households' (10)
        registry.demo_loaders()[0].load(None)  # type: ignore[arg-type]
        self.assertEqual(dummy.demo_runs, [5])

    def test_impact_figures_for_programmes_of_its_kind(self) -> None:
        mine = Programme.objects.create(
            name="Dummy", slug="dummy", kind=dummy.KIND, lead_organisation=self.lead
        )
        self.assertEqual([f.key for f in registry.impact_figures(mine)], ["jobs"])
        self.assertNotIn("jobs", [f.key for f in registry.impact_figures(self.rental)])


class WithoutTheAppTest(WijkTestCase):
    def test_nothing_of_it_appears(self) -> None:
        self.assertNotIn("dummy_programme", [app.label for app in registry.apps])
        text = household_export(acting=self.acting("ines"), household=self.jansens)
        self.assertNotIn("dummy", json.loads(text))


class RegistryTest(SimpleTestCase):
    def test_registered_only_inside_the_block(self) -> None:
        app = ProgrammeApp(label="throwaway", kind="throwaway_kind")
        with registry.registered(app):
            self.assertIn(app, registry.apps)
        self.assertNotIn(app, registry.apps)

    def test_two_apps_cannot_claim_one_kind(self) -> None:
        first = ProgrammeApp(label="first", kind="shared_kind")
        with registry.registered(first), self.assertRaises(ImproperlyConfigured):
            registry.register(ProgrammeApp(label="second", kind="shared_kind"))
        self.assertNotIn("second", [a.label for a in registry.apps])

    def test_registering_again_replaces(self) -> None:
        with registry.registered(ProgrammeApp(label="again", kind="again_kind")):
            registry.register(ProgrammeApp(label="again", kind="again_kind", nav=()))
            self.assertEqual([a.label for a in registry.apps].count("again"), 1)
