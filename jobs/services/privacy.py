"""A worker's rights over their data: export (right of access) and erasure (right to be
forgotten). docs/jobs.md, "A worker's own data", says what is kept and why.

The export holds everything the bureau keeps about the worker (jobs.selectors.privacy), as
JSON or as a PDF in the worker's language. Erasure is refused while the trajectory runs,
while the worker is planned on a job, while hours wait for approval or while a month's
allowance is not final; then it removes the person and keeps the books ("Worker 17": hours,
km, allowances per month, the outcome codes the outflow counts read). Both are audited with
the channel (web, api, command) by core.services.audit_record.
"""

import json
import re
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, to_locale

from core.pdf import render_pdf
from core.services import audit_record
from core.tenancy import Acting
from core.validators import local_today
from jobs.bureau import require_lead, zone
from jobs.models import (
    Assessment,
    Assignment,
    Availability,
    AvailabilityException,
    CoachingNote,
    Feedback,
    Hours,
    JobRequest,
    Trajectory,
    Worker,
    WorkerSkill,
)
from jobs.selectors.privacy import statement_months, worker_export_data

REMOVES = (
    gettext_lazy("the first and last name, and the postcode"),
    gettext_lazy("the link to the worker's login, the coach, and the calendar link"),
    gettext_lazy("the skills, the weekly availability and the days off with their notes"),
    gettext_lazy("the goals, the competence assessments and all coaching notes"),
    gettext_lazy(
        "the worker's name where a resident's feedback or a job's notes mention it, on the "
        "jobs they did"
    ),
)
KEEPS = (
    gettext_lazy("the number: the record is called “Worker %(number)s” from then on"),
    gettext_lazy(
        "the agreement's start and end, the referring organisation and the language, for the "
        "programme's hour limits and counts"
    ),
    gettext_lazy(
        "the jobs done, the hours and km and the allowance per month, because the books and "
        "the residents' invoices need them"
    ),
    gettext_lazy(
        "the outcome and the 6- and 12-month follow-up as a choice of the list (paid job, "
        "training …), so the outflow figures stay right; no follow-up can be added any more"
    ),
    gettext_lazy("the log of who looked at or changed the data"),
)


def _require_subject(acting: Acting, worker: Worker, permission: str) -> None:
    """A manager of the bureau, or the worker themself (their own record only)."""
    require_lead(acting, worker.programme, permission)
    if acting.can("worker.manage"):
        return
    if worker.user_id is None or worker.user_id != acting.user_id:
        raise PermissionDenied(permission)


def worker_export_content(*, acting: Acting, worker: Worker) -> dict[str, Any]:
    """The export as data (not audited: worker_export and worker_export_pdf are)."""
    _require_subject(acting, worker, "worker.export")
    return worker_export_data(worker, organisation_name=acting.organisation.name)


def worker_export(*, acting: Acting, worker: Worker) -> str:
    """Everything the bureau keeps about the worker, as JSON text; audited."""
    data = worker_export_content(acting=acting, worker=worker)
    audit_record(acting=acting, action="export", subject=f"job worker {worker.pk}: JSON")
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def worker_export_html(*, acting: Acting, worker: Worker) -> str:
    """The export's PDF as HTML, in the worker's language (not audited; tests read it)."""
    data = worker_export_content(acting=acting, worker=worker)
    language = worker.language or "nl"
    with translation.override(language):
        locale = to_locale(language)
        months = [
            {
                **s,
                "label": format_date(date.fromisoformat(f"{s['month']}-01"), "MMMM y", locale),
                **{
                    f"{key}_text": format_currency(s[key], "EUR", locale=locale)
                    for key in ("hours_amount", "km_amount", "total")
                },
            }
            for s in data["allowance_statements"]
        ]
        return render_to_string(
            "jobs/pdf/worker_export.html",
            {
                "data": data,
                "worker": worker,
                "statements": months,
                "organisation": worker.programme.lead_organisation,
                "language": language,
            },
        )


def worker_export_pdf(*, acting: Acting, worker: Worker) -> bytes:
    """The export as a tagged PDF (PDF/UA-1) in the worker's language; audited."""
    html = worker_export_html(acting=acting, worker=worker)
    audit_record(acting=acting, action="export", subject=f"job worker {worker.pk}: PDF")
    return render_pdf(html)


def worker_erasure_removes() -> tuple[Any, ...]:
    return REMOVES


def worker_erasure_keeps(worker: Worker) -> list[str]:
    return [str(line) % {"number": worker.pk} for line in KEEPS]


