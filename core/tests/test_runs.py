"""Background runs (core.runs): start → progress → done, failures in words, safe re-runs,
tenancy on the page and the API, the page without JavaScript and its HTMX partial, and one
run through the real database backend and a real `db_worker`."""

import io
import logging
import signal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TransactionTestCase, override_settings
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from core.models import Organisation, Role, Run
from core.run_views import run_version
from core.runs import Progress, RunError, run_kind, run_start, runs_recent
from core.tenancy import Acting, acting_for
from core.tokens import api_token_create
from wijk.testing import WijkTestCase

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# What the counting kind saw of its own progress in the database while it ran.
SEEN: list[tuple[int, int, str]] = []


@run_kind(
    "tests.count",
    label="Counting",
    permission="programme.manage",
    describe=lambda params: f"up to {params['upto']}",
)
def count(progress: Progress, *, upto: int) -> dict[str, Any]:
    for done in range(upto + 1):
        progress.step(done, upto, f"counted {done}")
        row = Run.objects.get(pk=progress.run.pk)
        SEEN.append((row.progress_done, row.progress_total, row.step))
    who = progress.acting.user.get_username() if progress.acting.user else "operator"
    return {"counted": upto, "by": who, "summary": f"Counted to {upto}.", "link": "/programmes/"}


@run_kind("tests.refuse", label="Refusing", permission="programme.manage")
def refuse(progress: Progress) -> dict[str, Any]:
    # A message of Django's own catalogue: translated in every language of the site.
    raise ValidationError(_("This field is required."))


@run_kind("tests.stop", label="Stopping", permission="programme.manage")
def stop(progress: Progress) -> dict[str, Any]:
    progress.step(1, 2, "half-way")
    raise RunError("The meter file has no readings.")


