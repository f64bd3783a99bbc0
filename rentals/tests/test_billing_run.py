"""Billing as a background run (rentals/runs.py, core.runs): the month rules are the billing
service's, checked before the run is queued and again when it is done."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from core.models import Run
from core.runs import run_start
from rentals.models import Charge
from rentals.runs import BILLING
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@clock_at(date(2026, 5, 12))
class BillingRunTest(RentalTestCase):
    def bill(self, month: str, username: str = "cora") -> Run:
        return run_start(
            acting=self.acting(username),
            kind=BILLING,
            programme=self.rental,
            params={"month": month, "confirm": True},
        )

    def test_a_billing_run_charges_the_month_and_says_so(self) -> None:
        self.active_contract(installed_on=date(2026, 3, 10))
        run = self.bill("2026-04")
        self.assertEqual(run.status, Run.Status.DONE, run.error)
        self.assertEqual(Charge.objects.filter(month=date(2026, 4, 1)).count(), 1)
        self.assertEqual(run.result["created"], 1)
        self.assertEqual(run.result["summary"], "1 charge was created for 2026-04.")
        self.assertEqual(
            run.result_url, f"/rentals/collection/programmes/{self.rental.pk}/billing/"
        )
        again = self.bill("2026-04")  # finished: a new run, which adds nothing
        self.assertNotEqual(again.pk, run.pk)
        self.assertEqual(again.result["created"], 0)
        self.assertEqual(Charge.objects.filter(month=date(2026, 4, 1)).count(), 1)

    def test_the_month_rules_refuse_before_anything_is_queued(self) -> None:
        for month, message in (
            ("2026-08", "at most one month ahead"),
            ("1999-01", "too long ago"),
            ("soon", "Enter a month"),
        ):
            with self.subTest(month=month), self.assertRaises(ValidationError) as refused:
                self.bill(month)
            self.assertIn(message, str(refused.exception.message_dict["month"]))
        with self.assertRaises(PermissionDenied):  # ocmw does not lead the programme
            self.bill("2026-04", username="ada")
        self.assertFalse(Run.objects.exists())

    @override_settings(TASKS=DUMMY)
    def test_one_billing_run_per_programme_and_month_at_a_time(self) -> None:
        first = self.bill("2026-04")
        self.assertEqual(first.status, Run.Status.QUEUED)
        self.assertEqual(self.bill("2026-04").pk, first.pk)
        self.assertNotEqual(self.bill("2026-03").pk, first.pk)
