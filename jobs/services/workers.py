"""Workers in a trajectory: agreement, skills, availability, coaching, outcome, feed link."""

from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Membership, Organisation, Programme
from core.services import audit_record
from core.tenancy import Acting
from core.validators import EARLIEST_DATE, check_date_range, local_today
from jobs.bureau import require_lead, rules_of
from jobs.models import (
    Assessment,
    Availability,
    AvailabilityException,
    CoachingNote,
    Outcome,
    Skill,
    Trajectory,
    Worker,
    WorkerSkill,
    key_hash,
    new_key,
)

# How far ahead an agreement, a day off or an outcome may be written down: a typo such as
# 2062 or 9999 is refused in words (9999 ended in a 500 when the trajectory limit was added).
DAYS_AHEAD = 5 * 366


def refuse_erased(worker: Worker) -> None:
    """An erased worker's record only keeps what the books need: nothing is added to it."""
    if worker.erased_at:
        raise ValidationError(_("This worker was erased and can no longer be changed."))


def _check_day(value: date | None, *, field: str, programme: Programme, ahead: int) -> None:
    today = local_today(programme.lead_organisation)
    check_date_range(
        value, field=field, earliest=EARLIEST_DATE, latest=today + timedelta(days=ahead)
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    import calendar

    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@transaction.atomic
def worker_create(
    *,
    acting: Acting,
    programme: Programme,
    first_name: str,
    last_name: str,
    agreement_start: date,
    agreement_end: date,
    user: Any = None,
    referred_by: Organisation | None = None,
    coach: Any = None,
    language: str = "nl",
    postcode: str = "",
    goals: str = "",
) -> Worker:
    require_lead(acting, programme, "worker.manage")
    _check_day(agreement_start, field="agreement_start", programme=programme, ahead=DAYS_AHEAD)
    _check_day(agreement_end, field="agreement_end", programme=programme, ahead=2 * DAYS_AHEAD)
    errors: dict[str, str] = {}
    if not first_name.strip() or not last_name.strip():
        errors["first_name"] = _("Give the worker's first and last name.")
    if agreement_end < agreement_start:
        errors["agreement_end"] = _("The agreement must end after it starts.")
    limit = rules_of(programme).max_trajectory_months
    if limit and agreement_end >= _add_months(agreement_start, limit):
        errors["agreement_end"] = _(
            "In this programme a trajectory lasts at most %(months)s months."
        ) % {"months": limit}
    lead = programme.lead_organisation
    for name, person in (("user", user), ("coach", coach)):
        if (
            person is not None
            and not Membership.objects.filter(user=person, organisation=lead).exists()
        ):
            errors[name] = _("Choose someone of your own organisation.")
    if user is not None and Worker.objects.filter(programme=programme, user=user).exists():
        errors["user"] = _("This login already belongs to a worker of this bureau.")
    if errors:
        raise ValidationError(errors)
    worker = Worker.objects.create(
        programme=programme,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        agreement_start=agreement_start,
        agreement_end=agreement_end,
        user=user,
        referred_by=referred_by,
        coach=coach,
        language=language,
        postcode=postcode,
    )
    Trajectory.objects.create(worker=worker, goals=goals)
    audit_record(acting=acting, action="create", subject=f"job worker {worker.pk}")
    return worker


@transaction.atomic
def worker_skill_set(
    *, acting: Acting, worker: Worker, skill: str, level: int
) -> WorkerSkill | None:
    """Give a skill at a level (1-3); level 0 takes it away."""
    require_lead(acting, worker.programme, "worker.manage")
    refuse_erased(worker)
    if skill not in Skill.values or not 0 <= level <= 3:
        raise ValidationError({"skill": _("Choose a skill of the list and a level from 0 to 3.")})
    if level == 0:
        WorkerSkill.objects.filter(worker=worker, skill=skill).delete()
        return None
    found, _created = WorkerSkill.objects.update_or_create(
        worker=worker, skill=skill, defaults={"level": level}
    )
    return found


@transaction.atomic
def availability_add(
    *, acting: Acting, worker: Worker, weekday: int, start: time, end: time
) -> Availability:
    require_lead(acting, worker.programme, "worker.manage")
    refuse_erased(worker)
    if not 0 <= weekday <= 6:
        raise ValidationError({"weekday": _("Choose a day of the week.")})
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    if worker.availability.filter(weekday=weekday, start__lt=end, end__gt=start).exists():
        raise ValidationError({"start": _("This overlaps with hours already given for that day.")})
    return Availability.objects.create(worker=worker, weekday=weekday, start=start, end=end)


@transaction.atomic
def availability_exception_add(
    *,
    acting: Acting,
    worker: Worker,
    day: date,
    start: time | None = None,
    end: time | None = None,
    note: str = "",
) -> AvailabilityException:
    """A day off (no times), or other hours that day."""
    require_lead(acting, worker.programme, "worker.manage")
    refuse_erased(worker)
    _check_day(day, field="day", programme=worker.programme, ahead=DAYS_AHEAD)
    if (start is None) != (end is None) or (start and end and end <= start):
        raise ValidationError({"end": _("Give both times, the end after the start, or none.")})
    return AvailabilityException.objects.create(
        worker=worker, day=day, start=start, end=end, note=note
    )


@transaction.atomic
def trajectory_update(
    *,
    acting: Acting,
    worker: Worker,
    goals: str,
    outcome: str = "",
    outcome_on: date | None = None,
    followup_6: str = "",
    followup_12: str = "",
) -> Trajectory:
    require_lead(acting, worker.programme, "worker.manage")
    refuse_erased(worker)
    for name, value in (
        ("outcome", outcome),
        ("followup_6", followup_6),
        ("followup_12", followup_12),
    ):
        if value and value not in Outcome.values:
            raise ValidationError({name: _("Choose an outcome of the list.")})
    if outcome and outcome_on is None:
        raise ValidationError({"outcome_on": _("Give the day the trajectory ended.")})
    _check_day(outcome_on, field="outcome_on", programme=worker.programme, ahead=DAYS_AHEAD)
    if (followup_6 or followup_12) and not outcome:
        raise ValidationError({"followup_6": _("A follow-up comes after the trajectory ended.")})
    trajectory, _created = Trajectory.objects.get_or_create(worker=worker)
    trajectory.goals = goals
    trajectory.outcome = outcome
    trajectory.outcome_on = outcome_on if outcome else None
    trajectory.followup_6 = followup_6
    trajectory.followup_12 = followup_12
    trajectory.save()
    audit_record(acting=acting, action="change", subject=f"job worker {worker.pk}: trajectory")
    return trajectory


@transaction.atomic
def assessment_add(
    *, acting: Acting, worker: Worker, on: date, competence: str, score: int
) -> Assessment:
    require_lead(acting, worker.programme, "worker.manage")
    refuse_erased(worker)
    if competence not in Assessment.Competence.values:
        raise ValidationError({"competence": _("Choose a competence of the list.")})
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("A score is 1 to 5.")})
    _check_day(on, field="on", programme=worker.programme, ahead=0)  # assessed, not ahead
    trajectory, _created = Trajectory.objects.get_or_create(worker=worker)
    return Assessment.objects.create(
        trajectory=trajectory, on=on, competence=competence, score=score, by_id=acting.user_id
    )


