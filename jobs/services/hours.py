"""Hours: a worker (or their coach) registers the hours of a job, a coach approves them. The
hour limits and "never in two places at once" are checked here first, in words; the
database holds the second (migration 0001)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tenancy import Acting
from jobs import rules as pure
from jobs.bureau import require_lead, rules_of, zone
from jobs.models import Assignment, Hours, JobRequest, Worker
from jobs.selectors import workers as worker_selectors
from jobs.services.cheques import cheques_spend
from jobs.services.handback import report_back

MAX_MINUTES = 12 * 60
# Hours end at most this far after the server's clock: a phone's clock a little ahead, or an
# end typed to the minute just before it. Not more: an hour's slack let a worker register the
# planned end before the job was over (one more started hour, one more cheque).
CLOCK_SKEW = timedelta(minutes=5)


def _fmt_hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


@transaction.atomic
def hours_register(
    *,
    acting: Acting,
    assignment: Assignment,
    starts_at: datetime,
    ends_at: datetime,
    km: Decimal = Decimal("0"),
) -> Hours:
    """Hours of one crew place of a job; the worker for themselves, a coach for anyone."""
    # Fresh and locked: two crew members registering at once both see the same status.
    request = JobRequest.objects.select_for_update().get(pk=assignment.request_id)
    programme = request.programme
    # The worker locked too: two registrations of other jobs at once (PostgreSQL) would each
    # see the month's hours without the other's and pass the limit together.
    worker = Worker.objects.select_for_update().get(pk=assignment.worker_id)
    if acting.can("job.approve"):
        require_lead(acting, programme, "job.approve")
    else:
        require_lead(acting, programme, "job.hours")
        if worker.user_id is None or worker.user_id != acting.user_id:
            raise PermissionDenied("job.hours")
    if worker.erased_at:  # jobs/services/privacy.py: the books of an erased worker are closed
        raise ValidationError(_("This worker was erased and can no longer be changed."))
    if request.status not in (JobRequest.Status.PLANNED, JobRequest.Status.DONE):
        raise ValidationError(_("Hours can only be registered for a planned job."))
    if Hours.objects.filter(worker=worker, request=request).exists():
        raise ValidationError(_("Hours for this job are already registered."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError(_("Give the start and end with their time zone."))
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    errors: dict[str, str] = {}
    if minutes <= 0:
        errors["ends_at"] = _("The end must be after the start.")
    elif minutes > MAX_MINUTES:
        errors["ends_at"] = _("A job's hours are at most 12 hours.")
    if ends_at > timezone.now() + CLOCK_SKEW:
        errors["ends_at"] = _("Hours are registered once they are worked, not ahead.")
    # The bureau's day, not the server's or UTC's: hours a day early marked the job done
    # before it happened.
    if timezone.localtime(starts_at, zone(programme)).date() != request.preferred_day:
        errors["starts_at"] = _("The hours must be on the day of the job.")
    if km < 0 or km > 500:
        errors["km"] = _("Give the round trip in km, from 0 to 500.")
    if errors:
        raise ValidationError(errors)
    overlap = Hours.objects.filter(
        worker=worker, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if overlap is not None:
        raise ValidationError(
            {
                "starts_at": _(
                    "%(worker)s already has hours from %(start)s to %(end)s: a worker cannot "
                    "be at two jobs at once."
                )
                % {
                    "worker": worker,
                    "start": timezone.localtime(overlap.starts_at).strftime("%H:%M"),
                    "end": timezone.localtime(overlap.ends_at).strftime("%H:%M"),
                }
            }
        )
    rules = rules_of(programme)
    day = timezone.localtime(starts_at, zone(programme)).date()
    m0, m1 = worker_selectors.month_bounds(day)
    month = worker_selectors.registered_minutes(worker, m0, m1)
    year = worker_selectors.registered_minutes(
        worker, day.replace(month=1, day=1), day.replace(year=day.year + 1, month=1, day=1)
    )
    breach = pure.check_limits(
        worker_selectors.limits_of(rules),
        month_minutes=month,
        year_minutes=year,
        asked_minutes=minutes,
    )
    if breach is not None:
        message = (
            _(
                "These %(asked)s hours would bring %(worker)s to %(total)s hours this month; "
                "the programme allows at most %(limit)s hours a month."
            )
            if breach.which == "month"
            else _(
                "These %(asked)s hours would bring %(worker)s to %(total)s hours this year; "
                "the programme allows at most %(limit)s hours a year."
            )
        )
        raise ValidationError(
            {
                "ends_at": message
                % {
                    "asked": _fmt_hours(minutes),
                    "worker": worker,
                    "total": _fmt_hours(breach.used_minutes + minutes),
                    "limit": breach.limit_hours,
                }
            }
        )
    try:
        with transaction.atomic():
            hours = Hours.objects.create(
                worker=worker,
                request=request,
                starts_at=starts_at,
                ends_at=ends_at,
                minutes=minutes,
                km=km,
                registered_by_id=acting.user_id,
            )
    except IntegrityError as exc:  # a registration at the same moment, caught by the database
        raise ValidationError(_("These hours overlap with other hours of the worker.")) from exc
    if request.status == JobRequest.Status.PLANNED:
        request.status = JobRequest.Status.DONE
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "closed_at"])
        report_back(request)
    return hours


@transaction.atomic
def hours_approve(*, acting: Acting, hours: Hours) -> Hours:
    require_lead(acting, hours.worker.programme, "job.approve")
    # Read again, locked: the caller's copy may be older than another approval of the same
    # hours (two clicks, two coaches), which then passed the check twice.
    hours = Hours.objects.select_for_update(of=("self",)).select_related("worker").get(pk=hours.pk)
    if hours.approved_at is not None:
        raise ValidationError(_("These hours are already approved."))
    if hours.worker.user_id is not None and hours.worker.user_id == acting.user_id:
        raise PermissionDenied(_("Nobody approves their own hours."))
    hours.approved_by_id = acting.user_id
    hours.approved_at = timezone.now()
    hours.save(update_fields=["approved_by", "approved_at"])
    cheques_spend(hours)
    return hours
