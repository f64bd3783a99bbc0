"""API of billing runs."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema, Status
from pydantic import ConfigDict

from core.access import LEAD, needs
from core.api import ERRORS, ErrorOut, acting
from rentals import services
from rentals.api.common import Month, ProgrammeId, first_day, programme_of, router


class BillingRunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    month: Month
    confirm: bool = Field(
        False,
        description="Bill the month although the month before was never billed (else 409).",
    )


class BillingRunOut(Schema):
    month: str
    created: int = Field(description="Charges made by this run; 0 when run again.")
    contracts: int = Field(description="Contracts active in the month without a charge yet.")


@router.post(
    "/programmes/{programme_id}/billing-runs",
    response={200: BillingRunOut, **ERRORS, 409: ErrorOut},
)
@needs("billing.run", of=LEAD)
def billing_run_post(request: HttpRequest, programme_id: ProgrammeId, payload: BillingRunIn) -> Any:
    """Charge every contract active in the month once; running it again adds nothing.

    409 when the month before was never billed though contracts ran then: bill that month
    first, or send `confirm: true` to skip it."""
    programme = programme_of(request, programme_id)
    try:
        result = services.billing_run(
            acting=acting(request),
            programme=programme,
            month=first_day(payload.month),
            confirm=payload.confirm,
        )
    except services.SkippedMonth as exc:
        message = exc.message_dict["month"][0]
        return Status(
            409,
            {
                "message": message,
                "field": "month",
                "errors": [{"field": "month", "message": message}],
            },
        )
    return {"month": payload.month, "created": result.created, "contracts": result.contracts}


# --- households: balance, payments, savings ------------------------------------------------
