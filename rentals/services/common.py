"""What several areas of the rental writes share: the lead check, moving a unit through its
lifecycle (always with a UnitEvent), the plausible days of a visit.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.models import AuditEvent, Programme
from core.tenancy import Acting
from core.validators import (
    VISIT_DAYS_AHEAD,
    VISIT_DAYS_BACK,
    check_date_range,
)
from rentals import rules
from rentals.models import (
    UNIT_TRANSITIONS,
    Unit,
    UnitEvent,
    UnitStatus,
)
from rentals.services import counts

Action = AuditEvent.Action


# ---------------------------------------------------------------- programme set-up
def require_lead(acting: Acting, programme: Programme) -> None:
    acting.require("programme.manage")
    if programme.lead_organisation_id != acting.organisation.pk:
        raise PermissionDenied(_("Only the lead organisation can change this programme."))


def require_rental(programme: Programme) -> None:
    if programme.kind != Programme.Kind.APPLIANCE_RENTAL:
        raise ValidationError({"programme": _("This is not an appliance-rental programme.")})


# ---------------------------------------------------------------- units
# unit.manage: the lead's coordinators and the supplier's technicians (rentals/rules.py).
can_manage_units = rules.may_manage_units


def move_unit(unit: Unit, to: str, *, by_id: int | None, note: str = "") -> Unit:
    """Move a unit along its lifecycle and record it; an illegal move is refused."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if to not in UNIT_TRANSITIONS.get(unit.status, frozenset()):
        raise ValidationError(
            {
                "status": _("A unit that is “%(from)s” cannot become “%(to)s”.")
                % {"from": UnitStatus(unit.status).label, "to": UnitStatus(to).label}
            }
        )
    UnitEvent.objects.create(
        unit=unit, from_status=unit.status, to_status=to, by_id=by_id, note=note[:200]
    )
    was, unit.status = unit.status, to
    unit.save(update_fields=["status"])
    counts.unit_moved(unit=unit, from_status=was, to_status=to)
    return unit


# ---------------------------------------------------------------- visits and tickets
def check_visit_day(value: date | None, *, field: str, today: date) -> None:
    """A visit is planned at most a year ahead, and recorded as planned at most five years
    back (core.validators)."""
    check_date_range(
        value,
        field=field,
        earliest=today - timedelta(days=VISIT_DAYS_BACK),
        latest=today + timedelta(days=VISIT_DAYS_AHEAD),
    )
