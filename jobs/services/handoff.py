"""Visits of another programme taken as requests (core/handoffs.py, the jobs side).

A bureau takes the visits of a programme of its own lead organisation, or of a programme of
another organisation when the bureau's lead organisation is a partner of that programme and
a coordinator of the bureau agreed to take its visits (`VisitSource`, on the rules page).
A visit becomes a request for the bureau's appliance service (category "appliances", the
skill "appliance installation"; the catalogue says crew and cargo bike), on the visit's day
and window; its status flows back through `handback.report_back`.

Once taken, the visit's own changes follow (`visit_changed`, `visit_cancelled`, called by
core.handoffs.changed / withdrawn inside the rental programme's transaction), but only while
the request is open (new or planned):
- a new day or window (or a new address) becomes the request's; a planned request leaves its
  plan (back to new, its crew places freed, locked ones too) so the coordinator plans it
  again, and the bureau's planners get a notice that it moved. The bureau's own checks hold
  (90 days ahead, the window at least the job, the served area): when the request cannot
  follow, the rental change is refused in words. The name, phone and language are refreshed
  with it, and do not touch the plan.
- a cancelled visit cancels the request (freed from its plan; "Cancelled by the rental
  programme" and the reason in its notes) and the planners get a notice.
A request already done, cancelled or missed is left as it is. Neither is reported back to
the rental programme: it asked for the change (no ping-pong).
"""

from collections.abc import Sequence
from contextlib import suppress
from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import handoffs
from core.models import Programme
from core.services import audit_record
from core.tenancy import Acting
from core.validators import clean_phone
from jobs.bureau import KIND, require_lead, rules_of
from jobs.models import Category, JobRequest, Service, Skill, VisitSource
from jobs.services import notices
from jobs.services.handback import external_ref, state_of
from jobs.services.requests import _check_when, _create, locate

# A visit without a readable window ("9-12", "08:00–12:00") is asked for the working day.
DAY_START, DAY_END = time(8), time(17)


def _may_take(bureau: Programme, source: Programme) -> bool:
    if bureau.lead_organisation_id == source.lead_organisation_id:
        return True
    return VisitSource.objects.filter(
        programme=bureau,
        source=source,
        source__partners__organisation=bureau.lead_organisation_id,
    ).exists()


def bureaus_taking(source: Programme) -> "QuerySet[Programme]":
    return (
        Programme.objects.filter(kind=KIND, active=True)
        .filter(
            Q(lead_organisation=source.lead_organisation_id)
            | Q(
                visit_sources__source=source,
                lead_organisation__partnerships__programme=source,
            )
        )
        .select_related("lead_organisation")
        .distinct()
        .order_by("name")
    )


def bureaus_for(source: Programme) -> list[handoffs.Bureau]:
    return [
        handoffs.Bureau(id=b.pk, name=b.name, organisation=b.lead_organisation.name)
        for b in bureaus_taking(source)
    ]


def appliance_service(bureau: Programme) -> Service | None:
    """The bureau's service for delivering and collecting appliances: the first offered one
    of that category, those needing the appliance-installation skill first."""
    found = list(
        Service.objects.filter(programme=bureau, active=True, category=Category.APPLIANCES)
    )
    found.sort(key=lambda s: (Skill.APPLIANCE_INSTALLATION not in s.required_skills, s.name))
    return found[0] if found else None