def worker_erasure_refusals(*, acting: Acting, worker: Worker) -> list[str]:
    """Why the worker cannot be erased now, one sentence per reason; empty when they can.

    - the trajectory runs: the agreement has not ended and no outcome is written down;
    - the worker is planned on a job that is not done (move the crew place first);
    - hours wait for a coach's approval (the allowance needs them);
    - a month with hours has not ended: its allowance statement is not final yet. Wijk does
      not record the payout itself, so "settled" means: the month is over and every hour in
      it is approved (the previous rule).
    """
    require_lead(acting, worker.programme, "worker.erase")
    if worker.erased_at:
        return []
    reasons: list[str] = []
    programme = worker.programme
    today = local_today(programme.lead_organisation)
    trajectory = Trajectory.objects.filter(worker=worker).first()
    if worker.agreement_end >= today and not (trajectory and trajectory.outcome):
        reasons.append(
            _(
                "The trajectory of %(name)s runs until %(day)s: write down its outcome when "
                "it ended early, or wait until the agreement has ended."
            )
            % {"name": worker, "day": worker.agreement_end.isoformat()}
        )
    tz = zone(programme)
    planned = (
        Assignment.objects.filter(worker=worker, request__status=JobRequest.Status.PLANNED)
        .select_related("request__service")
        .order_by("starts_at")
    )
    for a in planned:
        reasons.append(
            _(
                "%(name)s is planned on job %(reference)s (%(service)s) on %(day)s: give "
                "the place to another worker or cancel the job first."
            )
            % {
                "name": worker,
                "reference": a.request.reference,
                "service": a.request.service.name,
                "day": timezone.localtime(a.starts_at, tz).date().isoformat(),
            }
        )
    waiting = Hours.objects.filter(worker=worker, approved_at__isnull=True).count()
    if waiting:
        reasons.append(
            translation.ngettext(
                "%(count)s registration of hours waits for approval: a coach approves it "
                "first, so that the allowance is right.",
                "%(count)s registrations of hours wait for approval: a coach approves them "
                "first, so that the allowance is right.",
                waiting,
            )
            % {"count": waiting}
        )
    this_month = today.replace(day=1)
    open_months = [m for m in statement_months(worker) if m >= this_month]
    if open_months:
        reasons.append(
            _(
                "The allowance of %(month)s is not final until the month has ended: erase "
                "the worker after the statement of that month is paid."
            )
            % {"month": open_months[-1].strftime("%Y-%m")}
        )
    return reasons


def _scrub(text: str, names: list[str], label: str) -> str:
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", label, text, flags=re.IGNORECASE)
    return text


@transaction.atomic
def worker_erase(*, acting: Acting, worker: Worker) -> Worker:
    """Erase the worker's personal data (right to be forgotten); refused in words
    (ValidationError, nothing changes) by `worker_erasure_refusals`.

    The worker row is locked, as hours_register locks it: no hours slip in between the check
    and the erasure. What goes and what stays: REMOVES and KEEPS above.
    """
    require_lead(acting, worker.programme, "worker.erase")
    worker = Worker.objects.select_for_update().select_related("programme").get(pk=worker.pk)
    if worker.erased_at:
        return worker
    refusals = worker_erasure_refusals(acting=acting, worker=worker)
    if refusals:
        raise ValidationError(refusals)
    label = worker.anonymous_name
    names = [n for n in {worker.first_name.strip(), worker.last_name.strip()} if len(n) > 1]
    names.sort(key=len, reverse=True)
    own_user = worker.user_id
    # The worker's name where residents or staff wrote it on the jobs they did.
    job_ids = set(Assignment.objects.filter(worker=worker).values_list("request_id", flat=True))
    job_ids |= set(
        Hours.objects.filter(worker=worker, request__isnull=False).values_list(
            "request_id", flat=True
        )
    )
    if names:
        for feedback in Feedback.objects.filter(request_id__in=job_ids).exclude(comment=""):
            scrubbed = _scrub(feedback.comment, names, label)
            if scrubbed != feedback.comment:
                feedback.comment = scrubbed
                feedback.save(update_fields=["comment"])
        for job in JobRequest.objects.filter(pk__in=job_ids).exclude(notes=""):
            scrubbed = _scrub(job.notes, names, label)
            if scrubbed != job.notes:
                job.notes = scrubbed
                job.save(update_fields=["notes"])
    if own_user is not None:  # hours the worker registered themself: not their login
        Hours.objects.filter(worker=worker, registered_by_id=own_user).update(registered_by=None)
    WorkerSkill.objects.filter(worker=worker).delete()
    Availability.objects.filter(worker=worker).delete()
    AvailabilityException.objects.filter(worker=worker).delete()
    trajectory, _created = Trajectory.objects.get_or_create(worker=worker)
    CoachingNote.objects.filter(trajectory=trajectory).delete()
    Assessment.objects.filter(trajectory=trajectory).delete()
    trajectory.goals = ""
    trajectory.save(update_fields=["goals"])
    worker.first_name = ""
    worker.last_name = ""
    worker.postcode = ""
    worker.user = None
    worker.coach = None
    worker.feed_key_hash = ""
    worker.erased_at = timezone.now()
    worker.save()
    audit_record(acting=acting, action="erase", subject=f"job worker {worker.pk}")
    return worker


__all__ = [
    "worker_erase",
    "worker_erasure_keeps",
    "worker_erasure_refusals",
    "worker_erasure_removes",
    "worker_export",
    "worker_export_content",
    "worker_export_html",
    "worker_export_pdf",
]
