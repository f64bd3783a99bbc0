"""API of the job bureau: requests, workers, the day plan and hours. Mounted under
/api/v1/jobs. Handlers stay thin: records come through core.tenancy and the selectors that
check both halves (jobs.selectors.access), every write goes through jobs.services, errors
have the shape of core.api.ErrorOut."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, WithJsonSchema

from core.access import LEAD, needs
from core.api import ERRORS, MAX_ID, ErrorOut, Text, acting
from core.files import JSON, PDF, file_response
from core.models import Language, Programme
from core.services import audit_record
from core.validators import local_today
from jobs import services
from jobs.documents import invoice_document, statement_document
from jobs.models import (
    Assessment,
    Assignment,
    Category,
    ChequeHolder,
    CoachingNote,
    Feedback,
    Hours,
    JobRequest,
    Outcome,
    Preset,
    Pricing,
    Service,
    Skill,
    VisitSource,
    Worker,
)
from jobs.selectors.access import bureau_for, record_for
from jobs.selectors.cheques import holder_balance
from jobs.selectors.cheques import holders as cheque_holders
from jobs.selectors.dashboard import dashboard as dashboard_figures
from jobs.selectors.handoff import visit_sources
from jobs.selectors.privacy import worker_for
from jobs.selectors.workers import coaching_notes, my_workers, trajectory_of, used_minutes

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


# --- Programme rules and the service catalogue (the rules and catalogue pages) -------------

# jobs.models.Category shares its name with rentals' appliance Category: inline, so neither
# component replaces the other (core/tests/test_openapi.py); the values are the model's.
JobCategory = Annotated[
    Category,
    WithJsonSchema(
        {"type": "string", "enum": list(Category.values), "description": "Activity category"}
    ),
]
HourLimit = Annotated[int, Field(ge=1, le=2000)]
Small = Annotated[int, Field(ge=0, le=10000)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=7, decimal_places=2, description="EUR")]


class RulesOut(Schema):
    preset: Preset
    max_hours_month: int | None
    max_hours_year: int | None
    max_trajectory_months: int | None
    pricing: Pricing
    price_per_hour: Decimal
    registration_fee: Decimal
    cheque_validity_months: int | None
    allowance_per_hour: Decimal
    km_allowance: Decimal
    km_threshold: int
    allowance_cap_month: Decimal | None
    allowance_cap_year: Decimal | None
    allowed_categories: list[JobCategory]
    depot_lat: float
    depot_lon: float
    served_radius_km: Decimal
    cargo_bikes: int
    cargo_bike_capacity: int
    vans: int
    van_capacity: int
    updated_at: datetime


class RulesPatch(Schema):
    """Only the rules given change; the others keep their value."""

    max_hours_month: HourLimit | None = None
    max_hours_year: HourLimit | None = None
    max_trajectory_months: Annotated[int, Field(ge=1, le=120)] | None = None
    pricing: Pricing | None = None
    price_per_hour: Amount | None = None
    registration_fee: Amount | None = None
    cheque_validity_months: Annotated[int, Field(ge=1, le=120)] | None = None
    allowance_per_hour: Amount | None = None
    km_allowance: Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=2)] | None = None
    km_threshold: Small | None = None
    allowance_cap_month: Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)] | None = (
        None
    )
    allowance_cap_year: Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)] | None = (
        None
    )
    allowed_categories: Annotated[list[JobCategory], Field(max_length=20)] | None = None
    depot_lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    depot_lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    served_radius_km: Annotated[Decimal, Field(gt=0, max_digits=5, decimal_places=1)] | None = None
    cargo_bikes: Annotated[int, Field(ge=0, le=100)] | None = None
    cargo_bike_capacity: Small | None = None
    vans: Annotated[int, Field(ge=0, le=100)] | None = None
    van_capacity: Small | None = None


# Rules that may be emptied (no limit); the others keep their value when sent as null.
NULLABLE_RULES = {
    "max_hours_month",
    "max_hours_year",
    "max_trajectory_months",
    "cheque_validity_months",
    "allowance_cap_month",
    "allowance_cap_year",
}


class PresetIn(Schema):
    preset: Preset


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    category: JobCategory
    fixed_price: Money | None
    required_skills: dict[Skill, int]
    crew_size: int
    duration_minutes: int
    needs: Service.Needs
    load: int
    active: bool
    price_estimate: Money = Field(description="What a resident pays for one job, EUR.")


class ServiceIn(Schema):
    name: Text = Field(max_length=120)
    description: Text = Field("", max_length=5000)
    category: JobCategory
    fixed_price: Annotated[Decimal, Field(ge=0, max_digits=7, decimal_places=2)] | None = None
    required_skills: dict[Skill, Annotated[int, Field(ge=1, le=3)]] = {}
    crew_size: int = Field(1, ge=1, le=6)
    duration_minutes: int = Field(60, ge=15, le=600)
    needs: Service.Needs = Service.Needs.NOTHING
    load: int = Field(0, ge=0, le=10000)


def _service_out(service: Service, rules: Any) -> dict[str, Any]:
    return {
        **{
            name: getattr(service, name)
            for name in ServiceOut.model_fields
            if name not in ("id", "price_estimate")
        },
        "id": service.pk,
        "price_estimate": services.price_estimate(rules=rules, service=service),
    }


@router.get("/bureaus/{bureau_id}/rules", response={200: RulesOut, **ERRORS})
@needs("job.view", of=LEAD)
def rules_read(request: HttpRequest, bureau_id: BureauId) -> Any:
    return services.rules_of(bureau_for(acting(request), bureau_id, "job.view"))


@router.patch("/bureaus/{bureau_id}/rules", response={200: RulesOut, **ERRORS})
@needs("job.rules", of=LEAD)
def rules_patch(request: HttpRequest, bureau_id: BureauId, body: RulesPatch) -> Any:
    """Edit some rules; a limit sent as null is taken away (no limit)."""
    who = acting(request)
    programme = bureau_for(who, bureau_id, "job.rules")
    values = {
        name: value
        for name, value in body.dict(exclude_unset=True).items()
        if value is not None or name in NULLABLE_RULES
    }
    return services.rules_update(acting=who, programme=programme, values=values)


@router.post("/bureaus/{bureau_id}/rules/preset", response={200: RulesOut, **ERRORS})
@needs("job.rules", of=LEAD)
def rules_preset(request: HttpRequest, bureau_id: BureauId, body: PresetIn) -> Any:
    """Set every rule to the preset's values (wijk-werken or the Dutch volunteer allowance);
    edit them afterwards."""
    who = acting(request)
    programme = bureau_for(who, bureau_id, "job.rules")
    return services.rules_apply_preset(acting=who, programme=programme, preset=body.preset)


@router.get("/bureaus/{bureau_id}/services", response={200: list[ServiceOut], **ERRORS})
@needs("job.view", of=LEAD)
def service_list(request: HttpRequest, bureau_id: BureauId) -> Any:
    programme = bureau_for(acting(request), bureau_id, "job.view")
    rules = services.rules_of(programme)
    return [_service_out(s, rules) for s in Service.objects.filter(programme=programme)]


@router.post("/bureaus/{bureau_id}/services", response={201: ServiceOut, **ERRORS})
@needs("job.rules", of=LEAD)
def service_add(request: HttpRequest, bureau_id: BureauId, body: ServiceIn) -> Any:
    who = acting(request)
    programme = bureau_for(who, bureau_id, "job.rules")
    service = services.service_create(acting=who, programme=programme, **body.dict())
    return Status(201, _service_out(service, services.rules_of(programme)))


class ServiceOfferIn(Schema):
    offered: bool = Field(description="false withdraws the service: no new requests for it")


@router.post("/services/{service_id}/offer", response={200: ServiceOut, **ERRORS})
@needs("job.rules")
def service_offer(
    request: HttpRequest, service_id: Annotated[int, Path(gt=0, le=MAX_ID)], body: ServiceOfferIn
) -> Any:
    """Withdraw a service from the catalogue (requests already taken stay) or offer it
    again."""
    who = acting(request)
    service = record_for(
        who, Service.objects.select_related("programme"), service_id, "job.rules", via="programme"
    )
    service = services.service_offer(acting=who, service=service, offered=body.offered)
    return _service_out(service, services.rules_of(service.programme))


# --- Requests: no-show, feedback, invoice ----------------------------------------------------


class FeedbackIn(Schema):
    smiley: Feedback.Smiley = Field(description="1 not good, 2 fine, 3 very good")
    comment: Text = Field("", max_length=2000)


class FeedbackOut(Schema):
    given: bool
    smiley: Feedback.Smiley | None = None
    comment: str = ""
    at: datetime | None = None


def _feedback_out(feedback: Feedback | None) -> dict[str, Any]:
    if feedback is None:
        return {"given": False}
    return {
        "given": True,
        "smiley": feedback.smiley,
        "comment": feedback.comment,
        "at": feedback.at,
    }


def _job(request: HttpRequest, request_id: int, permission: str) -> JobRequest:
    return record_for(
        acting(request),
        JobRequest.objects.select_related("service", "programme__lead_organisation"),
        request_id,
        permission,
        via="programme",
    )


@router.post("/requests/{request_id}/no-show", response={200: RequestOut, **ERRORS})
@needs("job.plan")
def request_no_show(request: HttpRequest, request_id: RequestId) -> Any:
    """Nobody was home: the request is closed (from its day on)."""
    return services.request_no_show(
        acting=acting(request), request=_job(request, request_id, "job.plan")
    )


@router.get("/requests/{request_id}/feedback", response={200: FeedbackOut, **ERRORS})
@needs("job.view")
def feedback_read(request: HttpRequest, request_id: RequestId) -> Any:
    """The resident's three-face rating and comment, once given (through the link of their
    request, or written down by staff)."""
    job = _job(request, request_id, "job.view")
    return _feedback_out(Feedback.objects.filter(request=job).first())


@router.post("/requests/{request_id}/feedback", response={200: FeedbackOut, **ERRORS})
@needs("job.request")
def feedback_write(request: HttpRequest, request_id: RequestId, body: FeedbackIn) -> Any:
    """Feedback a resident gave by phone or at the door, written down once the job is done.
    Residents themselves answer through the secret link of their request (a page)."""
    job = _job(request, request_id, "job.request")
    feedback = services.feedback_record(
        acting=acting(request), request=job, smiley=body.smiley, comment=body.comment
    )
    return _feedback_out(feedback)


@router.get(
    "/requests/{request_id}/invoice/pdf",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@needs("job.approve")
def invoice_pdf(request: HttpRequest, request_id: RequestId) -> HttpResponse:
    """The resident's invoice of a done job as a PDF, in the resident's language."""
    job = _job(request, request_id, "job.approve")
    pdf = invoice_document(acting=acting(request), request=job)
    return file_response(pdf, filename=f"invoice-{job.reference}.pdf", content_type=PDF)


# --- The plan: lock or move an assignment ----------------------------------------------------


class LockIn(Schema):
    locked: bool


class MoveIn(Schema):
    worker_id: Annotated[int, Field(gt=0, le=MAX_ID)]


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    return record_for(
        acting(request),
        Assignment.objects.select_related("request__programme"),
        assignment_id,
        "job.plan",
        via="request.programme",
    )


@router.post("/assignments/{assignment_id}/lock", response={200: AssignmentOut, **ERRORS})
@needs("job.plan")
def assignment_lock(request: HttpRequest, assignment_id: AssignmentId, body: LockIn) -> Any:
    """A locked assignment stays where it is when the day is planned again."""
    assignment = _assignment(request, assignment_id)
    return services.assignment_lock(
        acting=acting(request), assignment=assignment, locked=body.locked
    )


@router.post("/assignments/{assignment_id}/move", response={200: PlanOut, **ERRORS})
@needs("job.plan")
def assignment_move(request: HttpRequest, assignment_id: AssignmentId, body: MoveIn) -> Any:
    """Give this crew place to another worker of the bureau, lock it there and plan the rest
    of the day again; answers the day's new plan."""
    who = acting(request)
    assignment = _assignment(request, assignment_id)
    programme = assignment.request.programme
    worker = Worker.objects.filter(programme=programme, pk=body.worker_id).first()
    if worker is None:
        raise ValidationError({"worker_id": _("Choose a worker of this bureau.")})
    outcome = services.assignment_move(acting=who, assignment=assignment, worker=worker)
    return _plan(programme, assignment.request.preferred_day, outcome)