@transaction.atomic
def coaching_note_add(*, acting: Acting, worker: Worker, text: str) -> CoachingNote:
    """A restricted note: only job coaches read them (worker.coach)."""
    require_lead(acting, worker.programme, "worker.coach")
    refuse_erased(worker)
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    trajectory, _created = Trajectory.objects.get_or_create(worker=worker)
    note = CoachingNote.objects.create(
        trajectory=trajectory, text=text.strip(), by_id=acting.user_id
    )
    audit_record(acting=acting, action="create", subject=f"job worker {worker.pk}: coaching note")
    return note


@transaction.atomic
def worker_feed_renew(*, acting: Acting, worker: Worker) -> str:
    """A new secret calendar link; the old one stops working. Returns the key (shown once)."""
    _may_manage_feed(acting, worker)
    key = new_key()
    worker.feed_key_hash = key_hash(key)
    worker.save(update_fields=["feed_key_hash"])
    return key


@transaction.atomic
def worker_feed_revoke(*, acting: Acting, worker: Worker) -> None:
    _may_manage_feed(acting, worker)
    worker.feed_key_hash = ""
    worker.save(update_fields=["feed_key_hash"])


def _may_manage_feed(acting: Acting, worker: Worker) -> None:
    """The worker for their own link, or a coach or coordinator of the bureau."""
    if acting.can("worker.manage"):
        require_lead(acting, worker.programme, "worker.manage")
    else:
        require_lead(acting, worker.programme, "job.do")
        if worker.user_id is None or worker.user_id != acting.user_id:
            raise PermissionDenied("job.do")
    refuse_erased(worker)
