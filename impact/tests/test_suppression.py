from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from impact.pure import suppression


def test_a_figure_about_fewer_than_five_is_suppressed():
    assert suppression.suppressed(Decimal("120.5"), "kWh", 4)
    assert not suppression.suppressed(Decimal("120.5"), "kWh", 5)


def test_a_count_of_households_is_about_itself():
    assert suppression.suppressed(3, "households", None)
    assert suppression.suppressed(0, "persons", 100)  # the count decides, not `about`
    assert not suppression.suppressed(5, "households", None)


def test_an_unknown_base_fails_closed():
    assert suppression.suppressed(Decimal("999"), "EUR", None)


def test_published_figure_loses_its_value():
    shown = suppression.publish("kwh", "Electricity saved", Decimal("80"), "kWh", 2)
    assert shown.value is None and shown.suppressed
    shown = suppression.publish("kwh", "Electricity saved", Decimal("80"), "kWh", 12)
    assert shown.value == Decimal("80") and not shown.suppressed


@given(
    st.integers(min_value=0, max_value=10_000), st.decimals(allow_nan=False, allow_infinity=False)
)
def test_nothing_about_a_small_group_is_ever_published(about, value):
    shown = suppression.publish("x", "x", value, "kWh", about)
    assert (shown.value is None) == (about < suppression.THRESHOLD)
