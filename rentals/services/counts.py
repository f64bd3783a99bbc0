"""The counts the dashboard shows (rentals.models.KeptCount): units per appliance category and
status, contracts per category and status, households with an active contract. Kept by the
unit and contract writes in their own transactions, so the dashboard reads a few rows instead
of counting 200,000 units and contracts (bench/README.md, "Pages").

They cannot drift as long as every status change goes through the services that call these
functions: `move_unit` and `unit_create` (units), `contract_draft`, `contract_sign`, the
installation visit and `contract_end` (contracts). `rentals/tests/test_counts.py` checks that
no other module of the app assigns a unit's or contract's status.

* A change adds the difference to each row (+1 to the new status by an upsert, -1 to the old
  one by an update), so concurrent writes never lose each other's; rows are touched in a fixed
  order. The database refuses a negative count, and taking one off a count that was never kept
  fails (IntegrityError) instead of drifting.
* Households with an appliance: when a contract becomes active or stops being active, the
  programme's row is locked first, then the household's active contracts are counted (after
  the lock, so a concurrent change of the same household has committed and is seen): the
  first active contract adds the household, the last one gone takes it off.

`rental_counts_rebuild` (and `manage.py rental_figures_rebuild`) recomputes them from the units
and contracts; `rental_counts_recomputed` and `rental_counts_kept` are for the tests.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from core.models import Programme
from rentals.models import Contract, KeptCount, Unit

Kind = KeptCount.Kind
Key = tuple[int, str, str, str]  # programme id, kind, category, status


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("the counts change in the transaction that changes the statuses")


def _add(key: Key, delta: int) -> None:
    table = connection.ops.quote_name(KeptCount._meta.db_table)
    with connection.cursor() as cursor:
        if delta < 0:
            # Not an upsert: the database checks the row it would insert (a negative count)
            # before it sees the conflict.
            cursor.execute(
                f"UPDATE {table} SET n = n + %s "  # noqa: S608 -- the table name from the ORM, values bound
                "WHERE programme_id = %s AND kind = %s AND category = %s AND status = %s",
                [delta, *key],
            )
            if cursor.rowcount != 1:
                raise IntegrityError(f"no kept count {key} to take {-delta} off")
            return
        cursor.execute(
            f"INSERT INTO {table} (programme_id, kind, category, status, n) "  # noqa: S608 -- the table name from the ORM, values bound
            "VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (programme_id, kind, category, status) "
            f"DO UPDATE SET n = {table}.n + excluded.n",
            [*key, delta],
        )


def _moved(
    programme_id: int, kind: str, category: str, from_status: str | None, to_status: str | None
) -> None:
    _require_transaction()
    if from_status == to_status:
        return
    changes = []
    if from_status:
        changes.append(((programme_id, kind, category, from_status), -1))
    if to_status:
        changes.append(((programme_id, kind, category, to_status), 1))
    for key, delta in sorted(changes):
        _add(key, delta)


def unit_moved(*, unit: Unit, from_status: str | None, to_status: str) -> None:
    """A unit was made (`from_status` None) or moved along its lifecycle; in its transaction."""
    _moved(unit.programme_id, Kind.UNITS, unit.appliance_model.category, from_status, to_status)


def contract_moved(*, contract: Contract, from_status: str | None, to_status: str) -> None:
    """A contract was made (`from_status` None) or changed status; in its transaction, after the
    contract row was saved."""
    _moved(contract.programme_id, Kind.CONTRACTS, contract.category, from_status, to_status)
    active = Contract.Status.ACTIVE
    if (from_status == active) == (to_status == active):
        return
    key = (contract.programme_id, Kind.HOUSEHOLDS_WITH_APPLIANCE, "", "")
    _add(key, 0)  # the lock: made if missing, held until the transaction ends
    running = Contract.objects.filter(
        programme_id=contract.programme_id, household_id=contract.household_id, status=active
    ).count()
    if to_status == active and running == 1:
        _add(key, 1)
    elif from_status == active and running == 0:
        _add(key, -1)


# ---------------------------- for the tests and the rebuild (the dashboard reads in its selectors)
def rental_counts_recomputed(programme: Programme | None = None) -> dict[Key, int]:
    """The counts as the units and contracts say they are (three GROUP BY queries)."""
    units = Unit.objects.all() if programme is None else Unit.objects.filter(programme=programme)
    contracts = (
        Contract.objects.all()
        if programme is None
        else Contract.objects.filter(programme=programme)
    )
    out: dict[Key, int] = {}
    for u in (
        units.order_by()
        .values("programme_id", "appliance_model__category", "status")
        .annotate(n=Count("pk"))
    ):
        out[u["programme_id"], Kind.UNITS, u["appliance_model__category"], u["status"]] = u["n"]
    for c in (
        contracts.order_by().values("programme_id", "category", "status").annotate(n=Count("pk"))
    ):
        out[c["programme_id"], Kind.CONTRACTS, c["category"], c["status"]] = c["n"]
    for h in (
        contracts.filter(status=Contract.Status.ACTIVE)
        .order_by()
        .values("programme_id")
        .annotate(n=Count("household_id", distinct=True))
    ):
        out[h["programme_id"], Kind.HOUSEHOLDS_WITH_APPLIANCE, "", ""] = h["n"]
    return out


def rental_counts_kept(programme: Programme | None = None) -> dict[Key, int]:
    rows = KeptCount.objects.filter(n__gt=0)
    if programme is not None:
        rows = rows.filter(programme=programme)
    return {(r.programme_id, r.kind, r.category, r.status): r.n for r in rows}


@transaction.atomic
def rental_counts_rebuild(programme: Programme | None = None) -> int:
    """Recompute the counts from the units and contracts (every programme, or one); returns
    how many rows there are."""
    rows = KeptCount.objects.all()
    if programme is not None:
        rows = rows.filter(programme=programme)
    rows.delete()
    kept = [
        KeptCount(programme_id=p, kind=kind, category=category, status=status, n=n)
        for (p, kind, category, status), n in rental_counts_recomputed(programme).items()
    ]
    KeptCount.objects.bulk_create(kept)
    return len(kept)
