"""API of the household registry: search, create, read, update, export, erase, enrol.

Handlers stay thin: records come through core.tenancy.get_scoped (another organisation's
household is a 404) and every write goes through households.services.
"""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from core.access import REGISTERED, needs
from core.api import ERRORS, MAX_ID, ObjectId, Text, acting
from core.files import JSON, PDF, file_response
from core.models import Country, Language, Programme
from core.pagination import Pages, paginate
from core.tenancy import get_scoped, scoped
from households.models import ContactChannel, DebtSupport, Enrolment, Household
from households.selectors import household_search
from households.services import (
    household_create,
    household_enrol,
    household_erase,
    household_export,
    household_export_pdf,
    household_update,
    household_viewed,
)

PER_PAGE = 50

HouseholdId = Annotated[int, Path(gt=0, le=MAX_ID)]

router = Router(tags=["households"])


class HouseholdOut(Schema):
    id: int
    reference: str
    organisation_id: int
    first_name: str
    last_name: str
    birth_year: int | None
    street: str
    house_number: str
    box: str
    postcode: str
    city: str
    country: Country
    language: Language
    contact_channel: ContactChannel
    phone: str
    email: str
    size: int
    social_tariff: bool
    welfare_client: bool
    debt_support: DebtSupport
    net_monthly_income: Decimal | None = Field(description="EUR per month, as a string")
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None


class HouseholdPatch(Schema):
    """Only the fields you send are changed."""

    model_config = ConfigDict(extra="forbid")

    first_name: Text | None = Field(None, max_length=100)
    last_name: Text | None = Field(None, max_length=100)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    street: Text | None = Field(None, max_length=200)
    house_number: Text | None = Field(None, max_length=10)
    box: Text | None = Field(None, max_length=10)
    postcode: Text | None = Field(None, max_length=10)
    city: Text | None = Field(None, max_length=100)
    country: Country | None = None
    language: Language | None = None
    contact_channel: ContactChannel | None = None
    phone: Text | None = Field(None, max_length=40)
    email: Text | None = Field(None, max_length=254)
    size: int | None = Field(None, ge=1, le=30)
    social_tariff: bool | None = None
    welfare_client: bool | None = None
    debt_support: DebtSupport | None = None
    net_monthly_income: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)


class HouseholdIn(HouseholdPatch):
    first_name: Text = Field(max_length=100)
    last_name: Text = Field(max_length=100)
    street: Text = Field(max_length=200)
    house_number: Text = Field(max_length=10)
    postcode: Text = Field(max_length=10)
    city: Text = Field(max_length=100)
    country: Country
    language: Language
    contact_channel: ContactChannel


class RuleResultOut(Schema):
    rule: str
    passed: bool
    detail: dict[str, Any] = {}


class EnrolmentOut(Schema):
    id: int
    household_id: int
    programme_id: int
    programme: str = Field(alias="programme.slug")
    status: Enrolment.Status
    rule_results: list[RuleResultOut]
    override_reason: str
    decided_at: datetime
    ended_at: datetime | None


class EnrolIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme: ObjectId = Field(description="Id of the programme.")
    override_reason: Text = Field(
        "",
        max_length=2000,
        description="A coordinator's reason to enrol a household that is not eligible.",
    )


class ExportFormat(enum.StrEnum):
    JSON = "json"
    PDF = "pdf"


def _fields(payload: HouseholdPatch) -> dict[str, Any]:
    # Only what the client sent: a PATCH leaves the other fields alone, a POST gets defaults.
    return payload.model_dump(exclude_unset=True)


@router.get("/households", response={200: list[HouseholdOut], **ERRORS})
@needs("household.view")
@paginate(Pages, per_page=PER_PAGE)
def household_list(
    request: HttpRequest,
    q: Annotated[
        Text, Query("", max_length=200, description="Name, address, postcode or reference.")
    ] = "",
) -> Any:
    """Search the households your organisation may see, 50 a page."""
    acting(request).require("household.view")
    return household_search(acting=acting(request), text=q)


@router.post("/households", response={201: HouseholdOut, **ERRORS})
@needs("household.change")
def household_post(request: HttpRequest, payload: HouseholdIn) -> Any:
    """Register a household for your organisation."""
    household = household_create(acting=acting(request), fields=_fields(payload))
    return Status(201, household)


@router.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
@needs("household.view")
def household_detail(request: HttpRequest, household_id: HouseholdId) -> Any:
    acting(request).require("household.view")
    household = get_scoped(Household, acting(request), pk=household_id)
    household_viewed(acting=acting(request), household=household)
    return household


@router.patch("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
@needs("household.change")
def household_patch(
    request: HttpRequest, household_id: HouseholdId, payload: HouseholdPatch
) -> Any:
    household = get_scoped(Household, acting(request), pk=household_id)
    return household_update(acting=acting(request), household=household, fields=_fields(payload))


@router.get(
    "/households/{household_id}/export",
    response={200: dict[str, Any], **ERRORS},
    openapi_extra={
        "responses": {200: {"content": {"application/json": {}, "application/pdf": {}}}}
    },
)
@needs("household.export")
def household_export_get(
    request: HttpRequest,
    household_id: HouseholdId,
    format: ExportFormat = ExportFormat.JSON,
) -> HttpResponse:
    """Everything your organisation holds on a household (GDPR), as JSON or as a PDF."""
    acting(request).require("household.export")
    household = get_scoped(Household, acting(request), pk=household_id)
    if format == ExportFormat.PDF:
        pdf = household_export_pdf(acting=acting(request), household=household)
        return file_response(pdf, filename=f"household-{household.reference}.pdf", content_type=PDF)
    text = household_export(acting=acting(request), household=household)
    return file_response(text, filename=f"household-{household.reference}.json", content_type=JSON)


@router.post("/households/{household_id}/erase", response={200: HouseholdOut, **ERRORS})
@needs("household.erase", of=REGISTERED)
def household_erase_post(request: HttpRequest, household_id: HouseholdId) -> Any:
    """Erase the household's personal data; financial amounts are kept, anonymised."""
    household = get_scoped(Household, acting(request), pk=household_id)
    return household_erase(acting=acting(request), household=household)


@router.get("/households/{household_id}/enrolments", response={200: list[EnrolmentOut], **ERRORS})
@needs("household.view")
def enrolment_list(request: HttpRequest, household_id: HouseholdId) -> Any:
    acting(request).require("household.view")
    household = get_scoped(Household, acting(request), pk=household_id)
    return (
        scoped(Enrolment, acting(request)).filter(household=household).select_related("programme")
    )


@router.post("/households/{household_id}/enrolments", response={201: EnrolmentOut, **ERRORS})
@needs("enrolment.decide")
def enrolment_post(request: HttpRequest, household_id: HouseholdId, payload: EnrolIn) -> Any:
    """Check the household against the programme's rules; enrol it if eligible.

    A household that is not eligible is recorded as refused, with the result of every rule;
    a coordinator may enrol it anyway by giving an override reason.
    """
    # The role first: someone who may not enrol learns nothing about programmes.
    acting(request).require("enrolment.decide")
    household = get_scoped(Household, acting(request), pk=household_id)
    try:
        programme = get_scoped(Programme, acting(request), pk=payload.programme)
    except Http404:
        raise ValidationError(
            {"programme": _("Your organisation does not take part in this programme.")}
        ) from None
    enrolment = household_enrol(
        acting=acting(request),
        household=household,
        programme=programme,
        override_reason=payload.override_reason,
    )
    return Status(201, enrolment)
