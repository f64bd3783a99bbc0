"""The monthly totals of a programme's charges (rentals.models.MonthTotal) and its households
with an open charge (OpenHousehold), kept by billing and payments. The dashboard and the
billing page read a few dozen rows from them instead of summing millions of charges
(bench/README.md, "Pages": 2.9 s before at national scale).

They cannot drift: every write that changes charges changes them in the same transaction.

* A billing run, in the transaction that inserted a month's charges, locks that month's total
  and sets it from the month's charges (`month_totals_billed`). The lock comes first: a payment
  that settled a charge of the month meanwhile has either committed before it (the sums see
  it) or is still waiting to add its part, and adds it on top afterwards. The households that
  got one of the new charges (which are unpaid) get their oldest open month.
* Settling charges (payment allocation, `month_totals_settled`) adds what was settled to each
  month's collected amount, an increment, so concurrent payments never lose each other's; and
  it sets the household's oldest open month again from its charges, after locking its row.

`month_totals_rebuild` recomputes everything from the charges (the benchmark's bulk-written
data set, a repair); `month_totals_recomputed` and `open_households_recomputed` compute without
writing, for the consistency tests. The migration that made the tables filled them the same way.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Sum

from core.models import Programme
from rentals.models import ZERO, Charge, MonthTotal, OpenHousehold

# Far in the future: the placeholder month of a row made only to be locked (then set or gone).
_PLACEHOLDER = date(9999, 12, 1)


@dataclass(frozen=True)
class Totals:
    charges: int
    billed: Decimal
    subsidy: Decimal
    collected: Decimal


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("the totals change in the transaction that changes the charges")


def _month_sums() -> dict[str, Any]:
    return {
        "n": Count("pk"),
        "billed": Sum("tenant_amount"),
        "subsidy": Sum("subsidy_amount"),
        "collected": Sum("settled"),
    }


def _totals(row: Any) -> Totals:
    return Totals(row["n"], row["billed"] or ZERO, row["subsidy"] or ZERO, row["collected"] or ZERO)


def cents(amount: Decimal) -> int:
    """Whole cents of an amount in euro (amounts have two places)."""
    return int(amount.quantize(ZERO) * 100)


def month_totals_recomputed(programme: Programme) -> dict[date, Totals]:
    """The totals per month as the charges say they are (one GROUP BY over them)."""
    rows = (
        Charge.objects.filter(contract__programme=programme)
        .values("month")
        .annotate(**_month_sums())
        .order_by("month")
    )
    return {row["month"]: _totals(row) for row in rows}


def month_totals_kept(programme: Programme) -> dict[date, Totals]:
    """The kept totals, months without charges left out."""
    return {
        t.month: Totals(t.charges, t.billed, t.subsidy, t.collected)
        for t in MonthTotal.objects.filter(programme=programme, charges__gt=0).order_by("month")
    }


def open_households_recomputed(programme: Programme) -> dict[int, date]:
    """Household id → month of its oldest charge not fully paid, from the charges."""
    return dict(
        Charge.objects.filter(contract__programme=programme, settled__lt=F("tenant_amount"))
        .values("contract__household_id")
        .annotate(oldest=Min("month"))
        .values_list("contract__household_id", "oldest")
        .order_by()
    )


def open_households_kept(programme: Programme) -> dict[int, date]:
    return dict(
        OpenHousehold.objects.filter(programme=programme).values_list(
            "household_id", "oldest_open_month"
        )
    )


def _quoted(model: type[MonthTotal] | type[OpenHousehold]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lock_month(programme_id: int, month: date) -> None:
    """Make the month's row if it is not there, and hold its lock until the transaction ends."""
    table = _quoted(MonthTotal)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 -- the table name from the ORM, values bound
            "(programme_id, month, charges, billed_cents, subsidy_cents, collected_cents) "
            "VALUES (%s, %s, 0, 0, 0, 0) "
            f"ON CONFLICT (programme_id, month) DO UPDATE SET charges = {table}.charges",
            [programme_id, connection.ops.adapt_datefield_value(month)],
        )


