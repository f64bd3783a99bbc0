"""A worker's own data: the export holds every kind of data the bureau keeps (JSON and a
tagged PDF in the worker's language), who may have it, the reasons not to erase yet, and what
an erasure leaves (no name anywhere in the job bureau's tables; the books and the outflow
counts still add up), all audited with the channel."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.urls import reverse

from core.models import AuditEvent, Role
from core.tenancy import COMMAND, acting_for, channel
from core.tokens import api_token_create
from jobs import services
from jobs.models import Assignment, JobRequest, Trajectory, Worker
from jobs.selectors.dashboard import dashboard, followups_due, outflow
from jobs.selectors.money import allowance_statement
from jobs.selectors.privacy import worker_for
from jobs.tests.cast import DAY, JobsTestCase, ask, at
from wijk.testing import clock_at, pdf_text

AFTER = date(2026, 4, 15)  # the trajectory stopped on 31 March; March is over


def _text(data: Any) -> str:
    return json.dumps(data, default=str, ensure_ascii=False)


@clock_at(DAY)
class WorkerPrivacyTest(JobsTestCase):
    client_language = "en"
    job: JobRequest
    hours: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        jo, cora = acting_for(cls.jo), acting_for(cls.cora)
        assert jo is not None and cora is not None
        w = cls.worker_w
        w.postcode = "8400"
        w.referred_by = cls.ocmw
        w.save()
        services.availability_exception_add(
            acting=jo, worker=w, day=date(2026, 3, 20), note="Tandarts Claeys"
        )
        services.trajectory_update(acting=jo, worker=w, goals="Rijbewijs halen")
        services.assessment_add(acting=jo, worker=w, on=DAY, competence="teamwork", score=4)
        services.coaching_note_add(acting=jo, worker=w, text="Vertrouwelijk: schuldhulp loopt")
        services.worker_feed_renew(acting=jo, worker=w)
        cls.job = ask(cls, cls.garden, notes="Vraag naar Wout, hij kent de tuin")
        cls.job.status = JobRequest.Status.PLANNED
        cls.job.save()
        assignment = Assignment.objects.create(
            request=cls.job, worker=w, starts_at=at(DAY, 8), ends_at=at(DAY, 9)
        )
        wout = acting_for(cls.wout)
        assert wout is not None
        cls.hours = services.hours_register(
            acting=wout,
            assignment=assignment,
            starts_at=at(DAY, 8),
            ends_at=at(DAY, 9, 30),
            km=Decimal("14"),
        )
        services.hours_approve(acting=jo, hours=cls.hours)
        cls.job.refresh_from_db()  # done, now that hours are registered
        services.feedback_record(
            acting=cora, request=cls.job, smiley=3, comment="Wout Claeys was heel vriendelijk"
        )

    def acting(self, username: str) -> Any:
        found = acting_for(getattr(self, username))
        assert found is not None
        return found

    def end_trajectory(self) -> None:
        services.trajectory_update(
            acting=self.acting("jo"),
            worker=self.worker_w,
            goals="Rijbewijs halen",
            outcome="paid_job",
            outcome_on=date(2026, 3, 31),
            followup_6="paid_job",
        )

    # --- export --------------------------------------------------------------------------

    def test_the_export_holds_every_kind_of_data_the_bureau_keeps(self) -> None:
        text = services.worker_export(acting=self.acting("cora"), worker=self.worker_w)
        data = json.loads(text)
        self.assertEqual(data["worker"]["first_name"], "Wout")
        self.assertEqual(data["worker"]["last_name"], "Claeys")
        self.assertEqual(data["worker"]["postcode"], "8400")
        self.assertEqual(data["worker"]["referred_by"], "OCMW Brugge")
        self.assertEqual(data["worker"]["agreement_end"], "2026-12-27")
        self.assertEqual(data["worker"]["login"], "wout")
        self.assertEqual(data["worker"]["coach"], "jo")
        self.assertTrue(data["worker"]["calendar_link_active"])
        self.assertEqual(
            {(s["skill"], s["level"]) for s in data["skills"]}, {("carrying", 2), ("cargo_bike", 2)}
        )
        self.assertEqual(len(data["availability"]), 5)
        self.assertEqual(data["exceptions"][0]["note"], "Tandarts Claeys")
        self.assertEqual(data["trajectory"]["goals"], "Rijbewijs halen")
        self.assertEqual(data["assessments"][0]["score"], 4)
        self.assertIn("schuldhulp", data["coaching_notes"][0]["text"])
        self.assertEqual(data["jobs"][0]["job"], self.job.reference)
        self.assertEqual((data["hours"][0]["minutes"], data["hours"][0]["km"]), (90, "14.0"))
        self.assertIsNotNone(data["hours"][0]["approved_at"])
        # wijk-werken: 2 cheques x 4.10 plus 14 km x 0.15
        statement = data["allowance_statements"][0]
        self.assertEqual(statement["month"], "2026-03")
        self.assertEqual((statement["hours_amount"], statement["km_amount"]), ("8.20", "2.10"))
        self.assertEqual(statement["total"], "10.30")
        self.assertEqual(data["feedback"][0]["smiley"], 3)
        self.assertIn("vriendelijk", data["feedback"][0]["comment"])
        self.assertIn("job worker", _text(data["access_log"]))
        # The resident's personal data stays out.
        self.assertNotIn("Marleen", text)
        self.assertNotIn("Kerkstraat", text)
        self.assertNotIn("059 12 34 56", text)

    def test_the_pdf_is_tagged_and_in_the_worker_s_language(self) -> None:
        self.worker_w.language = "en"
        self.worker_w.save()
        html = services.worker_export_html(acting=self.acting("cora"), worker=self.worker_w)
        for expected in ("Your data", "Wout", "Rijbewijs halen", "schuldhulp", "March 2026"):
            self.assertIn(expected, html)
        self.assertIn('lang="en"', html)
        self.assertNotIn("Marleen", html)
        pdf = services.worker_export_pdf(acting=self.acting("cora"), worker=self.worker_w)
        self.assertTrue(pdf.startswith(b"%PDF"))
        body = pdf_text(pdf)
        self.assertIn(b"/StructTreeRoot", body)
        self.assertIn(b"pdfuaid:part", body)
        self.worker_w.language = "fr"
        self.worker_w.save()
        html = services.worker_export_html(acting=self.acting("cora"), worker=self.worker_w)
        self.assertIn('lang="fr"', html)
        self.assertIn("mars 2026", html)

    def test_who_may_export(self) -> None:
        w = self.worker_w
        self.assertEqual(worker_for(self.acting("cora"), w.pk, "worker.export"), w)
        # The worker: their own record only; another worker of the bureau does not exist.
        self.assertEqual(worker_for(self.acting("wout"), w.pk, "worker.export"), w)
        with self.assertRaises(Http404):
            worker_for(self.acting("wout"), self.worker_s.pk, "worker.export")
        with self.assertRaises(PermissionDenied):
            services.worker_export(acting=self.acting("wout"), worker=self.worker_s)
        # The coach keeps the trajectory but does not answer access requests.
        with self.assertRaises(PermissionDenied):
            worker_for(self.acting("jo"), w.pk, "worker.export")
        # Another organisation: 404.
        with self.assertRaises(Http404):
            worker_for(self.acting("otto"), w.pk, "worker.export")
        # An org admin of the lead.
        admin = get_user_model().objects.create_user(username="alma", password="x")
        admin.memberships.create(organisation=self.lead, role=Role.ORG_ADMIN)
        found = acting_for(admin)
        assert found is not None
        self.assertEqual(worker_for(found, w.pk, "worker.export"), w)

    def test_export_pages_per_role_and_audited_with_the_channel(self) -> None:
        json_url = reverse("jobs:worker_export_json", args=[self.worker_w.pk])
        pdf_url = reverse("jobs:worker_export_pdf", args=[self.worker_w.pk])
        self.login("cora")
        response = self.client.get(json_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertEqual(json.loads(response.content)["worker"]["first_name"], "Wout")
        self.assertEqual(self.client.get(pdf_url).status_code, 200)
        self.assertIn(
            "All data (PDF)",
            self.client.get(reverse("jobs:worker", args=[self.worker_w.pk])).content.decode(),
        )
        events = AuditEvent.objects.filter(
            action="export", subject__startswith=f"job worker {self.worker_w.pk}:"
        )
        self.assertEqual(
            sorted(events.values_list("subject", "via")),
            [
                (f"job worker {self.worker_w.pk}: JSON", "web"),
                (f"job worker {self.worker_w.pk}: PDF", "web"),
            ],
        )
        self.login("wout")
        self.assertEqual(self.client.get(json_url).status_code, 200)
        self.assertIn(json_url, self.client.get(reverse("jobs:today")).content.decode())
        other = reverse("jobs:worker_export_json", args=[self.worker_s.pk])
        self.assertEqual(self.client.get(other).status_code, 404)
        self.login("jo")
        self.assertEqual(self.client.get(json_url).status_code, 403)
        self.login("otto")
        self.assertEqual(self.client.get(json_url).status_code, 404)
        with channel(COMMAND):
            services.worker_export(acting=self.acting("cora"), worker=self.worker_w)
        self.assertTrue(events.filter(via="command").exists())

    # --- erasure -------------------------------------------------------------------------

    def test_erasure_is_refused_in_words_while_anything_is_open(self) -> None:
        cora = self.acting("cora")
        planned = ask(self, self.moving)
        planned.status = JobRequest.Status.PLANNED
        planned.save()
        Assignment.objects.create(
            request=planned, worker=self.worker_w, starts_at=at(DAY, 11), ends_at=at(DAY, 13)
        )
        self.hours.approved_at = self.hours.approved_by = None
        self.hours.save()
        reasons = services.worker_erasure_refusals(acting=cora, worker=self.worker_w)
        self.assertEqual(len(reasons), 4, reasons)
        self.assertIn("runs until 2026-12-27", reasons[0])
        self.assertIn(planned.reference, reasons[1])
        self.assertIn("1 registration of hours waits for approval", reasons[2])
        self.assertIn("allowance of 2026-03 is not final", reasons[3])
        with self.assertRaises(ValidationError):
            services.worker_erase(acting=cora, worker=self.worker_w)
        self.worker_w.refresh_from_db()
        self.assertEqual(self.worker_w.first_name, "Wout")
        # The page shows the reasons instead of erasing (409), and erases nothing.
        self.login("cora")
        url = reverse("jobs:worker_erase", args=[self.worker_w.pk])
        page = self.client.get(url)
        self.assertContains(page, "cannot be erased yet")
        self.assertNotContains(page, "Erase for good")
        self.assertEqual(self.client.post(url, {"confirm": "on"}).status_code, 409)
        self.assertFalse(Worker.objects.get(pk=self.worker_w.pk).erased_at)

    def test_the_month_must_be_over_even_when_all_is_approved(self) -> None:
        self.end_trajectory()
        reasons = services.worker_erasure_refusals(acting=self.acting("cora"), worker=self.worker_w)
        self.assertEqual(len(reasons), 1)
        self.assertIn("2026-03", reasons[0])

    def test_who_may_erase(self) -> None:
        self.end_trajectory()
        url = reverse("jobs:worker_erase", args=[self.worker_w.pk])
        with time_machine.travel(AFTER):
            for username, status in (("jo", 403), ("wout", 403), ("otto", 404)):
                self.login(username)
                self.assertEqual(self.client.get(url).status_code, status, username)
                self.assertEqual(self.client.post(url, {"confirm": "on"}).status_code, status)
                with self.assertRaises((PermissionDenied, Http404)):
                    services.worker_erase(acting=self.acting(username), worker=self.worker_w)
            self.assertFalse(Worker.objects.get(pk=self.worker_w.pk).erased_at)

    def test_erasure_removes_the_person_and_keeps_the_books(self) -> None:
        self.end_trajectory()
        before = allowance_statement(self.worker_w, date(2026, 3, 1))
        with time_machine.travel(AFTER):
            self.login("cora")
            url = reverse("jobs:worker_erase", args=[self.worker_w.pk])
            page = self.client.get(url)
            self.assertContains(page, "What is removed")
            self.assertContains(page, f"“Worker {self.worker_w.pk}”")
            # Without the tick nothing happens (a plain form, no JavaScript needed).
            self.assertEqual(self.client.post(url, {}).status_code, 400)
            self.assertFalse(Worker.objects.get(pk=self.worker_w.pk).erased_at)
            self.assertRedirects(
                self.client.post(url, {"confirm": "on"}),
                reverse("jobs:workers", args=[self.bureau.pk]),
            )
            followups = followups_due(self.bureau, date(2027, 4, 1))
        worker = Worker.objects.get(pk=self.worker_w.pk)
        self.assertEqual(str(worker), f"Worker {worker.pk}")
        self.assertIsNone(worker.user)
        self.assertEqual((worker.postcode, worker.feed_key_hash), ("", ""))
        self.assertFalse(worker.skills.exists() or worker.availability.exists())
        self.assertFalse(worker.exceptions.exists())
        trajectory = Trajectory.objects.get(worker=worker)
        self.assertEqual(trajectory.goals, "")
        self.assertFalse(trajectory.notes.exists() or trajectory.assessments.exists())
        # No trace of the name, the note, the goals or the day off in any job-bureau table.
        for model in apps.get_app_config("jobs").get_models():
            texts = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            ]
            for row in model._default_manager.values(*texts):
                line = _text(row).lower()
                if model is Worker and row.get("first_name") == "Sara":
                    continue
                for secret in ("wout", "claeys", "schuldhulp", "rijbewijs", "tandarts"):
                    self.assertNotIn(secret, line, f"{model.__name__}: {row}")
        self.assertIsNone(type(self.hours).objects.get(pk=self.hours.pk).registered_by)
        # The books: the same hours, km and allowance for March, now for "Worker N".
        after = allowance_statement(worker, date(2026, 3, 1))
        self.assertEqual((after.minutes, after.allowance), (before.minutes, before.allowance))
        self.assertEqual(
            services.worker_export_content(acting=self.acting("cora"), worker=worker)[
                "allowance_statements"
            ][0]["total"],
            Decimal("10.30"),
        )
        # The outflow counts still add up; an erased worker is no longer "due".
        self.assertEqual(outflow(self.bureau, "followup_6"), (1, 1))
        self.assertEqual(dashboard(self.bureau, AFTER).outflow_6, (1, 1))
        self.assertNotIn(worker.pk, [t.worker_id for t, _m in followups])
        # Audited, with the channel; nothing can be added to the record afterwards.
        self.assertTrue(
            AuditEvent.objects.filter(
                action="erase", subject=f"job worker {worker.pk}", via="web"
            ).exists()
        )
        with self.assertRaises(ValidationError):
            services.worker_skill_set(acting=self.acting("jo"), worker=worker, skill="diy", level=1)
        with self.assertRaises(ValidationError):
            services.worker_feed_renew(acting=self.acting("jo"), worker=worker)
        # The worker's page names "Worker N".
        self.login("jo")
        shown = self.client.get(reverse("jobs:worker", args=[worker.pk])).content.decode()
        self.assertIn(f"Worker {worker.pk}", shown)
        self.assertIn("was erased", shown)
        # A second erasure changes nothing and says so.
        with time_machine.travel(AFTER):
            self.assertEqual(
                services.worker_erase(acting=self.acting("cora"), worker=worker).erased_at,
                worker.erased_at,
            )

    def test_an_erasure_by_command_is_audited_as_command(self) -> None:
        self.end_trajectory()
        with time_machine.travel(AFTER), channel(COMMAND):
            services.worker_erase(acting=self.acting("cora"), worker=self.worker_w)
        self.assertEqual(
            list(AuditEvent.objects.filter(action="erase").values_list("via", flat=True)),
            ["command"],
        )

    # --- the API -----------------------------------------------------------------------

    def api(self, who: str | None, method: str, path: str) -> Any:
        headers: dict[str, Any] = {}
        if who is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=getattr(self, who))}"
        send = getattr(self.client, method.lower())
        return send(f"/api/v1/jobs/workers/{path}", **headers)

    def test_the_api_export_per_role_audited_as_api(self) -> None:
        w, s = self.worker_w.pk, self.worker_s.pk
        for path in (f"{w}/export", f"{w}/export/pdf"):
            for who, status in ((None, 401), ("otto", 404), ("jo", 403), ("cora", 200)):
                self.assertEqual(self.api(who, "GET", path).status_code, status, (path, who))
        data = self.api("wout", "GET", f"{w}/export")
        self.assertEqual(data.status_code, 200)
        self.assertEqual(data.json()["worker"]["first_name"], "Wout")
        self.assertNotIn("Marleen", data.content.decode())
        pdf = self.api("wout", "GET", f"{w}/export/pdf")
        self.assertEqual((pdf.status_code, pdf["Content-Type"]), (200, "application/pdf"))
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        # Another worker's record does not exist for a worker.
        self.assertEqual(self.api("wout", "GET", f"{s}/export").status_code, 404)
        self.assertEqual(self.api("cora", "GET", f"{s}/export").status_code, 200)
        events = AuditEvent.objects.filter(action="export", subject__startswith=f"job worker {w}:")
        self.assertEqual(set(events.values_list("via", flat=True)), {"api"})
        self.assertEqual(events.filter(subject=f"job worker {w}: PDF").count(), 2)

    def test_the_api_refuses_an_erasure_with_the_reasons(self) -> None:
        w = self.worker_w.pk
        for who, status in ((None, 401), ("otto", 404), ("jo", 403), ("wout", 403)):
            self.assertEqual(self.api(who, "GET", f"{w}/erasure").status_code, status, who)
            self.assertEqual(self.api(who, "POST", f"{w}/erase").status_code, status, who)
        shown = self.api("cora", "GET", f"{w}/erasure").json()
        self.assertIn("runs until 2026-12-27", shown["refusals"][0])
        self.assertIn("the first and last name, and the postcode", shown["removes"])
        self.assertIn(f"“Worker {w}”", shown["keeps"][0])
        refused = self.api("cora", "POST", f"{w}/erase")
        self.assertEqual(refused.status_code, 409)
        self.assertIn("runs until 2026-12-27", refused.json()["message"])
        self.assertEqual(len(refused.json()["errors"]), len(shown["refusals"]))
        self.assertEqual(Worker.objects.get(pk=w).first_name, "Wout")
        self.assertFalse(AuditEvent.objects.filter(action="erase").exists())

    def test_the_api_erases_and_audits_as_api(self) -> None:
        self.end_trajectory()
        w = self.worker_w.pk
        with time_machine.travel(AFTER):
            self.assertEqual(self.api("cora", "GET", f"{w}/erasure").json()["refusals"], [])
            self.assertEqual(self.api("cora", "POST", f"{w}/erase").status_code, 204)
            worker = Worker.objects.get(pk=w)
            self.assertEqual((worker.first_name, worker.last_name), ("", ""))
            self.assertEqual(str(worker), f"Worker {w}")
            self.assertNotIn("Wout", self.api("cora", "GET", f"{w}/export").content.decode())
            # Again: nothing changes, the same answer.
            self.assertEqual(self.api("cora", "POST", f"{w}/erase").status_code, 204)
        self.assertEqual(
            list(AuditEvent.objects.filter(action="erase").values_list("via", flat=True)),
            ["api"],
        )

    def test_the_database_refuses_an_erased_worker_with_a_name(self) -> None:
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            Worker.objects.filter(pk=self.worker_s.pk).update(erased_at=at(DAY, 10))
