"""API of appliance rental: scheme, offers, catalogue, units, applications, contracts, visits,
tickets, billing, payments, savings, bank statements and direct debits.

Mounted under /api/v1/rentals. Handlers stay thin: records come through core.tenancy (another
organisation's record is a 404), every write goes through rentals.services, and the errors
have the shape of core.api.ErrorOut. Amounts are decimals, sent and answered as strings.

Bank statements are uploaded as multipart/form-data with the file in the field `file`:

    curl -H "Authorization: Bearer $TOKEN" -F file=@statement.xml \
        https://…/api/v1/rentals/bank-imports
"""

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import AfterValidator, ConfigDict

from core.access import ASSIGNED, COLLECTOR, LEAD, SUPPLIER, needs
from core.api import ERRORS, MAX_ID, ObjectId, Text, acting
from core.models import Organisation, Programme
from core.tenancy import Acting, get_scoped, scoped
from households.models import Household
from rentals import impact, rules, selectors, services
from rentals.models import (
    AgeBand,
    ApplianceModel,
    Application,
    BankLine,
    Category,
    Charge,
    Contract,
    LabelScale,
    Offer,
    Payment,
    PaymentMethod,
    RentalScheme,
    Ticket,
    Unit,
    UnitEvent,
    UnitStatus,
    Visit,
)
from rentals.savings import PeriodSavings, SavingsError

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
Page = Annotated[int, Query(1, ge=1, le=1_000_000)]

Money = Annotated[Decimal, Field(max_digits=7, decimal_places=2, description="EUR")]


