"""API of contracts: draft, sign, end, the contract PDF and its charges."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from pydantic import ConfigDict

from core.access import needs
from core.api import ERRORS, Text, acting
from core.files import PDF, file_response
from core.tenancy import get_scoped, scoped
from rentals import selectors, services
from rentals.api.applications import DraftIn
from rentals.api.common import ApplicationId, ContractId, contract_of, inner_of, router
from rentals.documents import contract_pdf
from rentals.models import (
    Application,
    Category,
    Charge,
    Contract,
    PaymentMethod,
    Unit,
    Visit,
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
    cancelled_at: datetime | None
    cancel_reason: str
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


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=500)


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
        unit = inner_of(
            Unit.objects.filter(programme=application.programme),
            request,
            "unit",
            payload.unit,
            _("This unit is not free."),
        )
    contract = services.contract_draft(acting=acting(request), application=application, unit=unit)
    return Status(201, contract_of(request, contract.pk))


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERRORS})
@needs("household.view")
def contract_detail(request: HttpRequest, contract_id: ContractId) -> Any:
    acting(request).require("household.view")
    contract = contract_of(request, contract_id)
    selectors.households_viewed(acting(request), [contract.household], "contract")
    return contract


@router.post("/contracts/{contract_id}/sign", response={200: ContractOut, **ERRORS})
@needs("household.change")
def contract_sign_post(request: HttpRequest, contract_id: ContractId, payload: SignIn) -> Any:
    """Sign: the fees are fixed now and the installation visit is planned."""
    contract = contract_of(request, contract_id)
    services.contract_sign(acting=acting(request), contract=contract, **payload.model_dump())
    return contract_of(request, contract_id)


@router.post("/contracts/{contract_id}/end", response={200: ContractOut, **ERRORS})
@needs("household.change")
def contract_end_post(request: HttpRequest, contract_id: ContractId, payload: EndIn) -> Any:
    """End the contract on a day and plan the collection of the unit."""
    contract = contract_of(request, contract_id)
    services.contract_end(acting=acting(request), contract=contract, **payload.model_dump())
    return contract_of(request, contract_id)


@router.post("/contracts/{contract_id}/cancel", response={200: ContractOut, **ERRORS})
@needs("household.change")
def contract_cancel_post(request: HttpRequest, contract_id: ContractId, payload: CancelIn) -> Any:
    """Cancel a draft or signed contract never installed: the unit goes back in stock, its
    planned visits are cancelled, the record stays. An installed contract is ended instead."""
    contract = contract_of(request, contract_id)
    services.contract_cancel(acting=acting(request), contract=contract, reason=payload.reason)
    return contract_of(request, contract_id)


@router.get(
    "/contracts/{contract_id}/pdf",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@needs("household.view")
def contract_pdf_get(request: HttpRequest, contract_id: ContractId) -> HttpResponse:
    """The contract as a PDF, in the household's language."""
    acting(request).require("household.view")
    contract = contract_of(request, contract_id)
    selectors.households_viewed(acting(request), [contract.household], "contract PDF")

    return file_response(
        contract_pdf(contract=contract), filename=f"contract-{contract.pk}.pdf", content_type=PDF
    )


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
    contract = contract_of(request, contract_id)
    selectors.households_viewed(acting(request), [contract.household], "charges")
    return scoped(Charge, acting(request)).filter(contract=contract).order_by("month", "pk")


# --- visits and tickets -------------------------------------------------------------------
