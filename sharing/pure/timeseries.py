"""Quarter-hours and local days (Europe/Brussels), pure: no Django.

A quarter-hour is numbered by its UTC start: seconds since 1970 // 900. A local day runs from
its local midnight to the next; it has 92 quarter-hours on the last Sunday of March, 100 on
the last Sunday of October and 96 otherwise.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sharing.pure.meterdata import BRUSSELS

QUARTER_SECONDS = 900


def midnight_quarter(day: date) -> int:
    """The number of the first quarter-hour of a local day."""
    return int(datetime(day.year, day.month, day.day, tzinfo=BRUSSELS).timestamp()) // 900


def day_span(day: date) -> tuple[int, int]:
    """(first quarter-hour, first quarter-hour of the next day) of a local day."""
    return midnight_quarter(day), midnight_quarter(day + timedelta(days=1))


def month_days(month: date) -> list[date]:
    first = month.replace(day=1)
    following = next_month(first)
    return [first + timedelta(days=i) for i in range((following - first).days)]


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_span(month: date) -> tuple[int, int]:
    first = month.replace(day=1)
    return midnight_quarter(first), midnight_quarter(next_month(first))


def local_day_of(quarter: int) -> date:
    return datetime.fromtimestamp(quarter * 900, tz=UTC).astimezone(BRUSSELS).date()


def days_between(first_quarter: int, end_quarter: int) -> Iterator[tuple[date, int, int]]:
    """The local days that quarter-hours [first, end) touch: (day, day start, day end)."""
    if end_quarter <= first_quarter:
        return
    day = local_day_of(first_quarter)
    while True:
        start, end = day_span(day)
        if start >= end_quarter:
            return
        yield day, start, end
        day += timedelta(days=1)


def local_hour(quarter: int) -> int:
    return datetime.fromtimestamp(quarter * 900, tz=UTC).astimezone(BRUSSELS).hour
