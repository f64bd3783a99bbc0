"""A worker's monthly allowance statement and a resident's invoice for a job."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from jobs import references
from jobs import rules as pure
from jobs.bureau import rules_of, zone
from jobs.models import Hours, JobRequest, Worker
from jobs.selectors.cheques import holder_of, job_cheques
from jobs.selectors.workers import month_bounds


@dataclass(frozen=True)
class StatementLine:
    day: date
    service: str
    minutes: int
    km: Decimal


@dataclass(frozen=True)
class Statement:
    worker: Worker
    month: date
    lines: list[StatementLine]
    minutes: int
    allowance: pure.Allowance
    pending: int  # registered hours not yet approved (not on the statement)


def _month_allowance(
    worker: Worker, start: date, end: date, paid_before: Decimal
) -> tuple[list[Hours], pure.Allowance]:
    rules = rules_of(worker.programme)
    hours = list(
        Hours.objects.filter(
            worker=worker,
            approved_at__isnull=False,
            starts_at__date__gte=start,
            starts_at__date__lt=end,
        )
        .select_related("request__service")
        .order_by("starts_at")
    )
    result = pure.allowance(
        pricing=rules.pricing,
        jobs=[(h.minutes, h.km) for h in hours],
        allowance_per_hour=rules.allowance_per_hour,
        km_allowance=rules.km_allowance,
        km_threshold=rules.km_threshold,
        cap_month=rules.allowance_cap_month,
        cap_year=rules.allowance_cap_year,
        paid_this_year=paid_before,
    )
    return hours, result


def allowance_statement(worker: Worker, month: date) -> Statement:
    """Approved hours of the month; the yearly cap counts the months before it."""
    start, end = month_bounds(month)
    paid = Decimal("0")
    for m in range(1, start.month):
        s, e = month_bounds(date(start.year, m, 1))
        paid += _month_allowance(worker, s, e, paid)[1].total
    hours, result = _month_allowance(worker, start, end, paid)
    pending = Hours.objects.filter(
        worker=worker, approved_at__isnull=True, starts_at__date__gte=start, starts_at__date__lt=end
    ).count()
    return Statement(
        worker=worker,
        month=start,
        lines=[
            StatementLine(
                timezone.localtime(h.starts_at, zone(worker.programme)).date(),  # not UTC's
                h.request.service.name if h.request else "",
                h.minutes,
                h.km,
            )
            for h in hours
        ],
        minutes=sum(h.minutes for h in hours),
        allowance=result,
        pending=pending,
    )


@dataclass(frozen=True)
class InvoiceLine:
    worker: str
    minutes: int
    cheques: int
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    request: JobRequest
    lines: list[InvoiceLine]
    cheques: int
    total: Decimal
    reference: str
    pricing: str
    complete: bool  # every crew member's hours approved
    # Cheques (one per started hour): spent on the approved hours, and those still short.
    cheques_paid: int = 0
    cheques_short: int = 0
    cheque_holder: str = ""
    # The yearly registration fee, on the payer's first job of the year (in `total`).
    registration_fee: Decimal = Decimal("0")


def registration_fee_due(request: JobRequest) -> Decimal:
    """The yearly registration fee this job carries: the fee of the bureau's rules on the
    payer's first job of the calendar year (by day, then by number), nothing on the others.
    The payer is the job's cheque user (else the household's), else the household; a job
    with neither is a payer of its own and carries the fee. Cancelled and no-show jobs do
    not count. The price preview (an unsaved request) and the invoice both ask this."""
    fee = rules_of(request.programme).registration_fee
    if not fee:
        return Decimal("0")
    holder = holder_of(request)
    if holder is not None:
        payer = Q(cheque_holder=holder.pk)
        if holder.household_id is not None:
            payer |= Q(cheque_holder__isnull=True, household=holder.household_id)
    elif request.household_id is not None:
        payer = Q(household=request.household_id)
    else:
        return pure.money(fee)
    day = request.preferred_day
    earlier = Q(preferred_day__lt=day)
    earlier |= Q(preferred_day=day, pk__lt=request.pk) if request.pk else Q(preferred_day=day)
    others = (
        JobRequest.objects.filter(payer, earlier, programme=request.programme_id)
        .filter(preferred_day__year=day.year)
        .exclude(status__in=(JobRequest.Status.CANCELLED, JobRequest.Status.NO_SHOW))
    )
    if request.pk:
        others = others.exclude(pk=request.pk)
    return Decimal("0") if others.exists() else pure.money(fee)


def invoice(request: JobRequest) -> Invoice:
    """What the resident pays for a done job: one cheque per started hour per crew member,
    or the service's fixed price; plus the yearly registration fee when it is due."""
    rules = rules_of(request.programme)
    hours = list(request.hours.select_related("worker").order_by("starts_at"))
    lines = []
    for h in hours:
        amount = (
            Decimal("0")
            if rules.pricing == "fixed"
            else pure.money(rules.price_per_hour * pure.cheques(h.minutes))
        )
        lines.append(InvoiceLine(h.worker.short_name, h.minutes, pure.cheques(h.minutes), amount))
    total = (
        pure.money(request.service.fixed_price or Decimal("0"))
        if rules.pricing == "fixed"
        else sum((line.amount for line in lines), Decimal("0"))
    )
    paid = job_cheques(request) if rules.pricing != "fixed" else None
    fee = registration_fee_due(request)
    return Invoice(
        registration_fee=fee,
        cheques_paid=paid.paid if paid else 0,
        cheques_short=paid.short if paid else 0,
        cheque_holder=paid.holder.name if paid and paid.holder else "",
        request=request,
        lines=lines,
        cheques=sum(line.cheques for line in lines),
        total=total + fee,
        reference=references.reference_for(request.programme.lead_organisation.country, request.pk),
        pricing=rules.pricing,
        complete=bool(hours) and all(h.approved_at for h in hours),
    )
