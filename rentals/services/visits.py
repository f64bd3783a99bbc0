"""Writes of visits: plan, assign to a technician of the supplier, complete (installation starts
the contract; repair, swap and collection move the units and resolve the ticket).
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.models import Organisation
from core.tenancy import Acting, scoped
from core.validators import (
    EARLIEST_DATE,
    check_date_range,
    local_today,
)
from rentals import rules
from rentals.models import (
    Contract,
    ContractUnit,
    Ticket,
    Unit,
    UnitStatus,
    Visit,
)
from rentals.selectors.catalogue import scheme_for
from rentals.services import counts, notices
from rentals.services.common import check_visit_day, move_unit
from rentals.services.handoff import visit_follow


def _require_visit_access(acting: Acting, visit: Visit) -> None:
    if scoped(Visit, acting).filter(pk=visit.pk).exists():
        return
    raise PermissionDenied


@transaction.atomic
def visit_plan(
    *,
    acting: Acting,
    contract: Contract,
    kind: str,
    planned_on: date,
    window: str = "",
    technician: Any = None,
    ticket: Ticket | None = None,
) -> Visit:
    rules.require_visit_plan(acting, contract)
    if kind not in Visit.Kind.values or kind == Visit.Kind.INSTALLATION:
        raise ValidationError({"kind": _("Plan a repair, swap or return visit.")})
    check_visit_day(planned_on, field="planned_on", today=local_today(acting.organisation))
    scheme = scheme_for(contract.programme)
    if technician is not None:
        # Who plans a new visit may name the supplier's technician at once; moving an
        # existing visit to someone else is visit.assign (visit_assign).
        _check_technician(technician, scheme.supplier)
    visit = Visit.objects.create(
        contract=contract,
        kind=kind,
        planned_on=planned_on,
        window=window,
        technician_organisation=scheme.supplier,
        technician=technician,
        ticket=ticket,
    )
    if ticket is not None and ticket.status == Ticket.Status.OPEN:
        ticket.status = Ticket.Status.PLANNED
        ticket.save(update_fields=["status"])
    if technician is None:
        notices.visit_needs_technician(visit)
    else:
        notices.visit_assigned(visit)
    return visit


@transaction.atomic
def visit_assign(
    *,
    acting: Acting,
    visit: Visit,
    technician: Any,
    planned_on: date | None = None,
    window: str | None = None,
) -> Visit:
    """Give the visit to a technician of the supplier (visit.assign), and optionally move it
    to another day or window (visit.reschedule): the lead's coordinators and the supplier's
    planners only. A visit handed to a job bureau takes its request along to the new day or
    window (`visit_follow`); one the bureau reported done is not moved."""
    _require_visit_access(acting, visit)
    rules.require_visit_planner(acting, visit.contract.programme)
    _check_technician(technician, visit.technician_organisation)
    # Locked and read again (into the caller's instance): the day the bureau follows is the
    # one saved.
    list(Visit.objects.select_for_update().filter(pk=visit.pk).values_list("pk"))
    visit.refresh_from_db()
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError(_("This visit is already done or cancelled."))
    was = (visit.planned_on, visit.window)
    visit.technician = technician
    if planned_on and planned_on != visit.planned_on:
        acting.require("visit.reschedule")
        check_visit_day(planned_on, field="planned_on", today=local_today(acting.organisation))
        visit.planned_on = planned_on
    if window is not None:
        visit.window = window
    visit.save()
    if (visit.planned_on, visit.window) != was:
        visit_follow(acting=acting, visit=visit)
    notices.visit_assigned(visit)
    return visit


def _check_technician(technician: Any, supplier: Organisation) -> None:
    """The visit goes to a technician of the supplier."""
    if not rules.technicians_of(supplier).filter(pk=technician.pk).exists():
        raise ValidationError({"technician": _("Choose a technician of the supplier.")})


@transaction.atomic
def visit_complete(
    *,
    acting: Acting,
    visit: Visit,
    done_on: date | None = None,
    disposal: str = "",
    report: str = "",
    replacement: Unit | None = None,
    early_confirmed: bool = False,
) -> Visit:
    """Record a visit as done and move contract, units and ticket along with it.

    A visit recorded done before its planned day is refused unless `early_confirmed`: a
    wrong date starts the contract (and its billing) on the wrong day.

    installation: the reserved unit is installed, the contract becomes active from that day,
        and what happened to the old appliance is recorded;
    repair: the unit works again and the ticket is resolved as repaired;
    swap: the broken unit goes to repair, the replacement is installed, the contract keeps
        running with the new unit and the ticket is resolved as replaced;
    return: the unit comes back.
    """
    _require_visit_access(acting, visit)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    rules.require_visit_complete(acting, visit)
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError(_("This visit is already done or cancelled."))
    today = local_today(acting.organisation)
    check_date_range(done_on, field="done_on", earliest=EARLIEST_DATE, latest=today)
    if disposal not in Visit.Disposal.values:
        raise ValidationError({"disposal": _("Choose what happened to the old appliance.")})
    contract = Contract.objects.select_for_update().get(pk=visit.contract_id)
    done_on = done_on or today
    if done_on < visit.planned_on and not early_confirmed:
        raise ValidationError(
            {
                "done_on": ValidationError(
                    _(
                        "This visit is planned for %(planned)s, after %(done)s, the day you "
                        "record it done. Check the date, or confirm that it was done early."
                    )
                    % {
                        "planned": date_format(visit.planned_on, "DATE_FORMAT"),
                        "done": date_format(done_on, "DATE_FORMAT"),
                    },
                    code="early",
                )
            }
        )
    by = acting.user_id
    if visit.kind == Visit.Kind.INSTALLATION:
        if contract.status != Contract.Status.SIGNED:
            raise ValidationError(_("Only a signed contract can be installed."))
        if contract.application.has_old_appliance and not disposal:
            raise ValidationError(
                {
                    "disposal": _(
                        "The application says the household had an old appliance, so "
                        "“No old appliance” cannot be right: choose whether it was "
                        "taken away for recycling or the household keeps it."
                    )
                }
            )
        move_unit(contract.unit, UnitStatus.INSTALLED, by_id=by, note="installation")
        contract.status = Contract.Status.ACTIVE
        contract.start_date = done_on
        contract.save(update_fields=["status", "start_date"])
        counts.contract_moved(
            contract=contract, from_status=Contract.Status.SIGNED, to_status=contract.status
        )
        ContractUnit.objects.create(contract=contract, unit=contract.unit, installed_on=done_on)
    elif visit.kind == Visit.Kind.REPAIR:
        if contract.unit.status == UnitStatus.IN_REPAIR:
            move_unit(contract.unit, UnitStatus.INSTALLED, by_id=by, note="repaired")
        _resolve_ticket(visit.ticket, Ticket.Resolution.REPAIRED)
    elif visit.kind == Visit.Kind.SWAP:
        if replacement is None:
            raise ValidationError({"replacement": _("Choose the replacement unit.")})
        if (
            replacement.programme_id != contract.programme_id
            or replacement.appliance_model.category != contract.category
            or replacement.status != UnitStatus.IN_STOCK
        ):
            raise ValidationError(
                {"replacement": _("The replacement must be a free unit of the same kind.")}
            )
        old = contract.unit
        if old.status == UnitStatus.INSTALLED:
            move_unit(old, UnitStatus.IN_REPAIR, by_id=by, note="swapped out")
        move_unit(replacement, UnitStatus.RESERVED, by_id=by, note="swap")
        move_unit(replacement, UnitStatus.INSTALLED, by_id=by, note="swapped in")
        ContractUnit.objects.filter(contract=contract, removed_on__isnull=True).update(
            removed_on=done_on
        )
        ContractUnit.objects.create(contract=contract, unit=replacement, installed_on=done_on)
        contract.unit = replacement
        contract.save(update_fields=["unit"])
        _resolve_ticket(visit.ticket, Ticket.Resolution.REPLACED)
    elif visit.kind == Visit.Kind.RETURN:
        if contract.unit.status in (UnitStatus.INSTALLED, UnitStatus.IN_REPAIR):
            move_unit(contract.unit, UnitStatus.RETURNED, by_id=by, note="collected")
        ContractUnit.objects.filter(contract=contract, removed_on__isnull=True).update(
            removed_on=done_on
        )
    visit.status = Visit.Status.DONE
    visit.done_at = timezone.now()
    visit.disposal = disposal
    visit.report = report
    visit.save()
    notices.visit_done(visit)
    return visit


def _resolve_ticket(ticket: Ticket | None, resolution: str) -> None:
    if ticket is None or ticket.status == Ticket.Status.RESOLVED:
        return
    ticket.status = Ticket.Status.RESOLVED
    ticket.resolution = resolution
    ticket.resolved_at = timezone.now()
    ticket.save(update_fields=["status", "resolution", "resolved_at"])