@transaction.atomic
def take(acting: Acting, bureau_id: int, facts: handoffs.VisitFacts) -> handoffs.HandoffState:
    """The request taker of the seam: the visit becomes a request of the bureau."""
    bureau = Programme.objects.filter(kind=KIND, active=True, pk=bureau_id).first()
    source = Programme.objects.filter(pk=facts.programme_id).first()
    if bureau is None or source is None or not _may_take(bureau, source):
        raise ValidationError(
            {"bureau": _("This job bureau does not take the visits of this programme.")}
        )
    ref = external_ref(facts.source, facts.source_id)
    if JobRequest.objects.filter(
        external_ref=ref, status__in=(JobRequest.Status.NEW, JobRequest.Status.PLANNED)
    ).exists():
        raise ValidationError(_("This visit is already handed to a job bureau."))
    service = appliance_service(bureau)
    if service is None:
        raise ValidationError(
            {
                "bureau": _(
                    "%(bureau)s offers no service for delivering and collecting appliances: "
                    "its coordinator adds one to the catalogue first."
                )
                % {"bureau": bureau.name}
            }
        )
    if facts.window_start and facts.window_end:
        start, end = facts.window_start, facts.window_end
    else:
        start, end = DAY_START, DAY_END
    note = _("%(kind)s for %(programme)s.") % {
        "kind": facts.kind_label,
        "programme": facts.programme_name,
    }
    request = _create(
        programme=bureau,
        service=service,
        channel=JobRequest.Channel.RENTAL,
        name=facts.name,
        street=facts.street,
        postcode=facts.postcode,
        city=facts.city,
        phone=facts.phone,
        language=facts.language,
        notes="\n".join(n for n in (note, facts.note) if n),
        preferred_day=facts.day,
        window_start=start,
        window_end=end,
        household_id=facts.household_id,
        by=acting.user,
        external_ref=ref,
    )
    audit_record(
        acting=acting, action="create", subject=f"job request {request.reference} from {ref}"
    )
    return state_of(request)


def states(source: str, ids: Sequence[int]) -> dict[int, handoffs.HandoffState]:
    refs = {external_ref(source, i): i for i in ids}
    found: dict[int, handoffs.HandoffState] = {}
    requests = (
        JobRequest.objects.filter(channel=JobRequest.Channel.RENTAL, external_ref__in=refs)
        .select_related("programme")
        .prefetch_related("assignments")
        .order_by("created_at", "pk")
    )
    for request in requests:  # the latest handoff of a visit wins
        found[refs[request.external_ref]] = state_of(request)
    return found


OPEN = (JobRequest.Status.NEW, JobRequest.Status.PLANNED)


def _window(facts: handoffs.VisitFacts) -> tuple[time, time]:
    if facts.window_start and facts.window_end:
        return facts.window_start, facts.window_end
    return DAY_START, DAY_END


def _open_request(source: str, source_id: int) -> JobRequest | None:
    """The visit's open request, locked (only the request: PostgreSQL cannot lock through
    the joins a caller may add)."""
    return (
        JobRequest.objects.select_for_update(of=("self",))
        .filter(
            channel=JobRequest.Channel.RENTAL,
            external_ref=external_ref(source, source_id),
            status__in=OPEN,
        )
        .select_related("programme__lead_organisation", "service")
        .order_by("-created_at", "-pk")
        .first()
    )


def _cannot_follow(request: JobRequest, exc: ValidationError) -> ValidationError:
    return ValidationError(
        _("%(bureau)s cannot follow this change of the visit (request %(reference)s): %(problem)s")
        % {
            "bureau": request.programme.name,
            "reference": request.reference,
            "problem": " ".join(exc.messages),
        }
    )


def _unplan(request: JobRequest) -> str | None:
    """Out of its day's plan, back to new; the day it was planned on (ISO), if it was."""
    was = request.preferred_day.isoformat() if request.status == JobRequest.Status.PLANNED else None
    request.assignments.all().delete()
    request.status = JobRequest.Status.NEW
    request.plan_reason, request.plan_params = "", {}
    return was


