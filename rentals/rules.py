"""Who may do what in appliance rental: the organisation relations of the permission
catalogue (core/permissions.py) for rental programmes and records.

Each relation is a small predicate; each `may_*` combines a permission's roles with the
relation it needs. Services and selectors call the `require_*` functions (403 with a
sentence for people); views call the `may_*` functions only to decide which buttons to show.
No role names appear outside core/permissions.py.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.models import Programme
from core.permissions import FIELD, is_lead, manages_programme
from core.tenancy import Acting, scoped
from households.models import Household
from rentals.models import Contract, RentalScheme, Visit


# ---------------------------------------------------------------- relations
def is_supplier(acting: Acting, programme: Programme) -> bool:
    """The acting organisation is the supplier of the programme's rental scheme."""
    return RentalScheme.objects.filter(
        programme=programme, supplier_id=acting.organisation.pk
    ).exists()


def collects_for(acting: Acting, household: Household) -> bool:
    """The acting organisation collects the fees of at least one of the household's
    contracts (the collector is stored on each contract)."""
    return Contract.objects.filter(household=household, collector=acting.organisation).exists()


def is_assigned_technician(acting: Acting, visit: Visit) -> bool:
    """The visit is assigned to the acting user, acting for the visit's supplier."""
    return (
        acting.user_id is not None
        and visit.technician_id == acting.user_id
        and visit.technician_organisation_id == acting.organisation.pk
    )


def sees_contract(acting: Acting, contract: Contract) -> bool:
    """Tenancy: the contract is visible to the acting organisation (registering
    organisation, lead, collector)."""
    return scoped(Contract, acting).filter(pk=contract.pk).exists()


# ---------------------------------------------------------------- permissions with relations
def may_manage_units(acting: Acting, programme: Programme) -> bool:
    """unit.manage: the lead's coordinators and org admins, or the supplier's technicians,
    coordinators and org admins."""
    if not acting.can("unit.manage"):
        return False
    if is_lead(acting, programme):
        return acting.can("programme.manage") or acting.operator
    return is_supplier(acting, programme)


def may_view_units(acting: Acting, programme: Programme) -> bool:
    """unit.view: readers of the lead and partners (tenancy), and the supplier."""
    return acting.can("unit.view") and (
        acting.can("programme.view") or may_manage_units(acting, programme)
    )


def plans_visits(acting: Acting, programme: Programme) -> bool:
    """visit.assign / visit.reschedule: the lead's coordinators and the supplier's planners."""
    return acting.can("visit.assign") and (
        is_lead(acting, programme) or is_supplier(acting, programme)
    )


def may_plan_visit(acting: Acting, contract: Contract) -> bool:
    return acting.can("visit.plan") and sees_contract(acting, contract)


def may_complete_visit(acting: Acting, visit: Visit) -> bool:
    """visit.complete: the assigned technician; visit.record_done: the lead's coordinators
    and org admins."""
    if acting.can("visit.complete") and is_assigned_technician(acting, visit):
        return True
    return acting.can("visit.record_done") and manages_programme(acting, visit.contract.programme)


def may_open_ticket(acting: Acting, contract: Contract) -> bool:
    return acting.can("ticket.open") and sees_contract(acting, contract)


def may_run_billing(acting: Acting, programme: Programme) -> bool:
    return acting.can("billing.run") and (acting.operator or is_lead(acting, programme))


def may_view_collection(acting: Acting, household: Household) -> bool:
    return acting.can("collection.view") and collects_for(acting, household)


def may_record_payment(acting: Acting, household: Household) -> bool:
    return acting.can("payment.record") and collects_for(acting, household)


# ---------------------------------------------------------------- refusals
def _refuse(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_unit_manager(acting: Acting, programme: Programme) -> None:
    _refuse(
        may_manage_units(acting, programme),
        _("Only the coordinator or the supplier handles units."),
    )


def require_visit_planner(acting: Acting, programme: Programme) -> None:
    _refuse(
        plans_visits(acting, programme),
        _("Only the lead's coordinators and the supplier's planners assign visits."),
    )


def require_visit_plan(acting: Acting, contract: Contract) -> None:
    _refuse(may_plan_visit(acting, contract), _("Your role does not allow planning visits."))


def require_visit_complete(acting: Acting, visit: Visit) -> None:
    _refuse(
        may_complete_visit(acting, visit),
        _(
            "Only the technician the visit is assigned to, or the lead organisation's "
            "coordinator, records it as done."
        ),
    )


def require_ticket_open(acting: Acting, contract: Contract) -> None:
    _refuse(may_open_ticket(acting, contract), _("Your role does not allow reporting a breakdown."))


def require_billing(acting: Acting, programme: Programme) -> None:
    _refuse(
        may_run_billing(acting, programme),
        _("Only the lead organisation's coordinators bill a programme."),
    )


def require_collection_view(acting: Acting, household: Household) -> None:
    _refuse(
        may_view_collection(acting, household),
        _("Your organisation does not collect for this household."),
    )


def require_payment_record(acting: Acting, household: Household) -> None:
    acting.require("payment.record")
    _refuse(
        collects_for(acting, household),
        _("Your organisation does not collect for this household."),
    )


def technicians_of(organisation: Any) -> Any:
    """The people of an organisation a visit can be given to: its technicians."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, memberships__role__in=FIELD)
        .distinct()
    )


def technician_visits(acting: Acting) -> QuerySet[Visit]:
    """The visits assigned to the acting technician, through the tenancy rules."""
    if not acting.can("visit.view_assigned") or acting.user_id is None:
        return Visit.objects.none()
    return scoped(Visit, acting).filter(
        technician_id=acting.user_id, technician_organisation=acting.organisation
    )