# --- Workers: skills, availability, trajectory, notes, calendar link, statement --------------


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(_("Give a local time (HH:MM), without a time zone."))
    return value


LocalTime = Annotated[time, AfterValidator(_local), Field(description="HH:MM, local time")]


class SkillIn(Schema):
    skill: Skill
    level: int = Field(ge=0, le=3, description="0 takes the skill away")


class AvailabilityOut(Schema):
    id: int
    weekday: int = Field(description="0 Monday … 6 Sunday")
    start: time
    end: time


class AvailabilityIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 Monday … 6 Sunday")
    start: LocalTime
    end: LocalTime


class ExceptionOut(Schema):
    id: int
    day: date
    start: time | None
    end: time | None
    note: str


class ExceptionIn(Schema):
    """A day off (no times), or other hours that day."""

    day: date
    start: LocalTime | None = None
    end: LocalTime | None = None
    note: Text = Field("", max_length=200)


class WorkerAvailabilityOut(Schema):
    weekly: list[AvailabilityOut]
    exceptions: list[ExceptionOut] = Field(description="From today on.")


class AssessmentOut(Schema):
    id: int
    on: date
    competence: Assessment.Competence
    score: int


class AssessmentIn(Schema):
    on: date
    competence: Assessment.Competence
    score: int = Field(ge=1, le=5)


