"""The rentals router and what its handlers share: typed path ids, lookups, pages of lists."""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router
from pydantic import AfterValidator

from core.api import MAX_ID, acting
from core.models import Organisation, Programme
from core.tenancy import Acting, get_scoped
from rentals import rules
from rentals.models import (
    Contract,
)

router = Router(tags=["rentals"])

PER_PAGE = 100
CENT = Decimal("0.01")
# Bank files above this size are refused (docs/payments.md).
MAX_BANK_FILE = 10 * 1024 * 1024


def _id(description: str = "") -> Any:
    return Path(gt=0, le=MAX_ID, description=description)


ProgrammeId = Annotated[int, _id()]
ApplianceModelId = Annotated[int, _id()]
UnitId = Annotated[int, _id()]
ApplicationId = Annotated[int, _id()]
ContractId = Annotated[int, _id()]
VisitId = Annotated[int, _id()]
TicketId = Annotated[int, _id()]
HouseholdId = Annotated[int, _id()]
Year = Annotated[int, Path(ge=2000, le=2100)]

Money = Annotated[Decimal, Field(max_digits=7, decimal_places=2, description="EUR")]


def _month(value: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ValueError(_("Give a month as YYYY-MM, for example 2026-11."))
    return value


Month = Annotated[str, Field(max_length=7, description="YYYY-MM"), AfterValidator(_month)]


def first_day(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


# --- lookups ------------------------------------------------------------------------------


def programme_of(request: HttpRequest, programme_id: int) -> Programme:
    return get_scoped(Programme, acting(request), pk=programme_id)


def inner_of(queryset: Any, request: HttpRequest, field: str, pk: int, message: str) -> Any:
    """A record named in the body: one that cannot be seen is bad input for that field."""
    try:
        return get_scoped(queryset, acting(request), pk=pk)
    except Http404:
        raise ValidationError({field: message}) from None


def organisation_of(field: str, slug: str) -> Organisation:
    # As for programme partners: organisations are known by their short name, and hold no
    # personal data.
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise ValidationError(
            {field: _("There is no organisation with short name “%(slug)s”.") % {"slug": slug}}
        )
    return organisation


def require_programme_view(who: Acting, programme: Programme) -> None:
    """Programme data (offers, catalogue, units) is also read by the supplier's technicians
    (unit.view, rentals.rules.may_view_units)."""
    if who.can("programme.view"):
        return
    who.require("unit.view")
    if not rules.may_view_units(who, programme):
        raise PermissionDenied


# --- scheme and offers --------------------------------------------------------------------


def contract_of(request: HttpRequest, contract_id: int) -> Contract:
    return get_scoped(
        Contract.objects.select_related("household", "unit", "programme", "application"),
        acting(request),
        pk=contract_id,
    )
