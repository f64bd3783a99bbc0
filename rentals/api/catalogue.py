"""API of the rental set-up: scheme, offers, appliance models and units."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from pydantic import ConfigDict

from core.access import LEAD, SUPPLIER, needs
from core.api import ERRORS, ObjectId, Text, acting
from core.pagination import Pages, paginate
from core.tenancy import get_scoped, scoped
from rentals import services
from rentals.api.common import (
    PER_PAGE,
    Money,
    ProgrammeId,
    UnitId,
    inner_of,
    organisation_of,
    programme_of,
    require_programme_view,
    router,
)
from rentals.models import (
    ApplianceModel,
    Category,
    LabelScale,
    Offer,
    RentalScheme,
    Unit,
    UnitEvent,
    UnitStatus,
)


class SchemeOut(Schema):
    programme_id: int
    collector: str = Field(alias="collector.slug")
    supplier: str = Field(alias="supplier.slug")
    max_appliances: int
    ticket_reminder_days: int


class SchemeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    collector: Text = Field(max_length=60, description="Short name of the collecting partner.")
    supplier: Text = Field(max_length=60, description="Short name of the supplier.")
    max_appliances: int = Field(3, ge=1, le=20)
    ticket_reminder_days: int = Field(10, ge=1, le=365)


@router.get("/programmes/{programme_id}/scheme", response={200: SchemeOut, **ERRORS})
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def scheme_detail(request: HttpRequest, programme_id: ProgrammeId) -> Any:
    """Who collects, who supplies, and the limits of the programme's rental scheme."""
    programme = programme_of(request, programme_id)
    require_programme_view(acting(request), programme)
    return get_scoped(
        RentalScheme.objects.select_related("collector", "supplier"),
        acting(request),
        programme=programme,
    )


@router.put("/programmes/{programme_id}/scheme", response={200: SchemeOut, **ERRORS})
@needs("programme.manage", of=LEAD)
def scheme_put(request: HttpRequest, programme_id: ProgrammeId, payload: SchemeIn) -> Any:
    programme = programme_of(request, programme_id)
    return services.rental_scheme_configure(
        acting=acting(request),
        programme=programme,
        collector=organisation_of("collector", payload.collector),
        supplier=organisation_of("supplier", payload.supplier),
        max_appliances=payload.max_appliances,
        ticket_reminder_days=payload.ticket_reminder_days,
    )


class OfferOut(Schema):
    category: Category
    tenant_fee: Decimal
    subsidy: Decimal
    term_months: int


class OfferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    category: Category
    tenant_fee: Money = Field(description="EUR per month paid by the household")
    subsidy: Money = Field(description="EUR per month added by the subsidy")
    term_months: int = Field(120, ge=1, le=600)


@router.get("/programmes/{programme_id}/offers", response={200: list[OfferOut], **ERRORS})
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def offer_list(request: HttpRequest, programme_id: ProgrammeId) -> Any:
    programme = programme_of(request, programme_id)
    require_programme_view(acting(request), programme)
    return scoped(Offer, acting(request)).filter(programme=programme)


@router.put("/programmes/{programme_id}/offers", response={200: OfferOut, **ERRORS})
@needs("programme.manage", of=LEAD)
def offer_put(request: HttpRequest, programme_id: ProgrammeId, payload: OfferIn) -> Any:
    """Set the offer of one category; signed contracts keep the fees they were signed at."""
    programme = programme_of(request, programme_id)
    return services.offer_set(acting=acting(request), programme=programme, **payload.model_dump())


# --- catalogue and units ------------------------------------------------------------------


class ApplianceModelOut(Schema):
    id: int
    programme_id: int
    category: Category
    brand: str
    model_name: str
    eprel_number: str
    energy_class: str
    label_scale: LabelScale
    kwh_per_year: Decimal | None
    kwh_per_100_cycles: Decimal | None
    cycles_per_year: int | None
    water_litres_per_cycle: Decimal | None
    capacity: str
    yearly_kwh: Decimal


class ApplianceModelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    category: Category
    brand: Text = Field(max_length=60)
    model_name: Text = Field(max_length=100)
    eprel_number: Text = Field("", max_length=20)
    energy_class: Text = Field(max_length=4)
    label_scale: LabelScale = LabelScale.EU_2021
    kwh_per_year: Decimal | None = Field(None, max_digits=7, decimal_places=1)
    kwh_per_100_cycles: Decimal | None = Field(None, max_digits=7, decimal_places=1)
    cycles_per_year: int | None = Field(None, ge=1, le=10000)
    water_litres_per_cycle: Decimal | None = Field(None, max_digits=6, decimal_places=1)
    capacity: Text = Field("", max_length=30)