class TrajectoryOut(Schema):
    goals: str
    outcome: Outcome | None
    outcome_on: date | None
    followup_6: Outcome | None = Field(description="Where the worker is 6 months after.")
    followup_12: Outcome | None = Field(description="Where the worker is 12 months after.")
    assessments: list[AssessmentOut]
    month_hours: float
    year_hours: float


class TrajectoryIn(Schema):
    goals: Text = Field("", max_length=5000)
    outcome: Outcome | None = None
    outcome_on: date | None = None
    followup_6: Outcome | None = None
    followup_12: Outcome | None = None


class NoteOut(Schema):
    id: int
    text: str
    at: datetime
    by: str

    @staticmethod
    def resolve_by(obj: CoachingNote) -> str:
        return obj.by.get_full_name() or obj.by.get_username() if obj.by else ""


class NoteIn(Schema):
    text: Text = Field(max_length=5000)


class FeedLinkOut(Schema):
    url: str = Field(description="The secret iCalendar link, shown this once.")


StatementMonth = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


def _worker(request: HttpRequest, worker_id: int, permission: str) -> Worker:
    return record_for(
        acting(request),
        Worker.objects.select_related("programme__lead_organisation"),
        worker_id,
        permission,
        via="programme",
    )


def _trajectory_out(worker: Worker) -> dict[str, Any]:
    trajectory = trajectory_of(worker)
    month, year = used_minutes(worker, local_today(worker.programme.lead_organisation))
    return {
        "goals": trajectory.goals,
        "outcome": trajectory.outcome or None,
        "outcome_on": trajectory.outcome_on,
        "followup_6": trajectory.followup_6 or None,
        "followup_12": trajectory.followup_12 or None,
        "assessments": list(trajectory.assessments.order_by("on", "pk")),
        "month_hours": round(month / 60, 1),
        "year_hours": round(year / 60, 1),
    }


