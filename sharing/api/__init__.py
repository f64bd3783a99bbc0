"""API of energy sharing under /api/v1/sharing: participants, meter-data imports, monthly runs,
statements and the "use power now" advice.

Handlers stay thin: records come through core.tenancy (another organisation's record is a
404), writes through sharing.services, errors have the shape of core.api.ErrorOut. Meter data
is uploaded as multipart/form-data with the file in the field `file`:

    curl -H "Authorization: Bearer $TOKEN" -F file=@verbruik.csv \\
        https://…/api/v1/sharing/communities/1/imports
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Router, Schema, Status, UploadedFile
from pydantic import AfterValidator

from core.access import LEAD, REGISTERED, needs
from core.api import ERRORS, MAX_ID, ObjectId, Text, acting
from core.models import AuditEvent
from core.runs import run_start
from core.services import audit_record
from core.tenancy import get_scoped
from households.models import Household
from sharing import rules, services
from sharing.models import AllocationRun, Community, MeterImport, Participant
from sharing.runs import KIND as RUN_KIND
from sharing.selectors.advice import advice_for, sms_text
from sharing.selectors.reports import CustomRound, statement
from sharing.services.imports import MAX_FILE_BYTES

router = Router(tags=["sharing"])

# The participant's role (sharing.models.Participant.ParticipantRole), inline in the schema.
Role = Literal["producer", "consumer", "both"]
CommunityId = Annotated[int, Path(gt=0, le=MAX_ID)]
ParticipantId = Annotated[int, Path(gt=0, le=MAX_ID)]


def _month(value: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ValueError(_("Give a month as YYYY-MM, for example 2026-05."))
    return value


Month = Annotated[str, Field(max_length=7, description="YYYY-MM"), AfterValidator(_month)]
MonthPath = Annotated[str, Path(max_length=7, description="YYYY-MM")]


def _first_day(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def _community(request: HttpRequest, community_id: int, permission: str) -> Community:
    record = get_scoped(
        Community.objects.select_related("programme"), acting(request), pk=community_id
    )
    rules.require_lead(acting(request), record, permission)
    return record


def _participant(request: HttpRequest, participant_id: int) -> Participant:
    record = get_scoped(
        Participant.objects.select_related("community__programme", "household"),
        acting(request),
        pk=participant_id,
    )
    rules.require_participant(acting(request), record)
    return record


# --- participants -------------------------------------------------------------------------


class SharingParticipantOut(Schema):
    id: int
    kind: Literal["household", "organisation"]
    household: int | None = Field(None, alias="household_id")
    name: str = Field(alias="display_name")
    ean: str
    role: Role
    vulnerable: bool
    key_percentage: Decimal
    joined_on: date
    left_on: date | None


class SharingParticipantIn(Schema):
    household: ObjectId | None = Field(None, description="A household enrolled in the programme")
    name: Text = Field("", max_length=200, description="An organisation's name")
    language: Annotated[str, Field(pattern="^(nl|fr|en)$")] = "nl"
    ean: Text = Field(max_length=30)
    role: Role
    vulnerable: bool = False
    key_percentage: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    joined_on: date


def _audit_read(request: HttpRequest, participants: list[Participant]) -> None:
    for p in participants:
        if p.household is not None:
            audit_record(
                acting=acting(request),
                action=AuditEvent.Action.VIEW,
                household=p.household,
                subject=f"household {p.household.reference}: energy sharing",
            )


@router.get(
    "/communities/{community_id}/participants",
    response={200: list[SharingParticipantOut], **ERRORS},
)
@needs("sharing.view", of=LEAD)
def participant_list(request: HttpRequest, community_id: CommunityId) -> Any:
    record = _community(request, community_id, "sharing.view")
    participants = list(record.participants.select_related("household"))
    _audit_read(request, participants)
    return participants


@router.post(
    "/communities/{community_id}/participants", response={201: SharingParticipantOut, **ERRORS}
)
@needs("sharing.manage", of=LEAD)
def participant_post(
    request: HttpRequest, community_id: CommunityId, payload: SharingParticipantIn
) -> Any:
    record = _community(request, community_id, "sharing.manage")
    household = None
    if payload.household is not None:
        try:
            household = get_scoped(
                Household.objects.active(), acting(request), pk=payload.household
            )
        except Http404:
            raise ValidationError({"household": _("This household cannot be chosen.")}) from None
    data = payload.dict()
    data["household"] = household
    return Status(201, services.participant_add(acting=acting(request), community=record, **data))


@router.get("/participants/{participant_id}", response={200: SharingParticipantOut, **ERRORS})
@needs("sharing.view", of=LEAD)
@needs("sharing.view", of=REGISTERED)
def participant_get(request: HttpRequest, participant_id: ParticipantId) -> Any:
    record = _participant(request, participant_id)
    _audit_read(request, [record])
    return record


# --- imports ------------------------------------------------------------------------------


class MeterImportOut(Schema):
    id: int
    filename: str
    lines: int
    eans: int
    days: int
    first_day: date
    last_day: date
    imported_at: datetime


@router.get("/communities/{community_id}/imports", response={200: list[MeterImportOut], **ERRORS})
@needs("sharing.import", of=LEAD)
def import_list(request: HttpRequest, community_id: CommunityId) -> Any:
    record = _community(request, community_id, "sharing.import")
    return list(MeterImport.objects.filter(community=record)[:100])


class RunStartOut(Schema):
    run: int = Field(description="Follow it at GET /api/v1/runs/{run}")
    status: str
    new: bool = Field(description="False when the same work was already running (joined)")


def _started(run: Any) -> Any:
    return Status(202, {"run": run.pk, "status": run.status, "new": bool(run.is_new)})


@router.post("/communities/{community_id}/imports", response={202: RunStartOut, **ERRORS})
@needs("sharing.import", of=LEAD)
def import_post(request: HttpRequest, community_id: CommunityId, file: File[UploadedFile]) -> Any:
    """Import a meter-data file (the grid operator's export or the plain CSV), sent as
    multipart/form-data field `file`, in the background (core.runs): answers 202 with the
    run; GET /api/v1/runs/{run} until it is done (its `result` names the import) or failed.
    The whole file is checked first: when anything is wrong nothing is imported, and the
    failed run's `result.problems` lists every problem (each bad line with its number); an
    unknown EAN or a household without consent for energy data are refused too. The same
    file twice is refused at once (422)."""
    record = _community(request, community_id, "sharing.import")
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(max_mb)s MB.") % {"max_mb": 50}}
        )
    return _started(
        services.meter_import_start(
            acting=acting(request), community=record, filename=file.name or "", data=file.read()
        )
    )


# --- runs ---------------------------------------------------------------------------------


class AllocationRunIn(Schema):
    month: Month


class AllocationRunOut(Schema):
    id: int
    month: date
    keys: str
    days_with_data: int
    times_run: int
    ran_at: datetime


@router.get("/communities/{community_id}/runs", response={200: list[AllocationRunOut], **ERRORS})
@needs("sharing.view", of=LEAD)
def run_list(request: HttpRequest, community_id: CommunityId) -> Any:
    record = _community(request, community_id, "sharing.view")
    return list(AllocationRun.objects.filter(community=record))


@router.post("/communities/{community_id}/runs", response={202: RunStartOut, **ERRORS})
@needs("sharing.run", of=LEAD)
def run_post(request: HttpRequest, community_id: CommunityId, payload: AllocationRunIn) -> Any:
    """Allocate a past month, in the background (core.runs); running it again replaces its
    results with the same figures (idempotent)."""
    record = _community(request, community_id, "sharing.run")
    started = run_start(
        acting=acting(request),
        kind=RUN_KIND,
        programme=record.programme,
        params={"month": payload.month},
    )
    return _started(started)


# --- key simulator ------------------------------------------------------------------------


class SimulationRoundIn(Schema):
    weighting: Literal["fixed", "pro_rata", "equal"]
    only_vulnerable: bool = False
    demand_cap: float = Field(1.0, ge=0, le=1)


class SimulationIn(Schema):
    month: Month
    social_cap: float = Field(0.5, ge=0, le=1, description="Social priority's first cap")
    custom: list[SimulationRoundIn] = Field(default_factory=list, max_length=3)


@router.post("/communities/{community_id}/simulations", response={202: RunStartOut, **ERRORS})
@needs("sharing.view", of=LEAD)
def simulation_post(request: HttpRequest, community_id: CommunityId, payload: SimulationIn) -> Any:
    """Compare every key preset (and your own key of up to three rounds) on a past month, in
    the background: GET /api/v1/runs/{run} until done; its `result.simulations` has per key
    the shared kWh, self-sufficiency and the share that reached vulnerable participants."""
    record = _community(request, community_id, "sharing.view")
    started = services.key_simulation_start(
        acting=acting(request),
        community=record,
        month=_first_day(payload.month),
        social_cap=payload.social_cap,
        custom=[
            CustomRound(
                weighting=r.weighting, only_vulnerable=r.only_vulnerable, demand_cap=r.demand_cap
            )
            for r in payload.custom
        ],
    )
    return _started(started)


# --- statements ---------------------------------------------------------------------------


class ProducerShare(Schema):
    producer: str
    kwh: float


class EnergyStatementOut(Schema):
    participant: int
    month: str
    offtake_kwh: float
    received_kwh: float
    injection_kwh: float
    shared_kwh: float
    given_back_kwh: float
    from_producers: list[ProducerShare]
    value_at_sharing_price: Decimal
    value_at_supplier_price: Decimal
    saving: Decimal
    self_sufficiency: float | None
    shared_value: Decimal


@router.get(
    "/participants/{participant_id}/statements/{month}",
    response={200: EnergyStatementOut, **ERRORS},
)
@needs("sharing.view", of=LEAD)
@needs("sharing.view", of=REGISTERED)
def statement_get(request: HttpRequest, participant_id: ParticipantId, month: MonthPath) -> Any:
    record = _participant(request, participant_id)
    try:
        first = _first_day(_month(month))
    except ValueError:
        raise Http404 from None
    found = statement(record, first)
    if found is None:
        raise Http404
    _audit_read(request, [record])
    return found.as_dict()


# --- advice -------------------------------------------------------------------------------


class EnergyAdviceDay(Schema):
    day: date
    start: datetime
    end: datetime
    kwh_in_window: float
    kwh_day: float


class EnergyAdviceOut(Schema):
    days: list[EnergyAdviceDay]
    sms: str


@router.get("/communities/{community_id}/advice", response={200: EnergyAdviceOut, **ERRORS})
@needs("sharing.view", of=LEAD)
def advice_get(request: HttpRequest, community_id: CommunityId) -> Any:
    """The sunniest hours of the next three days (clear sky) and a short text message."""
    record = _community(request, community_id, "sharing.view")
    advice = advice_for(record)
    return {"days": advice, "sms": sms_text(advice)}
