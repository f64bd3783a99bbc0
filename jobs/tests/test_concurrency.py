"""Two approvals at the same moment, in two database connections (PostgreSQL: SQLite runs
one writing transaction at a time, so there the race cannot happen)."""

import threading
import unittest
from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import TransactionTestCase
from django.utils import translation

from core.tenancy import Acting, acting_for
from jobs import services
from jobs.models import Assignment, ChequeUse, Hours, JobRequest
from jobs.tests.cast import DAY, at, build_jobs_cast
from wijk.testing import build_cast, clock_at


def _at_once(*calls: Any) -> list[Any]:
    """Run the calls in threads released together; each result or exception, in order."""
    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Any) -> None:
        try:
            gate.wait()
            results[i] = call()
        except Exception as exc:  # the test looks at what each call got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


class CastTestCase(TransactionTestCase):
    """The cast of wijk.testing and jobs.tests.cast, committed (each thread has its own
    connection and sees only what is committed)."""

    cora: Any
    jo: Any
    wout: Any
    bureau: Any
    garden: Any
    worker_w: Any
    worker_s: Any


def who(user: Any) -> Acting:
    acting = acting_for(user)
    if acting is None:
        raise RuntimeError("no acting")
    return acting


@unittest.skipUnless(connection.vendor == "postgresql", "a race only PostgreSQL can run")
@clock_at(date(2026, 2, 27))
class ConcurrentApprovalTest(CastTestCase):
    def setUp(self) -> None:
        build_cast(self)
        build_jobs_cast(self)
        self.cora_acting = who(self.cora)
        holder = services.cheque_holder_create(
            acting=self.cora_acting, programme=self.bureau, kind="resident", name="Marleen"
        )
        services.cheques_buy(
            acting=self.cora_acting, holder=holder, quantity=10, bought_on=date(2026, 2, 1)
        )
        self.hours = []
        for n, worker in enumerate((self.worker_w, self.worker_s)):
            job = services.request_create(
                acting=self.cora_acting,
                programme=self.bureau,
                service=self.garden,
                name="Marleen Peeters",
                phone="059 12 34 56",
                street=f"Kerkstraat {n + 1}",
                postcode="8400",
                preferred_day=DAY,
                window_start=time(8),
                window_end=time(13),
            )
            services.request_cheque_holder_set(acting=self.cora_acting, request=job, holder=holder)
            JobRequest.objects.filter(pk=job.pk).update(status=JobRequest.Status.PLANNED)
            assignment = Assignment.objects.create(
                request=job, worker=worker, starts_at=at(DAY, 9), ends_at=at(DAY, 11)
            )
            with clock_at(DAY + timedelta(days=1)):
                self.hours.append(
                    services.hours_register(
                        acting=self.cora_acting,
                        assignment=assignment,
                        starts_at=at(DAY, 9),
                        ends_at=at(DAY, 11),
                    )
                )

    def approve(self, hours: Hours, user: Any) -> Any:
        return lambda: services.hours_approve(acting=who(user), hours=hours)

    def test_two_hours_of_one_cheque_user_approved_at_once_spend_other_cheques(self) -> None:
        first, second = self.hours
        results = _at_once(self.approve(first, self.jo), self.approve(second, self.cora))
        self.assertFalse([r for r in results if isinstance(r, Exception)], results)
        uses = ChequeUse.objects.all()
        self.assertEqual(uses.count(), 4)  # 2 started hours each
        self.assertEqual(len({u.cheque_id for u in uses}), 4)

    def test_the_same_hours_approved_twice_at_once_is_approved_once(self) -> None:
        hours = self.hours[0]
        copies = [Hours.objects.get(pk=hours.pk) for _ in range(2)]
        results = _at_once(self.approve(copies[0], self.jo), self.approve(copies[1], self.cora))
        refused = [r for r in results if isinstance(r, ValidationError)]
        self.assertEqual(len(refused), 1, results)
        self.assertEqual(ChequeUse.objects.filter(hours=hours).count(), 2)


@unittest.skipUnless(connection.vendor == "postgresql", "a race only PostgreSQL can run")
@clock_at(date(2026, 2, 27))
class ConcurrentHoursTest(CastTestCase):
    def setUp(self) -> None:
        build_cast(self)
        build_jobs_cast(self)
        cora = who(self.cora)
        services.rules_update(acting=cora, programme=self.bureau, values={"max_hours_month": 3})
        self.assignments = []
        for n, hour in enumerate((9, 12)):
            job = services.request_create(
                acting=cora,
                programme=self.bureau,
                service=self.garden,
                name="Marleen Peeters",
                phone="059 12 34 56",
                street=f"Kerkstraat {n + 1}",
                postcode="8400",
                preferred_day=DAY,
                window_start=time(8),
                window_end=time(15),
            )
            JobRequest.objects.filter(pk=job.pk).update(status=JobRequest.Status.PLANNED)
            self.assignments.append(
                Assignment.objects.create(
                    request=job,
                    worker=self.worker_w,
                    starts_at=at(DAY, hour),
                    ends_at=at(DAY, hour + 2),
                )
            )

    def test_two_jobs_registered_at_once_stay_under_the_monthly_limit(self) -> None:
        def register(assignment: Assignment, hour: int) -> Any:
            def call() -> Any:
                with clock_at(DAY + timedelta(days=1)), translation.override("en"):
                    return services.hours_register(
                        acting=who(self.wout),
                        assignment=assignment,
                        starts_at=at(DAY, hour),
                        ends_at=at(DAY, hour + 2),
                    )

            return call

        first, second = self.assignments
        results = _at_once(register(first, 9), register(second, 12))
        refused = [r for r in results if isinstance(r, ValidationError)]
        self.assertEqual(len(refused), 1, results)
        self.assertIn("at most 3 hours a month", " ".join(refused[0].messages))
        self.assertEqual(Hours.objects.filter(worker=self.worker_w).count(), 1)
