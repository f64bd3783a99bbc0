"""The monthly allocation of a community: idempotent, one AllocationRun per community and month.

`allocation_month_run` loads the month's meter data, runs the engine (sharing.pure.allocation)
for each part of the month under one key, and stores the totals per participant, the flows
producer → receiver and the community's quarter-hour series. Running a month again replaces
its results with the same figures (or new ones, when meter data came in since).
"""

from collections.abc import Callable
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tenancy import Acting
from sharing.models import AllocationRun, Community, Flow, MeterDay, MonthResult
from sharing.pure.allocation import AllocationError, allocate_period
from sharing.pure.timeseries import month_days, next_month
from sharing.rules import require_lead
from sharing.selectors.months import key_segments, month_data, month_participants

Progress = Callable[[int, int], None]
# Below this a flow is rounding noise, not energy (a millionth of a kWh).
FLOW_EPSILON_KWH = 1e-6


def allocation_month_check(*, community: Community, month: date) -> None:
    """What refuses a month before any work: not over yet, no participants, no meter data, no
    key. The background run's start checks this too (sharing/runs.py)."""
    month = month.replace(day=1)
    if next_month(month) > timezone.localdate():
        raise ValidationError(
            {
                "month": _(
                    "A month can be allocated once it is over (the grid operator settles it "
                    "afterwards)."
                )
            }
        )
    if month.year < 2000:
        raise ValidationError({"month": _("Give a month from 2000 on.")})
    if not month_participants(community, month):
        raise ValidationError({"month": _("The community had no participants in this month.")})
    days = month_days(month)
    if not MeterDay.objects.filter(
        participant__community=community, day__gte=days[0], day__lte=days[-1]
    ).exists():
        raise ValidationError({"month": _("There is no meter data for this month yet.")})
    if community.key_on(days[0]) is None:
        raise ValidationError({"month": _("Choose the community's key for this month first.")})


def allocation_month_run(
    *,
    acting: Acting,
    community: Community,
    month: date,
    progress: Progress | None = None,
) -> AllocationRun:
    """Allocate one past month of the community and store its results (again: replaced)."""
    require_lead(acting, community, "sharing.run")
    month = month.replace(day=1)
    allocation_month_check(community=community, month=month)
    data = month_data(community, month)
    if data.days_with_data == 0:
        raise ValidationError({"month": _("There is no meter data for this month yet.")})
        raise ValidationError(
            {
                "month": _(
                    "A month can be allocated once it is over (the grid operator settles it "
                    "afterwards)."
                )
            }
        )
    try:
        segments = key_segments(data)
    except AllocationError as exc:
        raise ValidationError(
            {"month": _("The key cannot be used: %(error)s") % {"error": exc}}
        ) from exc
    if any(segment.key is None for segment in segments):
        raise ValidationError({"month": _("Choose the community's key for this month first.")})
    n, size = data.offtake.shape
    steps = len(segments) + 1
    received, shared_injection = np.zeros(n), np.zeros(n)
    pool, shared = np.zeros(size), np.zeros(size)
    from_producer = np.zeros((n, n))  # [producer, receiver]
    for step, segment in enumerate(segments):
        if segment.begin == segment.end or segment.key is None:
            continue
        totals = allocate_period(
            spans=[
                (
                    data.offtake[:, segment.begin : segment.end],
                    data.injection[:, segment.begin : segment.end],
                )
            ],
            key=segment.key,
            vulnerable=data.vulnerable,
        )
        received += totals.received
        shared_injection += totals.shared_injection
        pool[segment.begin : segment.end] = totals.pool_by_quarter_hour
        shared[segment.begin : segment.end] = totals.shared_by_quarter_hour
        if totals.producers.size:
            from_producer[totals.producers] += totals.received_from
        if progress:
            progress(step + 1, steps)
    offtake, injection = data.offtake.sum(axis=1), data.injection.sum(axis=1)
    names = ", ".join(
        f"{segment.choice.preset} {segment.choice.valid_from:%Y-%m-%d}"
        for segment in segments
        if segment.choice is not None
    )
    with transaction.atomic():
        run = (
            AllocationRun.objects.select_for_update()
            .filter(community=community, month=month)
            .first()
        )
        if run is None:
            run = AllocationRun(community=community, month=month, times_run=0)
        run.status = AllocationRun.Status.DONE
        run.keys = names[:200]
        run.quarter_hours = size
        run.days_with_data = data.days_with_data
        run.pool = pool.tobytes()
        run.shared = shared.tobytes()
        run.offtake = data.offtake.sum(axis=0).tobytes()
        run.ran_by_id = acting.user_id
        run.ran_at = timezone.now()
        run.times_run += 1
        run.save()
        run.results.all().delete()
        run.flows.all().delete()
        MonthResult.objects.bulk_create(
            MonthResult(
                run=run,
                participant=participant,
                offtake=float(offtake[i]),
                injection=float(injection[i]),
                received=max(float(received[i]), 0.0),
                given_back=max(float(injection[i] - shared_injection[i]), 0.0),
                shared_injection=max(float(shared_injection[i]), 0.0),
            )
            for i, participant in enumerate(data.participants)
        )
        producers, receivers = np.nonzero(from_producer > FLOW_EPSILON_KWH)
        Flow.objects.bulk_create(
            Flow(
                run=run,
                producer=data.participants[int(j)],
                receiver=data.participants[int(i)],
                kwh=float(from_producer[j, i]),
            )
            for j, i in zip(producers, receivers, strict=True)
        )
    if progress:
        progress(steps, steps)
    return run
