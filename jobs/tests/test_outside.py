"""Defects found by trying the job bureau from the outside (pages, API, feed, PDFs), each
with the test that failed before its fix."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse

from core.tokens import api_token_create
from jobs import planning, services
from jobs.models import Assignment, Hours, JobRequest
from jobs.programme import erase
from jobs.tests.cast import BRUSSELS, DAY, JobsTestCase, ask, at
from wijk.testing import clock_at


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@clock_at(date(2026, 2, 27))
class OutsideTest(JobsTestCase):
    client_language = "en"

    def planned_moving(self) -> JobRequest:
        job = ask(self, self.moving)
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        return job

    # --- hours ---------------------------------------------------------------------------
    def test_hours_the_day_before_the_job_are_refused(self) -> None:
        """They were let through (a day either way) and marked the job done before it was."""
        job = self.planned_moving()
        mine = job.assignments.get(worker=self.worker_w)
        with clock_at(DAY - timedelta(days=1)), self.assertRaises(ValidationError) as caught:
            services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY - timedelta(days=1), 8),
                ends_at=at(DAY - timedelta(days=1), 9),
            )
        self.assertIn("on the day of the job", message(caught.exception))
        job.refresh_from_db()
        self.assertEqual(job.status, JobRequest.Status.PLANNED)
        with clock_at(DAY + timedelta(days=1)):  # the day itself, early in Brussels: fine
            services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 0, 30),
                ends_at=at(DAY, 2),
            )

    def test_hours_approved_from_an_old_copy_are_not_approved_twice(self) -> None:
        """Two clicks (or two coaches) at once: each view holds its own copy of the hours."""
        job = self.planned_moving()
        mine = job.assignments.get(worker=self.worker_w)
        with clock_at(DAY + timedelta(days=1)):
            hours = services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 9),
                ends_at=at(DAY, 11),
            )
        first, second = Hours.objects.get(pk=hours.pk), Hours.objects.get(pk=hours.pk)
        services.hours_approve(acting=self.acting("jo"), hours=first)
        with self.assertRaises(ValidationError) as caught:
            services.hours_approve(acting=self.acting("cora"), hours=second)
        self.assertIn("already approved", message(caught.exception))
        hours.refresh_from_db()
        self.assertEqual(hours.approved_by, self.jo)

    # --- requests ------------------------------------------------------------------------
    def test_times_with_a_time_zone_are_refused_in_words(self) -> None:
        """The API reads "12:00+05:00" as a time with a zone: comparing it was a 500."""
        with self.assertRaises(ValidationError) as caught:
            ask(
                self,
                self.garden,
                window_start=time(9),
                window_end=time(12, tzinfo=BRUSSELS),
            )
        self.assertIn("without a time zone", message(caught.exception))

    def test_a_drop_off_street_without_its_postcode_is_asked_for(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.moving, dropoff_street="Vlaanderenstraat 2")
        self.assertEqual(
            caught.exception.message_dict["dropoff_postcode"],
            ["Give the postcode of the address to take things to."],
        )
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.moving, dropoff_postcode="8400")
        self.assertIn("dropoff_street", caught.exception.message_dict)

    def test_the_api_says_an_unknown_service_in_the_callers_language(self) -> None:
        self.client.cookies.clear()
        token = api_token_create(user=self.cora)
        response = self.client.post(
            f"/api/v1/jobs/bureaus/{self.bureau.pk}/requests",
            {
                "service": 999999,
                "name": "X",
                "phone": "059 12 34 56",
                "street": "Kerkstraat 5",
                "postcode": "8400",
                "preferred_day": DAY.isoformat(),
                "window_start": "09:00",
                "window_end": "12:00",
            },
            content_type="application/json",
            headers={"authorization": f"Bearer {token}", "accept-language": "nl"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertNotIn("Choose a service", response.json()["message"])

    # --- workers and dates ---------------------------------------------------------------
    def test_dates_far_away_are_refused_in_words_not_500(self) -> None:
        jo = self.acting("jo")
        for start, end in ((date(9999, 6, 1), date(9999, 7, 1)), (date(1, 1, 1), date(1, 2, 1))):
            with self.assertRaises(ValidationError) as caught:
                services.worker_create(
                    acting=jo,
                    programme=self.bureau,
                    first_name="A",
                    last_name="B",
                    agreement_start=start,
                    agreement_end=end,
                )
            self.assertIn("agreement_start", caught.exception.message_dict)
        with self.assertRaises(ValidationError):
            services.assessment_add(
                acting=jo, worker=self.worker_w, on=date(2030, 1, 1), competence="craft", score=3
            )
        with self.assertRaises(ValidationError):
            services.availability_exception_add(acting=jo, worker=self.worker_w, day=date(1, 1, 1))
        with self.assertRaises(ValidationError):
            services.plan_run(acting=jo, programme=self.bureau, day=date(9999, 12, 31))

    def test_a_statement_of_month_9999_12_is_a_400(self) -> None:
        self.login("jo")
        response = self.client.get(
            reverse("jobs:statement_pdf", args=[self.worker_w.pk, "9999-12"])
        )
        self.assertEqual(response.status_code, 400)

    # --- planning ------------------------------------------------------------------------
    def test_reasons_name_skills_equipment_and_workers_in_words(self) -> None:
        job = ask(self, self.garden)
        cases = (
            (planning.NO_WORKER_WITH_SKILL, {"skill": "cargo_bike", "level": 3}),
            (planning.NO_WORKER_WITH_ALL_SKILLS, {"skills": "carrying, gardening"}),
            (planning.NO_EQUIPMENT, {"kind": "cargo_bike"}),
            (planning.LOCKED_WORKER_NOT_QUALIFIED, {"worker": str(self.worker_s.pk)}),
            (
                planning.LOCK_NOT_FEASIBLE,
                {"workers": f"{self.worker_w.pk}, {self.worker_s.pk}"},
            ),
        )
        seen = []
        for reason, params in cases:
            job.plan_reason, job.plan_params = reason, params
            seen.append(services.unassigned_message(job))
        self.assertIn("“Riding a cargo bike”", seen[0])
        self.assertIn("Lifting and carrying, Gardening", seen[1])
        self.assertIn("needs a cargo bike,", seen[2])
        self.assertIn("Sara Benali", seen[3])
        self.assertIn("Wout Claeys, Sara Benali", seen[4])
        for text in seen:
            self.assertNotIn("cargo_bike", text)

    # --- erasure -------------------------------------------------------------------------
    def test_erasure_takes_the_exact_coordinates_too(self) -> None:
        job = ask(
            self,
            self.moving,
            lat=51.22871,
            lon=2.93112,
            dropoff_street="Vlaanderenstraat 2",
            dropoff_postcode="8400",
        )
        JobRequest.objects.filter(pk=job.pk).update(household=self.jansens)
        erase(self.acting("ines"), self.jansens)
        job.refresh_from_db()
        self.assertEqual((job.lat, job.lon), (51.2194, 2.9196))  # the centre of 8400
        self.assertEqual((job.dropoff_lat, job.dropoff_lon), (51.2194, 2.9196))
        self.assertEqual(job.status, JobRequest.Status.CANCELLED)
        self.assertFalse(Assignment.objects.filter(request=job).exists())
        self.assertEqual(job.price_estimate, Decimal("29.80"))  # the amounts stay

    # --- the public form -----------------------------------------------------------------
    def test_the_public_form_asks_in_the_language_of_the_page(self) -> None:
        """The resident's letters come in the language on the request: it was always Dutch
        unless changed, also on the French page."""
        self.client.cookies["django_language"] = "fr"
        page = self.client.get(reverse("jobs_public:ask", args=[self.bureau.pk]))
        self.assertContains(page, '<option value="fr" selected>', html=False)

    # --- documents -----------------------------------------------------------------------
    def test_statement_and_invoice_speak_the_readers_numbers_and_days(self) -> None:
        """Hours said 2.00 beside "€ 14,90", and a job started at 00:30 in Brussels was on
        the day before (the day in UTC)."""
        from jobs import documents
        from jobs.selectors.money import allowance_statement

        job = self.planned_moving()
        mine = job.assignments.get(worker=self.worker_w)
        with clock_at(DAY + timedelta(days=1)):
            hours = services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 0, 30),
                ends_at=at(DAY, 2, 30),
            )
            services.hours_approve(acting=self.acting("jo"), hours=hours)
        statement = allowance_statement(self.worker_w, DAY)
        self.assertEqual([line.day for line in statement.lines], [DAY])
        self.assertEqual(statement.allowance.total, Decimal("8.20"))  # 2 cheques x 4.10
        self.worker_w.language = "fr"
        html = documents.statement_html(self.worker_w, DAY)
        self.assertIn("2,00", html)
        self.assertNotIn("2.00", html)
        job.language = "nl"
        bill = documents.invoice_html(job)
        self.assertIn("2,00", bill)
        self.assertIn("14,90", bill)  # 2 started hours x 7.45
