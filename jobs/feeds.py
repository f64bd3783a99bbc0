"""A worker's jobs as an iCalendar feed (RFC 5545), opened with a secret, revocable link."""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from jobs.models import Assignment, Worker, key_hash

DAYS_BACK, DAYS_AHEAD = 7, 60


def worker_for_key(key: str) -> Worker | None:
    if not key or len(key) > 100:
        return None
    return Worker.objects.filter(feed_key_hash=key_hash(key)).exclude(feed_key_hash="").first()


def worker_calendar(worker: Worker, *, host: str = "wijk") -> bytes:
    """The worker's assignments from a week back to two months ahead: service, street and
    times only (no phone, no notes: a calendar is easily shared)."""
    today = timezone.localdate()
    calendar = Calendar()
    calendar.add("prodid", "-//Wijk//job bureau//")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{worker.programme.name}: {worker.first_name}")
    for a in (
        Assignment.objects.filter(
            worker=worker,
            request__preferred_day__gte=today - timedelta(DAYS_BACK),
            request__preferred_day__lte=today + timedelta(DAYS_AHEAD),
        )
        .select_related("request__service")
        .order_by("starts_at")
    ):
        event = Event()
        # One event per job and worker: the crew place may change in a re-plan (or a move),
        # and a UID with the place made the calendar app keep the old event beside the new.
        event.add("uid", f"job-{a.request_id}-worker-{a.worker_id}@{host}")
        event.add("dtstamp", timezone.now())
        # Each planning run writes the day's assignments anew (a higher id), so the id grows
        # with every revision, as SEQUENCE must (RFC 5545, 3.8.7.4).
        event.add("sequence", a.pk)
        event.add("dtstart", a.starts_at)
        event.add("dtend", a.ends_at)
        event.add("summary", a.request.service.name)
        event.add("location", f"{a.request.street}, {a.request.postcode} {a.request.city}".strip())
        if a.request.status in ("cancelled", "no_show"):
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