@transaction.atomic
def visit_changed(acting: Acting, facts: handoffs.VisitFacts) -> handoffs.HandoffState | None:
    """The request taker follows a rental visit's new day, window and facts (module doc)."""
    request = _open_request(facts.source, facts.source_id)
    if request is None:
        return states(facts.source, [facts.source_id]).get(facts.source_id)
    start, end = _window(facts)
    moved = (request.preferred_day, request.window_start, request.window_end) != (
        facts.day,
        start,
        end,
    )
    address = (facts.street.strip(), facts.postcode.strip(), facts.city.strip())
    relocated = address != (request.street, request.postcode, request.city)
    try:
        if moved:
            _check_when(
                programme=request.programme,
                service=request.service,
                day=facts.day,
                start=start,
                end=end,
            )
        if relocated:
            request.lat, request.lon = locate(
                rules=rules_of(request.programme),
                postcode=address[1],
                lat=None,
                lon=None,
                field="postcode",
            )
    except ValidationError as exc:
        raise _cannot_follow(request, exc) from exc
    phone = facts.phone
    # A phone the bureau cannot read is kept as the rental programme has it.
    with suppress(ValidationError):
        phone = clean_phone(phone, request.programme.lead_organisation.country) if phone else ""
    was_on = _unplan(request) if moved or relocated else None  # before the day changes
    request.name, request.phone, request.language = facts.name.strip(), phone, facts.language
    request.street, request.postcode, request.city = address
    request.preferred_day, request.window_start, request.window_end = facts.day, start, end
    request.save()
    ref = request.external_ref
    if moved or relocated:
        audit_record(
            acting=acting,
            action="change",
            subject=f"job request {request.reference} follows {ref}: {facts.day.isoformat()}",
            household=request.household,
        )
        notices.handoff_moved(request, was_on=was_on)
    return state_of(request)


@transaction.atomic
def visit_cancelled(
    acting: Acting, source: str, source_id: int, reason: str
) -> handoffs.HandoffState | None:
    """The rental visit is cancelled: so is its open request (module doc)."""
    request = _open_request(source, source_id)
    if request is None:
        return states(source, [source_id]).get(source_id)
    _unplan(request)
    line = _("Cancelled by the rental programme: %(reason)s") % {"reason": reason}
    request.notes = "\n".join(n for n in (request.notes, line) if n)
    request.status = JobRequest.Status.CANCELLED
    request.closed_at = timezone.now()
    request.save()
    audit_record(
        acting=acting,
        action="change",
        subject=f"job request {request.reference}: cancelled with {request.external_ref}",
        household=request.household,
    )
    notices.handoff_cancelled(request)
    return state_of(request)


TAKER = handoffs.RequestTaker(
    bureaus_for=bureaus_for,
    take=take,
    states=states,
    visit_changed=visit_changed,
    visit_cancelled=visit_cancelled,
)


def source_candidates(programme: Programme) -> "QuerySet[Programme]":
    """Programmes of other organisations whose visits the bureau may agree to take: those
    with visits (a declared handoff), of which the bureau's lead organisation is a partner."""
    return (
        Programme.objects.filter(
            kind__in=handoffs.provider_kinds(),
            partners__organisation=programme.lead_organisation_id,
        )
        .exclude(lead_organisation=programme.lead_organisation_id)
        .exclude(job_bureau_links__programme=programme)
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def visit_source_add(
    *, acting: Acting, programme: Programme, source: Programme | None
) -> VisitSource:
    """The bureau agrees to take the visits of a partner's programme."""
    require_lead(acting, programme, "job.rules")
    if source is None or not source_candidates(programme).filter(pk=source.pk).exists():
        raise ValidationError(
            {"source": _("Choose a programme with visits of which your organisation is a partner.")}
        )
    link = VisitSource.objects.create(
        programme=programme, source=source, agreed_by_id=acting.user_id
    )
    audit_record(acting=acting, action="create", subject=f"bureau {programme.pk} takes visits")
    return link


@transaction.atomic
def visit_source_remove(*, acting: Acting, link: VisitSource) -> None:
    """No new visits from that programme; requests already taken stay."""
    require_lead(acting, link.programme, "job.rules")
    link.delete()
    audit_record(acting=acting, action="delete", subject=f"bureau {link.programme_id} visits")