def _availability_out(worker: Worker) -> dict[str, Any]:
    today = local_today(worker.programme.lead_organisation)
    return {
        "weekly": list(worker.availability.order_by("weekday", "start")),
        "exceptions": list(worker.exceptions.filter(day__gte=today).order_by("day", "start")),
    }


@router.post("/workers/{worker_id}/skills", response={200: WorkerOut, **ERRORS})
@needs("worker.manage")
def worker_skill(request: HttpRequest, worker_id: WorkerId, body: SkillIn) -> Any:
    """Give a skill at a level (1-3); level 0 takes it away."""
    worker = _worker(request, worker_id, "worker.manage")
    services.worker_skill_set(acting=acting(request), worker=worker, **body.dict())
    return worker


@router.get("/workers/{worker_id}/availability", response={200: WorkerAvailabilityOut, **ERRORS})
@needs("worker.view")
def worker_availability(request: HttpRequest, worker_id: WorkerId) -> Any:
    return _availability_out(_worker(request, worker_id, "worker.view"))


@router.post("/workers/{worker_id}/availability", response={201: AvailabilityOut, **ERRORS})
@needs("worker.manage")
def worker_availability_add(request: HttpRequest, worker_id: WorkerId, body: AvailabilityIn) -> Any:
    """Weekly hours the worker can work; they may not overlap the hours of that day."""
    worker = _worker(request, worker_id, "worker.manage")
    return Status(
        201, services.availability_add(acting=acting(request), worker=worker, **body.dict())
    )


