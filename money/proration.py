"""The monthly charge of a rental contract, with the rule for the first and the last month.

No Django here: the billing run and the tests call these functions directly.

The rule (also in docs/billing.md):

- A contract is charged for each calendar month in which it is active, from the month of its
  start date (the installation) to the month of its end date.
- A month that the contract covers completely is charged the full monthly fee.
- The first and the last month are prorated by days:

      amount = round_half_up(fee × active_days / days_in_month, 2)

  where the first month counts from the start date inclusive and the last month up to the end
  date inclusive. A contract that starts and ends in the same month is charged for its active
  days in that month. With no end date the contract runs on: every month after the first is
  full.
- The tenant part and the subsidy part are prorated and rounded each on its own, so that each
  part follows this rule exactly; the charge is the sum of the two rounded parts.

Example: fee 8.50, installed on 12 March (31 days): 20 active days, 8.50 × 20 / 31 = 5.4838…,
charged 5.48.
"""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class ProrationError(ValueError):
    """Dates or amounts that the rule cannot be applied to."""


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    return day.replace(day=days_in_month(day))


def _next_month(month: date) -> date:
    if month.month == 12:
        return date(month.year + 1, 1, 1)
    return date(month.year, month.month + 1, 1)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _check(*, fee: Decimal, start: date, end: date | None) -> None:
    if fee < 0:
        raise ProrationError("a monthly fee cannot be negative")
    if fee != fee.quantize(CENT):
        raise ProrationError("a monthly fee has at most two decimals")
    if end is not None and end < start:
        raise ProrationError("a contract cannot end before it starts")


def _prorate(fee: Decimal, active_days: int, month_days: int) -> Decimal:
    return (fee * active_days / month_days).quantize(CENT, rounding=ROUND_HALF_UP)


def months_between(start: date, end: date) -> list[date]:
    """The first day of every calendar month from the month of start to the month of end."""
    if end < start:
        raise ProrationError("a contract cannot end before it starts")
    months = []
    month = first_of_month(start)
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def active_days(*, start: date, end: date | None, month: date) -> int:
    """How many days of the month the contract is active (0 outside its active period)."""
    if month.day != 1:
        raise ProrationError("a billing month is given by its first day")
    first = max(start, month)
    last = last_of_month(month) if end is None else min(end, last_of_month(month))
    return max((last - first).days + 1, 0)


def month_start(value: date) -> date:
    return value.replace(day=1)


def month_end(value: date) -> date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def month_charge(*, fee: Decimal, start: date, end: date | None, month: date) -> Decimal:
    """What one part of the fee costs for the given month (month = its first day)."""
    _check(fee=fee, start=start, end=end)
    days = active_days(start=start, end=end, month=month)
    if days == 0:
        return ZERO
    return _prorate(fee, days, days_in_month(month))


def charge_split(
    *,
    tenant_fee: Decimal,
    subsidy: Decimal,
    start: date,
    end: date | None,
    month: date,
) -> tuple[Decimal, Decimal]:
    """The tenant part and the subsidy part of a month's charge, each prorated on its own."""
    return (
        month_charge(fee=tenant_fee, start=start, end=end, month=month),
        month_charge(fee=subsidy, start=start, end=end, month=month),
    )


def contract_total(*, fee: Decimal, start: date, end: date) -> Decimal:
    """The sum of all monthly charges of a contract, counted as whole months plus two ends.

    Computed without walking the months, so that tests can hold the monthly charges against it.
    """
    _check(fee=fee, start=start, end=end)
    if (start.year, start.month) == (end.year, end.month):
        return _prorate(fee, (end - start).days + 1, days_in_month(start))
    first_days = days_in_month(start) - start.day + 1
    first = _prorate(fee, first_days, days_in_month(start))
    last = _prorate(fee, end.day, days_in_month(end))
    whole_months = _month_index(end) - _month_index(start) - 1
    return (first + last + fee * whole_months).quantize(CENT, rounding=ROUND_HALF_UP)
