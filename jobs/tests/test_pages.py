"""The job bureau's pages: each opens for the right people, the public form (price first,
honeypot, a flood is rate-limited), the calendar feed, the PDFs and the Excel export."""

from datetime import date, time, timedelta
from io import BytesIO
from typing import Any

from django.urls import reverse
from icalendar import Calendar

from jobs import services
from jobs.models import JobRequest
from jobs.tests.cast import DAY, JobsTestCase, ask, at
from wijk.testing import clock_at, pdf_text


def public_body(**extra: str) -> dict[str, str]:
    body = {
        "name": "Fatma Yilmaz",
        "phone": "0470 12 34 56",
        "language": "nl",
        "street": "Zeedijk 10",
        "postcode": "8400",
        "preferred_day": DAY.isoformat(),
        "window_start": "09:00",
        "window_end": "13:00",
    }
    body.update(extra)
    return body


@clock_at(date(2026, 2, 27))
class JobPagesTest(JobsTestCase):
    job: JobRequest

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.job = ask(cls, cls.moving, household=cls.jansens)
        services.plan_run(
            acting=cls.acting_of_user(cls.jo), programme=cls.bureau, day=DAY, time_limit_s=0.3
        )

    @staticmethod
    def acting_of_user(user: Any) -> Any:
        from core.tenancy import acting_for

        return acting_for(user)

    def test_staff_pages_open_for_the_coordinator(self) -> None:
        self.login("cora")
        b = self.bureau.pk
        for name, args in (
            ("jobs:index", []),
            ("jobs:bureau", [b]),
            ("jobs:rules", [b]),
            ("jobs:catalogue", [b]),
            ("jobs:requests", [b]),
            ("jobs:request_new", [b]),
            ("jobs:workers", [b]),
            ("jobs:plan", [b]),
            ("jobs:hours", [b]),
            ("jobs:dashboard", [b]),
            ("jobs:request", [self.job.pk]),
            ("jobs:worker", [self.worker_w.pk]),
        ):
            response = self.client.get(
                reverse(name, args=args) + ("?day=2026-03-02" if name == "jobs:plan" else "")
            )
            self.assertIn(response.status_code, (200, 302), name)
        page = self.client.get(reverse("jobs:plan", args=[b]) + "?day=2026-03-02").content.decode()
        self.assertIn("Wout Claeys", page)
        self.assertIn("Verhuishulp", page)
        xlsx = self.client.get(reverse("jobs:dashboard_xlsx", args=[b]))
        self.assertEqual(xlsx.status_code, 200)
        from openpyxl import load_workbook

        book = load_workbook(BytesIO(xlsx.content))
        self.assertEqual(len(book.sheetnames), 3)
        dashboard = self.client.get(reverse("jobs:dashboard", args=[b])).content.decode()
        self.assertIn("<svg", dashboard)

    def test_a_stranger_and_a_worker_get_no_staff_page(self) -> None:
        for who, expected in (("otto", 404), ("wout", 403)):
            self.login(who)
            response = self.client.get(reverse("jobs:request", args=[self.job.pk]))
            self.assertEqual(response.status_code, expected, who)

    def test_the_worker_sees_their_day_and_registers_hours(self) -> None:
        mine = self.job.assignments.get(worker=self.worker_w)
        with clock_at(DAY):
            self.login("wout")
            today = self.client.get(reverse("jobs:today")).content.decode()
            self.assertIn("Verhuishulp", today)
            self.assertIn("Kerkstraat 5", today)
            theirs = self.job.assignments.get(worker=self.worker_s)
            self.assertEqual(
                self.client.get(reverse("jobs:today_job", args=[theirs.pk])).status_code, 404
            )
        with clock_at(DAY + timedelta(days=1)):
            self.login("wout")
            response = self.client.post(
                reverse("jobs:today_job", args=[mine.pk]),
                {"start": "09:00", "end": "10:30", "km": "4"},
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.job.hours.get().minutes, 90)

    def test_the_public_form_shows_the_price_before_confirming(self) -> None:
        url = reverse("jobs_public:ask", args=[self.bureau.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        body = public_body(service=str(self.garden.pk))
        preview = self.client.post(url, body)
        self.assertContains(preview, "7,45 EUR")
        self.assertEqual(JobRequest.objects.filter(channel="public").count(), 0)
        done = self.client.post(url, {**body, "confirm": "on"})
        self.assertContains(done, "/r/jobs/feedback/")
        self.assertEqual(JobRequest.objects.filter(channel="public").count(), 1)
        far = self.client.post(
            url,
            public_body(service=str(self.garden.pk), postcode="8000"),
            headers={"accept-language": "en"},
        )
        self.assertContains(far, "km from the bureau", status_code=400)

    def test_the_public_form_in_french_and_a_robot_in_the_hidden_field(self) -> None:
        url = reverse("jobs_public:ask", args=[self.bureau.pk])
        self.client.cookies["django_language"] = "fr"
        page = self.client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        self.assertIn('lang="fr"', page)
        robot = self.client.post(
            url, {**public_body(service=str(self.garden.pk)), "website": "spam", "confirm": "on"}
        )
        self.assertEqual(robot.status_code, 200)
        self.assertFalse(JobRequest.objects.filter(channel="public").exists())

    def test_a_flood_of_public_requests_is_rate_limited(self) -> None:
        url = reverse("jobs_public:ask", args=[self.bureau.pk])
        body = {**public_body(service=str(self.garden.pk)), "confirm": "on"}
        statuses = [self.client.post(url, body).status_code for _ in range(12)]
        self.assertEqual(statuses[:10], [200] * 10)
        self.assertEqual(statuses[10:], [429, 429])
        self.assertEqual(JobRequest.objects.filter(channel="public").count(), 10)

    def test_the_calendar_feed_opens_with_its_secret_and_stops_when_renewed(self) -> None:
        key = services.worker_feed_renew(acting=self.acting("jo"), worker=self.worker_w)
        response = self.client.get(reverse("jobs_public:feed", args=[key]))
        self.assertEqual(response.status_code, 200)
        calendar = Calendar.from_ical(response.content)
        events = [c for c in calendar.walk("VEVENT")]
        self.assertEqual([str(e["SUMMARY"]) for e in events], ["Verhuishulp"])
        services.worker_feed_renew(acting=self.acting("jo"), worker=self.worker_w)
        self.assertEqual(self.client.get(reverse("jobs_public:feed", args=[key])).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("jobs_public:feed", args=["nonsense"])).status_code, 404
        )

    def test_invoice_and_allowance_statement_are_pdfs_in_the_persons_language(self) -> None:
        from jobs import documents

        JobRequest.objects.filter(pk=self.job.pk).update(language="fr")
        self.job.refresh_from_db()
        with clock_at(DAY + timedelta(days=1)):
            for a in self.job.assignments.all():
                services.hours_register(
                    acting=self.acting("jo"),
                    assignment=a,
                    starts_at=at(DAY, 9),
                    ends_at=at(DAY, 11),
                )
        hours = self.job.hours.get(worker=self.worker_w)
        services.hours_approve(acting=self.acting("jo"), hours=hours)
        self.job.refresh_from_db()
        html = documents.invoice_html(self.job)
        # French (new strings are translated by the lead at the end; dates and money already).
        self.assertIn('lang="fr"', html)
        self.assertIn("2 mars 2026", html)
        self.assertIn("39,80", html)  # 4 cheques x 7.45 and the yearly registration fee
        self.assertIn("+++700/", html)
        self.assertIn("8,20", documents.statement_html(self.worker_w, DAY))
        self.login("jo")  # the class clock: the session is fresh
        for url in (
            reverse("jobs:invoice_pdf", args=[self.job.pk]),
            reverse("jobs:statement_pdf", args=[self.worker_w.pk, "2026-03"]),
        ):
            response = self.client.get(url)
            self.assertEqual(response["Content-Type"], "application/pdf")
            self.assertTrue(response.content.startswith(b"%PDF"))
            self.assertIn(b"pdfuaid:part", pdf_text(response.content))  # tagged PDF/UA-1
        self.assertEqual(
            self.client.get(
                reverse("jobs:statement_pdf", args=[self.worker_w.pk, "2026-13"])
            ).status_code,
            400,
        )

    def test_the_api_plans_and_lists(self) -> None:
        from core.tokens import api_token_create

        token = api_token_create(user=self.jo)
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        plan = self.client.get(
            f"/api/v1/jobs/bureaus/{self.bureau.pk}/plan?day=2026-03-02", **headers
        ).json()
        self.assertEqual(plan["planned"], 1)
        self.assertEqual(len(plan["assignments"]), 2)
        bad = self.client.post(
            f"/api/v1/jobs/bureaus/{self.bureau.pk}/requests",
            {
                "service": self.garden.pk,
                "name": "X",
                "phone": "059 12 34 56",
                "street": "Kerkstraat 1",
                "postcode": "8400",
                "preferred_day": "2026-03-02",
                "window_start": "12:00",
                "window_end": "11:00",
            },
            content_type="application/json",
            **headers,
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["field"], "window_end")
        stranger = api_token_create(user=self.otto)
        refused = self.client.get(
            f"/api/v1/jobs/bureaus/{self.bureau.pk}/requests",
            HTTP_AUTHORIZATION=f"Bearer {stranger}",
        )
        self.assertEqual(refused.status_code, 404)
        _ = time
