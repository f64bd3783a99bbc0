"""Long work in the background, with progress: one mechanism for every app.

Billing a month is the first kind; sharing's monthly allocation, key simulations, meter
imports, job planning and feed pulls follow. A run is a `core.models.Run` record (who, when,
what, how far, what came of it, why it failed) and a django-tasks task that a worker does
(`manage.py db_worker`; docs/operations.md). The pages follow it at /runs/<pk>/, the API at
GET /api/v1/runs/{run_id}.

Declare a kind in `<app>/runs.py` (found by autodiscovery, as Django's admin finds admin.py):

    from core.runs import Progress, RunError, run_kind

    def _clean(acting: Acting, programme: Programme | None, params: dict) -> dict:
        ...  # the rules that can be checked now; a translated ValidationError refuses
        return {"month": "2026-02"}  # the parameters the run will get, as JSON

    @run_kind("rentals.billing", label=_("Monthly billing"), permission="billing.run",
              clean=_clean)
    def billing(progress: Progress, *, month: str) -> dict[str, Any]:
        progress.step(0, 1, _("Charging the contracts"))
        result = billing_run(programme=progress.programme, month=..., acting=progress.acting)
        progress.step(1, 1, _("Charges made"))
        return {"created": result.created, "summary": _("3 charges …"), "link": "/…/billing/"}

Start one from a view, an API handler or a command (all three the same way):

    run = run_start(acting=acting, kind="rentals.billing", programme=programme,
                    params={"month": "2026-02"}, back_url=request.get_full_path())
    return redirect(run.get_absolute_url())  # run.is_new: False when it joined an active run

The contract of a kind
- **Parameters** are JSON (strings, numbers, lists, dicts). `clean(acting, programme, params)`
  runs in `run_start`, before anything is queued: it checks what can be checked now and
  returns the parameters the run gets; a translated ValidationError refuses the start.
- **Safe re-runs.** A kind's *target* says what "the same run" is: by default the organisation,
  the programme and all parameters; `target=` may narrow it (e.g. only the month). While a
  run of a target is queued or running, starting it again returns that run (a database
  constraint holds this, also between two workers or two web servers). After it finished,
  starting again makes a new run, so **the work must be idempotent**: doing it twice, or
  again after a failure half-way, leaves the same result as doing it once (billing: one
  charge per contract and month, a unique constraint).
- **Transactions.** The kind commits its own work, in steps if it is long. Progress is written
  outside its transactions: a step inside an `atomic` block shows only once that commits.
- **Progress.** `progress.step(done, total, label)`: label short and translated (the run
  executes in the language of the person who started it, so `gettext` is right). Writes at
  most every half second, and always the last step.
- **Result.** A dict of JSON for the API; `"summary"` is one translated sentence the page
  shows, `"link"` a local URL where the outcome is seen. Never personal data: everyone with
  run.view in the organisation reads it.
- **Errors.** Raise `RunError(_("…"))` or a ValidationError for a reason the person can act on;
  it is shown as it is. `RunError(_("…"), problems=[...])` adds a list of what to correct
  (the run page lists it, the API has it as `result["problems"]`; no personal data there
  either). Any other exception is logged with its traceback (the task result keeps it for
  the operator) and the person reads a general message, never a traceback.
- **Acting.** `progress.acting` is the person who started it, as they are *now* (roles,
  membership), through the channel they used (web, api, command): services check their
  permissions again and audit with it. Touching personal data? Audit it (`audit_record`
  with `progress.acting`); the kind decides, as every service does.
- **Permission.** `permission` is needed to start the kind; its roles must hold run.view too
  (checked here), so whoever starts a run can follow it.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise
from django_tasks import task

from core.models import Organisation, Programme, Run
from core.permissions import PERMISSIONS
from core.tenancy import COMMAND, Acting, acting_for, channel, get_scoped, operator_acting, scoped

logger = logging.getLogger("wijk.runs")

Params = dict[str, Any]
KindFunction = Callable[..., dict[str, Any]]
Clean = Callable[[Acting, Programme | None, Params], Params]
Target = Callable[[Params], str]
Describe = Callable[[Params], StrOrPromise]
F_ = TypeVar("F_", bound=KindFunction)

VIEW_PERMISSION = "run.view"
# A running run unchanged this long is taken as lost (its worker was killed): starting it
# again fails it and makes a new one. A kind reports progress well within this.
STALE_AFTER = timedelta(hours=1)
# A queued run whose task was never handed to the backend (the process died in between).
UNQUEUED_AFTER = timedelta(minutes=2)
STEP_EVERY = 0.5  # seconds between two progress writes of the same step


class RunError(Exception):
    """A kind's own reason to stop, translated, for the person who started the run; `problems`
    lists what to correct, one sentence each (e.g. every bad line of an imported file), kept
    as the failed run's `result["problems"]` and listed on the run page."""

    def __init__(self, message: StrOrPromise, problems: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.problems = [str(p) for p in problems]


@dataclass(frozen=True)
class RunKind:
    name: str  # "<app>.<what>", e.g. "rentals.billing"
    function: KindFunction
    label: StrOrPromise  # what the person calls it: "Monthly billing"
    permission: str  # needed to start it (core.permissions)
    clean: Clean | None = None
    target: Target | None = None
    describe: Describe | None = None  # the parameters in words, e.g. the month: "2026-02"

    def target_key(
        self, organisation: Organisation, programme: Programme | None, params: Params
    ) -> str:
        what = self.target(params) if self.target else _canonical(params)
        key = f"{organisation.pk}:{programme.pk if programme else '-'}:{what}"
        if len(key) > 200:
            key = f"{organisation.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
        return key


def _canonical(params: Params) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)


