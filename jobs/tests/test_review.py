"""Defects from the outside review of issue 9 (the job bureau), each with the test that
failed before its fix."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import translation

from jobs import planning, services
from jobs.messages import reason_message
from jobs.tests.cast import DAY, JobsTestCase, ask, at
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


@clock_at(date(2026, 2, 27))
class HoursNotAheadTest(JobsTestCase):
    client_language = "en"

    def test_hours_ending_half_an_hour_from_now_are_refused_a_few_minutes_are_not(self) -> None:
        """An hour's slack let the planned end be registered before the job was over."""
        job = ask(self, self.moving)
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        mine = job.assignments.get(worker=self.worker_w)
        with clock_at(DAY), self.assertRaises(ValidationError) as caught:  # 10:00 in Brussels
            services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 8),
                ends_at=at(DAY, 10, 30),
            )
        self.assertIn("not ahead", message(caught.exception))
        with clock_at(DAY):  # a phone's clock a few minutes ahead
            services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 8),
                ends_at=at(DAY, 10, 3),
            )
