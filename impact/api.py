"""API of impact, under /api/v1/impact: the acting organisation's programmes' figures, with
small groups suppressed (the API is a way out of the organisation; impact.suppression)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Router, Schema

from core.access import LEAD, needs
from core.api import ERRORS, MAX_ID, acting
from core.models import Programme
from core.tenancy import get_scoped
from impact import figures

router = Router(tags=["impact"])

ProgrammeId = Annotated[int, Path(gt=0, le=MAX_ID)]


class ImpactFigureOut(Schema):
    key: str
    label: str
    value: Decimal | int | None  # None: suppressed (about fewer than 5)
    unit: str
    suppressed: bool
    rounded: bool = False  # a count of households or persons, rounded to a multiple of 5


class MonthValueOut(Schema):
    month: date
    value: Decimal | int | None
    suppressed: bool


class SeriesOut(Schema):
    key: str
    label: str
    unit: str
    values: list[MonthValueOut]


class ProgrammeImpactOut(Schema):
    programme_id: int
    programme: str
    kind: str
    figures: list[SeriesOut]


@router.get(
    "/impact/programmes",
    response={200: list[ProgrammeImpactOut], **ERRORS},
    summary="Figures of our programmes, per month (small groups suppressed)",
)
@needs("impact.view")
def impact_list(request: HttpRequest) -> Any:
    return [
        {
            "programme_id": item["programme"].pk,
            "programme": item["programme"].name,
            "kind": item["programme"].kind,
            "figures": item["figures"],
        }
        for item in figures.published_organisation(acting(request), timezone.localdate())
    ]


@router.get(
    "/impact/programmes/{programme_id}/figures",
    response={200: list[ImpactFigureOut], **ERRORS},
    summary="A programme's figures today (small groups suppressed)",
)
@needs("impact.view", of=LEAD)
def impact_programme(request: HttpRequest, programme_id: ProgrammeId) -> Any:
    who = acting(request)
    who.require("impact.view")
    programme = get_scoped(
        Programme.objects.select_related("lead_organisation"),
        who,
        pk=programme_id,
        lead_organisation=who.organisation,
    )
    return [f.__dict__ for f in figures.published_figures(programme)]
