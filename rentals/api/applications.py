"""API of applications and the waiting list."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from pydantic import ConfigDict

from core.access import LEAD, needs
from core.api import ERRORS, ObjectId, Text, acting
from core.pagination import Pages, paginate
from core.tenancy import get_scoped, scoped
from households.models import Household
from rentals import selectors, services
from rentals.api.common import (
    PER_PAGE,
    ApplicationId,
    ProgrammeId,
    inner_of,
    programme_of,
    router,
)
from rentals.models import (
    AgeBand,
    Application,
    Category,
    LabelScale,
)


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


@router.get(
    "/programmes/{programme_id}/applications", response={200: list[ApplicationOut], **ERRORS}
)
@needs("household.view")
@paginate(Pages, per_page=PER_PAGE)
def application_list(
    request: HttpRequest,
    programme_id: ProgrammeId,
    category: Category | None = None,
) -> Any:
    """The waiting list: priorities first, then first come first served."""
    acting(request).require("household.view")
    programme = programme_of(request, programme_id)
    waiting = scoped(selectors.waiting_list(programme, category), acting(request))
    return waiting


@router.post("/programmes/{programme_id}/applications", response={201: ApplicationOut, **ERRORS})
@needs("household.change")
def application_post(
    request: HttpRequest, programme_id: ProgrammeId, payload: ApplicationIn
) -> Any:
    """An enrolled household applies for an appliance and describes the old one."""
    # The role first: a refused role learns nothing from "there is no such household".
    acting(request).require("household.change")
    programme = programme_of(request, programme_id)
    household = inner_of(
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
