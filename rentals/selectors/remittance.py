"""The figures of the yearly remittance statement of a collecting organisation (the PDF is
rentals.documents.remittance_statement_pdf).
"""

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


def remittance_data(*, acting: Acting, year: int) -> dict[str, Any]:
    """The figures of the yearly remittance statement of the acting collecting organisation.

    Returns::

        {
            "year": 2026,
            "collector": "OCMW Brugge",
            "programmes": [            # each programme this organisation collects for, by name
                {
                    "programme_id": 3,
                    "programme": "Huishoudtoestellen huren",
                    "households": 12,          # with a charge in the year
                    "contracts": 15,           # with a charge in the year
                    "tenant_charged": Decimal,  # tenant parts of the year's charges
                    "subsidy": Decimal,         # subsidy parts of the year's charges
                    "collected": Decimal,       # settled by payments received in the year
                    "open_at_year_end": Decimal,  # tenant parts of charges up to December
                                                  # not settled by payments received by 31/12
                    "months": [                 # January to December
                        {"month": date(2026, 1, 1), "tenant_charged": Decimal,
                         "subsidy": Decimal, "collected": Decimal},
                        ...
                    ],
                },
            ],
            "totals": {"households", "contracts", "tenant_charged", "subsidy", "collected",
                       "open_at_year_end",   # sums over the programmes (households distinct)
                       "received"},          # all payments received in the year, also credit
        }

    Amounts are Decimal with two places. "collected" counts what settled a charge, so money
    paid in advance is counted in the year of the charge it settles ("received" minus the
    collected totals of all years is the credit held).
    """
    acting.require("collection.view")
    organisation = acting.organisation
    programmes = list(collected_programmes(organisation).order_by("name", "pk"))
    if not programmes:
        raise PermissionDenied(_("Your organisation does not collect rent for any programme."))
    first, last = date(year, 1, 1), date(year, 12, 31)
    months = [date(year, m, 1) for m in range(1, 13)]
    programme_rows: list[dict[str, Any]] = []
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
            {
                "programme_id": programme.pk,
                "programme": programme.name,
                "households": of_year.values("contract__household").distinct().count(),
                "contracts": of_year.values("contract").distinct().count(),
                "tenant_charged": _sum(of_year, "tenant_amount"),
                "subsidy": _sum(of_year, "subsidy_amount"),
                "collected": _sum(collected_in_year, "amount"),
                "open_at_year_end": open_at_year_end,
                "months": [
                    {
                        "month": month,
                        "tenant_charged": charged.get(month, {}).get("tenant") or ZERO,
                        "subsidy": charged.get(month, {}).get("subsidy") or ZERO,
                        "collected": collected.get(month) or ZERO,
                    }
                    for month in months
                ],
            }
        )
    of_year_all = Charge.objects.filter(
        contract__collector=organisation,
        contract__programme__in=programmes,
        month__range=(first, last),
    )
    totals: dict[str, Any] = {
        "households": of_year_all.values("contract__household").distinct().count(),
        "contracts": of_year_all.values("contract").distinct().count(),
    }
    for key in ("tenant_charged", "subsidy", "collected", "open_at_year_end"):
        totals[key] = sum((row[key] for row in programme_rows), ZERO)
    totals["received"] = _sum(
        Payment.objects.filter(collector=organisation, received_on__range=(first, last)),
        "amount",
    )
    return {
        "year": year,
        "collector": organisation.name,
        "programmes": programme_rows,
        "totals": totals,
    }
