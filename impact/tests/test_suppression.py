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


# --- Differences between published figures (docs/impact.md) ----------------------------------

counts = st.integers(min_value=0, max_value=5_000)


def test_published_counts_are_rounded_to_five():
    assert [suppression.published_count(v) for v in (3, 4, 5, 7, 8, 12, 13, 14, 48)] == [
        None,
        None,
        5,
        5,
        10,
        10,
        15,
        15,
        50,
    ]
    shown = suppression.publish("reached", "Households reached", 12, "households", None)
    assert (shown.value, shown.rounded) == (10, True)
    kwh = suppression.publish("kwh", "kWh saved", Decimal("1234.4"), "kWh", 12)
    assert (kwh.value, kwh.rounded) == (1234, False)  # to its precision, not to 5


# --- Precision of other figures (docs/impact.md) ---------------------------------------------


def test_other_figures_are_published_to_the_precision_of_their_unit():
    cases: list[tuple[Decimal | int, str, Decimal | int]] = [
        (Decimal("1234.5678"), "kWh", 1235),
        (Decimal("987.654"), "EUR", 988),
        (Decimal("12.3456"), "%", Decimal("12.3")),
        (Decimal("12.35"), "%", Decimal("12.4")),
        (Decimal("3.456"), "m³", Decimal("3.5")),
        (Decimal("45.67"), "kg", 46),
        (Decimal("-2.5"), "kWh", -3),
        (37, "h", 37),
        (Decimal("4.567"), "jobs", Decimal("4.57")),  # any other unit: two decimals at most
        (Decimal("48.5"), "", Decimal("48.5")),
    ]
    for value, unit, expected in cases:
        shown = suppression.publish("x", "x", value, unit, 40)
        assert (shown.value, type(shown.value)) == (expected, type(expected)), (value, unit)
        assert not shown.rounded  # the mark is for counts rounded to 5
    # A typed-in unit is read without regard to case or spaces.
    assert suppression.publish("x", "x", Decimal("10.6"), " KWH ", 40).value == 11


@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15),
    st.sampled_from(["kWh", "EUR", "%", "m³", "kg", "h", "jobs"]),
)
def test_a_published_figure_is_within_half_a_step_of_its_value(value, unit):
    places = suppression.places_of(unit)
    shown = suppression.publish("x", "x", value, unit, 40).value
    assert shown is not None
    assert abs(Decimal(shown) - value) <= Decimal(1).scaleb(-places) / 2
    assert -Decimal(shown).as_tuple().exponent <= places  # type: ignore[operator]


def test_october_12_and_november_14_reveal_nothing():
    october, november = suppression.published_count(12), suppression.published_count(14)
    assert (october, november) == (10, 15)
    assert not suppression.revealed_gap(october, november)


@given(counts, counts)
def test_no_two_published_counts_reveal_a_group_under_five(first, second):
    assert not suppression.revealed_gap(
        suppression.published_count(first), suppression.published_count(second)
    )


@given(counts, counts)
def test_a_total_minus_its_part_reveals_no_group_under_five(part, rest):
    """A programme's total (part + rest) and one of its parts, both published: the reader
    cannot conclude that the rest is a group of 1 to 4."""
    total = suppression.published_count(part + rest)
    shown_part = suppression.published_count(part)
    assert not suppression.revealed_gap(total, shown_part)


@given(st.lists(counts, min_size=2, max_size=13))
def test_no_pair_of_months_of_a_series_reveals_a_group_under_five(series):
    """Every pair of a year of monthly counts (not only neighbours), also when a count falls."""
    shown = [suppression.published_count(v) for v in series]
    assert not any(
        suppression.revealed_gap(a, b) for i, a in enumerate(shown) for b in shown[i + 1 :]
    )


@given(counts)
def test_every_published_count_stands_for_at_least_three_true_ones(value):
    shown = suppression.published_count(value)
    behind = suppression.consistent_counts(shown, high=10**9)
    assert value in behind
    assert len(behind) >= 3
    if shown is not None:
        assert shown % suppression.ROUNDING_BASE == 0 and shown >= suppression.THRESHOLD


def test_the_check_itself_can_fail():
    """Under the old rule (exact values, only fewer than 5 suppressed) the same check finds
    the group: 12 in October and 14 in November means two households joined."""

    def exact(value: int) -> int | None:
        return None if value < suppression.THRESHOLD else value

    assert suppression.revealed_gap(exact(12), exact(14), rule=exact)
    assert suppression.revealed_gap(exact(30), exact(27), rule=exact)
    assert not suppression.revealed_gap(exact(12), exact(17), rule=exact)
