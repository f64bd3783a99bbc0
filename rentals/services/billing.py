from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
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


def billing_run(
    *, programme: Programme, month: date, acting: Acting | None = None
) -> BillingResult:
    """One charge per contract active in the month, split in tenant part and subsidy part.

    Safe to run again: the unique constraint (contract, month) makes a second run add nothing.
    billing.run: the lead's coordinators, or the operator from the command line
    (core.tenancy.operator_acting; `acting=None` is the operator too, for scripts and the
    benchmark); at most one month ahead for everyone.

    Contracts active the whole month are charged their fees as they are, so one
    INSERT … SELECT writes them in the database (nearly all charges of a month); the few that
    start or end within the month are prorated (money/proration.py) and written in bulk.
    """
    if acting is None:
        acting = operator_acting(programme.lead_organisation)
    rules.require_billing(acting, programme)
    first = check_billing_month(month, today=local_today(programme.lead_organisation))
    last = month_end(first)
    now = timezone.now()
    ops = connection.ops
    charge, contract = (
        ops.quote_name(Charge._meta.db_table),
        ops.quote_name(Contract._meta.db_table),
    )
    with transaction.atomic(), connection.cursor() as cursor:
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
                created_at=now,
            )
        )
    created = whole + _insert_charges(batch, programme)
    _apply_credit_after_billing(programme, first)
    if created:  # a run again adds nothing, not even to the log
        audit_record(
            acting=acting,
            action=Action.CREATE,
            subject=f"programme {programme.slug}: billed {first:%Y-%m}, {created} charges",
        )
    return BillingResult(created=created, contracts=whole + len(batch))


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
            )


def _insert_charges(batch: list[Charge], programme: Programme) -> int:
    if not batch:
        return 0
    month_charges = Charge.objects.filter(month=batch[0].month, contract__programme=programme)
    with transaction.atomic():
        before = month_charges.count()
        # ignore_conflicts: a charge made by a concurrent run stays, ours is dropped.
        Charge.objects.bulk_create(batch, ignore_conflicts=True, batch_size=2000)
        return month_charges.count() - before
