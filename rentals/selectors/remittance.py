"""The figures of the yearly remittance statement of a collecting organisation (the PDF is
rentals.documents.remittance_statement_pdf).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from core.tenancy import Acting
from rentals.models import (
    ZERO,
    Allocation,
    Charge,
    Payment,
)
from rentals.selectors.collection import collected_programmes


# ---------------------------------------------------------------- remittance statement
def _sum(queryset: Any, expression: Any) -> Decimal:
    return queryset.aggregate(s=Sum(expression))["s"] or ZERO


@dataclass(frozen=True)
class RemittanceMonth:
    month: date  # the first day of the month
    tenant_charged: Decimal  # tenant parts of the month's charges
    subsidy: Decimal  # subsidy parts of the month's charges
    collected: Decimal  # settled by payments received in the month


@dataclass(frozen=True)
class RemittanceProgramme:
    programme_id: int
    programme: str  # its name
    households: int  # with a charge in the year
    contracts: int  # with a charge in the year
    tenant_charged: Decimal  # tenant parts of the year's charges
    subsidy: Decimal  # subsidy parts of the year's charges
    collected: Decimal  # settled by payments received in the year
    open_at_year_end: Decimal  # tenant parts of charges up to December not settled by 31/12
    months: tuple[RemittanceMonth, ...]  # January to December


@dataclass(frozen=True)
class RemittanceTotals:
    households: int  # distinct over the programmes
    contracts: int
    tenant_charged: Decimal  # the sums over the programmes
    subsidy: Decimal
    collected: Decimal
    open_at_year_end: Decimal
    received: Decimal  # all payments received in the year, also credit


@dataclass(frozen=True)
class Remittance:
    """The yearly remittance statement of a collecting organisation. Amounts are Decimal with
    two places. "collected" counts what settled a charge, so money paid in advance is counted in
    the year of the charge it settles (`received` minus the collected totals of all years is
    the credit held)."""

    year: int
    collector: str  # the organisation's name
    programmes: tuple[RemittanceProgramme, ...]  # each programme it collects for, by name
    totals: RemittanceTotals


def remittance_data(*, acting: Acting, year: int) -> Remittance:
    """The figures of the yearly remittance statement of the acting collecting organisation."""
    acting.require("collection.view")
    organisation = acting.organisation
    programmes = list(collected_programmes(organisation).order_by("name", "pk"))
    if not programmes:
        raise PermissionDenied(_("Your organisation does not collect rent for any programme."))
    first, last = date(year, 1, 1), date(year, 12, 31)
    months = [date(year, m, 1) for m in range(1, 13)]
    programme_rows: list[RemittanceProgramme] = []
    for programme in programmes:
        charges = Charge.objects.filter(
            contract__programme=programme, contract__collector=organisation
        )
        of_year = charges.filter(month__range=(first, last))
        allocations = Allocation.objects.filter(
            charge__contract__programme=programme, payment__collector=organisation
        )
        collected_in_year = allocations.filter(payment__received_on__range=(first, last))
        charged: dict[date, Any] = {
            row["month"]: row
            for row in of_year.values("month").annotate(
                tenant=Sum("tenant_amount"), subsidy=Sum("subsidy_amount")
            )
        }
        collected = dict(
            collected_in_year.annotate(m=TruncMonth("payment__received_on"))
            .values("m")
            .annotate(s=Sum("amount"))
            .values_list("m", "s")
        )
        up_to_year_end = charges.filter(month__lte=last)
        open_at_year_end = _sum(up_to_year_end, "tenant_amount") - _sum(
            allocations.filter(charge__month__lte=last, payment__received_on__lte=last), "amount"
        )
        programme_rows.append(
            RemittanceProgramme(
                programme_id=programme.pk,
                programme=programme.name,
                households=of_year.values("contract__household").distinct().count(),
                contracts=of_year.values("contract").distinct().count(),
                tenant_charged=_sum(of_year, "tenant_amount"),
                subsidy=_sum(of_year, "subsidy_amount"),
                collected=_sum(collected_in_year, "amount"),
                open_at_year_end=open_at_year_end,
                months=tuple(
                    RemittanceMonth(
                        month=month,
                        tenant_charged=charged.get(month, {}).get("tenant") or ZERO,
                        subsidy=charged.get(month, {}).get("subsidy") or ZERO,
                        collected=collected.get(month) or ZERO,
                    )
                    for month in months
                ),
            )
        )
    of_year_all = Charge.objects.filter(
        contract__collector=organisation,
        contract__programme__in=programmes,
        month__range=(first, last),
    )
    totals = RemittanceTotals(
        households=of_year_all.values("contract__household").distinct().count(),
        contracts=of_year_all.values("contract").distinct().count(),
        tenant_charged=sum((row.tenant_charged for row in programme_rows), ZERO),
        subsidy=sum((row.subsidy for row in programme_rows), ZERO),
        collected=sum((row.collected for row in programme_rows), ZERO),
        open_at_year_end=sum((row.open_at_year_end for row in programme_rows), ZERO),
        received=_sum(
            Payment.objects.filter(collector=organisation, received_on__range=(first, last)),
            "amount",
        ),
    )
    return Remittance(
        year=year, collector=organisation.name, programmes=tuple(programme_rows), totals=totals
    )
