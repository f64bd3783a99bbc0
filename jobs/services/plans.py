"""Planning a day: the requests of that day go to the pure planner (jobs/planning.py) with
the workers' availability, skills and remaining hours; the plan is stored as assignments, and
every request left out keeps its reason. Locked assignments stay where the coordinator put
them; the rest is planned around them."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Programme
from core.tenancy import Acting
from core.validators import EARLIEST_DATE, check_date_range, local_today
from jobs import planning
from jobs.bureau import at, minutes_of, require_lead, rules_of, zone
from jobs.models import Assignment, JobRequest, Skill, Worker
from jobs.selectors import workers as worker_selectors
from jobs.services.handback import report_back

OPEN = (JobRequest.Status.NEW, JobRequest.Status.PLANNED)

# The equipment in the reasons' sentences ("The job needs a %(kind)s…").
EQUIPMENT_NOUNS = {"cargo_bike": gettext_lazy("cargo bike"), "van": gettext_lazy("van")}


@dataclass(frozen=True)
class PlanOutcome:
    planned: int
    unassigned: int
    travel_minutes: int


def _minutes_to_datetime(programme: Programme, day: date, minutes: int) -> datetime:
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone(programme))
    # Wall-clock minutes (a day with a clock change still has its jobs at the shown times).
    return (midnight.replace(tzinfo=None) + timedelta(minutes=minutes)).replace(
        tzinfo=zone(programme)
    )


def planning_input(
    programme: Programme, day: date
) -> tuple[planning.Depot, list[planning.Worker], list[planning.Job], list[planning.Equipment]]:
    rules = rules_of(programme)
    depot = planning.Depot(
        planning.Location(rules.depot_lat, rules.depot_lon), float(rules.served_radius_km)
    )
    workers = []
    for worker in worker_selectors.active_on(programme, day):
        windows = worker_selectors.windows_on(worker, day)
        if not windows:
            continue
        workers.append(
            planning.Worker(
                id=str(worker.pk),
                availability=tuple(planning.Window(a, b) for a, b in windows),
                remaining_minutes=worker_selectors.remaining_minutes(worker, day, rules),
                skills={s.skill: s.level for s in worker.skills.all()},
            )
        )
    jobs = []
    requests = (
        JobRequest.objects.filter(programme=programme, preferred_day=day, status__in=OPEN)
        .select_related("service")
        .prefetch_related("assignments")
    )
    for request in requests:
        service = request.service
        locked = sorted((a for a in request.assignments.all() if a.locked), key=lambda a: a.place)
        dropoff = (
            planning.Location(request.dropoff_lat, request.dropoff_lon)
            if request.dropoff_lat is not None and request.dropoff_lon is not None
            else None
        )
        jobs.append(
            planning.Job(
                id=str(request.pk),
                location=planning.Location(request.lat, request.lon),
                duration=service.duration_minutes,
                windows=(
                    planning.Window(
                        minutes_of(request.window_start), minutes_of(request.window_end)
                    ),
                ),
                required_skills=dict(service.required_skills),
                crew_size=service.crew_size,
                dropoff=dropoff,
                needs=service.needs or None,  # type: ignore[arg-type]
                load=service.load,
                locked_to=tuple(str(a.worker_id) for a in locked),
            )
        )
    equipment = []
    if rules.cargo_bikes:
        equipment.append(
            planning.Equipment(
                "cargo_bike", "cargo_bike", rules.cargo_bikes, rules.cargo_bike_capacity
            )
        )
    if rules.vans:
        equipment.append(planning.Equipment("van", "van", rules.vans, rules.van_capacity))
    return depot, workers, jobs, equipment


@transaction.atomic
def plan_run(
    *, acting: Acting, programme: Programme, day: date, time_limit_s: float = 2.0
) -> PlanOutcome:
    """Plan (or re-plan) a day; locked assignments are kept."""
    require_lead(acting, programme, "job.plan")
    # Requests are taken up to 90 days ahead; 9999-12-31 ran into the month after it (a 500).
    today = local_today(programme.lead_organisation)
    check_date_range(day, field="day", earliest=EARLIEST_DATE, latest=today + timedelta(366))
    depot, workers, jobs, equipment = planning_input(programme, day)
    try:
        plan = planning.plan_day(
            day=day,
            depot=depot,
            workers=workers,
            jobs=jobs,
            equipment=equipment,
            options=planning.Options(time_limit_s=time_limit_s),
        )
    except planning.PlanningInputError as exc:
        raise ValidationError(
            _("The day cannot be planned: %(problem)s") % {"problem": exc}
        ) from exc
    requests = {
        str(r.pk): r
        for r in JobRequest.objects.filter(pk__in=[int(j.id) for j in jobs]).select_for_update()
    }
    locked = {
        (a.request_id, a.worker_id)
        for a in Assignment.objects.filter(request__in=requests.values(), locked=True)
    }
    Assignment.objects.filter(request__in=requests.values()).delete()
    for route in plan.routes:
        for order, stop in enumerate(route.stops):
            request = requests[stop.job_id]
            crew = plan.crews[stop.job_id]
            Assignment.objects.create(
                request=request,
                worker_id=int(route.worker_id),
                place=crew.index(route.worker_id),
                starts_at=_minutes_to_datetime(programme, day, stop.start),
                ends_at=_minutes_to_datetime(programme, day, stop.end),
                order=order,
                equipment=stop.equipment_id or "",
                locked=(request.pk, int(route.worker_id)) in locked,
            )
    for job_id in plan.crews:
        request = requests[job_id]
        was = request.status
        request.status = JobRequest.Status.PLANNED
        request.plan_reason, request.plan_params = "", {}
        request.save(update_fields=["status", "plan_reason", "plan_params"])
        if was != request.status:
            report_back(request)
    for missing in plan.unassigned:
        request = requests[missing.job_id]
        was = request.status
        request.status = JobRequest.Status.NEW
        request.plan_reason = missing.reason
        request.plan_params = {k: v for k, v in missing.params.items()}
        request.save(update_fields=["status", "plan_reason", "plan_params"])
        if was != request.status:
            report_back(request)
    return PlanOutcome(len(plan.crews), len(plan.unassigned), plan.total_travel_minutes)


@transaction.atomic
def assignment_move(
    *, acting: Acting, assignment: Assignment, worker: Worker, time_limit_s: float = 2.0
) -> PlanOutcome:
    """Give this crew place to another worker, lock it there, and re-plan the rest."""
    programme = assignment.request.programme
    require_lead(acting, programme, "job.plan")
    if worker.programme_id != programme.pk:
        raise ValidationError({"worker": _("Choose a worker of this bureau.")})
    if assignment.request.assignments.exclude(pk=assignment.pk).filter(worker=worker).exists():
        raise ValidationError({"worker": _("This worker is already in the crew of this job.")})
    assignment.worker = worker
    assignment.locked = True
    assignment.save(update_fields=["worker", "locked"])
    return plan_run(
        acting=acting,
        programme=programme,
        day=assignment.request.preferred_day,
        time_limit_s=time_limit_s,
    )


@transaction.atomic
def assignment_lock(*, acting: Acting, assignment: Assignment, locked: bool) -> Assignment:
    require_lead(acting, assignment.request.programme, "job.plan")
    assignment.locked = locked
    assignment.save(update_fields=["locked"])
    return assignment


def unassigned_message(request: JobRequest) -> str:
    """Why the last planning run left the request out, in words."""
    from jobs.messages import reason_message

    if not request.plan_reason:
        return ""
    params: dict[str, Any] = _in_words(request, dict(request.plan_params))
    return reason_message(planning.Unassigned(str(request.pk), request.plan_reason, params))


def _in_words(request: JobRequest, params: dict[str, Any]) -> dict[str, Any]:
    """The planner's codes as people read them: skills and equipment by their label, workers
    by name (the planner knows ids only: "locked to 3", "the skill “cargo_bike”")."""

    def skill(code: str) -> str:
        return str(Skill(code).label) if code in Skill.values else code

    def needs(code: str) -> str:
        return str(EQUIPMENT_NOUNS[code]) if code in EQUIPMENT_NOUNS else code

    def names(ids: str) -> str:
        wanted = [int(p) for p in str(ids).split(",") if p.strip().isdigit()]
        found = {
            w.pk: str(w)
            for w in Worker.objects.filter(programme_id=request.programme_id, pk__in=wanted)
        }
        return ", ".join(found.get(pk, str(pk)) for pk in wanted) or str(ids)

    if "skill" in params:
        params["skill"] = skill(str(params["skill"]))
    if "skills" in params:
        params["skills"] = ", ".join(skill(p.strip()) for p in str(params["skills"]).split(","))
    if "kind" in params:
        params["kind"] = needs(str(params["kind"]))
    for key in ("worker", "workers"):
        if key in params:
            params[key] = names(params[key])
    return params


__all__ = ["PlanOutcome", "assignment_lock", "assignment_move", "at", "plan_run", "planning_input"]
