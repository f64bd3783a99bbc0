"""The bureau's figures: hours delivered, residents served, requests by service and status,
workers active, hours per worker against the limits, outflow to work at 6 and 12 months."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from core.models import Programme
from jobs.bureau import rules_of
from jobs.models import Hours, JobRequest, Outcome, Trajectory, Worker
from jobs.selectors.workers import month_bounds, registered_minutes


@dataclass(frozen=True)
class WorkerLoad:
    worker: Worker
    month_minutes: int
    year_minutes: int
    month_limit: int | None
    year_limit: int | None


@dataclass(frozen=True)
class Dashboard:
    hours_delivered: float
    residents_served: int
    workers_active: int
    requests_by_status: list[tuple[str, int]]
    requests_by_service: list[tuple[str, int]]
    loads: list[WorkerLoad]
    outflow_6: tuple[int, int]  # (to a paid job, followed up)
    outflow_12: tuple[int, int]
    smileys: list[tuple[int, int]]


def residents_served(programme: Programme) -> int:
    done = JobRequest.objects.filter(programme=programme, status=JobRequest.Status.DONE)
    with_household = done.exclude(household=None).values("household").distinct().count()
    others = done.filter(household=None).values("name", "street", "postcode").distinct().count()
    return with_household + others


def outflow(programme: Programme, field: str) -> tuple[int, int]:
    followed = Trajectory.objects.filter(worker__programme=programme).exclude(**{field: ""})
    return followed.filter(**{field: Outcome.PAID_JOB}).count(), followed.count()


def dashboard(programme: Programme, day: date) -> Dashboard:
    rules = rules_of(programme)
    minutes = Hours.objects.filter(worker__programme=programme).aggregate(t=Sum("minutes"))["t"]
    statuses = dict(
        JobRequest.objects.filter(programme=programme)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_service = list(
        JobRequest.objects.filter(programme=programme)
        .values_list("service__name")
        .annotate(n=Count("pk"))
        .values_list("service__name", "n")
        .order_by("-n", "service__name")
    )
    active = Worker.objects.filter(
        programme=programme,
        agreement_start__lte=day,
        agreement_end__gte=day,
        erased_at__isnull=True,
    )
    m0, m1 = month_bounds(day)
    loads = [
        WorkerLoad(
            w,
            registered_minutes(w, m0, m1),
            registered_minutes(w, date(day.year, 1, 1), date(day.year + 1, 1, 1)),
            rules.max_hours_month,
            rules.max_hours_year,
        )
        for w in active
    ]
    smileys = dict(
        JobRequest.objects.filter(programme=programme, feedback__isnull=False)
        .values_list("feedback__smiley")
        .annotate(n=Count("pk"))
        .values_list("feedback__smiley", "n")
    )
    return Dashboard(
        hours_delivered=round((minutes or 0) / 60, 1),
        residents_served=residents_served(programme),
        workers_active=active.count(),
        requests_by_status=[
            (str(label), statuses.get(value, 0)) for value, label in JobRequest.Status.choices
        ],
        requests_by_service=[(name, n) for name, n in by_service],
        loads=loads,
        outflow_6=outflow(programme, "followup_6"),
        outflow_12=outflow(programme, "followup_12"),
        smileys=[(s, smileys.get(s, 0)) for s in (1, 2, 3)],
    )


def followups_due(programme: Programme, day: date) -> list[tuple[Trajectory, int]]:
    """Trajectories whose 6- or 12-month follow-up is due (ended that long ago, not yet
    written down): (trajectory, months)."""
    due = []
    # An erased worker cannot be asked any more (docs/jobs.md, "A worker's own data").
    ended = Trajectory.objects.filter(
        worker__programme=programme, worker__erased_at__isnull=True
    ).exclude(outcome="")
    for t in ended.select_related("worker").filter(~Q(outcome_on=None)):
        if t.outcome_on is None:
            continue
        months = (day.year - t.outcome_on.year) * 12 + day.month - t.outcome_on.month
        if day.day < t.outcome_on.day:
            months -= 1
        if months >= 12 and not t.followup_12:
            due.append((t, 12))
        elif months >= 6 and not t.followup_6:
            due.append((t, 6))
    return due
