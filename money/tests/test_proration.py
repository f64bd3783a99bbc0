"""The first/last-month rule of the monthly charge (money/proration.py), without a database."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from money.proration import (
    ProrationError,
    active_days,
    charge_split,
    contract_total,
    days_in_month,
    month_charge,
    months_between,
)

D = Decimal
FEES = st.decimals(min_value=0, max_value=1000, places=2)
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
PERIODS = st.tuples(DATES, DATES).map(sorted)


def test_first_month_is_prorated_from_installation_day():
    # 12 March to 31 March is 20 of 31 days: 8.50 × 20 / 31 = 5.4838…
    assert month_charge(
        fee=D("8.50"), start=date(2026, 3, 12), end=None, month=date(2026, 3, 1)
    ) == D("5.48")


def test_last_month_is_prorated_to_end_day_inclusive():
    # 1 to 10 February 2028 (a leap year, 29 days): 9.00 × 10 / 29 = 3.1034…
    charge = month_charge(
        fee=D("9.00"), start=date(2026, 3, 12), end=date(2028, 2, 10), month=date(2028, 2, 1)
    )
    assert charge == D("3.10")


def test_start_and_end_in_one_month():
    # 10 to 19 April: 10 of 30 days.
    charge = month_charge(
        fee=D("7.50"), start=date(2026, 4, 10), end=date(2026, 4, 19), month=date(2026, 4, 1)
    )
    assert charge == D("2.50")


def test_rounding_is_half_up():
    # 16 to 30 April is 15 of 30 days: 0.05 / 2 = 0.025 → 0.03 (banker's rounding gives 0.02).
    charge = month_charge(fee=D("0.05"), start=date(2026, 4, 16), end=None, month=date(2026, 4, 1))
    assert charge == D("0.03")


def test_full_months_and_months_outside_the_contract():
    start, end = date(2026, 3, 12), date(2026, 6, 5)
    fee = D("8.00")
    assert month_charge(fee=fee, start=start, end=end, month=date(2026, 2, 1)) == D("0.00")
    assert month_charge(fee=fee, start=start, end=end, month=date(2026, 4, 1)) == fee
    assert month_charge(fee=fee, start=start, end=end, month=date(2026, 5, 1)) == fee
    assert month_charge(fee=fee, start=start, end=end, month=date(2026, 7, 1)) == D("0.00")
    # Without an end date the contract runs on.
    assert month_charge(fee=fee, start=start, end=None, month=date(2036, 7, 1)) == fee


def test_charge_split_prorates_each_part():
    tenant, subsidy = charge_split(
        tenant_fee=D("8.50"),
        subsidy=D("2.00"),
        start=date(2026, 3, 12),
        end=None,
        month=date(2026, 3, 1),
    )
    assert (tenant, subsidy) == (D("5.48"), D("1.29"))  # 2.00 × 20 / 31 = 1.2903…


def test_months_between_includes_both_ends():
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert months_between(date(2026, 5, 5), date(2026, 5, 5)) == [date(2026, 5, 1)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fee": D("-1.00"), "start": date(2026, 1, 1), "end": None, "month": date(2026, 1, 1)},
        {"fee": D("1.005"), "start": date(2026, 1, 1), "end": None, "month": date(2026, 1, 1)},
        {
            "fee": D("1.00"),
            "start": date(2026, 2, 1),
            "end": date(2026, 1, 1),
            "month": date(2026, 1, 1),
        },
        {"fee": D("1.00"), "start": date(2026, 1, 1), "end": None, "month": date(2026, 1, 2)},
    ],
    ids=["negative fee", "three decimals", "end before start", "month not a first day"],
)
def test_bad_input_is_refused(kwargs):
    with pytest.raises(ProrationError):
        month_charge(**kwargs)


def test_bad_periods_are_refused():
    with pytest.raises(ProrationError):
        months_between(date(2026, 2, 1), date(2026, 1, 31))
    with pytest.raises(ProrationError):
        contract_total(fee=D("1.00"), start=date(2026, 2, 1), end=date(2026, 1, 31))


@settings(deadline=None)
@given(period=PERIODS, fee=FEES)
def test_sum_of_monthly_charges_equals_the_rule(period, fee):
    start, end = period
    months = months_between(start, end)
    charges = [month_charge(fee=fee, start=start, end=end, month=m) for m in months]
    assert sum(charges, D("0.00")) == contract_total(fee=fee, start=start, end=end)
    for month, charge in zip(months, charges, strict=True):
        assert D("0.00") <= charge <= fee
        if month > start and (month.year, month.month) < (end.year, end.month):
            assert charge == fee, "a fully covered month is charged the full fee"
    # Nothing is charged the month before the start or the month after the end.
    before = (months[0] - timedelta(days=1)).replace(day=1)
    after = (months[-1] + timedelta(days=31)).replace(day=1)
    for outside in (before, after):
        assert month_charge(fee=fee, start=start, end=end, month=outside) == D("0.00")


@given(day=DATES, fee=FEES)
def test_one_day_contract(day, fee):
    month = day.replace(day=1)
    expected = (fee / days_in_month(day)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert month_charge(fee=fee, start=day, end=day, month=month) == expected
    assert active_days(start=day, end=day, month=month) == 1


@settings(deadline=None)
@given(period=PERIODS, tenant_fee=FEES, subsidy=FEES)
def test_split_parts_sum_to_each_parts_rule(period, tenant_fee, subsidy):
    start, end = period
    tenant_total = subsidy_total = D("0.00")
    for month in months_between(start, end):
        tenant, sub = charge_split(
            tenant_fee=tenant_fee, subsidy=subsidy, start=start, end=end, month=month
        )
        tenant_total += tenant
        subsidy_total += sub
    assert tenant_total == contract_total(fee=tenant_fee, start=start, end=end)
    assert subsidy_total == contract_total(fee=subsidy, start=start, end=end)
