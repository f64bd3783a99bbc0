"""A community's month as matrices: participants × quarter-hours of offtake and injection.

Rows are the participants that take part on at least one day of the month, in the order of
their primary key; on a day a participant does not take part (before joining, after leaving)
its row is zero, so it neither gives nor receives. Days without meter data are zero too. The
role decides which meter directions count: a producer's offtake stays with its supplier (it
receives nothing from the community), a consumer's injection is not shared.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Q

from sharing.models import Community, KeyChoice, MeterDay, Participant, floats, key_for
from sharing.pure.allocation import FloatArray, Key
from sharing.pure.timeseries import day_span, month_days, month_span


@dataclass
class MonthData:
    community: Community
    month: date
    participants: list[Participant]
    offtake: FloatArray
    injection: FloatArray
    start: int  # first quarter-hour (UTC number)
    days: list[date]
    day_starts: list[int]  # index of each day's first quarter-hour in the matrices
    days_with_data: int

    @property
    def vulnerable(self) -> np.ndarray:
        return np.array([p.vulnerable for p in self.participants], dtype=np.bool_)

    @property
    def percentages(self) -> list[float]:
        return [float(p.key_percentage) / 100 for p in self.participants]

    def index_of_day(self, day: date) -> int:
        return self.day_starts[self.days.index(day)]


def month_participants(community: Community, month: date) -> list[Participant]:
    days = month_days(month)
    return list(
        Participant.objects.filter(community=community, joined_on__lte=days[-1])
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=days[0]))
        .select_related("household")
        .order_by("pk")
    )


def month_data(community: Community, month: date) -> MonthData:
    month = month.replace(day=1)
    participants = month_participants(community, month)
    days = month_days(month)
    start, end = month_span(month)
    n, size = len(participants), end - start
    offtake, injection = np.zeros((n, size)), np.zeros((n, size))
    row_of = {p.pk: i for i, p in enumerate(participants)}
    day_starts = [day_span(day)[0] - start for day in days]
    index_of = dict(zip(days, day_starts, strict=True))
    with_data: set[date] = set()
    for meter_day in MeterDay.objects.filter(
        participant_id__in=row_of, day__gte=days[0], day__lte=days[-1]
    ).only("participant_id", "day", "quarter_hours", "offtake", "injection"):
        participant = participants[row_of[meter_day.participant_id]]
        if not participant.takes_part_on(meter_day.day):
            continue
        at = index_of[meter_day.day]
        count = meter_day.quarter_hours
        row = row_of[meter_day.participant_id]
        if participant.consumes:
            offtake[row, at : at + count] = floats(meter_day.offtake)
        if participant.produces:
            injection[row, at : at + count] = floats(meter_day.injection)
        with_data.add(meter_day.day)
    return MonthData(
        community=community,
        month=month,
        participants=participants,
        offtake=offtake,
        injection=injection,
        start=start,
        days=days,
        day_starts=day_starts,
        days_with_data=len(with_data),
    )


@dataclass(frozen=True)
class Segment:
    """Quarter-hours [begin, end) of a month allocated under one key."""

    begin: int
    end: int
    choice: KeyChoice | None
    key: Key | None


def key_segments(data: MonthData) -> list[Segment]:
    """The month cut where the community's key changes (a key applies from its day on)."""
    community = data.community
    first = community.key_on(data.days[0])
    changes = list(
        KeyChoice.objects.filter(
            community=community, valid_from__gt=data.days[0], valid_from__lte=data.days[-1]
        ).order_by("valid_from")
    )
    bounds: list[tuple[int, KeyChoice | None]] = [(0, first)]
    bounds += [(data.index_of_day(choice.valid_from), choice) for choice in changes]
    total = data.offtake.shape[1]
    segments = []
    for number, (begin, choice) in enumerate(bounds):
        end = bounds[number + 1][0] if number + 1 < len(bounds) else total
        key = (
            key_for(choice.preset, data.percentages, float(choice.social_cap))
            if choice is not None and data.participants
            else None
        )
        segments.append(Segment(begin, end, choice, key))
    return segments