@router.post("/workers/{worker_id}/exceptions", response={201: ExceptionOut, **ERRORS})
@needs("worker.manage")
def worker_exception_add(request: HttpRequest, worker_id: WorkerId, body: ExceptionIn) -> Any:
    worker = _worker(request, worker_id, "worker.manage")
    return Status(
        201,
        services.availability_exception_add(acting=acting(request), worker=worker, **body.dict()),
    )


@router.get("/workers/{worker_id}/trajectory", response={200: TrajectoryOut, **ERRORS})
@needs("worker.view")
def worker_trajectory(request: HttpRequest, worker_id: WorkerId) -> Any:
    """Goals, the competence assessments, the outcome and the 6- and 12-month follow-up (the
    coaching notes are apart, for job coaches only)."""
    who = acting(request)
    worker = _worker(request, worker_id, "worker.view")
    audit_record(acting=who, action="view", subject=f"job worker {worker.pk}")
    return _trajectory_out(worker)


@router.put("/workers/{worker_id}/trajectory", response={200: TrajectoryOut, **ERRORS})
@needs("worker.manage")
def worker_trajectory_put(request: HttpRequest, worker_id: WorkerId, body: TrajectoryIn) -> Any:
    """The whole trajectory at once, as its form on the worker's page: a follow-up comes
    after an outcome, an outcome has its day."""
    worker = _worker(request, worker_id, "worker.manage")
    services.trajectory_update(
        acting=acting(request),
        worker=worker,
        goals=body.goals,
        outcome=body.outcome or "",
        outcome_on=body.outcome_on,
        followup_6=body.followup_6 or "",
        followup_12=body.followup_12 or "",
    )
    return _trajectory_out(worker)


@router.post("/workers/{worker_id}/assessments", response={201: AssessmentOut, **ERRORS})
@needs("worker.manage")
def worker_assessment(request: HttpRequest, worker_id: WorkerId, body: AssessmentIn) -> Any:
    """A competence score (1-5) on a day, not ahead of today."""
    worker = _worker(request, worker_id, "worker.manage")
    return Status(
        201, services.assessment_add(acting=acting(request), worker=worker, **body.dict())
    )