def _month(value: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ValueError(_("Give a month as YYYY-MM, for example 2026-11."))
    return value


Month = Annotated[str, Field(max_length=7, description="YYYY-MM"), AfterValidator(_month)]


def _first_day(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


# --- lookups ------------------------------------------------------------------------------


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    return get_scoped(Programme, acting(request), pk=programme_id)


def _inner(queryset: Any, request: HttpRequest, field: str, pk: int, message: str) -> Any:
    """A record named in the body: one that cannot be seen is bad input for that field."""
    try:
        return get_scoped(queryset, acting(request), pk=pk)
    except Http404:
        raise ValidationError({field: message}) from None


def _organisation(field: str, slug: str) -> Organisation:
    # As for programme partners: organisations are known by their short name, and hold no
    # personal data.
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise ValidationError(
            {field: _("There is no organisation with short name “%(slug)s”.") % {"slug": slug}}
        )
    return organisation


def _require_programme_view(who: Acting, programme: Programme) -> None:
    """Programme data (offers, catalogue, units) is also read by the supplier's technicians
    (unit.view, rentals.rules.may_view_units)."""
    if who.can("programme.view"):
        return
    who.require("unit.view")
    if not rules.may_view_units(who, programme):
        raise PermissionDenied


def _page(queryset: QuerySet[Any], page: int) -> dict[str, Any]:
    count = queryset.count()
    start = (page - 1) * PER_PAGE
    return {
        "count": count,
        "page": page,
        "pages": max(1, math.ceil(count / PER_PAGE)),
        "per_page": PER_PAGE,
        "results": list(queryset[start : start + PER_PAGE]),
    }


# --- scheme and offers --------------------------------------------------------------------


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
    programme = _programme(request, programme_id)
    _require_programme_view(acting(request), programme)
    return get_scoped(
        RentalScheme.objects.select_related("collector", "supplier"),
        acting(request),
        programme=programme,
    )


@router.put("/programmes/{programme_id}/scheme", response={200: SchemeOut, **ERRORS})
@needs("programme.manage", of=LEAD)
def scheme_put(request: HttpRequest, programme_id: ProgrammeId, payload: SchemeIn) -> Any:
    programme = _programme(request, programme_id)
    return services.rental_scheme_configure(
        acting=acting(request),
        programme=programme,
        collector=_organisation("collector", payload.collector),
        supplier=_organisation("supplier", payload.supplier),
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
    programme = _programme(request, programme_id)
    _require_programme_view(acting(request), programme)
    return scoped(Offer, acting(request)).filter(programme=programme)


@router.put("/programmes/{programme_id}/offers", response={200: OfferOut, **ERRORS})
@needs("programme.manage", of=LEAD)
def offer_put(request: HttpRequest, programme_id: ProgrammeId, payload: OfferIn) -> Any:
    """Set the offer of one category; signed contracts keep the fees they were signed at."""
    programme = _programme(request, programme_id)
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
    programme = _programme(request, programme_id)
    _require_programme_view(acting(request), programme)
    return scoped(ApplianceModel, acting(request)).filter(programme=programme)


@router.post(
    "/programmes/{programme_id}/appliance-models",
    response={201: ApplianceModelOut, **ERRORS},
)
@needs("programme.manage", of=LEAD)
def appliance_model_post(
    request: HttpRequest, programme_id: ProgrammeId, payload: ApplianceModelIn
) -> Any:
    programme = _programme(request, programme_id)
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


class UnitPage(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    results: list[UnitOut]


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


@router.get("/programmes/{programme_id}/units", response={200: UnitPage, **ERRORS})
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def unit_list(
    request: HttpRequest,
    programme_id: ProgrammeId,
    status: UnitStatus | None = None,
    category: Category | None = None,
    page: Page = 1,
) -> Any:
    """The programme's units, 100 a page, optionally of one status and category."""
    programme = _programme(request, programme_id)
    _require_programme_view(acting(request), programme)
    units = scoped(Unit, acting(request)).filter(programme=programme)
    if status:
        units = units.filter(status=status)
    if category:
        units = units.filter(appliance_model__category=category)
    return _page(units.select_related("appliance_model").order_by("pk"), page)


@router.post("/programmes/{programme_id}/units", response={201: UnitOut, **ERRORS})
@needs("programme.manage", of=LEAD)
@needs("unit.manage", of=SUPPLIER)
def unit_post(request: HttpRequest, programme_id: ProgrammeId, payload: UnitIn) -> Any:
    programme = _programme(request, programme_id)
    model = _inner(
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
    _require_programme_view(acting(request), unit.programme)
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


class ApplicationOut(Schema):
    id: int
    household_id: int
    household: str = Field(alias="household.reference")
    programme_id: int
    category: Category
    status: Application.Status
    applied_at: datetime
    has_old_appliance: bool
    old_age_band: AgeBand
    old_label: str
    old_label_scale: str
    old_measured_kwh: Decimal | None
    priority: bool
    priority_reason: str


class ApplicationPage(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    results: list[ApplicationOut]


class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    household: ObjectId = Field(description="Id of the household.")
    category: Category
    has_old_appliance: bool = True
    old_age_band: AgeBand = AgeBand.UNKNOWN
    old_label: Text = Field("", max_length=4, description="Energy class, if known")
    old_label_scale: LabelScale | None = Field(None, description="Needed with old_label")
    old_measured_kwh: Decimal | None = Field(
        None, ge=0, max_digits=7, decimal_places=1, description="kWh a year (plug meter)"
    )


class PriorityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(max_length=2000)


class DraftIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit: ObjectId | None = Field(
        None, description="Id of a free unit; by default the first free one."
    )


@router.get("/programmes/{programme_id}/applications", response={200: ApplicationPage, **ERRORS})
@needs("household.view")
def application_list(
    request: HttpRequest,
    programme_id: ProgrammeId,
    category: Category | None = None,
    page: Page = 1,
) -> Any:
    """The waiting list: priorities first, then first come first served."""
    acting(request).require("household.view")
    programme = _programme(request, programme_id)
    waiting = scoped(services.waiting_list(programme, category), acting(request))
    return _page(waiting, page)


@router.post("/programmes/{programme_id}/applications", response={201: ApplicationOut, **ERRORS})
@needs("household.change")
def application_post(
    request: HttpRequest, programme_id: ProgrammeId, payload: ApplicationIn
) -> Any:
    """An enrolled household applies for an appliance and describes the old one."""
    # The role first: a refused role learns nothing from "there is no such household".
    acting(request).require("household.change")
    programme = _programme(request, programme_id)
    household = _inner(
        Household.objects.active(),
        request,
        "household",
        payload.household,
        _("There is no such household."),
    )
    fields = payload.model_dump(exclude={"household"})
    fields["old_label_scale"] = fields["old_label_scale"] or ""
    application = services.application_create(
        acting=acting(request), household=household, programme=programme, **fields
    )
    return Status(201, application)


@router.post("/applications/{application_id}/priority", response={200: ApplicationOut, **ERRORS})
@needs("programme.manage", of=LEAD)
def application_priority_post(
    request: HttpRequest, application_id: ApplicationId, payload: PriorityIn
) -> Any:
    """A coordinator moves the application to the front of the waiting list, with a reason."""
    application = get_scoped(
        Application.objects.select_related("programme", "household"),
        acting(request),
        pk=application_id,
    )
    return services.application_prioritise(
        acting=acting(request), application=application, reason=payload.reason
    )


class VisitBriefOut(Schema):
    id: int
    kind: Visit.Kind
    status: Visit.Status
    planned_on: date


class ContractOut(Schema):
    id: int
    application_id: int
    household_id: int
    household: str = Field(alias="household.reference")
    programme_id: int
    unit_id: int
    unit_serial: str = Field(alias="unit.serial")
    category: Category
    status: Contract.Status
    tenant_fee: Decimal
    subsidy: Decimal
    term_months: int
    payment_method: PaymentMethod
    payment_reference: str
    mandate_id: str
    created_at: datetime
    signed_at: datetime | None
    start_date: date | None
    end_date: date | None
    end_reason: str
    visits: list[VisitBriefOut]

    @staticmethod
    def resolve_visits(obj: Contract) -> list[Visit]:
        return list(obj.visits.all())


class SignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    payment_method: PaymentMethod
    installation_on: date = Field(description="Planned day of delivery and installation.")
    debtor_iban: Text = Field("", max_length=34, description="Needed for direct debit.")
    mandate_signed_on: date | None = None


class EndIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Contract.EndReason
    on: date
    collection_on: date | None = Field(None, description="Day of the return visit.")


def _contract(request: HttpRequest, contract_id: int) -> Contract:
    return get_scoped(
        Contract.objects.select_related("household", "unit", "programme", "application"),
        acting(request),
        pk=contract_id,
    )


@router.post("/applications/{application_id}/contract", response={201: ContractOut, **ERRORS})
@needs("household.change")
def contract_post(
    request: HttpRequest, application_id: ApplicationId, payload: DraftIn | None = None
) -> Any:
    """Draft a contract: reserve a free unit for the application (first come first served)."""
    application = get_scoped(
        Application.objects.select_related("programme", "household"),
        acting(request),
        pk=application_id,
    )
    unit = None
    if payload is not None and payload.unit is not None:
        unit = _inner(
            Unit.objects.filter(programme=application.programme),
            request,
            "unit",
            payload.unit,
            _("This unit is not free."),
        )
    contract = services.contract_draft(acting=acting(request), application=application, unit=unit)
    return Status(201, _contract(request, contract.pk))


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERRORS})
@needs("household.view")
def contract_detail(request: HttpRequest, contract_id: ContractId) -> Any:
    acting(request).require("household.view")
    contract = _contract(request, contract_id)
    selectors.households_viewed(acting(request), [contract.household], "contract")
    return contract


@router.post("/contracts/{contract_id}/sign", response={200: ContractOut, **ERRORS})
@needs("household.change")
def contract_sign_post(request: HttpRequest, contract_id: ContractId, payload: SignIn) -> Any:
    """Sign: the fees are fixed now and the installation visit is planned."""
    contract = _contract(request, contract_id)
    services.contract_sign(acting=acting(request), contract=contract, **payload.model_dump())
    return _contract(request, contract_id)


@router.post("/contracts/{contract_id}/end", response={200: ContractOut, **ERRORS})
@needs("household.change")
def contract_end_post(request: HttpRequest, contract_id: ContractId, payload: EndIn) -> Any:
    """End the contract on a day and plan the collection of the unit."""
    contract = _contract(request, contract_id)
    services.contract_end(acting=acting(request), contract=contract, **payload.model_dump())
    return _contract(request, contract_id)


@router.get(
    "/contracts/{contract_id}/pdf",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@needs("household.view")
def contract_pdf_get(request: HttpRequest, contract_id: ContractId) -> HttpResponse:
    """The contract as a PDF, in the household's language."""
    acting(request).require("household.view")
    contract = _contract(request, contract_id)
    selectors.households_viewed(acting(request), [contract.household], "contract PDF")
    from rentals.documents import contract_pdf

    response = HttpResponse(contract_pdf(contract=contract), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="contract-{contract.pk}.pdf"'
    return response


class ChargeOut(Schema):
    id: int
    month: str = Field(description="YYYY-MM")
    tenant_amount: Decimal
    subsidy_amount: Decimal
    settled: Decimal
    open_amount: Decimal

    @staticmethod
    def resolve_month(obj: Charge) -> str:
        return f"{obj.month:%Y-%m}"


@router.get("/contracts/{contract_id}/charges", response={200: list[ChargeOut], **ERRORS})
@needs("household.view")
def charge_list(request: HttpRequest, contract_id: ContractId) -> Any:
    """The monthly charges of the contract, oldest first, with what is paid of each."""
    acting(request).require("household.view")
    contract = _contract(request, contract_id)
    selectors.households_viewed(acting(request), [contract.household], "charges")
    return scoped(Charge, acting(request)).filter(contract=contract).order_by("month", "pk")


# --- visits and tickets -------------------------------------------------------------------


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


class VisitPage(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    results: list[VisitOut]


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


@router.get("/visits", response={200: VisitPage, **ERRORS})
@needs("visit.view")
@needs("visit.view_assigned")
def visit_list(
    request: HttpRequest,
    programme: Annotated[int | None, Query(None, gt=0, le=MAX_ID)] = None,
    on: date | None = None,
    status: Visit.Status | None = None,
    page: Page = 1,
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
    body = _page(visits.order_by("planned_on", "window", "pk"), page)
    selectors.households_viewed(who, (v.contract.household for v in body["results"]), "visit")
    body["results"] = [selectors.visit_card(v) for v in body["results"]]
    return body


@router.post("/contracts/{contract_id}/visits", response={201: VisitOut, **ERRORS})
@needs("visit.plan")
def visit_post(request: HttpRequest, contract_id: ContractId, payload: VisitPlanIn) -> Any:
    """Plan a repair, swap or return visit, optionally for a ticket."""
    contract = _contract(request, contract_id)
    ticket = None
    if payload.ticket is not None:
        ticket = _inner(
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
    from django.contrib.auth import get_user_model

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
        replacement = _inner(
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
    )
    return _visit_out(request, visit.pk)


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
    contract = _contract(request, contract_id)
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


class BillingRunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    month: Month


class BillingRunOut(Schema):
    month: str
    created: int = Field(description="Charges made by this run; 0 when run again.")
    contracts: int = Field(description="Contracts active in the month without a charge yet.")


@router.post("/programmes/{programme_id}/billing-runs", response={200: BillingRunOut, **ERRORS})
@needs("billing.run", of=LEAD)
def billing_run_post(request: HttpRequest, programme_id: ProgrammeId, payload: BillingRunIn) -> Any:
    """Charge every contract active in the month once; running it again adds nothing."""
    programme = _programme(request, programme_id)
    result = services.billing_run(
        acting=acting(request), programme=programme, month=_first_day(payload.month)
    )
    return {"month": payload.month, "created": result.created, "contracts": result.contracts}


# --- households: balance, payments, savings ------------------------------------------------


def _household(request: HttpRequest, household_id: int) -> Household:
    return get_scoped(Household.objects.active(), acting(request), pk=household_id)


def _cents(value: Decimal) -> Decimal:
    # Sums over the database come back with the backend's own precision (SQLite: 13 places).
    return Decimal(value).quantize(CENT)


class BalanceOut(Schema):
    charged: Decimal = Field(description="All tenant parts charged so far")
    paid: Decimal
    credit: Decimal = Field(description="Paid but not yet used for a charge")
    due: Decimal = Field(description="Charged minus what settled it")
    arrears: Decimal = Field(description="Open for months before the current one")
    months_behind: int
    next_step: int | None = Field(
        description="Suggested gentle step: 1 letter, 2 social worker contact, 3 case review"
    )


@router.get("/households/{household_id}/balance", response={200: BalanceOut, **ERRORS})
@needs("collection.view", of=COLLECTOR)
def balance_detail(request: HttpRequest, household_id: HouseholdId) -> Any:
    household = _household(request, household_id)
    balance, next_step = selectors.collection_balance(acting(request), household)
    selectors.households_viewed(acting(request), [household], "balance")
    return {
        "charged": _cents(balance.charged),
        "paid": _cents(balance.paid),
        "credit": _cents(balance.credit),
        "due": _cents(balance.due),
        "arrears": _cents(balance.arrears),
        "months_behind": balance.months_behind,
        "next_step": next_step,
    }


class PaymentOut(Schema):
    id: int
    household_id: int
    collector: str = Field(alias="collector.slug")
    amount: Decimal
    received_on: date
    method: PaymentMethod
    reference: str
    recorded_at: datetime


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(max_digits=12, decimal_places=2, description="EUR")
    received_on: date
    method: PaymentMethod
    reference: Text = Field("", max_length=140)


@router.get("/households/{household_id}/payments", response={200: list[PaymentOut], **ERRORS})
@needs("collection.view", of=COLLECTOR)
def payment_list(request: HttpRequest, household_id: HouseholdId) -> Any:
    household = _household(request, household_id)
    rules.require_collection_view(acting(request), household)
    selectors.households_viewed(acting(request), [household], "payments")
    return scoped(Payment, acting(request)).filter(household=household).select_related("collector")


@router.post("/households/{household_id}/payments", response={201: PaymentOut, **ERRORS})
@needs("payment.record", of=COLLECTOR)
def payment_post(request: HttpRequest, household_id: HouseholdId, payload: PaymentIn) -> Any:
    """Record money received; it settles the household's oldest open charges first."""
    household = _household(request, household_id)
    payment = services.payment_record(
        acting=acting(request), household=household, **payload.model_dump()
    )
    return Status(201, payment)


class SavingsFigures(Schema):
    kwh: Decimal
    eur: Decimal
    water_m3: Decimal
    water_eur: Decimal
    co2_kg: Decimal


class SavingsYearOut(SavingsFigures):
    year: int


class SavingsOut(Schema):
    years: list[SavingsYearOut]
    total: SavingsFigures


def _figures(value: PeriodSavings) -> dict[str, Decimal]:
    return {
        "kwh": value.kwh,
        "eur": value.eur,
        "water_m3": value.water_m3,
        "water_eur": value.water_eur,
        "co2_kg": value.co2_kg,
    }


def _savings_refused() -> ValidationError:
    return ValidationError(
        _(
            "The savings cannot be calculated: the description of an old appliance or the "
            "programme's tariffs are incomplete."
        )
    )


@router.get("/households/{household_id}/savings", response={200: SavingsOut, **ERRORS})
@needs("household.view")
def savings_detail(request: HttpRequest, household_id: HouseholdId) -> Any:
    """What the household saved per calendar year since installation (docs/savings-model.md)."""
    acting(request).require("household.view")
    household = _household(request, household_id)
    selectors.households_viewed(acting(request), [household], "savings")
    try:
        yearly = impact.household_yearly(household)
    except SavingsError:
        raise _savings_refused() from None
    return {
        "years": [{"year": year, **_figures(yearly[year])} for year in sorted(yearly)],
        "total": _figures(impact.total(yearly)),
    }


@router.get(
    "/households/{household_id}/savings/{year}/pdf",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@needs("household.view")
def savings_pdf_get(request: HttpRequest, household_id: HouseholdId, year: Year) -> HttpResponse:
    """The yearly statement "what you saved" as a PDF, in the household's language."""
    acting(request).require("household.view")
    household = _household(request, household_id)
    selectors.households_viewed(acting(request), [household], f"savings {year} PDF")
    from rentals.documents import savings_statement_pdf

    try:
        pdf = savings_statement_pdf(household=household, year=year)
    except SavingsError:
        raise _savings_refused() from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="savings-{household.reference}-{year}.pdf"'
    )
    return response


# --- bank statements and direct debits -----------------------------------------------------


class LineMessage(Schema):
    number: int | None = Field(description="Line (CSV) or entry (CAMT) number")
    message: str


class BankLineOut(Schema):
    id: int
    number: int
    booked_on: date
    amount: Decimal
    counterparty: str
    iban: str
    text: str
    reference: str
    status: BankLine.Status


class BankImportOut(Schema):
    id: int | None = Field(description="None when the file held nothing new")
    filename: str
    file_format: str
    matched: list[BankLineOut]
    unmatched: list[BankLineOut] = Field(description="For a person to resolve")
    skipped: list[LineMessage] = Field(description="Outgoing, not booked, reversals, doubles")
    already_imported: list[LineMessage]


@router.post("/bank-imports", response={200: BankImportOut, 201: BankImportOut, **ERRORS})
@needs("payment.record", of=COLLECTOR)
def bank_import_post(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Import a bank statement (CAMT.053 XML or CSV), sent as multipart/form-data field `file`.

    The whole file is checked first: when anything is wrong, every problem is answered at
    once (422, each message with its line number) and nothing is imported. Lines matched on a
    contract's payment reference become payments; the others are listed as unmatched, for a
    person to resolve. 201 when lines were imported, 200 when the file held nothing new.
    """
    if file.size is not None and file.size > MAX_BANK_FILE:
        raise ValidationError(
            {"file": _("The file is larger than %(max_mb)s MB.") % {"max_mb": 10}}
        )
    from rentals.bank import bank_statement_import

    report = bank_statement_import(
        acting=acting(request), filename=file.name or "", data=file.read()
    )
    if report.errors:
        raise ValidationError({"file": [m.message for m in report.errors]})
    body = {
        "id": report.bank_import.pk if report.bank_import else None,
        "filename": report.filename,
        "file_format": report.file_format,
        "matched": report.matched,
        "unmatched": report.unmatched,
        "skipped": report.skipped,
        "already_imported": report.already_imported,
    }
    return Status(201 if report.bank_import else 200, body)


class SepaExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    collection_date: date
    creditor_id: Text = Field(max_length=35, description="SEPA creditor identifier.")
    creditor_bic: Text = Field("", max_length=11, description="Only if your bank asks for it.")


@router.post(
    "/programmes/{programme_id}/sepa-export",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
@needs("payment.record", of=COLLECTOR)
def sepa_export_post(
    request: HttpRequest, programme_id: ProgrammeId, payload: SepaExportIn
) -> HttpResponse:
    """A SEPA direct-debit file (pain.008) for the open charges of households with a mandate."""
    programme = _programme(request, programme_id)
    from rentals.bank import sepa_direct_debit_export

    xml = sepa_direct_debit_export(
        acting=acting(request),
        programme=programme,
        collection_date=payload.collection_date,
        creditor_id=payload.creditor_id,
        creditor_bic=payload.creditor_bic,
    )
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = (
        f'attachment; filename="pain008-{programme.slug}-{payload.collection_date}.xml"'
    )
    return response
