"""API of visits: a technician's list, planning, assigning and completing."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from core.access import ASSIGNED, LEAD, SUPPLIER, needs
from core.api import ERRORS, MAX_ID, ObjectId, Text, acting
from core.pagination import Pages, paginate
from core.tenancy import get_scoped
from rentals import selectors, services
from rentals.api.common import (
    PER_PAGE,
    ContractId,
    VisitId,
    contract_of,
    inner_of,
    router,
)
from rentals.models import (
    Category,
    Ticket,
    Unit,
    Visit,
)


class VisitOut(Schema):
    """What the visit needs: where, what, the household's name, and its phone only when it
    wants to be called (rentals.selectors.VisitForTechnician, as on the pages)."""

    id: int
    contract_id: int
    kind: Visit.Kind
    status: Visit.Status
    planned_on: date
    window: str
    technician: str | None
    ticket_id: int | None
    done_at: datetime | None
    disposal: str
    report: str
    category: Category
    unit_serial: str
    name: str
    address: str
    phone: str = Field(description="Empty unless the household wants calls or texts.")


class VisitAssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    technician: Text = Field(max_length=150, description="Username of a supplier's technician.")
    planned_on: date | None = None
    window: Text | None = Field(None, max_length=20)


class VisitCompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    done_on: date | None = Field(None, description="By default today.")
    disposal: Visit.Disposal = Field(
        Visit.Disposal.NONE, description="What happened to the old appliance (installation)."
    )
    report: Text = Field("", max_length=4000)
    replacement: ObjectId | None = Field(None, description="Id of the new unit (swap).")
    early: bool = Field(
        False, description="Confirm a visit done before its planned day (else 400 on done_on)."
    )


class VisitPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Visit.Kind
    planned_on: date
    window: Text = Field("", max_length=20)
    ticket: ObjectId | None = Field(None, description="Id of the ticket the visit solves.")


def _visit_out(request: HttpRequest, visit_id: int) -> selectors.VisitForTechnician:
    return selectors.visit_for(acting(request), visit_id)[1]


def _visit(request: HttpRequest, visit_id: int) -> Visit:
    # Found through the same read as the answer: a technician finds only their own visits.
    return get_scoped(selectors.visible_visits(acting(request)), acting(request), pk=visit_id)


def _visit_cards(
    request: HttpRequest, visits: Sequence[Visit]
) -> list[selectors.VisitForTechnician]:
    """The page's visits as their reader may see them; only these are audited as viewed."""
    selectors.households_viewed(acting(request), (v.contract.household for v in visits), "visit")
    return [selectors.visit_card(v) for v in visits]


@router.get("/visits", response={200: list[VisitOut], **ERRORS})
@needs("visit.view")
@needs("visit.view_assigned")
@paginate(Pages, per_page=PER_PAGE, prepare=_visit_cards)
def visit_list(
    request: HttpRequest,
    programme: Annotated[int | None, Query(None, gt=0, le=MAX_ID)] = None,
    on: date | None = None,
    status: Visit.Status | None = None,
) -> Any:
    """Visits by date. A technician sees the visits assigned to them; coordinators and intake
    workers see those of their households, optionally of one programme."""
    who = acting(request)
    visits = selectors.visible_visits(who)
    if programme is not None:
        visits = visits.filter(contract__programme_id=programme)
    if on is not None:
        visits = visits.filter(planned_on=on)
    if status is not None:
        visits = visits.filter(status=status)
    return visits.order_by("planned_on", "window", "pk")


@router.post("/contracts/{contract_id}/visits", response={201: VisitOut, **ERRORS})
@needs("visit.plan")
def visit_post(request: HttpRequest, contract_id: ContractId, payload: VisitPlanIn) -> Any:
    """Plan a repair, swap or return visit, optionally for a ticket."""
    contract = contract_of(request, contract_id)
    ticket = None
    if payload.ticket is not None:
        ticket = inner_of(
            Ticket.objects.filter(contract=contract),
            request,
            "ticket",
            payload.ticket,
            _("There is no such ticket for this contract."),
        )
    visit = services.visit_plan(
        acting=acting(request),
        contract=contract,
        kind=payload.kind,
        planned_on=payload.planned_on,
        window=payload.window,
        ticket=ticket,
    )
    return Status(201, _visit_out(request, visit.pk))


@router.get("/visits/{visit_id}", response={200: VisitOut, **ERRORS})
@needs("visit.view")
@needs("visit.view_assigned", of=ASSIGNED)
def visit_detail(request: HttpRequest, visit_id: VisitId) -> Any:
    """A technician reads only the visits assigned to them; reading is audited."""
    return _visit_out(request, visit_id)


@router.post("/visits/{visit_id}/assign", response={200: VisitOut, **ERRORS})
@needs("visit.assign", of=(LEAD, SUPPLIER))
def visit_assign_post(request: HttpRequest, visit_id: VisitId, payload: VisitAssignIn) -> Any:
    """Give the visit to a technician of the supplier, and optionally a new day or window."""
    visit = _visit(request, visit_id)

    technician = get_user_model().objects.filter(username=payload.technician).first()
    if technician is None:
        raise ValidationError({"technician": _("Choose a technician of the supplier.")})
    services.visit_assign(
        acting=acting(request),
        visit=visit,
        technician=technician,
        planned_on=payload.planned_on,
        window=payload.window,
    )
    return _visit_out(request, visit.pk)


@router.post("/visits/{visit_id}/complete", response={200: VisitOut, **ERRORS})
@needs("visit.complete", of=ASSIGNED)
@needs("visit.record_done", of=LEAD)
def visit_complete_post(request: HttpRequest, visit_id: VisitId, payload: VisitCompleteIn) -> Any:
    """Record the visit as done; the contract, units and ticket move along with it."""
    visit = _visit(request, visit_id)
    replacement = None
    if payload.replacement is not None:
        replacement = inner_of(
            Unit.objects.filter(programme_id=visit.contract.programme_id),
            request,
            "replacement",
            payload.replacement,
            _("The replacement must be a free unit of the same kind."),
        )
    services.visit_complete(
        acting=acting(request),
        visit=visit,
        done_on=payload.done_on,
        disposal=payload.disposal,
        report=payload.report,
        replacement=replacement,
        early_confirmed=payload.early,
    )
    return _visit_out(request, visit.pk)