def _as_json(value: Any) -> Any:
    """JSON as stored: dates and decimals become strings, anything else is a TypeError."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class RunRegistry:
    """The declared kinds by name; `<app>/runs.py` modules are imported on first use."""

    def __init__(self) -> None:
        self._kinds: dict[str, RunKind] = {}
        self._discovered = False

    def register(self, kind: RunKind) -> None:
        known = self._kinds.get(kind.name)
        if known is not None and (
            known.function.__module__,
            known.function.__qualname__,
        ) != (kind.function.__module__, kind.function.__qualname__):
            raise ImproperlyConfigured(f"run kind {kind.name!r} is declared twice")
        if kind.permission not in PERMISSIONS:
            raise ImproperlyConfigured(f"run kind {kind.name!r}: unknown {kind.permission!r}")
        if not PERMISSIONS[kind.permission] <= PERMISSIONS[VIEW_PERMISSION]:
            raise ImproperlyConfigured(
                f"run kind {kind.name!r}: whoever holds {kind.permission} must hold "
                f"{VIEW_PERMISSION} too, to follow the run they start"
            )
        self._kinds[kind.name] = kind

    def get(self, name: str) -> RunKind | None:
        if not self._discovered:
            self._discovered = True
            autodiscover_modules("runs")
        return self._kinds.get(name)


registry = RunRegistry()


def run_kind(
    name: str,
    *,
    label: StrOrPromise,
    permission: str,
    clean: Clean | None = None,
    target: Target | None = None,
    describe: Describe | None = None,
) -> Callable[[F_], F_]:
    """Declares the function `(progress: Progress, **params) -> dict` as the run kind `name`."""

    def declare(function: F_) -> F_:
        registry.register(RunKind(name, function, label, permission, clean, target, describe))
        return function

    return declare


def kind_label(name: str) -> str:
    """What a person calls a kind; the name itself for a kind no longer declared."""
    kind = registry.get(name)
    return str(kind.label) if kind else name


def run_description(run: Run) -> str:
    """The run's parameters in words (the kind's `describe`), or nothing."""
    kind = registry.get(run.kind)
    if kind is None or kind.describe is None:
        return ""
    try:
        return str(kind.describe(run.parameters))
    except (KeyError, TypeError, ValueError):  # parameters of an older version of the kind
        return ""


# ---------------------------------------------------------------- progress


class Progress:
    """What a running kind gets: the run, who started it (`acting`), its programme, and
    `step()` to say how far it got."""

    def __init__(self, run: Run, acting: Acting) -> None:
        self.run = run
        self.acting = acting
        self._written_at: float | None = None

    @property
    def programme(self) -> Programme | None:
        return self.run.programme

    def step(self, done: int, total: int, label: StrOrPromise = "") -> None:
        if total < 0 or not 0 <= done <= total:
            raise ValueError(f"progress {done} of {total}")
        text = str(label)[:200]
        now = time.monotonic()
        run = self.run
        quiet = (
            self._written_at is not None
            and now - self._written_at < STEP_EVERY
            and text == run.step
            and done < total
        )
        run.progress_done, run.progress_total, run.step = done, total, text
        if quiet:
            return
        self._written_at = now
        run.updated_at = timezone.now()
        Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING).update(
            progress_done=done, progress_total=total, step=text, updated_at=run.updated_at
        )


# ---------------------------------------------------------------- starting


def _local_url(url: str) -> str:
    """Only a path of this site: the run page links back to it."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url and len(url) <= 300:
        return url
    return ""


