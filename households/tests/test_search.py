"""Household search as the desk types it: street and number, postcode, reference, phone."""

from core.tests.test_api import ApiTestCase
from households.models import Household
from households.selectors import household_search, phone_query
from wijk.testing import WijkTestCase, make_household


class HouseholdSearchTests(WijkTestCase):
    claes: Household
    wouters: Household
    mertens: Household
    claessens: Household
    dhondt: Household

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.claes = make_household(
            cls.ocmw,
            first_name="Els",
            last_name="Claes",
            street="Bartsteeg",
            house_number="82",
            box="3",
            phone="0470 12 34 56",
        )
        # Same street, other numbers and box: street + number must tell them apart.
        cls.wouters = make_household(
            cls.ocmw, first_name="Jan", last_name="Wouters", street="Bartsteeg", house_number="8"
        )
        cls.mertens = make_household(
            cls.ocmw,
            first_name="Lies",
            last_name="Mertens",
            street="Bartsteeg",
            house_number="82",
            box="5",
            phone="+32 50 11 22 33",
        )
        # A name that contains another one: "Claes" exactly ranks above "Claessens".
        cls.claessens = make_household(
            cls.ocmw,
            first_name="Bart",
            last_name="Claessens",
            street="Ezelstraat",
            house_number="1",
            postcode="8310",
            city="Assebroek",
            phone="050/99.88.77",
        )
        cls.dhondt = make_household(
            cls.ocmw,
            first_name="Zoë",
            last_name="D'Hondt",
            street="Rue de la Loi",
            house_number="16",
        )

    def search(self, text: str, username: str = "ines") -> list[Household]:
        return list(household_search(acting=self.acting(username), text=text))

    def found(self, text: str, username: str = "ines") -> set[Household]:
        return set(self.search(text, username))

    def test_street_and_number(self) -> None:
        self.assertEqual(self.found("Bartsteeg 82"), {self.claes, self.mertens})
        self.assertEqual(self.found("bartsteeg 8"), {self.wouters})

    def test_number_first(self) -> None:
        self.assertEqual(self.found("82 Bartsteeg"), {self.claes, self.mertens})
        self.assertEqual(self.found("82, Bartsteeg"), {self.claes, self.mertens})

    def test_street_number_and_box(self) -> None:
        self.assertEqual(self.found("Bartsteeg 82 bus 3"), {self.claes})
        self.assertEqual(self.found("Bartsteeg 82 box 5"), {self.mertens})
        self.assertEqual(self.found("bartsteeg 82/5"), {self.mertens})

    def test_street_with_several_words_and_number(self) -> None:
        self.assertEqual(self.found("rue de la loi 16"), {self.dhondt})
        self.assertEqual(self.found("rue de la loi 17"), set())

    def test_postcode(self) -> None:
        self.assertEqual(self.found("8310"), {self.claessens})
        self.assertNotIn(self.claessens, self.found("8000"))
        self.assertIn(self.claes, self.found("8000"))

    def test_partial_reference_any_case(self) -> None:
        part = self.claessens.reference[2:6]
        for text in (part, part.lower(), self.claessens.reference.lower()):
            with self.subTest(text=text):
                self.assertIn(self.claessens, self.found(text))
        self.assertEqual(self.search(self.claessens.reference.lower()), [self.claessens])

    def test_phone_in_any_notation(self) -> None:
        for text in ("0470 12 34 56", "+32470123456", "0470/123456", "0032 470 12.34.56"):
            with self.subTest(text=text):
                self.assertEqual(self.found(text), {self.claes})
        self.assertEqual(self.found("050 11 22 33"), {self.mertens})
        self.assertEqual(self.found("+3250998877"), {self.claessens})

    def test_phone_query_normalises_to_the_national_number(self) -> None:
        self.assertEqual(phone_query("+32 470 12 34 56"), "470123456")
        self.assertEqual(phone_query("0470/123456"), "470123456")
        self.assertIsNone(phone_query("8000"))
        self.assertIsNone(phone_query("Bartsteeg 82"))

    def test_names_with_accents_and_apostrophes(self) -> None:
        for text in ("zoe", "ZOË", "d'hondt", "dhondt", "D’Hondt"):
            with self.subTest(text=text):
                self.assertEqual(self.found(text), {self.dhondt})

    def test_every_word_must_match_some_field(self) -> None:
        self.assertEqual(self.found("claes bartsteeg"), {self.claes})
        self.assertEqual(self.found("els 8000 82"), {self.claes})
        self.assertEqual(self.found("bart assebroek"), {self.claessens})
        self.assertEqual(self.found("claes ezelstraat 82"), set())

    def test_ranking_reference_then_exact_then_partial(self) -> None:
        # "bart" is Claessens' first name exactly, and only a part of Bartsteeg.
        ranked = self.search("bart")
        self.assertEqual(ranked[0], self.claessens)
        self.assertEqual(set(ranked[1:]), {self.claes, self.wouters, self.mertens})
        # Claes by name exactly, Claessens only partly.
        self.assertEqual(self.search("claes"), [self.claes, self.claessens])
        # Street + number exactly before a household where "8" is only part of a field.
        self.assertEqual(self.search("bartsteeg 82")[0:2], [self.claes, self.mertens])

    def test_exact_reference_comes_first(self) -> None:
        # Another household whose search text holds this reference: the reference wins.
        reference = self.claes.reference
        other = make_household(self.ocmw, last_name=f"A{reference}", street="Noordstraat")
        self.assertEqual(self.search(reference), [self.claes, other])

    def test_no_match_is_an_empty_result(self) -> None:
        self.assertEqual(self.search("Nergensstraat 999"), [])

    def test_blank_query_finds_all(self) -> None:
        self.assertEqual(
            self.found("   "),
            {self.jansens, self.peeters, self.claes, self.wouters, self.mertens, self.claessens}
            | {self.dhondt},
        )

    def test_odd_queries_give_no_error(self) -> None:
        for text in ('"', "'", "%", "_", "\\", "%_\\'\"", "🏠 82", "x" * 5000, "8" * 300, "\x00"):
            with self.subTest(text=text[:20]):
                self.assertIsInstance(self.search(text), list)
        self.assertEqual(self.search("%"), [])
        self.assertEqual(self.search("_"), [])

    def test_another_organisations_households_never_appear(self) -> None:
        self.assertEqual(self.found("Doorniksestraat 40"), set())
        self.assertEqual(self.found(self.dubois.reference), set())
        self.assertEqual(self.found("Doorniksestraat 40", "ilse"), {self.dubois})
        self.assertEqual(self.found("Bartsteeg 82", "ilse"), set())
        self.assertEqual(self.found("0470 12 34 56", "ilse"), set())


class SearchCallersTests(ApiTestCase):
    """The list page and the API use the same search."""

    def test_page_finds_street_and_number(self) -> None:
        make_household(self.ocmw, last_name="Claes", street="Bartsteeg", house_number="82")
        self.login("ines")
        response = self.client.get("/households/", {"q": "Bartsteeg 82"})
        self.assertContains(response, "Claes")
        self.assertNotContains(response, "Jansens")

    def test_api_finds_phone(self) -> None:
        make_household(self.ocmw, last_name="Claes", phone="0470 12 34 56")
        body = self.get("/api/v1/households?q=%2B32470123456", "ines").json()
        self.assertEqual([h["last_name"] for h in body["results"]], ["Claes"])
