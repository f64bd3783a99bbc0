"""A worker's own data (right of access): which worker the acting user may export or erase,
and everything the bureau keeps about them.

Who: coordinators and org admins of the bureau's lead organisation for any of its workers; a
neighbourhood worker for their own record only (another worker answers 404, as if it did not
exist). Residents' personal data stays out: a job is named by its reference, day and service,
never by the resident's name, address or phone.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from core.tenancy import Acting, get_scoped
from jobs.bureau import require_lead, zone
from jobs.models import Assignment, Feedback, Hours, Trajectory, Worker
from jobs.selectors.money import allowance_statement


def worker_for(acting: Acting, pk: int, permission: str) -> Worker:
    """The worker (else 404) for a user holding `permission` ("worker.export" or
    "worker.erase"): a manager of the lead organisation, or the worker themself."""
    acting.require(permission)
    queryset = Worker.objects.select_related("programme__lead_organisation", "user", "coach")
    worker = get_scoped(queryset, acting, pk=pk)
    if acting.can("worker.manage"):
        require_lead(acting, worker.programme, permission)
    elif worker.user_id is None or worker.user_id != acting.user_id:
        raise Http404  # another worker's record does not exist for a worker
    else:
        require_lead(acting, worker.programme, permission)  # their own, in their bureau
    return worker


def worker_subjects(worker: Worker) -> Q:
    """The audit events about the worker ("job worker 17", "job worker 17: statement …")."""
    return Q(subject=f"job worker {worker.pk}") | Q(subject__startswith=f"job worker {worker.pk}:")


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def statement_months(worker: Worker) -> list[date]:
    """The months (first days, in the bureau's time zone) in which the worker has hours."""
    tz = zone(worker.programme)
    months = {
        timezone.localtime(start, tz).date().replace(day=1)
        for start in Hours.objects.filter(worker=worker).values_list("starts_at", flat=True)
    }
    return sorted(months)


def worker_export_data(worker: Worker, *, organisation_name: str) -> dict[str, Any]:
    """Everything the job bureau keeps about the worker, JSON-able. Cheques are the
    residents' and stay out; feedback on the worker's jobs comes without the resident."""
    trajectory = Trajectory.objects.filter(worker=worker).first()
    tz = zone(worker.programme)
    assignments = list(
        Assignment.objects.filter(worker=worker)
        .select_related("request__service")
        .order_by("starts_at", "pk")
    )
    hours = list(
        Hours.objects.filter(worker=worker)
        .select_related("request__service")
        .order_by("starts_at", "pk")
    )
    request_ids = {a.request_id for a in assignments} | {h.request_id for h in hours}
    statements = []
    for month in statement_months(worker):
        s = allowance_statement(worker, month)
        statements.append(
            {
                "month": month.strftime("%Y-%m"),
                "approved_minutes": s.minutes,
                "km": sum((line.km for line in s.lines), Decimal("0")),
                "hours_amount": s.allowance.hours_amount,
                "km_amount": s.allowance.km_amount,
                "capped": s.allowance.capped,
                "total": s.allowance.total,
                "waiting_for_approval": s.pending,
            }
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "exported_by_organisation": organisation_name,
        "bureau": worker.programme.name,
        "worker": {
            "number": worker.pk,
            "first_name": worker.first_name,
            "last_name": worker.last_name,
            "language": worker.language,
            "postcode": worker.postcode,
            "referred_by": worker.referred_by.name if worker.referred_by else "",
            "agreement_start": worker.agreement_start,
            "agreement_end": worker.agreement_end,
            "coach": _person(worker.coach),
            "login": worker.user.get_username() if worker.user else "",
            "calendar_link_active": bool(worker.feed_key_hash),
            "added_at": worker.created_at.isoformat(),
            "erased_at": worker.erased_at.isoformat() if worker.erased_at else None,
        },
        "skills": [
            {"skill": s.skill, "label": str(s.get_skill_display()), "level": s.level}
            for s in worker.skills.all()
        ],
        "availability": [
            {"weekday": a.weekday, "from": a.start, "until": a.end}
            for a in worker.availability.all()
        ],
        "exceptions": [
            {"day": e.day, "from": e.start, "until": e.end, "note": e.note}
            for e in worker.exceptions.all()
        ],
        "trajectory": {
            "goals": trajectory.goals if trajectory else "",
            "outcome": trajectory.outcome if trajectory else "",
            "outcome_on": trajectory.outcome_on if trajectory else None,
            "followup_6": trajectory.followup_6 if trajectory else "",
            "followup_12": trajectory.followup_12 if trajectory else "",
        },
        "assessments": [
            {
                "on": a.on,
                "competence": a.competence,
                "label": str(a.get_competence_display()),
                "score": a.score,
                "by": _person(a.by),
            }
            for a in (trajectory.assessments.select_related("by") if trajectory else [])
        ],
        "coaching_notes": [
            {"at": n.at.isoformat(), "by": _person(n.by), "text": n.text}
            for n in (trajectory.notes.select_related("by") if trajectory else [])
        ],
        "jobs": [
            {
                "job": a.request.reference,
                "service": a.request.service.name,
                "day": a.request.preferred_day,
                "status": a.request.status,
                "starts_at": timezone.localtime(a.starts_at, tz).isoformat(),
                "ends_at": timezone.localtime(a.ends_at, tz).isoformat(),
                "crew_place": a.place,
            }
            for a in assignments
        ],
        "hours": [
            {
                "id": h.pk,
                "job": h.request.reference if h.request else "",
                "service": h.request.service.name if h.request else "",
                "starts_at": timezone.localtime(h.starts_at, tz).isoformat(),
                "ends_at": timezone.localtime(h.ends_at, tz).isoformat(),
                "minutes": h.minutes,
                "km": h.km,
                "registered_at": h.registered_at.isoformat(),
                "approved_at": h.approved_at.isoformat() if h.approved_at else None,
            }
            for h in hours
        ],
        "allowance_statements": statements,
        "feedback": [
            {
                "job": f.request.reference,
                "service": f.request.service.name,
                "day": f.request.preferred_day,
                "smiley": f.smiley,
                "label": str(f.get_smiley_display()),
                "comment": f.comment,
                "at": f.at.isoformat(),
            }
            for f in Feedback.objects.filter(request_id__in=request_ids)
            .select_related("request__service")
            .order_by("at", "pk")
        ],
        "access_log": [
            {"at": e.at.isoformat(), "action": e.action, "subject": e.subject, "via": e.via}
            for e in AuditEvent.objects.filter(
                worker_subjects(worker), organisation=worker.programme.lead_organisation
            ).order_by("at", "pk")
        ],
    }
