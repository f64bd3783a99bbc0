"""Sentences for the reasons why the planner left a job unassigned (codes in jobs/planning.py).

Each template takes the reason's parameters as named placeholders."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jobs import planning

MESSAGES: Mapping[str, Promise] = {
    planning.OUTSIDE_AREA: _(
        "The address is %(distance_km)s km from the bureau, outside the served area of "
        "%(radius_km)s km."
    ),
    planning.NO_EQUIPMENT: _("The job needs a %(kind)s, and the bureau has none available."),
    planning.LOAD_TOO_LARGE: _(
        "The load (%(load)s) is more than the largest %(kind)s can carry (%(capacity)s)."
    ),
    planning.NO_WORKER_WITH_SKILL: _(
        "No worker has the skill “%(skill)s” at level %(level)s or higher."
    ),
    planning.NO_WORKER_WITH_ALL_SKILLS: _(
        "No single worker has all the skills this job needs: %(skills)s."
    ),
    planning.LOCKED_WORKER_NOT_QUALIFIED: _(
        "The job is locked to %(worker)s, who does not have the skills it needs."
    ),
    planning.TIME_WINDOW_IMPOSSIBLE: _(
        "No qualified worker is available to do the job within its time window (%(windows)s)."
    ),
    planning.HOUR_LIMIT: _(
        "The job takes %(minutes)s minutes: no qualified worker has that many hours left today."
    ),
    planning.CREW_TOO_LARGE: _(
        "The job needs %(crew_size)s people, but only %(qualified)s qualified workers are "
        "available."
    ),
    planning.NO_CAPACITY_LEFT: _(
        "The job could be done on its own, but it did not fit in today's plan."
    ),
    planning.LOCK_NOT_FEASIBLE: _(
        "The job is locked to %(workers)s, but it does not fit in their day."
    ),
    planning.NO_SOLUTION: _("The planner found no plan in the time allowed. Try again."),
}


def _localised(value: Any) -> Any:
    """A decimal number (the planner stores "21.4") in the reader's numbers ("21,4")."""
    if isinstance(value, float):
        return number_format(value)
    if isinstance(value, str) and "." in value:
        try:
            return number_format(Decimal(value))
        except InvalidOperation:
            return value
    return value


def reason_message(reason: planning.Unassigned) -> str:
    """The reason in words, in the active language (numbers in its format)."""
    return str(MESSAGES[reason.reason]) % {k: _localised(v) for k, v in dict(reason.params).items()}
