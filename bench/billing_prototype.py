"""A faster billing run, measured next to rentals.services.billing_run: NOT used by the app.

It shows how much of the billing run's time is Python and ORM overhead, and is a proposal for
the lead developer (see bench/README.md). Same rule, same result:

- a contract that is active the whole month is charged its fees as they are; no arithmetic,
  so one INSERT … SELECT in the database writes all those charges (the bulk of them);
- the few contracts that start or end within the month go through rentals.proration, as in
  the service, and are written with bulk_create.

Both writes skip a charge that already exists (the unique constraint on contract and month),
so a second run adds nothing, like the service.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import Programme
from rentals import services
from rentals.models import Charge, Contract
from rentals.proration import ZERO, charge_split
from rentals.services import BillingResult, month_end, month_start


def billing_run_fast(*, programme: Programme, month: date) -> BillingResult:
    first, last = month_start(month), month_end(month)
    now = timezone.now()
    qn = connection.ops.quote_name
    charge, contract = qn(Charge._meta.db_table), qn(Contract._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {charge} "
                "(contract_id, month, tenant_amount, subsidy_amount, settled, created_at) "
                f"SELECT c.id, %s, c.tenant_fee, c.subsidy, %s, %s FROM {contract} c "
                "WHERE c.programme_id = %s AND c.start_date <= %s "
                "AND (c.end_date IS NULL OR c.end_date >= %s) "
                f"AND NOT EXISTS (SELECT 1 FROM {charge} x "
                "WHERE x.contract_id = c.id AND x.month = %s) "
                # a charge made meanwhile by a concurrent run stays, ours is dropped
                "ON CONFLICT (contract_id, month) DO NOTHING",
                [
                    connection.ops.adapt_datefield_value(first),
                    connection.ops.adapt_decimalfield_value(ZERO, 8, 2),
                    connection.ops.adapt_datetimefield_value(now),
                    programme.pk,
                    connection.ops.adapt_datefield_value(first),
                    connection.ops.adapt_datefield_value(last),
                    connection.ops.adapt_datefield_value(first),
                ],
            )
            created = max(cursor.rowcount, 0)
        whole = created
        partial = (
            Contract.objects.filter(programme=programme, start_date__lte=last)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
            .filter(Q(start_date__gt=first) | Q(end_date__lt=last))
            .exclude(charges__month=first)
            .values_list("pk", "tenant_fee", "subsidy", "start_date", "end_date")
        )
        batch = []
        for pk, tenant_fee, subsidy, start, end in partial:
            assert start is not None  # filtered on start_date above
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
        before = Charge.objects.filter(month=first, contract__programme=programme).count()
        Charge.objects.bulk_create(batch, ignore_conflicts=True, batch_size=2000)
        after = Charge.objects.filter(month=first, contract__programme=programme).count()
        created += after - before
    # Whatever the service does after billing (settling new charges from credit), done alike.
    after_billing = getattr(services, "_apply_credit_after_billing", None)
    if after_billing is not None:
        after_billing(programme, first)
    return BillingResult(created=created, contracts=whole + len(batch))
