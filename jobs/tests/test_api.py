"""The job bureau's API beyond requests, workers and the plan: the rules and catalogue, a
request's no-show, feedback and invoice, locking and moving an assignment, a worker's skills,
availability, trajectory, coaching notes, calendar link and statement, and the dashboard's
figures. Each answers every role as its page does: the coordinator (cora), the job coach
(jo), the neighbourhood worker (wout), another bureau's coordinator (otto: 404) and no token
(401)."""

from datetime import date, timedelta
from typing import Any

from core.tokens import api_token_create
from jobs import services
from jobs.models import Assignment, CoachingNote, JobRequest, Service
from jobs.tests.cast import DAY, JobsTestCase, ask
from wijk.testing import clock_at

ROLES = (None, "otto", "wout", "jo", "cora")
API = "/api/v1/jobs"


@clock_at(date(2026, 2, 27))
class JobsApiTest(JobsTestCase):
    client_language = "en"
    job: JobRequest

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.job = ask(cls, cls.moving, household=cls.jansens)
        services.plan_run(
            acting=cls.acting_of(cls.jo), programme=cls.bureau, day=DAY, time_limit_s=0.3
        )

    @staticmethod
    def acting_of(user: Any) -> Any:
        from core.tenancy import acting_for

        return acting_for(user)

    def call(self, who: str | None, method: str, path: str, body: Any = None) -> Any:
        headers: dict[str, Any] = {}
        if who is not None:
            token = api_token_create(user=getattr(self, who))
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        send = getattr(self.client, method.lower())
        if method == "GET":
            return send(API + path, **headers)
        return send(API + path, body or {}, content_type="application/json", **headers)

    def expect(self, method: str, path: str, statuses: dict[str, int], body: Any = None) -> Any:
        """Every role in turn (no token, otto, wout, jo, cora); roles not named are refused
        with 403. Answers the last allowed role's response."""
        last = None
        for who in ROLES:
            default = {None: 401, "otto": 404}.get(who, 403)
            wanted = statuses.get(who or "", default)
            response = self.call(who, method, path, body(who) if callable(body) else body)
            self.assertEqual(response.status_code, wanted, f"{method} {path} as {who}")
            if 200 <= wanted < 300:
                last = response
        return last

    # --- rules and catalogue ------------------------------------------------------------

    def test_rules_are_read_by_staff_and_set_by_the_coordinator(self) -> None:
        b = self.bureau.pk
        rules = self.expect("GET", f"/bureaus/{b}/rules", {"jo": 200, "cora": 200}).json()
        self.assertEqual(rules["preset"], "wijk_werken")
        self.assertEqual(rules["max_hours_month"], 60)
        patched = self.expect(
            "PATCH", f"/bureaus/{b}/rules", {"cora": 200}, {"max_hours_month": 50}
        ).json()
        self.assertEqual(patched["max_hours_month"], 50)
        self.assertEqual(patched["max_hours_year"], 630)  # not sent: kept
        self.assertEqual(services.rules_of(self.bureau).max_hours_month, 50)
        # The service's rule, in words: wijk-werken cheques cost 5.95 to 7.45 EUR.
        refused = self.call("cora", "PATCH", f"/bureaus/{b}/rules", {"price_per_hour": "12"})
        self.assertEqual(refused.status_code, 422)
        self.assertEqual(refused.json()["field"], "price_per_hour")
        self.assertIn("between", refused.json()["message"])
        unlimited = self.call("cora", "PATCH", f"/bureaus/{b}/rules", {"max_hours_year": None})
        self.assertIsNone(unlimited.json()["max_hours_year"])
        preset = self.expect(
            "POST", f"/bureaus/{b}/rules/preset", {"cora": 200}, {"preset": "nl_volunteer"}
        ).json()
        self.assertEqual(preset["preset"], "nl_volunteer")
        custom = self.call("cora", "POST", f"/bureaus/{b}/rules/preset", {"preset": "custom"})
        self.assertEqual(custom.status_code, 422)
        unknown = self.call("cora", "POST", f"/bureaus/{b}/rules/preset", {"preset": "nope"})
        self.assertEqual(unknown.status_code, 422)

    def test_the_catalogue_lists_with_prices_and_takes_allowed_services(self) -> None:
        b = self.bureau.pk
        listed = self.expect("GET", f"/bureaus/{b}/services", {"jo": 200, "cora": 200}).json()
        self.assertEqual([s["name"] for s in listed], ["Tuinwerk", "Verhuishulp"])
        moving = listed[1]
        self.assertEqual(moving["required_skills"], {"carrying": 1})
        self.assertEqual(moving["needs"], "cargo_bike")
        self.assertEqual(moving["price_estimate"], "29.80")  # 2 people x 2 h x 7.45
        body = {"name": "Klusje", "category": "odd_jobs", "required_skills": {"diy": 1}}
        made = self.expect("POST", f"/bureaus/{b}/services", {"cora": 201}, body).json()
        self.assertEqual(made["name"], "Klusje")
        self.assertTrue(Service.objects.filter(programme=self.bureau, name="Klusje").exists())
        again = self.call("cora", "POST", f"/bureaus/{b}/services", body)
        self.assertEqual((again.status_code, again.json()["field"]), (422, "name"))
        services.rules_update(
            acting=self.acting("cora"),
            programme=self.bureau,
            values={"allowed_categories": ["garden"]},
        )
        other = self.call("cora", "POST", f"/bureaus/{b}/services", {**body, "name": "Verhuis"})
        self.assertEqual((other.status_code, other.json()["field"]), (422, "category"))

    def test_a_service_is_withdrawn_and_offered_again(self) -> None:
        path = f"/services/{self.garden.pk}/offer"
        withdrawn = self.expect("POST", path, {"cora": 200}, {"offered": False}).json()
        self.assertFalse(withdrawn["active"])
        refused = self.call(
            "cora",
            "POST",
            f"/bureaus/{self.bureau.pk}/requests",
            {
                "service": self.garden.pk,
                "name": "Els",
                "street": "Zeedijk 10",
                "postcode": "8400",
                "preferred_day": DAY.isoformat(),
                "window_start": "09:00",
                "window_end": "12:00",
            },
        )
        self.assertEqual((refused.status_code, refused.json()["field"]), (422, "service"))
        self.assertTrue(self.call("cora", "POST", path, {"offered": True}).json()["active"])
        # The catalogue page does the same.
        self.login("cora")
        from django.urls import reverse

        page = self.client.post(
            reverse("jobs:service_offer", args=[self.garden.pk]), {"offered": "0"}
        )
        self.assertEqual(page.status_code, 302)
        self.garden.refresh_from_db()
        self.assertFalse(self.garden.active)
        self.assertContains(
            self.client.get(reverse("jobs:catalogue", args=[self.bureau.pk])), "Offer again"
        )

    # --- requests ----------------------------------------------------------------------------

    def test_no_show_from_the_day_of_the_job(self) -> None:
        path = f"/requests/{self.job.pk}/no-show"
        early = self.call("jo", "POST", path)
        self.assertEqual(early.status_code, 422)
        self.assertIn("before the day", early.json()["message"])
        with clock_at(DAY):
            closed = self.expect("POST", path, {"jo": 200, "cora": 422}).json()
        self.assertEqual(closed["status"], "no_show")
        self.assertFalse(Assignment.objects.filter(request=self.job).exists())

    def test_feedback_is_written_down_once_done_and_shown(self) -> None:
        path = f"/requests/{self.job.pk}/feedback"
        empty = self.expect("GET", path, {"jo": 200, "cora": 200}).json()
        self.assertFalse(empty["given"])
        early = self.call("cora", "POST", path, {"smiley": 3})
        self.assertEqual(early.status_code, 422)
        JobRequest.objects.filter(pk=self.job.pk).update(status=JobRequest.Status.DONE)
        given = self.expect(
            "POST", path, {"jo": 200, "cora": 200}, {"smiley": 3, "comment": "Fijn"}
        ).json()
        self.assertEqual((given["smiley"], given["comment"]), (3, "Fijn"))
        self.assertEqual(self.call("jo", "GET", path).json()["smiley"], 3)
        self.assertEqual(self.call("cora", "POST", path, {"smiley": 4}).status_code, 422)

    def test_the_invoice_is_a_pdf_once_the_job_is_done(self) -> None:
        path = f"/requests/{self.job.pk}/invoice/pdf"
        early = self.call("jo", "GET", path)
        self.assertEqual(early.status_code, 422)
        self.assertIn("once the job is done", early.json()["message"])
        JobRequest.objects.filter(pk=self.job.pk).update(status=JobRequest.Status.DONE)
        response = self.expect("GET", path, {"jo": 200, "cora": 200})
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    # --- the plan ----------------------------------------------------------------------------

    def test_an_assignment_is_locked_and_moved(self) -> None:
        assignment = self.job.assignments.order_by("place").first()
        assert assignment is not None
        path = f"/assignments/{assignment.pk}"
        locked = self.expect(
            "POST", f"{path}/lock", {"jo": 200, "cora": 200}, {"locked": True}
        ).json()
        self.assertTrue(locked["locked"])
        unlocked = self.call("cora", "POST", f"{path}/lock", {"locked": False}).json()
        self.assertFalse(unlocked["locked"])
        crew = set(self.job.assignments.values_list("worker", flat=True))
        self.assertEqual(crew, {self.worker_w.pk, self.worker_s.pk})
        same = self.call("jo", "POST", f"{path}/move", {"worker_id": self.worker_s.pk})
        other = self.worker_s if assignment.worker_id == self.worker_w.pk else self.worker_w
        self.assertEqual(same.status_code, 422 if other == self.worker_s else 200)
        stranger = services.worker_create(
            acting=self.acting("otto"),
            programme=self.arnhem_bureau,
            first_name="Ander",
            last_name="Bureau",
            agreement_start=DAY,
            agreement_end=DAY + timedelta(days=30),
        )
        refused = self.call("jo", "POST", f"{path}/move", {"worker_id": stranger.pk})
        self.assertEqual((refused.status_code, refused.json()["field"]), (422, "worker_id"))
        self.assertEqual(
            self.call("wout", "POST", f"{path}/move", {"worker_id": 1}).status_code, 403
        )

    # --- workers ---------------------------------------------------------------------------

    def test_skills_availability_and_days_off(self) -> None:
        w = f"/workers/{self.worker_s.pk}"
        skilled = self.expect(
            "POST", f"{w}/skills", {"jo": 200, "cora": 200}, {"skill": "diy", "level": 2}
        ).json()
        self.assertEqual(skilled["skills"]["diy"], 2)
        gone = self.call("cora", "POST", f"{w}/skills", {"skill": "diy", "level": 0}).json()
        self.assertNotIn("diy", gone["skills"])
        added = self.expect(
            "POST",
            f"{w}/availability",
            {"jo": 201, "cora": 201},
            lambda who: {"weekday": 5 if who == "jo" else 6, "start": "09:00", "end": "12:00"},
        ).json()
        self.assertEqual(added["weekday"], 6)
        overlap = self.call(
            "cora", "POST", f"{w}/availability", {"weekday": 0, "start": "09:00", "end": "10:00"}
        )
        self.assertEqual((overlap.status_code, overlap.json()["field"]), (422, "start"))
        off = self.expect(
            "POST", f"{w}/exceptions", {"jo": 201, "cora": 201}, {"day": "2026-03-04"}
        ).json()
        self.assertIsNone(off["start"])
        half = self.call("jo", "POST", f"{w}/exceptions", {"day": "2026-03-05", "start": "09:00"})
        self.assertEqual((half.status_code, half.json()["field"]), (422, "end"))
        zoned = self.call(
            "jo", "POST", f"{w}/availability", {"weekday": 6, "start": "14:00Z", "end": "15:00Z"}
        )
        self.assertEqual(zoned.status_code, 422)  # was a 500: JSON has no zoned times
        listed = self.expect("GET", f"{w}/availability", {"jo": 200, "cora": 200}).json()
        self.assertEqual(len(listed["weekly"]), 7)
        self.assertEqual([e["day"] for e in listed["exceptions"]], ["2026-03-04", "2026-03-04"])

    def test_the_trajectory_goals_assessments_outcome_and_follow_up(self) -> None:
        w = f"/workers/{self.worker_s.pk}"
        read = self.expect("GET", f"{w}/trajectory", {"jo": 200, "cora": 200}).json()
        self.assertIsNone(read["outcome"])
        body = {"goals": "Op tijd komen", "outcome": "paid_job", "outcome_on": "2026-02-20"}
        kept = self.expect("PUT", f"{w}/trajectory", {"jo": 200, "cora": 200}, body).json()
        self.assertEqual((kept["goals"], kept["outcome"]), ("Op tijd komen", "paid_job"))
        early = self.call("jo", "PUT", f"{w}/trajectory", {"goals": "", "followup_6": "paid_job"})
        self.assertEqual((early.status_code, early.json()["field"]), (422, "followup_6"))
        no_day = self.call("jo", "PUT", f"{w}/trajectory", {"goals": "", "outcome": "training"})
        self.assertEqual((no_day.status_code, no_day.json()["field"]), (422, "outcome_on"))
        scored = self.expect(
            "POST",
            f"{w}/assessments",
            {"jo": 201, "cora": 201},
            {"on": "2026-02-26", "competence": "teamwork", "score": 4},
        ).json()
        self.assertEqual(scored["score"], 4)
        ahead = self.call(
            "jo",
            "POST",
            f"{w}/assessments",
            {"on": "2026-03-26", "competence": "craft", "score": 3},
        )
        self.assertEqual((ahead.status_code, ahead.json()["field"]), (422, "on"))
        self.assertEqual(len(self.call("jo", "GET", f"{w}/trajectory").json()["assessments"]), 2)

    def test_coaching_notes_are_for_job_coaches_only(self) -> None:
        w = f"/workers/{self.worker_s.pk}"
        # Otto (a coordinator) lacks the role before any bureau is looked at: 403.
        made = self.expect(
            "POST", f"{w}/notes", {"jo": 201, "otto": 403}, {"text": "Gesprek gehad."}
        ).json()
        self.assertEqual(made["text"], "Gesprek gehad.")
        notes = self.expect("GET", f"{w}/notes", {"jo": 200, "otto": 403}).json()
        self.assertEqual([n["text"] for n in notes], ["Gesprek gehad."])
        self.assertEqual(CoachingNote.objects.count(), 1)
        blank = self.call("jo", "POST", f"{w}/notes", {"text": "   "})
        self.assertEqual(blank.status_code, 422)
        # The trajectory (read by the coordinator too) holds no notes.
        self.assertNotIn("Gesprek", self.call("cora", "GET", f"{w}/trajectory").content.decode())

    def test_the_calendar_link_by_staff_or_the_worker_for_their_own(self) -> None:
        own = f"/workers/{self.worker_w.pk}/feed"
        link = self.expect("POST", own, {"wout": 200, "jo": 200, "cora": 200}).json()["url"]
        self.assertIn("/feed/", link)
        self.assertEqual(self.client.get(link).status_code, 200)
        self.expect("POST", f"{own}/revoke", {"wout": 204, "jo": 204, "cora": 204})
        self.assertEqual(self.client.get(link).status_code, 404)
        self.worker_w.refresh_from_db()
        self.assertEqual(self.worker_w.feed_key_hash, "")
        # Wout has no say over Sara's link.
        other = f"/workers/{self.worker_s.pk}/feed"
        self.assertEqual(self.call("wout", "POST", other).status_code, 403)

    def test_the_allowance_statement_is_a_pdf(self) -> None:
        path = f"/workers/{self.worker_w.pk}/statements/2026-03/pdf"
        response = self.expect("GET", path, {"jo": 200, "cora": 200})
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        bad = self.call("jo", "GET", f"/workers/{self.worker_w.pk}/statements/2026-13/pdf")
        self.assertEqual(bad.status_code, 422)
        far = self.call("jo", "GET", f"/workers/{self.worker_w.pk}/statements/9999-12/pdf")
        self.assertEqual((far.status_code, far.json()["field"]), (422, "month"))

    # --- dashboard ---------------------------------------------------------------------------

    def test_the_dashboard_figures(self) -> None:
        JobRequest.objects.filter(pk=self.job.pk).update(status=JobRequest.Status.DONE)
        data = self.expect(
            "GET", f"/bureaus/{self.bureau.pk}/dashboard", {"jo": 200, "cora": 200}
        ).json()
        self.assertEqual(data["residents_served"], 1)
        self.assertEqual(data["workers_active"], 2)
        by_status = {row["label"]: row["count"] for row in data["requests_by_status"]}
        self.assertEqual(by_status["Done"], 1)
        self.assertEqual(data["requests_by_service"], [{"label": "Verhuishulp", "count": 1}])
        self.assertEqual({load["month_limit"] for load in data["loads"]}, {60})
        self.assertEqual([s["smiley"] for s in data["smileys"]], [1, 2, 3])
