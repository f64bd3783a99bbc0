"""Reads of wijk-werken cheques: a cheque user's balance (valid, expiring soon, expired
unspent), and how a job was paid with cheques."""

from collections.abc import Iterable
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
    return holder_balances([holder], today)[holder.pk]


def holder_balances(holders: Iterable[ChequeHolder], today: date) -> dict[int, ChequeBalance]:
    """The balance of each cheque user, by pk, in two queries whatever their number (the list
    of a bureau's cheque users shows up to 200)."""
    ids = [h.pk for h in holders]
    unspent = Q(use__isnull=True)
    # No end date: valid for good.
    valid = unspent & (Q(purchase__valid_until__isnull=True) | Q(purchase__valid_until__gte=today))
    rows = {
        row["purchase__holder"]: row
        for row in Cheque.objects.filter(purchase__holder__in=ids)
        .values("purchase__holder")
        .annotate(
            bought=Count("pk"),
            spent=Count("pk", filter=Q(use__isnull=False)),
            valid=Count("pk", filter=valid),
            expired=Count("pk", filter=unspent & Q(purchase__valid_until__lt=today)),
        )
        .order_by()
    }
    expiring: dict[int, list[Expiring]] = {pk: [] for pk in ids}
    for line in (
        Cheque.objects.filter(
            unspent,
            purchase__holder__in=ids,
            purchase__valid_until__gte=today,
            purchase__valid_until__lte=today + timedelta(days=EXPIRING_DAYS),
        )
        .values("purchase__holder", "purchase__valid_until")
        .annotate(n=Count("pk"))
        .order_by("purchase__holder", "purchase__valid_until")
    ):
        if (until := line["purchase__valid_until"]) is not None:
            expiring[line["purchase__holder"]].append(Expiring(until, line["n"]))
    balances = {}
    for pk in ids:
        counts = rows.get(pk, {"bought": 0, "spent": 0, "valid": 0, "expired": 0})
        balances[pk] = ChequeBalance(
            bought=counts["bought"],
            spent=counts["spent"],
            valid=counts["valid"],
            expired=counts["expired"],
            expiring=expiring[pk],
        )
    return balances


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
