"""Reads of wijk-werken cheques: a cheque user's balance (valid, expiring soon, expired
unspent), and how a job was paid with cheques."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from core.models import Programme
from jobs import rules as pure
from jobs.models import Cheque, ChequeHolder, ChequeUse, JobRequest

EXPIRING_DAYS = 60  # "expiring soon": within two months


@dataclass(frozen=True)
class Expiring:
    valid_until: date
    count: int


@dataclass(frozen=True)
class ChequeBalance:
    bought: int
    spent: int
    valid: int  # unspent and still valid today
    expired: int  # unspent and past their end: they can no longer pay
    expiring: list[Expiring] = field(default_factory=list)  # valid, ending within 60 days


def holders(programme: Programme) -> "QuerySet[ChequeHolder]":
    return ChequeHolder.objects.filter(programme=programme)


def holder_balance(holder: ChequeHolder, today: date) -> ChequeBalance:
    cheques = Cheque.objects.filter(purchase__holder=holder)
    unspent = cheques.filter(use__isnull=True)
    still = Q(purchase__valid_until__isnull=True) | Q(purchase__valid_until__gte=today)
    soon = (
        unspent.filter(
            purchase__valid_until__gte=today,
            purchase__valid_until__lte=today + timedelta(days=EXPIRING_DAYS),
        )
        .values("purchase__valid_until")
        .annotate(n=Count("pk"))
        .order_by("purchase__valid_until")
    )
    return ChequeBalance(
        bought=cheques.count(),
        spent=cheques.filter(use__isnull=False).count(),
        valid=unspent.filter(still).count(),
        expired=unspent.exclude(still).count(),
        expiring=[
            Expiring(row["purchase__valid_until"], row["n"])
            for row in soon
            if row["purchase__valid_until"] is not None
        ],
    )


def holder_of(request: JobRequest) -> ChequeHolder | None:
    """Who pays the job with cheques: the request's cheque user, else the household's."""
    if request.cheque_holder_id is not None:
        return request.cheque_holder
    if request.household_id is None:
        return None
    return (
        ChequeHolder.objects.filter(programme=request.programme_id, household=request.household_id)
        .order_by("pk")
        .first()
    )


@dataclass(frozen=True)
class JobCheques:
    holder: ChequeHolder | None
    needed: int  # one per started hour per crew member, of the approved hours
    paid: int  # cheques spent on the job's hours
    short: int  # approved hours not (yet) paid with a cheque


def job_cheques(request: JobRequest) -> JobCheques:
    approved = request.hours.filter(approved_at__isnull=False)
    needed = sum(pure.cheques(h.minutes) for h in approved)
    paid = ChequeUse.objects.filter(hours__request=request).count()
    return JobCheques(holder_of(request), needed, paid, max(needed - paid, 0))