def _fail_stale(kind: str, key: str) -> None:
    now = timezone.now()
    Run.objects.filter(kind=kind, target_key=key).filter(
        Q(status=Run.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
        | Q(status=Run.Status.QUEUED, task_id="", created_at__lt=now - UNQUEUED_AFTER)
    ).update(
        status=Run.Status.FAILED,
        finished_at=now,
        updated_at=now,
        error=_(
            "This run stopped without finishing (the worker was stopped). "
            "Starting it again is safe."
        ),
    )


def run_start(
    *,
    acting: Acting,
    kind: str,
    programme: Programme | None = None,
    params: Params | None = None,
    back_url: str = "",
) -> Run:
    """Queues a run of `kind` and returns it; while the same run (same target) is queued or
    running, returns that one instead (`run.is_new` is False). The kind's permission and its
    `clean` are checked first: PermissionDenied, or a translated ValidationError."""
    declared = registry.get(kind)
    if declared is None:
        raise ValueError(f"unknown run kind {kind!r}")
    acting.require(declared.permission)
    if programme is not None and not scoped(Programme, acting).filter(pk=programme.pk).exists():
        raise PermissionDenied(_("This programme is not one of yours."))
    given = dict(params or {})
    cleaned = _as_json(declared.clean(acting, programme, given) if declared.clean else given)
    key = declared.target_key(acting.organisation, programme, cleaned)
    with transaction.atomic():
        _fail_stale(kind, key)
        active = Run.objects.filter(kind=kind, target_key=key, status__in=Run.ACTIVE).first()
        if active is not None:
            return active
        try:
            with transaction.atomic():
                run = Run.objects.create(
                    organisation=acting.organisation,
                    programme=programme,
                    kind=kind,
                    target_key=key,
                    requested_by_id=acting.user_id,
                    via=acting.via,
                    language=translation.get_language() or "nl",
                    parameters=cleaned,
                    back_url=_local_url(back_url),
                )
        except IntegrityError:  # a start at the same moment won: join it
            return Run.objects.get(kind=kind, target_key=key, status__in=Run.ACTIVE)
    run.is_new = True
    _enqueue(run)
    run.refresh_from_db()
    return run


def _enqueue(run: Run) -> None:
    try:
        # The immediate backend (tests) does the run right here, inside this call.
        queued = run_execute.enqueue(run.pk)
    except Exception:
        logger.exception("run %s (%s) could not be queued", run.pk, run.kind)
        _finish(
            run,
            Run.Status.FAILED,
            error=_("The run could not be queued. Try again in a moment."),
            only_from=Run.ACTIVE,
        )
        return
    Run.objects.filter(pk=run.pk, task_id="").update(task_id=str(queued.id)[:64])


# ---------------------------------------------------------------- doing


def _acting_of(run: Run) -> Acting:
    """Who started the run, as they are now, through the channel they used."""
    if run.requested_by is None:
        if run.via == COMMAND:
            return operator_acting(run.organisation)
        raise RunError(_("The person who started this run no longer has an account."))
    acting = acting_for(run.requested_by, run.organisation_id, via=run.via)
    if acting is None or acting.organisation.pk != run.organisation_id:
        raise RunError(_("The person who started this run no longer works for this organisation."))
    return acting


def _finish(
    run: Run,
    status: str,
    *,
    error: str = "",
    result: dict[str, Any] | None = None,
    result_url: str = "",
    only_from: tuple[str, ...] = (Run.Status.RUNNING,),
) -> None:
    now = timezone.now()
    changes: dict[str, Any] = {
        "status": status,
        "finished_at": now,
        "updated_at": now,
        "error": error,
        "result": result or {},
        "result_url": result_url,
    }
    if status == Run.Status.DONE:
        changes["progress_done"] = F("progress_total")
    # A run failed as stale meanwhile stays failed (its work is idempotent: start it again).
    Run.objects.filter(pk=run.pk, status__in=only_from).update(**changes)


def _do(run: Run) -> dict[str, Any]:
    kind = registry.get(run.kind)
    if kind is None:
        raise RunError(_("Wijk no longer knows this kind of run."))
    acting = _acting_of(run)
    acting.require(kind.permission)
    # Inside someone else's transaction (the immediate backend in a test) a failing kind
    # must not take that transaction down with it; in the worker each kind commits its own.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with guard:
        result = kind.function(Progress(run, acting), **run.parameters)
    if not isinstance(result, dict):
        raise TypeError(f"run kind {run.kind} returned {type(result).__name__}, not a dict")
    return result


@task()
def run_execute(run_id: int) -> None:
    """The task the worker does: the run's kind, then its outcome on the run record. A second
    delivery of the same task does nothing (the run is no longer queued)."""
    now = timezone.now()
    claimed = Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return
    run = Run.objects.select_related("organisation", "programme", "requested_by").get(pk=run_id)
    with translation.override(run.language), channel(run.via):
        try:
            result = _do(run)
        except RunError as exc:
            problems = {"problems": exc.problems} if exc.problems else None
            _finish(run, Run.Status.FAILED, error=exc.message, result=problems)
        except ValidationError as exc:
            _finish(run, Run.Status.FAILED, error=" ".join(str(m) for m in exc.messages))
        except PermissionDenied:
            _finish(
                run,
                Run.Status.FAILED,
                error=_(
                    "The person who started this run may no longer do it: their role or "
                    "organisation changed."
                ),
            )
        except Exception:
            logger.exception("run %s (%s) failed", run.pk, run.kind)
            _finish(
                run,
                Run.Status.FAILED,
                error=_(
                    "The run stopped because of an unexpected error; it is in the server's "
                    "log. Starting it again is safe."
                ),
            )
            raise  # the task result keeps the traceback for the operator
        else:
            link = result.pop("link", "")
            _finish(
                run,
                Run.Status.DONE,
                result=_as_json(result),
                result_url=_local_url(str(link)) if link else "",
            )


# ---------------------------------------------------------------- reading


def run_get(acting: Acting, pk: int) -> Run:
    """One run of the acting organisation (404 for another's); run.view (403)."""
    acting.require(VIEW_PERMISSION)
    return get_scoped(
        Run.objects.select_related("programme", "requested_by", "organisation"), acting, pk=pk
    )


def run_latest_done(acting: Acting, *, kind: str, programme: Programme) -> Run | None:
    """The acting organisation's most recently finished run of a kind and programme that
    ended well (status done), or None; run.view (403)."""
    acting.require(VIEW_PERMISSION)
    return (
        scoped(Run, acting)
        .filter(kind=kind, programme=programme, status=Run.Status.DONE)
        .select_related("programme", "requested_by")
        .order_by("-finished_at", "-pk")
        .first()
    )


def runs_recent(
    acting: Acting,
    *,
    kind: str | None = None,
    programme: Programme | None = None,
    exclude: Run | None = None,
    limit: int = 10,
) -> list[Run]:
    """The organisation's latest runs, newest first; of one kind and programme if given."""
    acting.require(VIEW_PERMISSION)
    runs = scoped(Run, acting).select_related("programme", "requested_by")
    if kind is not None:
        runs = runs.filter(kind=kind)
    if programme is not None:
        runs = runs.filter(programme=programme)
    if exclude is not None:
        runs = runs.exclude(pk=exclude.pk)
    return list(runs[:limit])