@router.get("/workers/{worker_id}/notes", response={200: list[NoteOut], **ERRORS})
@needs("worker.coach")
def worker_notes(request: HttpRequest, worker_id: WorkerId) -> Any:
    """The restricted coaching notes: job coaches only, as on the worker's page."""
    who = acting(request)
    worker = _worker(request, worker_id, "worker.coach")
    notes = coaching_notes(who, worker)
    if notes is None:
        raise PermissionDenied("worker.coach")
    audit_record(acting=who, action="view", subject=f"job worker {worker.pk}: coaching notes")
    return list(notes)


@router.post("/workers/{worker_id}/notes", response={201: NoteOut, **ERRORS})
@needs("worker.coach")
def worker_note_add(request: HttpRequest, worker_id: WorkerId, body: NoteIn) -> Any:
    worker = _worker(request, worker_id, "worker.coach")
    return Status(
        201, services.coaching_note_add(acting=acting(request), worker=worker, text=body.text)
    )


def _feed_worker(request: HttpRequest, worker_id: int) -> Worker:
    """A coach or coordinator for any worker of the bureau, a worker for their own link."""
    permission = "worker.manage" if acting(request).can("worker.manage") else "job.do"
    return _worker(request, worker_id, permission)


@router.post("/workers/{worker_id}/feed", response={200: FeedLinkOut, **ERRORS})
@needs("worker.manage")
@needs("job.do")
def worker_feed(request: HttpRequest, worker_id: WorkerId) -> Any:
    """A new secret calendar link of the worker's jobs; the old link stops working."""
    worker = _feed_worker(request, worker_id)
    key = services.worker_feed_renew(acting=acting(request), worker=worker)
    return {"url": request.build_absolute_uri(reverse("jobs_public:feed", args=[key]))}


@router.post("/workers/{worker_id}/feed/revoke", response={204: None, **ERRORS})
@needs("worker.manage")
@needs("job.do")
def worker_feed_revoke(request: HttpRequest, worker_id: WorkerId) -> Any:
    """No calendar link at all any more."""
    worker = _feed_worker(request, worker_id)
    services.worker_feed_revoke(acting=acting(request), worker=worker)
    return Status(204, None)


