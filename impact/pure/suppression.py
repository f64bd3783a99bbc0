"""Small-group suppression: a figure about fewer than 5 households or persons never leaves
the organisation. Pure rules, no Django import (tested directly in tests/test_suppression.py).

The rule is applied wherever a figure can leave the organisation — the public practice page,
the feed between installations, the Excel export and the API — by `publish()`; the
organisation's own impact page shows the value with a mark that it stays inside.

- `about` is how many households or persons the figure is about. A figure whose base is
  unknown is treated as about none, so it is suppressed (fail closed).
- A count of households or persons is about itself: 3 households reached is suppressed.
- Zero is suppressed too: "fewer than 5" is honest and a new programme with none yet reveals
  nothing by saying so.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

THRESHOLD = 5
COUNT_UNITS = frozenset({"households", "persons", "people", "residents", "workers"})

Number = Decimal | int


@dataclass(frozen=True)
class Published:
    """A figure as it may leave the organisation: its value, or None when suppressed."""

    key: str
    label: str
    value: Number | None
    unit: str
    suppressed: bool


def base_of(value: Number, unit: str, about: int | None) -> int | None:
    """How many households or persons a figure is about: a count is about itself."""
    if unit in COUNT_UNITS:
        return int(value)
    return about


def suppressed(value: Number, unit: str, about: int | None, threshold: int = THRESHOLD) -> bool:
    """Whether the figure must be suppressed outside the organisation."""
    base = base_of(value, unit, about)
    return base is None or base < threshold


def publish(key: str, label: str, value: Number, unit: str, about: int | None) -> Published:
    if suppressed(value, unit, about):
        return Published(key, label, None, unit, True)
    return Published(key, label, value, unit, False)


def publish_all(
    figures: Iterable[tuple[str, str, Number, str, int | None]],
) -> list[Published]:
    return [publish(*figure) for figure in figures]
