"""API of a household's money: balance, payments and savings (with the statement PDF)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from pydantic import ConfigDict

from core.access import COLLECTOR, needs
from core.api import ERRORS, Text, acting
from core.files import PDF, file_response
from core.tenancy import get_scoped, scoped
from households.models import Household
from rentals import rules, selectors, services
from rentals.api.common import CENT, HouseholdId, Year, router
from rentals.documents import savings_statement_pdf
from rentals.models import (
    Contract,
    Payment,
    PaymentMethod,
)
from rentals.pure.savings import PeriodSavings, SavingsError
from rentals.selectors import impact


def _household(request: HttpRequest, household_id: int) -> Household:
    return get_scoped(Household.objects.active(), acting(request), pk=household_id)


def _visible_contracts(request: HttpRequest) -> QuerySet[Contract]:
    """The contracts the acting organisation may see: a household's savings are those of its
    contracts in programmes the organisation leads, collects for or registered the household
    in, never those of another lead's programme (the lead of a job bureau the household is
    enrolled in sees the household, not its rentals)."""
    return scoped(Contract, acting(request))


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
    # The acting collector's payments of the household, as on the money page.
    return (
        scoped(Payment, acting(request))
        .filter(household=household, collector=acting(request).organisation)
        .select_related("collector")
    )


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
        yearly = impact.household_yearly(household, contracts=_visible_contracts(request))
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

    try:
        pdf = savings_statement_pdf(
            household=household, year=year, contracts=_visible_contracts(request)
        )
    except SavingsError:
        raise _savings_refused() from None
    return file_response(
        pdf, filename=f"savings-{household.reference}-{year}.pdf", content_type=PDF
    )


# --- bank statements and direct debits -----------------------------------------------------