@router.get(
    "/workers/{worker_id}/statements/{month}/pdf",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@needs("job.approve")
def statement_pdf(request: HttpRequest, worker_id: WorkerId, month: StatementMonth) -> HttpResponse:
    """The worker's monthly allowance statement (approved hours, caps) as a PDF."""
    worker = _worker(request, worker_id, "job.approve")
    first, pdf = statement_document(acting=acting(request), worker=worker, month=month)
    return file_response(pdf, filename=f"allowance-{worker.pk}-{first:%Y-%m}.pdf", content_type=PDF)


# --- A worker's own data: export and erasure (jobs.services.privacy) ------------------------


class ErasureOut(Schema):
    refusals: list[str] = Field(description="Why the worker cannot be erased yet; empty: can.")
    removes: list[str] = Field(description="What an erasure removes, in the user's language.")
    keeps: list[str] = Field(description="What an erasure keeps, and why.")


def _erasure_out(acting_: Any, worker: Worker) -> dict[str, Any]:
    return {
        "refusals": services.worker_erasure_refusals(acting=acting_, worker=worker),
        "removes": [str(line) for line in services.worker_erasure_removes()],
        "keeps": services.worker_erasure_keeps(worker),
    }


@router.get("/workers/{worker_id}/export", response={200: dict[str, Any], **ERRORS})
@needs("worker.export", of=LEAD)
def worker_export(request: HttpRequest, worker_id: WorkerId) -> HttpResponse:
    """Everything the bureau keeps about the worker (right of access), as JSON; for the
    bureau's coordinators, and for the worker their own record only. Audited."""
    who = acting(request)
    worker = worker_for(who, worker_id, "worker.export")
    content = services.worker_export(acting=who, worker=worker)
    return file_response(content, filename=f"worker-{worker.pk}.json", content_type=JSON)


@router.get(
    "/workers/{worker_id}/export/pdf",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@needs("worker.export", of=LEAD)
def worker_export_pdf(request: HttpRequest, worker_id: WorkerId) -> HttpResponse:
    """The same export as a tagged PDF in the worker's language. Audited."""
    who = acting(request)
    worker = worker_for(who, worker_id, "worker.export")
    pdf = services.worker_export_pdf(acting=who, worker=worker)
    return file_response(pdf, filename=f"worker-{worker.pk}.pdf", content_type=PDF)


@router.get("/workers/{worker_id}/erasure", response={200: ErasureOut, **ERRORS})
@needs("worker.erase", of=LEAD)
def worker_erasure(request: HttpRequest, worker_id: WorkerId) -> Any:
    """What an erasure would remove and keep, and the reasons not to erase yet."""
    who = acting(request)
    return _erasure_out(who, worker_for(who, worker_id, "worker.erase"))


@router.post("/workers/{worker_id}/erase", response={204: None, **ERRORS, 409: ErrorOut})
@needs("worker.erase", of=LEAD)
def worker_erase(request: HttpRequest, worker_id: WorkerId) -> Any:
    """Erase the worker's personal data for good (right to be forgotten); the books stay
    under "Worker <number>". 409 with the reasons while anything is open; an erased worker
    answers 204 again."""
    who = acting(request)
    worker = worker_for(who, worker_id, "worker.erase")
    try:
        services.worker_erase(acting=who, worker=worker)
    except ValidationError as exc:
        errors = [{"field": None, "message": message} for message in exc.messages]
        return Status(409, {"message": errors[0]["message"], "errors": errors})
    return Status(204, None)


# --- The dashboard's figures (the Excel export stays a page) ---------------------------------


class CountOut(Schema):
    label: str
    count: int


class WorkerLoadOut(Schema):
    worker_id: int
    first_name: str
    month_hours: float
    year_hours: float
    month_limit: int | None = Field(description="Hours a month at most.")
    year_limit: int | None = Field(description="Hours a year at most.")


class OutflowOut(Schema):
    paid_job: int = Field(description="Followed up and in a paid job.")
    followed_up: int


class SmileyCountOut(Schema):
    smiley: Feedback.Smiley
    count: int


class DashboardOut(Schema):
    day: date
    hours_delivered: float
    residents_served: int
    workers_active: int
    requests_by_status: list[CountOut]
    requests_by_service: list[CountOut]
    loads: list[WorkerLoadOut]
    outflow_6: OutflowOut
    outflow_12: OutflowOut
    smileys: list[SmileyCountOut]


@router.get("/bureaus/{bureau_id}/dashboard", response={200: DashboardOut, **ERRORS})
@needs("job.dashboard", of=LEAD)
def dashboard_read(request: HttpRequest, bureau_id: BureauId) -> Any:
    """The figures of the dashboard page, as of today."""
    programme = bureau_for(acting(request), bureau_id, "job.dashboard")
    day = local_today(programme.lead_organisation)
    data = dashboard_figures(programme, day)
    return {
        "day": day,
        "hours_delivered": data.hours_delivered,
        "residents_served": data.residents_served,
        "workers_active": data.workers_active,
        "requests_by_status": [{"label": k, "count": n} for k, n in data.requests_by_status],
        "requests_by_service": [{"label": k, "count": n} for k, n in data.requests_by_service],
        "loads": [
            {
                "worker_id": load.worker.pk,
                "first_name": load.worker.first_name,
                "month_hours": round(load.month_minutes / 60, 2),
                "year_hours": round(load.year_minutes / 60, 2),
                "month_limit": load.month_limit,
                "year_limit": load.year_limit,
            }
            for load in data.loads
        ],
        "outflow_6": {"paid_job": data.outflow_6[0], "followed_up": data.outflow_6[1]},
        "outflow_12": {"paid_job": data.outflow_12[0], "followed_up": data.outflow_12[1]},
        "smileys": [{"smiley": s, "count": n} for s, n in data.smileys],
    }
