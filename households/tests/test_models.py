"""Household model helpers, search, and the database constraints behind the services."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.test import SimpleTestCase
from django.utils import timezone

from core.models import Tariff
from households.models import REFERENCE_ALPHABET, Consent, Enrolment, Household, fold, new_reference
from wijk.testing import WijkTestCase, make_household


class FoldTest(SimpleTestCase):
    def test_lower_case_without_accents_spaces_or_punctuation(self) -> None:
        self.assertEqual(fold("Élise Van den Broeck"), "elisevandenbroeck")
        self.assertEqual(fold("Françoise D'Hondt-Öztürk"), "francoisedhondtozturk")
        self.assertEqual(fold("12 B"), "12b")
        self.assertEqual(fold("ﬁets"), "fiets")  # compatibility ligature

    def test_empty(self) -> None:
        self.assertEqual(fold(""), "")
        self.assertEqual(fold(None), "")  # type: ignore[arg-type]

    def test_different_spellings_fold_together(self) -> None:
        self.assertEqual(fold("JANSENS"), fold("Jänsens"))
        self.assertNotEqual(fold("Jansens"), fold("Janssens"))


class ReferenceTest(SimpleTestCase):
    def test_reference_is_readable(self) -> None:
        for _ in range(200):
            reference = new_reference()
            self.assertEqual(len(reference), 8)
            self.assertTrue(reference.startswith("H"))
            self.assertTrue(set(reference[1:]) <= set(REFERENCE_ALPHABET))
        self.assertFalse(set("01OIL") & set(REFERENCE_ALPHABET))


class RefreshKeysTest(SimpleTestCase):
    def household(self, **fields: str) -> Household:
        values = {
            "first_name": "Élise",
            "last_name": "Van den Broeck",
            "street": "Sint-Pietersstraat",
            "house_number": "7",
            "box": "",
            "postcode": "8000",
            "city": "Brugge",
            "reference": "H2345678",
        }
        values.update(fields)
        household = Household(**values)
        household.refresh_keys()
        return household

    def test_search_text_holds_folded_name_address_and_reference(self) -> None:
        text = self.household().search_text
        for part in ("elise", "vandenbroeck", "sintpietersstraat", "brugge", "h2345678"):
            self.assertIn(part, text.split())

    def test_duplicate_key_ignores_case_accents_and_spacing(self) -> None:
        a = self.household()
        b = self.household(first_name="E.", last_name="VAN DEN BROECK", street="Sint Pietersstraat")
        self.assertEqual(a.duplicate_key, b.duplicate_key)
        self.assertEqual(a.duplicate_key, "vandenbroeck|8000|sintpietersstraat|7|")

    def test_duplicate_key_tells_boxes_and_numbers_apart(self) -> None:
        keys = {
            self.household().duplicate_key,
            self.household(box="2").duplicate_key,
            self.household(house_number="72").duplicate_key,
            self.household(postcode="8200").duplicate_key,
            self.household(last_name="Peeters").duplicate_key,
        }
        self.assertEqual(len(keys), 5)


class SearchTest(WijkTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Random references may hold "85" or "8000" and match a postcode search by chance.
        for household, reference in (
            (cls.jansens, "H2222222"),
            (cls.peeters, "H3333333"),
            (cls.dubois, "H4444444"),
        ):
            household.reference = reference
            household.refresh_keys()
            household.save()

    def search(self, text: str) -> set[Household]:
        return set(Household.objects.search(text))

    def test_by_name(self) -> None:
        self.assertEqual(self.search("jansens"), {self.jansens})
        self.assertEqual(self.search("JÄNSENS"), {self.jansens})
        self.assertEqual(self.search("piet"), {self.peeters})

    def test_every_word_must_match(self) -> None:
        self.assertEqual(self.search("an kerkstraat"), {self.jansens})
        self.assertEqual(self.search("brugge"), {self.jansens, self.peeters})
        self.assertEqual(self.search("peeters langestraat brugge"), {self.peeters})
        self.assertEqual(self.search("jansens langestraat"), set())

    def test_by_reference(self) -> None:
        self.assertEqual(self.search(self.dubois.reference), {self.dubois})
        self.assertEqual(self.search(self.dubois.reference.lower()), {self.dubois})

    def test_by_postcode_prefix(self) -> None:
        self.assertEqual(self.search("85"), {self.dubois})
        self.assertEqual(self.search("8000"), {self.jansens, self.peeters})
        self.assertEqual(self.search("8000 piet"), {self.peeters})

    def test_empty_search_finds_everything(self) -> None:
        self.assertEqual(self.search("  "), {self.jansens, self.peeters, self.dubois})

    def test_active_excludes_erased(self) -> None:
        Household.objects.filter(pk=self.peeters.pk).update(erased_at=timezone.now())
        self.assertEqual(set(Household.objects.active()), {self.jansens, self.dubois})

    # BUG: a Dutch postcode is stored as "6811 AB"; searching for what is written on the
    # letter ("6811 AB" or "6811AB") finds nothing, because "AB" is matched against the
    # search text (which has no postcode) and "6811AB" is not a prefix of "6811 AB". Fix in
    # households/models.py: add fold(self.postcode) to the parts of search_text in
    # refresh_keys (then "6811ab" and its pieces match via search_text__contains).
    def test_by_full_dutch_postcode(self) -> None:
        bakker = make_household(
            self.arnhem,
            first_name="Kees",
            last_name="Bakker",
            street="Spijkerstraat",
            house_number="3",
            postcode="6811 AB",
            city="Arnhem",
            country="NL",
        )
        self.assertEqual(self.search("6811"), {bakker})
        self.assertEqual(self.search("6811 AB"), {bakker})
        self.assertEqual(self.search("6811ab"), {bakker})


class DatabaseConstraintTest(WijkTestCase):
    """The invariants hold even when the Python checks of the services are bypassed."""

    def test_one_enrolment_per_household_and_programme(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Enrolment.objects.create(household=self.jansens, programme=self.rental, status="ended")

    def test_one_tariff_per_programme_and_start_date(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Tariff.objects.create(
                programme=self.rental,
                valid_from=date(2026, 1, 1),
                electricity_standard=Decimal("1"),
                electricity_social=Decimal("1"),
                water=Decimal("1"),
                co2=Decimal("1"),
            )

    def test_no_negative_tariff(self) -> None:
        for name in ("electricity_standard", "electricity_social", "water", "co2"):
            values = {
                "electricity_standard": Decimal("0.3"),
                "electricity_social": Decimal("0.2"),
                "water": Decimal("5"),
                "co2": Decimal("0.1"),
                name: Decimal("-0.0001"),
            }
            with (
                self.subTest(name=name),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                Tariff.objects.create(programme=self.rental, valid_from=date(2027, 1, 1), **values)
        self.assertEqual(self.rental.tariffs.count(), 1)

    def test_consent_not_withdrawn_before_given(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Consent.objects.create(
                household=self.jansens,
                purpose="programme",
                given_on=date(2026, 3, 2),
                withdrawn_on=date(2026, 3, 1),
            )
        # The same day is fine.
        Consent.objects.create(
            household=self.jansens,
            purpose="programme",
            given_on=date(2026, 3, 2),
            withdrawn_on=date(2026, 3, 2),
        )

    def test_one_active_household_per_organisation_and_duplicate_key(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_household(self.ocmw, first_name="Anna", last_name="JANSENS")
        self.assertEqual(Household.objects.filter(organisation=self.ocmw).count(), 2)

    def test_duplicate_key_is_free_in_another_organisation_and_after_erasure(self) -> None:
        make_household(self.kortrijk, last_name="Jansens")
        Household.objects.filter(pk=self.jansens.pk).update(erased_at=timezone.now())
        make_household(self.ocmw, last_name="Jansens")
        self.assertEqual(
            Household.objects.filter(duplicate_key=self.jansens.duplicate_key).count(), 3
        )

    def test_reference_is_unique(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_household(self.ocmw, last_name="Anders", reference=self.jansens.reference)
