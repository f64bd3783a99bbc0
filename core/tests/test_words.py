"""Words per country (core.words): an organisation in the Netherlands reads Dutch terms, one in
Belgium Belgian terms — on the household pages, the form, the rules and the export."""

from django.urls import reverse
from django.utils import translation

from core.models import Programme
from core.words import WORDS, country_of, word
from households.models import Household
from wijk.testing import WijkTestCase, make_household

BELGIAN = (
    "welfare office",
    "social energy tariff",
    "Budget management or debt settlement",
    "Collective debt settlement",
    "OCMW",
)
DUTCH = (
    "Client of the municipality&#x27;s social services",
    "Energy allowance",
    "Debt help or statutory debt rescheduling",
    "Statutory debt rescheduling",
)


class WordTest(WijkTestCase):
    def test_every_term_has_both_countries(self) -> None:
        for key, entries in WORDS.items():
            self.assertEqual(set(entries), {"BE", "NL"}, key)
            self.assertEqual({entries["BE"][0], entries["NL"][0]}, {"BE", "NL"}, key)

    def test_the_country_chooses_the_term(self) -> None:
        with translation.override("en"):
            self.assertEqual(word("payment_reference", "BE"), "Structured communication")
            self.assertEqual(word("payment_reference", "NL"), "Payment reference")
            self.assertEqual(word("social_tariff", "NL"), "Energy allowance")
        self.assertEqual(country_of(self.arnhem), "NL")
        self.assertEqual(country_of(self.ocmw), "BE")
        self.assertEqual(country_of(None), "BE")

    def test_belgian_terms_keep_their_translations(self) -> None:
        # The Belgian entries were translated without context before; they read as before.
        with translation.override("nl"):
            self.assertEqual(word("welfare_client", "BE"), "Cliënt van het OCMW")
        with translation.override("fr"):
            self.assertIn("CPAS", word("welfare_client", "BE"))


class DutchOrganisationPagesTest(WijkTestCase):
    """Otto coordinates the Spijkerkwartier residents' initiative in Arnhem (NL)."""

    household: Household
    programme: Programme

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.household = make_household(
            cls.arnhem,
            first_name="Sanne",
            last_name="de Vries",
            street="Spijkerstraat",
            postcode="6828 DC",
            city="Arnhem",
            country="NL",
            welfare_client=True,
            social_tariff=True,
            debt_support="debt_settlement",
        )
        cls.programme = Programme.objects.create(
            name="Witgoed Arnhem",
            slug="witgoed-arnhem",
            kind="appliance_rental",
            lead_organisation=cls.arnhem,
            eligibility_rules={"any_of": ["social_tariff", "welfare_client", "debt_support"]},
        )

    def setUp(self) -> None:
        super().setUp()
        self.client.cookies["django_language"] = "en"

    def assert_dutch_words(self, response) -> None:
        self.assertEqual(response.status_code, 200)
        for text in BELGIAN:
            self.assertNotContains(response, text)

    def test_household_page(self) -> None:
        self.login("otto")
        response = self.client.get(reverse("households:detail", args=[self.household.pk]))
        self.assert_dutch_words(response)
        for text in DUTCH:
            self.assertContains(response, text)

    def test_household_form(self) -> None:
        self.login("otto")
        response = self.client.get(reverse("households:create"))
        self.assert_dutch_words(response)
        self.assertContains(response, "Receives the municipality&#x27;s energy allowance")
        self.assertContains(response, "Client of the municipality&#x27;s social services")
        self.assertContains(response, "Statutory debt rescheduling")

    def test_programme_rules(self) -> None:
        self.login("otto")
        response = self.client.get(reverse("programme_detail", args=[self.programme.pk]))
        self.assert_dutch_words(response)
        self.assertContains(response, "The household receives the municipality&#x27;s energy")

    def test_erasure_page(self) -> None:
        self.login("otto")
        response = self.client.get(reverse("households:erase", args=[self.household.pk]))
        self.assert_dutch_words(response)
        self.assertContains(response, "the answers about the energy allowance")

    def test_a_belgian_organisation_keeps_belgian_words(self) -> None:
        self.login("ines")
        response = self.client.get(reverse("households:detail", args=[self.jansens.pk]))
        self.assertContains(response, "Client of the welfare office")
        self.assertContains(response, "Social energy tariff")
        self.client.cookies["django_language"] = "nl"
        response = self.client.get(reverse("households:detail", args=[self.jansens.pk]))
        self.assertContains(response, "Cliënt van het OCMW")
