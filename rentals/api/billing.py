"""API of billing runs."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import ConfigDict

from core.access import LEAD, needs
from core.api import ERRORS, acting
from rentals import services
from rentals.api.common import Month, ProgrammeId, first_day, programme_of, router


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
    programme = programme_of(request, programme_id)
    result = services.billing_run(
        acting=acting(request), programme=programme, month=first_day(payload.month)
    )
    return {"month": payload.month, "created": result.created, "contracts": result.contracts}


# --- households: balance, payments, savings ------------------------------------------------
