"""API of handing a visit to a job bureau (core/handoffs.py): where it stands, the bureaus
that take the programme's visits, and handing it off. The same services as the page."""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Schema
from pydantic import ConfigDict

from core.access import LEAD, VISIBLE, needs
from core.api import ERRORS, ObjectId, acting
from core.handoffs import HandoffState
from core.permissions import is_lead
from core.tenancy import get_scoped
from rentals import selectors, services
from rentals.api.common import VisitId, router
from rentals.models import Visit


class HandoffBureauOut(Schema):
    id: int
    name: str
    organisation: str


class HandoffOut(Schema):
    handed: bool
    bureau_id: int | None = None
    bureau_name: str = ""
    reference: str = ""
    status: Literal["", "new", "planned", "done", "cancelled", "no_show"] = ""
    status_label: str = ""
    day: date | None = None
    planned_at: datetime | None = None
    done_on: date | None = None
    closed_on: date | None = None
    bureaus: list[HandoffBureauOut] = []


class HandoffIn(Schema):
    model_config = ConfigDict(extra="forbid")

    bureau_id: ObjectId


def _visit(request: HttpRequest, visit_id: int) -> Visit:
    return get_scoped(
        Visit.objects.select_related("contract__programme", "contract__household"),
        acting(request),
        pk=visit_id,
    )


def _out(request: HttpRequest, visit: Visit, state: HandoffState | None) -> dict[str, Any]:
    who = acting(request)
    programme = visit.contract.programme
    may = (
        who.can("visit.handoff")
        and is_lead(who, programme)
        and selectors.may_hand_off(visit)
        and (state is None or not state.open)
    )
    bureaus = [b.__dict__ for b in selectors.handoff_bureaus(programme)] if may else []
    if state is None:
        return {"handed": False, "bureaus": bureaus}
    return {
        "handed": True,
        **{k: v for k, v in state.__dict__.items()},
        "status_label": str(state.status_label),
        "bureaus": bureaus,
    }


@router.get("/visits/{visit_id}/handoff", response={200: HandoffOut, **ERRORS})
@needs("visit.view", of=VISIBLE)
def visit_handoff_get(request: HttpRequest, visit_id: VisitId) -> Any:
    """Whether the visit is handed to a job bureau and where it stands there; for a
    coordinator of the lead, the bureaus it can be handed to."""
    acting(request).require("visit.view")
    visit = _visit(request, visit_id)
    return _out(request, visit, selectors.handoff_states([visit]).get(visit.pk))


@router.post("/visits/{visit_id}/handoff", response={200: HandoffOut, **ERRORS})
@needs("visit.handoff", of=LEAD)
def visit_handoff_post(request: HttpRequest, visit_id: VisitId, payload: HandoffIn) -> Any:
    """Hand a planned delivery and installation or collection visit to a job bureau."""
    visit = _visit(request, visit_id)
    if not acting(request).can("visit.handoff"):
        raise PermissionDenied("visit.handoff")
    state = services.visit_hand_off(
        acting=acting(request), visit=visit, bureau_id=payload.bureau_id
    )
    return _out(request, visit, state)
