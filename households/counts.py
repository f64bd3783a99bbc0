"""The enrolments per programme and status (households.models.EnrolmentCount), kept by the
enrolment services in the transaction that changes an enrolment; read by the programme page
and the rental dashboard (one indexed row instead of a count over every enrolment).

They cannot drift as long as every status change goes through `household_enrol` and
`enrolment_end` (households/services.py), which call `enrolment_moved`. A change adds
the difference (an upsert for +1, an update for -1), so concurrent enrolments never lose each
other's; the database refuses a negative count, and taking one off a count that was never kept
fails (IntegrityError) instead of drifting.
`enrolment_counts_rebuild` (and `manage.py enrolment_counts_rebuild`) recomputes them from
the enrolments; `enrolment_counts_recomputed` and `enrolment_counts_kept` are for the tests.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from core.models import Programme
from households.models import Enrolment, EnrolmentCount


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("the counts change in the transaction that changes the enrolment")


def _add(programme_id: int, status: str, delta: int) -> None:
    table = connection.ops.quote_name(EnrolmentCount._meta.db_table)
    with connection.cursor() as cursor:
        if delta < 0:
            # Not an upsert: the database checks the row it would insert (a negative count)
            # before it sees the conflict.
            cursor.execute(
                f"UPDATE {table} SET n = n + %s "  # noqa: S608 -- the table name from the ORM, values bound
                "WHERE programme_id = %s AND status = %s",
                [delta, programme_id, status],
            )
            if cursor.rowcount != 1:
                raise IntegrityError(f"no enrolment count {programme_id} {status} to take off")
            return
        cursor.execute(
            f"INSERT INTO {table} (programme_id, status, n) VALUES (%s, %s, %s) "  # noqa: S608 -- the table name from the ORM, values bound
            f"ON CONFLICT (programme_id, status) DO UPDATE SET n = {table}.n + excluded.n",
            [programme_id, status, delta],
        )


def enrolment_moved(*, programme_id: int, from_status: str | None, to_status: str) -> None:
    """An enrolment was made (`from_status` None) or changed status; in its transaction."""
    _require_transaction()
    if from_status == to_status:
        return
    # In a fixed order, so two enrolments never wait for each other's rows the other way round.
    changes = sorted([(to_status, 1), *([(from_status, -1)] if from_status else [])])
    for status, delta in changes:
        _add(programme_id, status, delta)


def enrolled_count(programme: Programme) -> int:
    """The households enrolled in the programme now (every one, whoever registered it)."""
    row = EnrolmentCount.objects.filter(
        programme=programme, status=Enrolment.Status.ENROLLED
    ).first()
    return row.n if row else 0


def enrolment_counts_recomputed(programme: Programme | None = None) -> dict[tuple[int, str], int]:
    rows = Enrolment.objects.all() if programme is None else programme.enrolments.all()
    return {
        (row["programme_id"], row["status"]): row["n"]
        for row in rows.order_by().values("programme_id", "status").annotate(n=Count("pk"))
    }


def enrolment_counts_kept(programme: Programme | None = None) -> dict[tuple[int, str], int]:
    rows = EnrolmentCount.objects.filter(n__gt=0)
    if programme is not None:
        rows = rows.filter(programme=programme)
    return {(r.programme_id, r.status): r.n for r in rows}


@transaction.atomic
def enrolment_counts_rebuild(programme: Programme | None = None) -> int:
    """Recompute the counts from the enrolments (every programme, or one); returns how many
    rows there are."""
    rows = EnrolmentCount.objects.all()
    if programme is not None:
        rows = rows.filter(programme=programme)
    rows.delete()
    kept = [
        EnrolmentCount(programme_id=p, status=status, n=n)
        for (p, status), n in enrolment_counts_recomputed(programme).items()
    ]
    EnrolmentCount.objects.bulk_create(kept)
    return len(kept)
