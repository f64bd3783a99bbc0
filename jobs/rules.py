"""The job bureau's money and hour rules, with no Django: presets, the price of a job, a
worker's allowance and the hours a worker may still work. Sources of the presets: docs/jobs.md.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Flemish activity list, grouped (Besluit van de Vlaamse Regering wijk-werken, annex).
ALL_CATEGORIES = (
    "odd_jobs",
    "garden",
    "clearing",
    "grave_care",
    "moving",
    "transport",
    "appliances",
    "errands",
)

PRESETS: Mapping[str, Mapping[str, object]] = {
    # Flanders, wijk-werken (decreet 7 december 2017, BVR 7 september 2018; VDAB, 2025):
    # 60 h/month, 630 h/year, 12 months; 5.95-7.45 EUR per cheque, one per started hour;
    # cheque valid 12 months; 4.10 EUR allowance per cheque, 0.15 EUR/km above 10 km.
    "wijk_werken": {
        "max_hours_month": 60,
        "max_hours_year": 630,
        "max_trajectory_months": 12,
        "pricing": "per_started_hour",
        "price_per_hour": Decimal("7.45"),
        "registration_fee": Decimal("10.00"),
        "cheque_validity_months": 12,
        "allowance_per_hour": Decimal("4.10"),
        "km_allowance": Decimal("0.15"),
        "km_threshold": 10,
        "allowance_cap_month": None,
        "allowance_cap_year": None,
        "allowed_categories": list(ALL_CATEGORIES),
    },
    # The Netherlands, volunteer allowance under the Participatiewet (Belastingdienst,
    # vrijwilligersvergoeding 2025): at most 5.60 EUR an hour, 210 EUR a month, 2,100 a year.
    "nl_volunteer": {
        "max_hours_month": 40,
        "max_hours_year": 400,
        "max_trajectory_months": None,
        "pricing": "fixed",
        "price_per_hour": Decimal("0.00"),
        "registration_fee": Decimal("0.00"),
        "cheque_validity_months": None,
        "allowance_per_hour": Decimal("5.60"),
        "km_allowance": Decimal("0.00"),
        "km_threshold": 0,
        "allowance_cap_month": Decimal("210.00"),
        "allowance_cap_year": Decimal("2100.00"),
        "allowed_categories": list(ALL_CATEGORIES),
    },
}

# Bounds the wijk-werken decree sets on the organiser's cheque price.
WIJK_WERKEN_PRICE_MIN = Decimal("5.95")
WIJK_WERKEN_PRICE_MAX = Decimal("7.45")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def cheques(minutes: int) -> int:
    """One cheque per *started* hour: 61 minutes are two cheques."""
    return max(0, math.ceil(minutes / 60))


def cheque_valid_until(bought_on: date, months: int | None) -> date | None:
    """The last day a cheque bought on `bought_on` can pay for a job: `months` later, one day
    before the same day of the month (the end of a shorter month when it has no such day);
    None when the programme sets no validity."""
    if not months:
        return None
    index = bought_on.month - 1 + months
    year, month = bought_on.year + index // 12, index % 12 + 1
    day = min(bought_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


def spend_plan(needed: int, available: Sequence[tuple[date | None, int]]) -> list[int]:
    """Which cheques to spend, oldest first: `available` holds (valid until, id) of the
    unspent, unexpired cheques; the ones ending soonest go first (no end: last)."""
    ordered = sorted(available, key=lambda c: (c[0] is None, c[0] or date.max, c[1]))
    return [cheque_id for _until, cheque_id in ordered[: max(needed, 0)]]


def price(
    *, pricing: str, minutes: int, price_per_hour: Decimal, fixed_price: Decimal | None
) -> Decimal:
    """What the resident pays for one job (without the yearly registration fee)."""
    if pricing == "fixed":
        return money(fixed_price or Decimal("0"))
    return money(price_per_hour * cheques(minutes))


@dataclass(frozen=True)
class Allowance:
    hours_amount: Decimal
    km_amount: Decimal
    capped: Decimal  # what is cut off by a monthly or yearly cap
    total: Decimal


def allowance(
    *,
    pricing: str,
    jobs: Iterable[tuple[int, Decimal]],
    allowance_per_hour: Decimal,
    km_allowance: Decimal,
    km_threshold: int,
    cap_month: Decimal | None = None,
    cap_year: Decimal | None = None,
    paid_this_year: Decimal = Decimal("0"),
) -> Allowance:
    """A month's allowance from its jobs (minutes, round-trip km). Per cheque under
    wijk-werken (per started hour), per hour worked otherwise; km only above the threshold
    round trip; then the monthly cap and what is left of the yearly cap."""
    hours_amount = Decimal("0")
    km_amount = Decimal("0")
    for minutes, km in jobs:
        if pricing == "per_started_hour":
            hours_amount += allowance_per_hour * cheques(minutes)
        else:
            hours_amount += allowance_per_hour * Decimal(minutes) / 60
        if km_allowance and km > km_threshold:
            km_amount += km_allowance * km
    hours_amount, km_amount = money(hours_amount), money(km_amount)
    total = hours_amount + km_amount
    limit = total
    if cap_month is not None:
        limit = min(limit, cap_month)
    if cap_year is not None:
        limit = min(limit, max(Decimal("0"), cap_year - paid_this_year))
    return Allowance(hours_amount, km_amount, money(total - limit), money(limit))


@dataclass(frozen=True)
class Limits:
    max_hours_month: int | None
    max_hours_year: int | None


@dataclass(frozen=True)
class LimitBreach:
    which: str  # "month" or "year"
    limit_hours: int
    used_minutes: int
    asked_minutes: int


def check_limits(
    limits: Limits, *, month_minutes: int, year_minutes: int, asked_minutes: int
) -> LimitBreach | None:
    """The first limit the asked minutes would exceed, or None."""
    for which, limit, used in (
        ("month", limits.max_hours_month, month_minutes),
        ("year", limits.max_hours_year, year_minutes),
    ):
        if limit is not None and used + asked_minutes > limit * 60:
            return LimitBreach(which, limit, used, asked_minutes)
    return None


def remaining_minutes(limits: Limits, *, month_minutes: int, year_minutes: int) -> int:
    left = [24 * 60]
    if limits.max_hours_month is not None:
        left.append(limits.max_hours_month * 60 - month_minutes)
    if limits.max_hours_year is not None:
        left.append(limits.max_hours_year * 60 - year_minutes)
    return max(0, min(left))
