"""The monthly billing run: one charge per contract per month (a unique constraint makes a
second run add nothing), first and last months prorated by days (money.proration).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.models import Organisation, Programme
from core.services import audit_record
from core.tenancy import Acting, operator_acting
from core.validators import (
    EARLIEST_DATE,
    local_today,
)
from households.models import Household
from money.proration import charge_split, month_end, month_start
from rentals import rules
from rentals.models import (
    ZERO,
    Charge,
    Contract,
    Payment,
)
from rentals.services import totals
from rentals.services.common import Action
from rentals.services.payments import allocate_credit


@dataclass(frozen=True)
class BillingResult:
    created: int
    contracts: int


def check_billing_month(month: date, *, today: date) -> date:
    """The first day of a month that may be billed: from 2000 on, at most one month ahead
    (billing further would charge for months nobody has had yet)."""
    first = month_start(month)
    next_month = month_end(today) + timedelta(days=1)
    if first < EARLIEST_DATE:
        raise ValidationError({"month": _("This month is too long ago.")})
    if first > next_month:
        raise ValidationError({"month": _("You can bill at most one month ahead.")})
    return first


class SkippedMonth(ValidationError):
    """The month before was never billed, though contracts ran then, or the programme was
    never billed and contracts ran before this month: billing this one needs `confirm=True`
    (the page asks, the API answers 409, the command takes --confirm)."""


def _owes(
    *, tenant_fee: Decimal, subsidy: Decimal, start: date, end: date | None, month: date
) -> bool:
    """Whether a contract owes something for the month: what billing would charge it, prorated
    as billing prorates (a charge of 0.00 is never made)."""
    return any(
        charge_split(tenant_fee=tenant_fee, subsidy=subsidy, start=start, end=end, month=month)
    )


def first_run_skips(programme: Programme, first: date) -> date | None:
    """For a programme never billed before `first`: the first month before `first` in which an
    installed contract owes something (billing would start after it and leave it unbilled).
    None when billing starts at or before it, or when an earlier month was billed
    (`unbilled_month_before` looks at gaps then). A month whose charges all prorate to nothing
    (a contract from the 31st at a small fee) creates no charge, so it owes nothing here."""
    if Charge.objects.filter(contract__programme=programme, month__lt=first).exists():
        return None
    contracts = (
        Contract.objects.filter(programme=programme, start_date__lt=first)
        .filter(Q(tenant_fee__gt=0) | Q(subsidy__gt=0))
        .order_by("start_date")
        .only("start_date", "end_date", "tenant_fee", "subsidy")
    )
    earliest: date | None = None
    for contract in contracts.iterator():
        start = contract.start_date
        if start is None:  # never: start_date__lt leaves out the contracts not installed
            continue
        month = month_start(start)
        if earliest is not None and month >= earliest:
            break  # the contracts are in start order: none can owe earlier
        while month < first and (earliest is None or month < earliest):
            if contract.end_date is not None and month > contract.end_date:
                break
            if _owes(
                tenant_fee=contract.tenant_fee,
                subsidy=contract.subsidy,
                start=start,
                end=contract.end_date,
                month=month,
            ):
                earliest = month
                break
            month = month_start(month_end(month) + timedelta(days=1))
    return earliest


def month_owes(programme: Programme, first: date) -> bool:
    """Whether billing the month would charge anything: a contract with a fee ran the whole
    month (it owes its whole fee), or one that started or ended within it owes a prorated
    part above 0.00. Two queries at most; the second lists only the few contracts that start
    or end within the month, and only when no contract ran the whole month."""
    last = month_end(first)
    ran = (
        Contract.objects.filter(programme=programme, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .filter(Q(tenant_fee__gt=0) | Q(subsidy__gt=0))
    )
    whole = ran.filter(start_date__lte=first).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=last)
    )
    if whole.exists():
        return True
    partial = ran.values_list("tenant_fee", "subsidy", "start_date", "end_date")
    return any(
        _owes(tenant_fee=fee, subsidy=sub, start=start, end=end, month=first)
        for fee, sub, start, end in partial.iterator()
        if start is not None
    )


def unbilled_month_before(programme: Programme, first: date) -> date | None:
    """The month before `first` when the programme's billing has started (an earlier month
    was billed), it owes something (`month_owes`) and it has no charge: a gap in the run.
    None otherwise (the first run of a programme starts where it starts).

    "Billed" is read from the charges: billing a month that owes something makes a charge for
    every contract that owes (one per contract and month, a unique constraint), so such a
    month without any charge was never billed. A month that owes nothing (no contract, or
    only charges that prorate to 0.00) makes no charge when billed and loses nothing when
    skipped, so it is no gap, billed or not."""
    previous = month_start(first - timedelta(days=1))
    billed = Charge.objects.filter(contract__programme=programme)
    if not billed.filter(month__lt=previous).exists():
        return None
    if billed.filter(month=previous).exists():
        return None
    if not month_owes(programme, previous):
        return None
    return previous


def check_no_skipped_month(programme: Programme, first: date) -> None:
    """SkippedMonth when billing `first` would leave a month unbilled in which contracts ran:
    the first run of a programme must be the month of its earliest installed contract, and
    a later run the month after a billed one (docs/billing.md, "Which months")."""
    earliest = first_run_skips(programme, first)
    if earliest is not None:
        raise SkippedMonth(
            {
                "month": ValidationError(
                    capfirst(
                        _(
                            "This programme was never billed, though contracts ran from "
                            "%(earliest)s. Bill %(earliest)s first, or confirm that billing "
                            "starts with %(month)s."
                        )
                        % {
                            "earliest": date_format(earliest, "YEAR_MONTH_FORMAT"),
                            "month": date_format(first, "YEAR_MONTH_FORMAT"),
                        }
                    ),
                    code="skipped_month",
                )
            }
        )
    previous = unbilled_month_before(programme, first)
    if previous is None:
        return
    raise SkippedMonth(
        {
            "month": ValidationError(
                capfirst(
                    _(
                        "%(previous)s was never billed, though contracts ran then. Bill "
                        "%(previous)s first, or confirm that you bill %(month)s and skip it."
                    )
                    % {
                        "previous": date_format(previous, "YEAR_MONTH_FORMAT"),
                        "month": date_format(first, "YEAR_MONTH_FORMAT"),
                    }
                ),
                code="skipped_month",
            )
        }
    )


def billing_run(
    *, programme: Programme, month: date, acting: Acting | None = None, confirm: bool = False
) -> BillingResult:
    """One charge per contract active in the month, split in tenant part and subsidy part.

    Safe to run again: the unique constraint (contract, month) makes a second run add nothing.
    billing.run: the lead's coordinators, or the operator from the command line
    (core.tenancy.operator_acting; `acting=None` is the operator too, for scripts and the
    benchmark); at most one month ahead for everyone. A month whose month before was never
    billed (though contracts ran then) is refused (`SkippedMonth`) unless `confirm`.

    Contracts active the whole month are charged their fees as they are, so one
    INSERT … SELECT writes them in the database (nearly all charges of a month); the few that
    start or end within the month are prorated (money/proration.py) and written in bulk.
    """
    if acting is None:
        acting = operator_acting(programme.lead_organisation)
    rules.require_billing(acting, programme)
    first = check_billing_month(month, today=local_today(programme.lead_organisation))
    if not confirm:
        check_no_skipped_month(programme, first)
    last = month_end(first)
    now = timezone.now()
    ops = connection.ops
    charge, contract = (
        ops.quote_name(Charge._meta.db_table),
        ops.quote_name(Contract._meta.db_table),
    )
    # One transaction: the charges of the whole months (INSERT … SELECT), those of the
    # prorated ones (in bulk), and the kept totals and open households, set once from them.
    with transaction.atomic():
        after_id = totals.charge_watermark()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {charge} "  # noqa: S608 -- table names from the ORM, values bound
                "(contract_id, month, tenant_amount, subsidy_amount, settled, created_at) "
                f"SELECT c.id, %s, c.tenant_fee, c.subsidy, %s, %s FROM {contract} c "
                "WHERE c.programme_id = %s AND c.start_date <= %s "
                "AND (c.end_date IS NULL OR c.end_date >= %s) "
                "AND (c.tenant_fee > 0 OR c.subsidy > 0) "
                f"AND NOT EXISTS (SELECT 1 FROM {charge} x WHERE x.contract_id = c.id "
                "AND x.month = %s) "
                # A charge made meanwhile by a concurrent run stays; ours is dropped.
                "ON CONFLICT (contract_id, month) DO NOTHING",
                [
                    ops.adapt_datefield_value(first),
                    ops.adapt_decimalfield_value(ZERO, 8, 2),
                    ops.adapt_datetimefield_value(now),
                    programme.pk,
                    ops.adapt_datefield_value(first),
                    ops.adapt_datefield_value(last),
                    ops.adapt_datefield_value(first),
                ],
            )
            whole = max(cursor.rowcount, 0)
        batch = _prorated_charges(programme, first, last, made_at=now)
        created = whole + _insert_charges(batch, made_at=now)
        if created:  # a run again adds nothing and changes no total
            totals.month_totals_billed(
                programme=programme, month=first, made_at=now, after_id=after_id
            )
    _apply_credit_after_billing(programme, first)
    if created:  # a run again adds nothing, not even to the log
        audit_record(
            acting=acting,
            action=Action.CREATE,
            subject=f"programme {programme.slug}: billed {first:%Y-%m}, {created} charges",
        )
    return BillingResult(created=created, contracts=whole + len(batch))


def _prorated_charges(
    programme: Programme, first: date, last: date, *, made_at: datetime
) -> list[Charge]:
    """The charges of the contracts that start or end within the month (and have none yet)."""
    partial = (
        Contract.objects.filter(programme=programme, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .filter(Q(start_date__gt=first) | Q(end_date__lt=last))
        .exclude(charges__month=first)
        .values_list("pk", "tenant_fee", "subsidy", "start_date", "end_date")
    )
    batch: list[Charge] = []
    for pk, tenant_fee, subsidy, start, end in partial:
        if start is None:
            raise RuntimeError("the query asks for installed contracts only")
        tenant, sub = charge_split(
            tenant_fee=tenant_fee, subsidy=subsidy, start=start, end=end, month=first
        )
        if tenant == ZERO and sub == ZERO:
            continue
        batch.append(
            Charge(
                contract_id=pk,
                month=first,
                tenant_amount=tenant,
                subsidy_amount=sub,
                created_at=made_at,
            )
        )
    return batch


def _apply_credit_after_billing(programme: Programme, month: date) -> None:
    """Households that paid in advance: settle the new charges from their credit.

    Only households with an unused payment are touched (a partial index keeps this cheap).
    """
    with_credit = (
        Payment.objects.filter(
            unallocated__gt=0,
            household__rental_contracts__charges__month=month,
            household__rental_contracts__programme=programme,
        )
        .values_list("household_id", "collector_id")
        .distinct()
    )
    for household_id, collector_id in list(with_credit):
        with transaction.atomic():
            allocate_credit(
                household=Household.objects.get(pk=household_id),
                collector=Organisation.objects.get(pk=collector_id),
                programme=programme,
            )


def _insert_charges(batch: list[Charge], *, made_at: datetime) -> int:
    """Insert the batch; returns how many were new. The new ones are counted through the
    primary key (above the highest id before), not over the month's 200,000 charges."""
    if not batch:
        return 0
    after_id = totals.charge_watermark()
    # ignore_conflicts: a charge made by a concurrent run stays, ours is dropped.
    Charge.objects.bulk_create(batch, ignore_conflicts=True, batch_size=2000)
    return Charge.objects.filter(pk__gt=after_id, month=batch[0].month, created_at=made_at).count()
