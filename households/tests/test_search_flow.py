"""Search as staff type an address (issue 8): street + number whatever the number's letter,
accents and apostrophes in the street, the number glued to the street."""

from households.models import Household
from households.selectors import household_search
from wijk.testing import WijkTestCase, make_household


class AddressSearchTests(WijkTestCase):
    bartsteeg: Household
    letter: Household
    eglise: Household

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.bartsteeg = make_household(
            cls.ocmw, last_name="Vermeulen", street="Bartsteeg", house_number="82"
        )
        cls.letter = make_household(
            cls.ocmw, last_name="Goossens", street="Bartsteeg", house_number="82A"
        )
        cls.eglise = make_household(
            cls.ocmw,
            last_name="Lefèvre",
            street="Rue de l'Église",
            house_number="4",
            postcode="8500",
            city="Kortrijk",
        )

    def found(self, text: str) -> list[Household]:
        return list(household_search(acting=self.acting("ines"), text=text))

    def test_bartsteeg_82_finds_the_household_first(self) -> None:
        found = self.found("Bartsteeg 82")
        self.assertEqual(found[0], self.bartsteeg)
        self.assertIn(self.letter, found)  # 82A is also "82" as staff type it

    def test_the_number_with_its_letter(self) -> None:
        for text in ("Bartsteeg 82A", "bartsteeg 82a", "Bartsteeg 82 A"):
            with self.subTest(text=text):
                self.assertEqual(self.found(text), [self.letter])

    def test_the_number_glued_to_the_street(self) -> None:
        self.assertEqual(self.found("Bartsteeg82")[0], self.bartsteeg)

    def test_accents_and_apostrophes_in_the_street(self) -> None:
        for text in (
            "Rue de l'Église 4",
            "rue de l eglise 4",
            "Rue de l’Eglise 4",
            "RUE DE L'EGLISE 4, 8500",
            "4 rue de l'église",
            "lefevre",
            "Lefèvre Kortrijk",
        ):
            with self.subTest(text=text):
                self.assertEqual(self.found(text), [self.eglise])
        self.assertEqual(self.found("rue de l'eglise 5"), [])

    def test_the_search_field_mentions_the_phone(self) -> None:
        self.login("ines")
        page = self.client.get("/households/", headers={"accept-language": "en"})
        self.assertContains(page, "phone")