@run_kind("tests.crash", label="Crashing", permission="programme.manage")
def crash(progress: Progress) -> dict[str, Any]:
    Organisation.objects.filter(pk=progress.acting.organisation.pk).update(city="Half-way")
    return {"ratio": 1 // 0}


def _checked_clean(acting: Acting, programme: Any, params: dict[str, Any]) -> dict[str, Any]:
    if not str(params.get("month", "")).startswith("20"):
        raise ValidationError({"month": "Give a month."})
    return {"month": params["month"]}


@run_kind(
    "tests.monthly",
    label="Monthly",
    permission="programme.manage",
    clean=_checked_clean,
    target=lambda params: params["month"],
)
def monthly(progress: Progress, *, month: str) -> dict[str, Any]:
    return {"month": month}


class RunTests(WijkTestCase):
    def start(self, kind: str = "tests.count", **params: Any) -> Run:
        return run_start(
            acting=self.acting("cora"),
            kind=kind,
            programme=self.rental,
            params=params,
            back_url="/programmes/",
        )

    def test_start_reports_progress_and_finishes_done(self) -> None:
        SEEN.clear()
        run = self.start(upto=3)
        self.assertTrue(run.is_new)
        self.assertEqual(run.status, Run.Status.DONE)
        # Each step was in the database while the kind ran (the first, last and changed steps).
        self.assertEqual(SEEN[0], (0, 3, "counted 0"))
        self.assertEqual(SEEN[-1], (3, 3, "counted 3"))
        self.assertEqual(
            run.result, {"counted": 3, "by": "cora", "summary": "Counted to 3."}
        )  # the link leaves the result for result_url
        self.assertEqual(run.result_url, "/programmes/")
        self.assertEqual((run.progress_done, run.progress_total, run.percent), (3, 3, 100))
        self.assertEqual(run.organisation, self.lead)
        self.assertEqual(run.requested_by, self.cora)
        self.assertEqual(run.via, "web")
        self.assertIsNotNone(run.started_at)
        self.assertIsNotNone(run.finished_at)
        self.assertTrue(run.task_id)

    def test_a_refused_run_records_the_reason_in_the_starters_language(self) -> None:
        with translation.override("fr"):
            run = self.start("tests.refuse")
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertEqual(run.error, "Ce champ est obligatoire.")
        self.assertEqual(run.language, "fr")

    def test_a_kinds_own_reason_is_shown(self) -> None:
        run = self.start("tests.stop")
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertEqual(run.error, "The meter file has no readings.")

    def test_an_unexpected_error_gives_words_never_a_traceback(self) -> None:
        logging.disable(logging.CRITICAL)  # the traceback goes to the log, on purpose
        self.addCleanup(logging.disable, logging.NOTSET)
        with translation.override("nl"):
            run = self.start("tests.crash")
            safe = _(
                "The run stopped because of an unexpected error; it is in the server's "
                "log. Starting it again is safe."
            )
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertNotIn("ZeroDivision", run.error)
        self.assertNotIn("Traceback", run.error)
        self.assertEqual(run.error, safe)  # in the starter's language, Dutch
        # Done inside another transaction (this test's), its writes are undone to a savepoint
        # so that the failure can still be recorded.
        self.lead.refresh_from_db()
        self.assertNotEqual(self.lead.city, "Half-way")
        self.login("cora")
        page = self.client.get(run.get_absolute_url()).content.decode()
        self.assertIn(safe, page)
        self.assertNotIn("ZeroDivision", page)

    @override_settings(TASKS=DUMMY)
    def test_starting_the_same_run_while_it_is_active_returns_it(self) -> None:
        first = self.start("tests.monthly", month="2026-02")
        self.assertEqual(first.status, Run.Status.QUEUED)
        again = self.start("tests.monthly", month="2026-02")
        self.assertEqual(again.pk, first.pk)
        self.assertFalse(again.is_new)
        other_month = self.start("tests.monthly", month="2026-03")
        self.assertNotEqual(other_month.pk, first.pk)
        # Finished: starting again makes a new run (the work itself is idempotent).
        Run.objects.filter(pk=first.pk).update(status="done", finished_at=first.created_at)
        after = self.start("tests.monthly", month="2026-02")
        self.assertNotEqual(after.pk, first.pk)
        self.assertTrue(after.is_new)

    @override_settings(TASKS=DUMMY)
    def test_the_database_holds_one_active_run_per_target(self) -> None:
        run = self.start("tests.monthly", month="2026-02")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Run.objects.create(
                organisation=self.lead, kind=run.kind, target_key=run.target_key, status="running"
            )

    @override_settings(TASKS=DUMMY)
    def test_a_run_lost_by_its_worker_can_be_started_again(self) -> None:
        first = self.start("tests.monthly", month="2026-02")
        Run.objects.filter(pk=first.pk).update(
            status="running", updated_at=first.created_at.replace(year=2000)
        )
        again = self.start("tests.monthly", month="2026-02")
        self.assertNotEqual(again.pk, first.pk)
        first.refresh_from_db()
        self.assertEqual(first.status, Run.Status.FAILED)
        self.assertIn("without finishing", first.error)

    def test_start_checks_the_kinds_permission_and_its_parameters(self) -> None:
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            run_start(acting=self.acting("jo"), kind="tests.count", params={"upto": 1})
        with self.assertRaises(PermissionDenied):  # arnhem does not take part in the programme
            run_start(acting=self.acting("otto"), kind="tests.count", programme=self.rental)
        with self.assertRaises(ValidationError):
            self.start("tests.monthly", month="soon")
        self.assertFalse(Run.objects.exists())
        with self.assertRaises(ImproperlyConfigured):  # technicians could not follow it
            run_kind("tests.field", label="Field", permission="visit.complete")(count)

    def test_the_runner_is_who_started_it_now_lost_membership_fails_it(self) -> None:
        with override_settings(TASKS=DUMMY):
            run = self.start(upto=1)
        self.cora.memberships.all().delete()
        from core.runs import run_execute

        run_execute.call(run.pk)
        run.refresh_from_db()
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertIn("no longer works for this organisation", run.error)
        run_execute.call(run.pk)  # a second delivery does nothing
        run.refresh_from_db()
        self.assertEqual(run.status, Run.Status.FAILED)

    def test_another_organisation_gets_404_on_the_page_and_the_api(self) -> None:
        run = self.start(upto=1)
        self.login("otto")
        self.assertEqual(self.client.get(run.get_absolute_url()).status_code, 404)
        token = api_token_create(user=self.otto)
        answer = self.client.get(f"/api/v1/runs/{run.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(answer.status_code, 404)
        self.assertNotIn("Counted", answer.content.decode())
        self.assertEqual(runs_recent(self.acting("otto")), [])

    def test_a_member_without_run_view_is_refused(self) -> None:
        run = self.start(upto=1)
        self.login("wout")  # a neighbourhood worker of the lead
        self.assertEqual(self.client.get(run.get_absolute_url()).status_code, 403)

    def test_the_api_shows_the_run(self) -> None:
        run = self.start(upto=2)
        token = api_token_create(user=self.cora)
        answer = self.client.get(f"/api/v1/runs/{run.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(answer.status_code, 200)
        body = answer.json()
        self.assertEqual(body["status"], "done")
        self.assertEqual(body["kind"], "tests.count")
        self.assertEqual(body["progress"], {"done": 2, "total": 2, "step": "counted 2"})
        self.assertEqual(body["result"]["counted"], 2)
        self.assertEqual(body["url"], f"/runs/{run.pk}/")
        self.assertEqual(body["requested_by"], "cora")

    @override_settings(TASKS=DUMMY)
    def test_the_page_without_javascript_shows_the_bar_and_refreshes(self) -> None:
        run = self.start(upto=4)
        Run.objects.filter(pk=run.pk).update(
            status="running", progress_done=1, progress_total=4, step="counted 1"
        )
        self.login("cora")
        page = self.client.get(run.get_absolute_url()).content.decode()
        self.assertIn('<label for="run-bar">', page)
        self.assertIn('<progress id="run-bar" class="run-bar" max="4" value="1"', page)
        self.assertIn('<noscript><meta http-equiv="refresh" content="2"></noscript>', page)
        self.assertIn(f'<a href="/runs/{run.pk}/">', page)  # the Refresh link
        self.assertIn('hx-trigger="every 1s"', page)
        self.assertIn('href="/programmes/"', page)  # back to where it started
        self.assertIn("up to 4", page)  # the kind's description of its parameters

    def test_a_finished_page_stops_refreshing_and_lists_earlier_runs(self) -> None:
        earlier = self.start(upto=1)
        run = self.start(upto=1)
        self.login("cora")
        page = self.client.get(run.get_absolute_url()).content.decode()
        self.assertIn('max="100" value="100"', page)
        self.assertIn("Counted to 1.", page)
        self.assertNotIn("http-equiv", page)
        self.assertNotIn("hx-trigger", page)
        self.assertIn(earlier.get_absolute_url(), page)

    @override_settings(TASKS=DUMMY)
    def test_the_htmx_partial_answers_the_status_and_204_while_unchanged(self) -> None:
        run = self.start(upto=4)
        self.login("cora")
        url = run.get_absolute_url()
        partial = self.client.get(url, HTTP_HX_REQUEST="true")
        self.assertEqual(partial.status_code, 200)
        html = partial.content.decode()
        self.assertNotIn("<html", html)
        self.assertTrue(html.strip().startswith('<section id="run-status"'))
        self.assertIn("<progress", html)
        self.assertIn('hx-trigger="every 1s"', html)
        version = run_version(run)
        unchanged = self.client.get(url, {"seen": version}, HTTP_HX_REQUEST="true")
        self.assertEqual(unchanged.status_code, 204)
        # It finishes: the next poll swaps in a partial that asks for no more polls.
        from core.runs import run_execute

        run_execute.call(run.pk)
        done = self.client.get(url, {"seen": version}, HTTP_HX_REQUEST="true")
        self.assertEqual(done.status_code, 200)
        self.assertNotIn("hx-trigger", done.content.decode())
        self.assertIn("Counted to 4.", done.content.decode())


class WorkerTests(TransactionTestCase):
    """The real thing: the database backend queues the task, `db_worker` does it."""

    def test_a_run_goes_through_the_database_backend_and_a_worker(self) -> None:
        org = Organisation.objects.create(
            name="Buurtwerk", slug="buurtwerk", kind="community", country="BE"
        )
        user = get_user_model().objects.create_user(username="coco", password="x")
        user.memberships.create(organisation=org, role=Role.COORDINATOR)
        acting = acting_for(user, via="api")
        assert acting is not None
        with override_settings(TASKS=DATABASE):
            run = run_start(acting=acting, kind="tests.count", params={"upto": 2})
            self.assertEqual(run.status, Run.Status.QUEUED)
            self.assertTrue(DBTaskResult.objects.filter(pk=run.task_id, status="READY").exists())
            again = run_start(acting=acting, kind="tests.count", params={"upto": 2})
            self.assertEqual((again.pk, again.is_new), (run.pk, False))
            self._worker()
        run.refresh_from_db()
        self.assertEqual(run.status, Run.Status.DONE, run.error)
        self.assertEqual(run.result["by"], "coco")
        self.assertEqual(run.via, "api")
        self.assertEqual(DBTaskResult.objects.get(pk=run.task_id).status, "SUCCESSFUL")
        # A kind's own reason to stop: in words, and the progress it made stays visible.
        with override_settings(TASKS=DATABASE):
            stopped = run_start(acting=acting, kind="tests.stop")
            self._worker()
        stopped.refresh_from_db()
        self.assertEqual(stopped.status, Run.Status.FAILED)
        self.assertEqual(stopped.error, "The meter file has no readings.")
        self.assertEqual((stopped.progress_done, stopped.progress_total), (1, 2))
        self.assertEqual(stopped.step, "half-way")

    def _worker(self) -> None:
        # The worker installs its own signal handlers and log levels: give pytest its own back.
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        loggers = [logging.getLogger(n) for n in ("django_tasks", "django_tasks_db")]
        levels = [log.level for log in loggers]
        try:
            call_command(
                "db_worker",
                batch=True,
                interval=0,
                startup_delay=False,
                reload=False,
                verbosity=0,
                stdout=io.StringIO(),
            )
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
            for log, level in zip(loggers, levels, strict=True):
                log.setLevel(level)
