"""API of tickets: faults reported on a contract."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema, Status
from pydantic import ConfigDict

from core.access import needs
from core.api import ERRORS, Text, acting
from core.tenancy import get_scoped
from rentals import services
from rentals.api.common import ContractId, TicketId, contract_of, router
from rentals.models import (
    Ticket,
)


class TicketOut(Schema):
    id: int
    contract_id: int
    channel: Ticket.Channel
    description: str
    status: Ticket.Status
    resolution: str
    opened_at: datetime
    resolved_at: datetime | None
    reminded_at: datetime | None


class TicketIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: Ticket.Channel
    description: Text = Field(max_length=2000, description="What is wrong, in a few words.")


@router.post("/contracts/{contract_id}/tickets", response={201: TicketOut, **ERRORS})
@needs("ticket.open")
def ticket_post(request: HttpRequest, contract_id: ContractId, payload: TicketIn) -> Any:
    """Report a breakdown (by phone or at the desk)."""
    acting(request).require("ticket.open")  # refused on role before any lookup
    contract = contract_of(request, contract_id)
    ticket = services.ticket_open(
        acting=acting(request),
        contract=contract,
        channel=payload.channel,
        description=payload.description,
    )
    return Status(201, ticket)


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS})
@needs("ticket.view")
def ticket_detail(request: HttpRequest, ticket_id: TicketId) -> Any:
    acting(request).require("ticket.view")
    return get_scoped(Ticket, acting(request), pk=ticket_id)


# --- billing ------------------------------------------------------------------------------