@router.get(
    "/programmes/{programme_id}/appliance-models",
    response={200: list[ApplianceModelOut], **ERRORS},
)
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def appliance_model_list(request: HttpRequest, programme_id: ProgrammeId) -> Any:
    programme = programme_of(request, programme_id)
    require_programme_view(acting(request), programme)
    return scoped(ApplianceModel, acting(request)).filter(programme=programme)


@router.post(
    "/programmes/{programme_id}/appliance-models",
    response={201: ApplianceModelOut, **ERRORS},
)
@needs("programme.manage", of=LEAD)
def appliance_model_post(
    request: HttpRequest, programme_id: ProgrammeId, payload: ApplianceModelIn
) -> Any:
    programme = programme_of(request, programme_id)
    model = services.appliance_model_create(
        acting=acting(request), programme=programme, **payload.model_dump()
    )
    return Status(201, model)


class UnitOut(Schema):
    id: int
    programme_id: int
    appliance_model_id: int
    category: Category = Field(alias="appliance_model.category")
    serial: str
    refurbished: bool
    status: UnitStatus
    label_code: str
    created_at: datetime


class UnitEventOut(Schema):
    from_status: str = Field(description="Empty for the first event.")
    to_status: UnitStatus
    at: datetime
    by: str | None = Field(description="Username of who made the change.")
    note: str

    @staticmethod
    def resolve_by(obj: UnitEvent) -> str | None:
        return obj.by.get_username() if obj.by else None


class UnitDetailOut(UnitOut):
    events: list[UnitEventOut]

    @staticmethod
    def resolve_events(obj: Unit) -> list[UnitEvent]:
        return list(obj.events.select_related("by"))


class UnitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    appliance_model: ObjectId = Field(description="Id of the appliance model.")
    serial: Text = Field(max_length=60)
    refurbished: bool = False
    status: UnitStatus = Field(UnitStatus.ORDERED, description="ordered or in_stock")


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: UnitStatus
    note: Text = Field("", max_length=200)


@router.get("/programmes/{programme_id}/units", response={200: list[UnitOut], **ERRORS})
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
@paginate(Pages, per_page=PER_PAGE)
def unit_list(
    request: HttpRequest,
    programme_id: ProgrammeId,
    status: UnitStatus | None = None,
    category: Category | None = None,
) -> Any:
    """The programme's units, 100 a page, optionally of one status and category."""
    programme = programme_of(request, programme_id)
    require_programme_view(acting(request), programme)
    units = scoped(Unit, acting(request)).filter(programme=programme)
    if status:
        units = units.filter(status=status)
    if category:
        units = units.filter(appliance_model__category=category)
    return units.select_related("appliance_model").order_by("pk")


@router.post("/programmes/{programme_id}/units", response={201: UnitOut, **ERRORS})
@needs("programme.manage", of=LEAD)
@needs("unit.manage", of=SUPPLIER)
def unit_post(request: HttpRequest, programme_id: ProgrammeId, payload: UnitIn) -> Any:
    programme = programme_of(request, programme_id)
    model = inner_of(
        ApplianceModel.objects.filter(programme=programme),
        request,
        "appliance_model",
        payload.appliance_model,
        _("There is no such model in the catalogue of this programme."),
    )
    unit = services.unit_create(
        acting=acting(request),
        appliance_model=model,
        serial=payload.serial,
        refurbished=payload.refurbished,
        status=payload.status,
    )
    return Status(201, unit)


@router.get("/units/{unit_id}", response={200: UnitDetailOut, **ERRORS})
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def unit_detail(request: HttpRequest, unit_id: UnitId) -> Any:
    """A unit with every change of its status: who, when, from and to."""
    unit = get_scoped(
        Unit.objects.select_related("appliance_model", "programme"), acting(request), pk=unit_id
    )
    require_programme_view(acting(request), unit.programme)
    return unit


@router.post("/units/{unit_id}/transition", response={200: UnitDetailOut, **ERRORS})
@needs("programme.manage", of=LEAD)
@needs("unit.manage", of=SUPPLIER)
def unit_transition_post(request: HttpRequest, unit_id: UnitId, payload: TransitionIn) -> Any:
    """Move a unit along its lifecycle (stock, repair, refurbishing, recycling)."""
    unit = get_scoped(Unit.objects.select_related("programme"), acting(request), pk=unit_id)
    services.unit_transition(acting=acting(request), unit=unit, to=payload.to, note=payload.note)
    return Unit.objects.select_related("appliance_model").get(pk=unit.pk)


# --- applications and contracts -----------------------------------------------------------