def month_totals_billed(
    *, programme: Programme, month: date, made_at: datetime, after_id: int = 0
) -> None:
    """After a billing run inserted charges of `month` made at `made_at`, in its transaction;
    `after_id` is the highest charge id before the insert (every new charge is above it), so
    only the new charges are read for the open households, through the primary key (a run
    inserts its charges in two steps, and the second one adds a few thousand, not 200,000)."""
    _require_transaction()
    _lock_month(programme.pk, month)
    total = _totals(
        Charge.objects.filter(contract__programme=programme, month=month).aggregate(**_month_sums())
    )
    MonthTotal.objects.filter(programme=programme, month=month).update(
        charges=total.charges,
        billed_cents=cents(total.billed),
        subsidy_cents=cents(total.subsidy),
        collected_cents=cents(total.collected),
    )
    # Only this run's charges (the others may be being paid right now): they are unpaid, and
    # nobody else sees them before this transaction commits.
    ops, table = connection.ops, _quoted(OpenHousehold)
    charge = ops.quote_name(Charge._meta.db_table)
    contract = ops.quote_name(Charge._meta.get_field("contract").related_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (programme_id, household_id, oldest_open_month) "  # noqa: S608
            f"SELECT c.programme_id, c.household_id, MIN(x.month) FROM {charge} x "
            f"JOIN {contract} c ON c.id = x.contract_id "
            "WHERE c.programme_id = %s AND x.month = %s AND x.created_at = %s "
            "AND x.id > %s AND x.settled < x.tenant_amount "
            "GROUP BY c.programme_id, c.household_id "
            # An older month billed late moves the household's oldest open month back.
            "ON CONFLICT (programme_id, household_id) DO UPDATE "
            "SET oldest_open_month = excluded.oldest_open_month "
            f"WHERE excluded.oldest_open_month < {table}.oldest_open_month",
            [
                programme.pk,
                ops.adapt_datefield_value(month),
                ops.adapt_datetimefield_value(made_at),
                after_id,
            ],
        )


def charge_watermark() -> int:
    """The highest charge id now: what `month_totals_billed` takes as `after_id`."""
    return Charge.objects.aggregate(m=Max("pk"))["m"] or 0


def month_totals_settled(
    *, household_id: int, settled: Iterable[tuple[int, date, Decimal]]
) -> None:
    """After allocations settled charges of one household, given as (programme id, month,
    amount) per allocation; in the payment's transaction."""
    _require_transaction()
    per_month: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for programme_id, month, amount in settled:
        per_month[programme_id, month] += amount
    ops, table = connection.ops, _quoted(MonthTotal)
    # In a fixed order, so two payments never wait for each other's rows the other way round.
    for (programme_id, month), amount in sorted(per_month.items()):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET collected_cents = collected_cents + %s "  # noqa: S608
                "WHERE programme_id = %s AND month = %s",
                [
                    cents(amount),
                    programme_id,
                    ops.adapt_datefield_value(month),
                ],
            )
            if cursor.rowcount != 1:  # billing made the row of every billed month
                raise RuntimeError(f"no monthly total for programme {programme_id}, {month}")
    for programme_id in sorted({p for p, _m in per_month}):
        _open_household_refresh(programme_id, household_id)


def _open_household_refresh(programme_id: int, household_id: int) -> None:
    # Lock the row first (made if missing), then read the charges: a billing run that adds
    # a charge for the household either committed before (seen here) or waits for this lock.
    table = _quoted(OpenHousehold)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (programme_id, household_id, oldest_open_month) "  # noqa: S608
            "VALUES (%s, %s, %s) ON CONFLICT (programme_id, household_id) DO UPDATE "
            f"SET oldest_open_month = {table}.oldest_open_month",
            [programme_id, household_id, connection.ops.adapt_datefield_value(_PLACEHOLDER)],
        )
    oldest = Charge.objects.filter(
        contract__programme_id=programme_id,
        contract__household_id=household_id,
        settled__lt=F("tenant_amount"),
    ).aggregate(m=Min("month"))["m"]
    row = OpenHousehold.objects.filter(programme_id=programme_id, household_id=household_id)
    if oldest is None:
        row.delete()
    else:
        row.update(oldest_open_month=oldest)


@transaction.atomic
def month_totals_rebuild(*, programme: Programme | None = None) -> int:
    """Recompute the totals and open households from the charges (every programme, or one);
    returns how many monthly rows there are."""
    programmes = [programme] if programme else list(Programme.objects.order_by("pk"))
    months = 0
    for p in programmes:
        MonthTotal.objects.filter(programme=p).delete()
        OpenHousehold.objects.filter(programme=p).delete()
        kept = [
            MonthTotal(
                programme=p,
                month=month,
                charges=t.charges,
                billed_cents=cents(t.billed),
                subsidy_cents=cents(t.subsidy),
                collected_cents=cents(t.collected),
            )
            for month, t in month_totals_recomputed(p).items()
        ]
        MonthTotal.objects.bulk_create(kept, batch_size=1000)
        months += len(kept)
        OpenHousehold.objects.bulk_create(
            [
                OpenHousehold(programme=p, household_id=h, oldest_open_month=m)
                for h, m in open_households_recomputed(p).items()
            ],
            batch_size=5000,
        )
    return months
