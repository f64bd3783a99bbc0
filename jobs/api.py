"""API of the job bureau: requests, workers, the day plan and hours. Mounted under
/api/v1/jobs. Handlers stay thin: records come through core.tenancy and the selectors that
check both halves (jobs.selectors.access), every write goes through jobs.services, errors
have the shape of core.api.ErrorOut."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from core.access import LEAD, needs
from core.api import ERRORS, MAX_ID, Text, acting
from core.models import Language, Programme
from core.validators import local_today
from jobs import services
from jobs.models import (
    Assignment,
    ChequeHolder,
    Hours,
    JobRequest,
    Service,
    Skill,
    VisitSource,
    Worker,
)
from jobs.selectors.access import bureau_for, record_for
from jobs.selectors.cheques import holder_balance
from jobs.selectors.cheques import holders as cheque_holders
from jobs.selectors.handoff import visit_sources
from jobs.selectors.workers import my_workers

router = Router(tags=["jobs"])

BureauId = Annotated[int, Path(gt=0, le=MAX_ID)]
RequestId = Annotated[int, Path(gt=0, le=MAX_ID)]
WorkerId = Annotated[int, Path(gt=0, le=MAX_ID)]
AssignmentId = Annotated[int, Path(gt=0, le=MAX_ID)]
HoursId = Annotated[int, Path(gt=0, le=MAX_ID)]
Money = Annotated[Decimal, Field(max_digits=8, decimal_places=2, description="EUR")]


class RequestOut(Schema):
    id: int
    reference: str
    service: str = Field(alias="service.name")
    service_id: int
    status: JobRequest.Status
    channel: JobRequest.Channel
    name: str
    street: str
    postcode: str
    city: str
    preferred_day: date
    window_start: str = Field(description="HH:MM, local time")
    window_end: str = Field(description="HH:MM, local time")
    price_estimate: Money
    unassigned_reason: str = ""
    unassigned_message: str = ""

    @staticmethod
    def resolve_window_start(obj: JobRequest) -> str:
        return obj.window_start.strftime("%H:%M")

    @staticmethod
    def resolve_window_end(obj: JobRequest) -> str:
        return obj.window_end.strftime("%H:%M")

    @staticmethod
    def resolve_unassigned_reason(obj: JobRequest) -> str:
        return obj.plan_reason

    @staticmethod
    def resolve_unassigned_message(obj: JobRequest) -> str:
        return services.unassigned_message(obj)


class RequestIn(Schema):
    service: int = Field(gt=0, le=MAX_ID)
    name: Text = Field(max_length=120)
    phone: Text = Field("", max_length=40)
    email: Text = Field("", max_length=254)
    language: Language = Language.NL
    street: Text = Field(max_length=200)
    postcode: Text = Field(max_length=10)
    city: Text = Field("", max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    dropoff_street: Text = Field("", max_length=200)
    dropoff_postcode: Text = Field("", max_length=10)
    dropoff_lat: float | None = Field(None, ge=-90, le=90)
    dropoff_lon: float | None = Field(None, ge=-180, le=180)
    preferred_day: date
    window_start: time
    window_end: time
    notes: Text = Field("", max_length=2000)


class WorkerOut(Schema):
    id: int
    first_name: str
    last_name: str
    agreement_start: date
    agreement_end: date
    skills: dict[Skill, int]

    @staticmethod
    def resolve_skills(obj: Worker) -> dict[str, int]:
        return {s.skill: s.level for s in obj.skills.all()}


class WorkerIn(Schema):
    first_name: Text = Field(max_length=100)
    last_name: Text = Field(max_length=100)
    agreement_start: date
    agreement_end: date
    language: Language = Language.NL
    postcode: Text = Field("", max_length=10)
    goals: Text = Field("", max_length=5000)
    skills: dict[Skill, Annotated[int, Field(ge=0, le=3)]] = {}


class AssignmentOut(Schema):
    id: int
    request: int = Field(alias="request_id")
    worker: int = Field(alias="worker_id")
    place: int
    starts_at: datetime
    ends_at: datetime
    equipment: str
    locked: bool


class PlanIn(Schema):
    day: date


class PlanOut(Schema):
    day: date
    planned: int
    unassigned: int
    travel_minutes: int
    assignments: list[AssignmentOut]
    left_out: list[RequestOut]


class HoursIn(Schema):
    starts_at: datetime
    ends_at: datetime
    km: Decimal = Field(Decimal("0"), ge=0, le=500, max_digits=5, decimal_places=1)


class HoursOut(Schema):
    id: int
    worker: int = Field(alias="worker_id")
    request: int | None = Field(alias="request_id")
    starts_at: datetime
    ends_at: datetime
    minutes: int
    km: Decimal
    approved_at: datetime | None


def _plan(programme: Any, day: date, outcome: services.PlanOutcome | None = None) -> dict[str, Any]:
    assignments = list(
        Assignment.objects.filter(request__programme=programme, request__preferred_day=day)
    )
    left = list(
        JobRequest.objects.filter(
            programme=programme, preferred_day=day, status=JobRequest.Status.NEW
        ).select_related("service")
    )
    return {
        "day": day,
        "planned": outcome.planned if outcome else len({a.request_id for a in assignments}),
        "unassigned": outcome.unassigned if outcome else len(left),
        "travel_minutes": outcome.travel_minutes if outcome else 0,
        "assignments": assignments,
        "left_out": left,
    }


@router.get("/bureaus/{bureau_id}/requests", response={200: list[RequestOut], **ERRORS})
@needs("job.view", of=LEAD)
def request_list(
    request: HttpRequest,
    bureau_id: BureauId,
    status: Annotated[JobRequest.Status | None, Query()] = None,
) -> Any:
    programme = bureau_for(acting(request), bureau_id, "job.view")
    found = JobRequest.objects.filter(programme=programme).select_related("service")
    if status:
        found = found.filter(status=status)
    return list(found.order_by("-preferred_day", "pk")[:500])


@router.post("/bureaus/{bureau_id}/requests", response={201: RequestOut, **ERRORS})
@needs("job.request", of=LEAD)
def request_create(request: HttpRequest, bureau_id: BureauId, body: RequestIn) -> Any:
    who = acting(request)
    programme = bureau_for(who, bureau_id, "job.request")
    data = body.dict()
    service = Service.objects.filter(programme=programme, pk=data.pop("service")).first()
    if service is None:
        raise ValidationError({"service": _("Choose a service of this bureau.")})
    job = services.request_create(acting=who, programme=programme, service=service, **data)
    return Status(201, job)


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS})
@needs("job.view")
def request_detail(request: HttpRequest, request_id: RequestId) -> Any:
    return record_for(
        acting(request),
        JobRequest.objects.select_related("service", "programme"),
        request_id,
        "job.view",
        via="programme",
    )


@router.post("/requests/{request_id}/cancel", response={200: RequestOut, **ERRORS})
@needs("job.plan")
def request_cancel(request: HttpRequest, request_id: RequestId) -> Any:
    who = acting(request)
    job = record_for(
        who,
        JobRequest.objects.select_related("service", "programme"),
        request_id,
        "job.plan",
        via="programme",
    )
    return services.request_cancel(acting=who, request=job)


@router.get("/bureaus/{bureau_id}/workers", response={200: list[WorkerOut], **ERRORS})
@needs("worker.view", of=LEAD)
def worker_list(request: HttpRequest, bureau_id: BureauId) -> Any:
    programme = bureau_for(acting(request), bureau_id, "worker.view")
    return list(Worker.objects.filter(programme=programme).prefetch_related("skills"))


@router.post("/bureaus/{bureau_id}/workers", response={201: WorkerOut, **ERRORS})
@needs("worker.manage", of=LEAD)
def worker_create(request: HttpRequest, bureau_id: BureauId, body: WorkerIn) -> Any:
    who = acting(request)
    programme = bureau_for(who, bureau_id, "worker.manage")
    data = body.dict()
    skills = data.pop("skills")
    worker = services.worker_create(acting=who, programme=programme, **data)
    for skill, level in skills.items():
        services.worker_skill_set(acting=who, worker=worker, skill=skill, level=level)
    return Status(201, worker)


@router.get("/workers/{worker_id}", response={200: WorkerOut, **ERRORS})
@needs("worker.view")
def worker_detail(request: HttpRequest, worker_id: WorkerId) -> Any:
    return record_for(
        acting(request),
        Worker.objects.select_related("programme"),
        worker_id,
        "worker.view",
        via="programme",
    )


@router.get("/bureaus/{bureau_id}/plan", response={200: PlanOut, **ERRORS})
@needs("job.view", of=LEAD)
def plan_read(
    request: HttpRequest, bureau_id: BureauId, day: Annotated[date | None, Query()] = None
) -> Any:
    """The plan of a day (today when no day is given)."""
    programme = bureau_for(acting(request), bureau_id, "job.view")
    return _plan(programme, day or local_today(programme.lead_organisation))


@router.post("/bureaus/{bureau_id}/plan", response={200: PlanOut, **ERRORS})
@needs("job.plan", of=LEAD)
def plan_run(request: HttpRequest, bureau_id: BureauId, body: PlanIn) -> Any:
    who = acting(request)
    programme = bureau_for(who, bureau_id, "job.plan")
    outcome = services.plan_run(acting=who, programme=programme, day=body.day)
    return _plan(programme, body.day, outcome)


@router.get("/me/assignments", response={200: list[AssignmentOut], **ERRORS})
@needs("job.do")
def my_assignments(request: HttpRequest) -> Any:
    who = acting(request)
    who.require("job.do")
    return list(Assignment.objects.filter(worker__in=my_workers(who)).order_by("starts_at")[:200])


@router.post("/assignments/{assignment_id}/hours", response={201: HoursOut, **ERRORS})
@needs("job.hours")
def hours_register(request: HttpRequest, assignment_id: AssignmentId, body: HoursIn) -> Any:
    who = acting(request)
    who.require("job.hours")
    queryset = Assignment.objects.select_related("request__programme", "worker")
    if not who.can("job.approve"):
        queryset = queryset.filter(worker__in=my_workers(who))
    assignment = record_for(who, queryset, assignment_id, "job.hours", via="request.programme")
    hours = services.hours_register(
        acting=who,
        assignment=assignment,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        km=body.km,
    )
    return Status(201, hours)


@router.get("/bureaus/{bureau_id}/hours", response={200: list[HoursOut], **ERRORS})
@needs("job.approve", of=LEAD)
def hours_list(request: HttpRequest, bureau_id: BureauId) -> Any:
    programme = bureau_for(acting(request), bureau_id, "job.approve")
    return list(Hours.objects.filter(worker__programme=programme).order_by("-starts_at")[:500])


@router.post("/hours/{hours_id}/approve", response={200: HoursOut, **ERRORS})
@needs("job.approve")
def hours_approve(request: HttpRequest, hours_id: HoursId) -> Any:
    who = acting(request)
    hours = record_for(
        who,
        Hours.objects.select_related("worker__programme"),
        hours_id,
        "job.approve",
        via="worker.programme",
    )
    return services.hours_approve(acting=who, hours=hours)


# --- Visits of appliance rental (core/handoffs.py) ------------------------------------------

VisitSourceId = Annotated[int, Path(gt=0, le=MAX_ID)]


class VisitSourceOut(Schema):
    id: int
    source_id: int
    source_name: str = Field(alias="source.name")
    organisation: str = Field(alias="source.lead_organisation.name")
    agreed_at: datetime


class VisitSourceIn(Schema):
    source_id: Annotated[int, Field(gt=0, le=MAX_ID)]


@router.get("/bureaus/{bureau_id}/visit-sources", response={200: list[VisitSourceOut], **ERRORS})
@needs("job.view", of=LEAD)
def visit_source_list(request: HttpRequest, bureau_id: BureauId) -> Any:
    """The partners' programmes whose visits the bureau agreed to take (programmes of its
    own organisation are taken without an agreement)."""
    return list(visit_sources(bureau_for(acting(request), bureau_id, "job.view")))


@router.post("/bureaus/{bureau_id}/visit-sources", response={201: VisitSourceOut, **ERRORS})
@needs("job.rules", of=LEAD)
def visit_source_add(request: HttpRequest, bureau_id: BureauId, body: VisitSourceIn) -> Any:
    who = acting(request)
    programme = bureau_for(who, bureau_id, "job.rules")
    source = Programme.objects.filter(pk=body.source_id).first()
    link = services.visit_source_add(acting=who, programme=programme, source=source)
    return Status(201, link)


@router.post("/visit-sources/{visit_source_id}/remove", response={204: None, **ERRORS})
@needs("job.rules")
def visit_source_remove(request: HttpRequest, visit_source_id: VisitSourceId) -> Any:
    """No new visits of that programme; requests already taken stay."""
    who = acting(request)
    link = record_for(
        who,
        VisitSource.objects.select_related("programme"),
        visit_source_id,
        "job.rules",
        via="programme",
    )
    services.visit_source_remove(acting=who, link=link)
    return Status(204, None)


# --- Cheques (wijk-werken) -------------------------------------------------------------------

ChequeHolderId = Annotated[int, Path(gt=0, le=MAX_ID)]


class ChequeExpiringOut(Schema):
    valid_until: date
    count: int


class ChequeBalanceOut(Schema):
    bought: int
    spent: int
    valid: int = Field(description="Unspent and valid today.")
    expired: int = Field(description="Unspent and past their end: they pay nothing.")
    expiring: list[ChequeExpiringOut] = Field(description="Valid, ending within 60 days.")


class ChequePurchaseOut(Schema):
    id: int
    bought_on: date
    quantity: int
    price_each: Money
    valid_until: date | None


class ChequeHolderOut(Schema):
    id: int
    kind: ChequeHolder.Kind
    name: str
    household_id: int | None
    balance: ChequeBalanceOut
    purchases: list[ChequePurchaseOut]


class ChequeHolderIn(Schema):
    kind: ChequeHolder.Kind
    name: Text = Field(max_length=120)
    household_id: Annotated[int, Field(gt=0, le=MAX_ID)] | None = None


class ChequePurchaseIn(Schema):
    quantity: Annotated[int, Field(ge=1, le=500)]
    bought_on: date | None = None


class RequestChequesIn(Schema):
    cheque_holder_id: Annotated[int, Field(gt=0, le=MAX_ID)] | None = None


def _holder_out(holder: ChequeHolder) -> dict[str, Any]:
    balance = holder_balance(holder, local_today(holder.programme.lead_organisation))
    return {
        "id": holder.pk,
        "kind": holder.kind,
        "name": holder.name,
        "household_id": holder.household_id,
        "balance": balance,
        "purchases": list(holder.purchases.all()),
    }


@router.get("/bureaus/{bureau_id}/cheque-users", response={200: list[ChequeHolderOut], **ERRORS})
@needs("job.view", of=LEAD)
def cheque_holder_list(request: HttpRequest, bureau_id: BureauId) -> Any:
    """The bureau's cheque users, each with the balance of valid, expiring and expired
    cheques."""
    programme = bureau_for(acting(request), bureau_id, "job.view")
    return [_holder_out(h) for h in cheque_holders(programme).select_related("programme")[:500]]


@router.post("/bureaus/{bureau_id}/cheque-users", response={201: ChequeHolderOut, **ERRORS})
@needs("job.request", of=LEAD)
def cheque_holder_create(request: HttpRequest, bureau_id: BureauId, body: ChequeHolderIn) -> Any:
    who = acting(request)
    programme = bureau_for(who, bureau_id, "job.request")
    household = None
    if body.household_id is not None:
        from households.models import Household  # the one household read of the API

        household = Household.objects.filter(pk=body.household_id).first()
        if household is None:
            raise ValidationError({"household_id": _("Choose a household your organisation sees.")})
    holder = services.cheque_holder_create(
        acting=who, programme=programme, kind=body.kind, name=body.name, household=household
    )
    return Status(201, _holder_out(holder))


@router.get("/cheque-users/{cheque_holder_id}", response={200: ChequeHolderOut, **ERRORS})
@needs("job.view")
def cheque_holder_detail(request: HttpRequest, cheque_holder_id: ChequeHolderId) -> Any:
    holder = record_for(
        acting(request),
        ChequeHolder.objects.select_related("programme__lead_organisation"),
        cheque_holder_id,
        "job.view",
        via="programme",
    )
    return _holder_out(holder)


@router.post(
    "/cheque-users/{cheque_holder_id}/purchases", response={201: ChequePurchaseOut, **ERRORS}
)
@needs("job.request")
def cheque_purchase_create(
    request: HttpRequest, cheque_holder_id: ChequeHolderId, body: ChequePurchaseIn
) -> Any:
    """Cheques bought, each valid for the programme's cheque validity from that day."""
    who = acting(request)
    holder = record_for(
        who,
        ChequeHolder.objects.select_related("programme"),
        cheque_holder_id,
        "job.request",
        via="programme",
    )
    purchase = services.cheques_buy(
        acting=who, holder=holder, quantity=body.quantity, bought_on=body.bought_on
    )
    return Status(201, purchase)


@router.post("/requests/{request_id}/cheque-user", response={200: RequestOut, **ERRORS})
@needs("job.request")
def request_cheque_holder(
    request: HttpRequest, request_id: RequestId, body: RequestChequesIn
) -> Any:
    """Who pays the job with cheques; none: the household's cheque user, if any."""
    who = acting(request)
    job = record_for(
        who,
        JobRequest.objects.select_related("service", "programme"),
        request_id,
        "job.request",
        via="programme",
    )
    holder = None
    if body.cheque_holder_id is not None:
        holder = cheque_holders(job.programme).filter(pk=body.cheque_holder_id).first()
        if holder is None:
            raise ValidationError({"cheque_holder_id": _("Choose a cheque user of this bureau.")})
    return services.request_cheque_holder_set(acting=who, request=job, holder=holder)
