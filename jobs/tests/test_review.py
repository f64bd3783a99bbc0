"""Defects from the outside review of issue 9 (the job bureau), each with the test that
failed before its fix."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import translation

from jobs import planning
from jobs.messages import reason_message
from jobs.tests.cast import JobsTestCase, ask
from wijk.testing import clock_at


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@clock_at(date(2026, 2, 27))
class NumbersInTheReadersLanguageTest(JobsTestCase):
    def test_the_distance_outside_the_area_has_a_decimal_comma_in_dutch_and_french(self) -> None:
        for language in ("nl", "fr"):
            with translation.override(language), self.assertRaises(ValidationError) as caught:
                ask(self, self.garden, postcode="8000", city="Brugge")  # 21.4 km away
            self.assertIn("21,4", message(caught.exception))
            self.assertNotIn("21.4", message(caught.exception))
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            ask(self, self.garden, postcode="8000", city="Brugge")
        self.assertIn("21.4 km", message(caught.exception))
        self.assertIn("up to 6 km", message(caught.exception))

    def test_the_planners_reason_has_a_decimal_comma_in_dutch(self) -> None:
        reason = planning.Unassigned(
            "1", planning.OUTSIDE_AREA, {"distance_km": "21.4", "radius_km": "6.0"}
        )
        with translation.override("nl"):
            text = reason_message(reason)
        self.assertIn("21,4", text)
        self.assertIn("6,0", text)
        self.assertNotIn("21.4", text)
