"""Identifier and postcode validation (core/validators.py); no database needed."""

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from core.validators import clean_enterprise_number, clean_iban, clean_postcode


class IbanTest(SimpleTestCase):
    def test_valid_belgian_iban_is_compacted(self) -> None:
        self.assertEqual(clean_iban("BE48 3200 7018 4927"), "BE48320070184927")

    def test_valid_dutch_iban_in_lower_case_is_accepted(self) -> None:
        self.assertEqual(clean_iban("nl91 abna 0417 1643 00"), "NL91ABNA0417164300")

    def test_wrong_check_digits_are_refused(self) -> None:
        for value in ("BE49 3200 7018 4927", "NL92ABNA0417164300"):
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                clean_iban(value)
            self.assertEqual(caught.exception.code, "invalid_iban")

    def test_wrong_national_check_digits_are_refused(self) -> None:
        # The IBAN check digits are right, the Belgian account check digits are not.
        with self.assertRaises(ValidationError):
            clean_iban("BE41091811735141")

    def test_garbage_is_refused_and_the_message_names_the_value(self) -> None:
        for value in ("hello", "", "BE48", "XX00 1234", "🙂" * 20):
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                clean_iban(value)
            self.assertIn(value, caught.exception.messages[0])


class EnterpriseNumberTest(SimpleTestCase):
    def test_valid_belgian_number_in_any_notation(self) -> None:
        for value in ("0403.170.701", "0403 170 701", "0403170701", "BE0403170701"):
            with self.subTest(value=value):
                self.assertEqual(clean_enterprise_number(value, "BE"), "0403170701")

    def test_belgian_number_with_wrong_check_is_refused(self) -> None:
        for value in ("0403.170.702", "0403.170.70", "abcd.efg.hij", ""):
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                clean_enterprise_number(value, "BE")
            self.assertEqual(caught.exception.code, "invalid_enterprise_number")

    def test_kvk_number_is_eight_digits(self) -> None:
        self.assertEqual(clean_enterprise_number("12345678", "NL"), "12345678")
        self.assertEqual(clean_enterprise_number("1234 5678", "NL"), "12345678")

    def test_kvk_number_of_other_length_or_with_letters_is_refused(self) -> None:
        for value in ("1234567", "123456789", "1234567a", "", "0403.170.701"):
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                clean_enterprise_number(value, "NL")
            self.assertEqual(caught.exception.code, "invalid_kvk")


class PostcodeTest(SimpleTestCase):
    def test_belgian_postcodes(self) -> None:
        self.assertEqual(clean_postcode("8400", "BE"), "8400")
        self.assertEqual(clean_postcode(" 1000 ", "BE"), "1000")
        self.assertEqual(clean_postcode("9999", "BE"), "9999")

    def test_bad_belgian_postcodes(self) -> None:
        for value in ("0999", "84000", "abcd", "840", "", "6811 AB"):
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                clean_postcode(value, "BE")
            self.assertEqual(caught.exception.code, "invalid_postcode")

    def test_dutch_postcodes_are_normalised(self) -> None:
        self.assertEqual(clean_postcode("6811 AB", "NL"), "6811 AB")
        self.assertEqual(clean_postcode("6811ab", "NL"), "6811 AB")
        self.assertEqual(clean_postcode(" 6811AB ", "NL"), "6811 AB")

    def test_bad_dutch_postcodes(self) -> None:
        # 6811 lacks its letters, 0811 AB starts with 0, SS is a letter pair never handed out.
        for value in ("6811", "0811 AB", "6811 SS", "8400", "68111 AB", "abcdef", ""):
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                clean_postcode(value, "NL")
            self.assertEqual(caught.exception.code, "invalid_postcode")
