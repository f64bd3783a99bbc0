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
- Differences: a published count of households or persons is rounded to a multiple of 5
  (halves up: 12 → 10, 13 → 15). Two published counts — two months, a total and one of its
  parts, today's page and last week's — then differ by 0, 5, 10 …, and every published value
  stands for at least 3 true ones, so no difference between them pins a group to 1–4
  (`revealed_gap`, tests/test_suppression.py). Rounding needs no memory of what was published
  before, which a rule "suppress a month that differs from its neighbour by less than 5"
  would (docs/impact.md, "Differences between published figures").
- Precision: every other published figure is rounded to what its unit sensibly carries
  (`PLACES`: kWh, kg and hours whole, m³ and % to one decimal, EUR to whole euros; any other
  unit at most two decimals), so 1234.5678 kWh leaves as 1235 kWh, everywhere alike. The
  organisation's own page and the stored values keep every decimal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

THRESHOLD = 5
ROUNDING_BASE = 5
COUNT_UNITS = frozenset({"households", "persons", "people", "residents", "workers"})

Number = Decimal | int
# Decimals a published figure keeps, by unit (lower case; docs/impact.md, "Precision of other
# figures"). Whole units become int.
PLACES: dict[str, int] = {
    "kwh": 0,
    "kg": 0,
    "h": 0,
    "hours": 0,
    "m³": 1,
    "m3": 1,
    "%": 1,
    "eur": 0,
    "euro": 0,
    "€": 0,
}
OTHER_PLACES = 2


@dataclass(frozen=True)
class Published:
    """A figure as it may leave the organisation: its value, or None when suppressed."""

    key: str
    label: str
    value: Number | None
    unit: str
    suppressed: bool
    rounded: bool = False  # a count, rounded to a multiple of ROUNDING_BASE


def base_of(value: Number, unit: str, about: int | None) -> int | None:
    """How many households or persons a figure is about: a count is about itself."""
    if unit in COUNT_UNITS:
        return int(value)
    return about


def suppressed(value: Number, unit: str, about: int | None, threshold: int = THRESHOLD) -> bool:
    """Whether the figure must be suppressed outside the organisation."""
    base = base_of(value, unit, about)
    return base is None or base < threshold


def rounded(value: Number, base: int = ROUNDING_BASE) -> int:
    """The nearest multiple of `base`, halves up (12 → 10, 12.5 → 15, 13 → 15)."""
    steps = (Decimal(value) / base).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(steps) * base


def places_of(unit: str) -> int:
    """How many decimals a published figure in this unit keeps."""
    return PLACES.get(unit.strip().lower(), OTHER_PLACES)


def precise_to(value: Number, places: int) -> Number:
    """The value to `places` decimals, halves away from zero (1234.5678 → 1235 for 0, 12.35
    → 12.4 for 1); whole numbers as int. A value with no more decimals stays as it is."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or infinity: nothing to round
        return value
    if exponent < -places:
        # Enough precision for every digit, however large the number.
        context = Context(prec=len(number.as_tuple().digits) + 2)
        number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, context)
    if places == 0:
        return int(number)
    if number.is_zero():
        number = number.copy_abs()  # -0.04 → 0.0, not -0.0
    return value if isinstance(value, int) else number


def publish(key: str, label: str, value: Number, unit: str, about: int | None) -> Published:
    """The figure as it may leave the organisation: suppressed when about fewer than 5, a
    count rounded to a multiple of 5, any other figure to the precision of its unit."""
    if suppressed(value, unit, about):
        return Published(key, label, None, unit, True)
    if unit in COUNT_UNITS:
        return Published(key, label, rounded(value), unit, False, True)
    return Published(key, label, precise_to(value, places_of(unit)), unit, False)


def published_count(value: int) -> int | None:
    """What a count of households or persons becomes outside: None for fewer than 5."""
    return publish("", "", value, "households", None).value  # type: ignore[return-value]


def consistent_counts(
    shown: int | None, high: int, rule: Callable[[int], int | None] = published_count
) -> list[int]:
    """Every true count up to `high` that `rule` publishes as `shown` (None: suppressed)."""
    if shown is None:
        return list(range(0, THRESHOLD))
    window = range(max(0, shown - ROUNDING_BASE), min(high, shown + ROUNDING_BASE) + 1)
    return [v for v in window if rule(v) == shown]


def revealed_gap(
    first: int | None,
    second: int | None,
    high: int = 10**9,
    rule: Callable[[int], int | None] = published_count,
) -> bool:
    """Whether two counts published by `rule` tell a reader that the true counts differ by 1
    to 4 (a small group): true only when every pair of true counts behind them does."""
    a, b = consistent_counts(first, high, rule), consistent_counts(second, high, rule)
    return all(0 < abs(x - y) < THRESHOLD for x in a for y in b)
