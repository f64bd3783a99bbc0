"""Reads about workers: who works on a day, their hours and what is left of their limits."""

from datetime import date

from django.db.models import QuerySet, Sum

from core.models import Programme
from core.tenancy import Acting, scoped
from jobs import rules as pure
from jobs.bureau import require_lead
from jobs.models import (
    Assignment,
    CoachingNote,
    Hours,
    JobRequest,
    ProgrammeRules,
    Trajectory,
    Worker,
)


def active_on(programme: Programme, day: date) -> "QuerySet[Worker]":
    return (
        Worker.objects.filter(
            programme=programme,
            agreement_start__lte=day,
            agreement_end__gte=day,
            erased_at__isnull=True,
        )
        # A trajectory that ended early (an outcome on a day before) ends the agreement too.
        .exclude(trajectory__outcome_on__lt=day)
        .prefetch_related("skills", "availability", "exceptions")
        .order_by("pk")
    )


def windows_on(worker: Worker, day: date) -> list[tuple[int, int]]:
    """Availability that day in minutes from midnight: the exception of the day, else the
    weekly hours."""
    exceptions = [e for e in worker.exceptions.all() if e.day == day]
    if exceptions:
        return sorted(
            (e.start.hour * 60 + e.start.minute, e.end.hour * 60 + e.end.minute)
            for e in exceptions
            if e.start is not None and e.end is not None
        )
    return sorted(
        (a.start.hour * 60 + a.start.minute, a.end.hour * 60 + a.end.minute)
        for a in worker.availability.all()
        if a.weekday == day.weekday()
    )


def registered_minutes(worker: Worker, start: date, end: date) -> int:
    """Minutes of hours registered from `start` up to, not including, `end` (local days)."""
    total = Hours.objects.filter(
        worker=worker, starts_at__date__gte=start, starts_at__date__lt=end
    ).aggregate(total=Sum("minutes"))["total"]
    return int(total or 0)


def planned_minutes(worker: Worker, start: date, end: date, *, except_day: date) -> int:
    """Planned minutes of other days without hours yet (they will be worked)."""
    total = 0
    for a in Assignment.objects.filter(
        worker=worker,
        request__status=JobRequest.Status.PLANNED,
        request__preferred_day__gte=start,
        request__preferred_day__lt=end,
    ).exclude(request__preferred_day=except_day):
        total += int((a.ends_at - a.starts_at).total_seconds() // 60)
    return total


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def used_minutes(worker: Worker, day: date) -> tuple[int, int]:
    """(this month, this year), registered plus planned on other days."""
    m0, m1 = month_bounds(day)
    y0, y1 = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    month = registered_minutes(worker, m0, m1) + planned_minutes(worker, m0, m1, except_day=day)
    year = registered_minutes(worker, y0, y1) + planned_minutes(worker, y0, y1, except_day=day)
    return month, year


def limits_of(rules: ProgrammeRules) -> pure.Limits:
    return pure.Limits(rules.max_hours_month, rules.max_hours_year)


def remaining_minutes(worker: Worker, day: date, rules: ProgrammeRules) -> int:
    month, year = used_minutes(worker, day)
    return pure.remaining_minutes(limits_of(rules), month_minutes=month, year_minutes=year)


def my_workers(acting: Acting) -> "QuerySet[Worker]":
    """The worker records of the acting user (a neighbourhood worker)."""
    if acting.user_id is None:
        return Worker.objects.none()
    return scoped(Worker, acting).filter(user_id=acting.user_id)


def trajectory_of(worker: Worker) -> Trajectory:
    """The worker's trajectory (made empty the first time it is asked for)."""
    trajectory, _created = Trajectory.objects.get_or_create(worker=worker)
    return trajectory


def coaching_notes(acting: Acting, worker: Worker) -> "QuerySet[CoachingNote] | None":
    """The restricted coaching notes, for job coaches only (worker.coach); None for anyone
    else. The worker's page and the API both ask here."""
    if not acting.can("worker.coach"):
        return None
    require_lead(acting, worker.programme, "worker.coach")
    return trajectory_of(worker).notes.select_related("by")
