"""The allocation engine (sharing/pure/allocation.py) against the reference and by hand, no
database."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing.pure.allocation import (
    Allocation,
    AllocationError,
    Key,
    Round,
    Weighting,
    allocate,
    allocate_period,
)
from sharing.tests.reference import reference_allocate

TOLERANCE = 1e-9

# --- hand-computed cases ------------------------------------------------------------------------
# One quarter-hour, four participants: a school S that injects 10 kWh and three households
# A, B, C that take 6, 2 and 4 kWh from the grid. Percentages: S 0 %, A 50 %, B 30 %, C 20 %.
OFFTAKE = [[0.0], [6.0], [2.0], [4.0]]
INJECTION = [[10.0], [0.0], [0.0], [0.0]]
PERCENTAGES = [0.0, 0.5, 0.3, 0.2]


def run(key: Key, offtake: list[list[float]] = OFFTAKE, **kwargs: object) -> Allocation:
    return allocate(offtake=offtake, injection=INJECTION, key=key, **kwargs)  # type: ignore[arg-type]


def close(actual: np.ndarray, expected: list[list[float]]) -> None:
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)


def received(result: Allocation) -> list[float]:
    return [float(x) for x in result.received[:, 0]]


def test_fixed_key() -> None:
    # Offers 10 × 50 % = 5, 10 × 30 % = 3, 10 × 20 % = 2; B needs only 2 of its 3.
    # Taken 5 + 2 + 2 = 9; the school gets 1 back.
    result = run(Key.fixed(PERCENTAGES))
    assert received(result) == pytest.approx([0, 5, 2, 2])
    assert result.given_back[0, 0] == pytest.approx(1)
    assert result.shared_injection[0, 0] == pytest.approx(9)
    assert result.remaining_offtake[:, 0] == pytest.approx([0, 1, 0, 2])


def test_fixed_key_under_100_percent_gives_the_rest_back() -> None:
    # Percentages add up to 60 %: offers 3, 2, 1 (all below demand); 6 taken, 4 back.
    result = run(Key.fixed([0.0, 0.3, 0.2, 0.1]))
    assert received(result) == pytest.approx([0, 3, 2, 1])
    assert result.given_back[0, 0] == pytest.approx(4)


def test_relative_key() -> None:
    # Fixed round as above leaves 1 kWh; remaining demand A 1, B 0, C 2 (total 3).
    # Pro-rata round: A 1 × 1/3, C 1 × 2/3. Totals A 5 1/3, B 2, C 2 2/3 = 10.
    result = run(Key.relative(PERCENTAGES))
    assert received(result) == pytest.approx([0, 5 + 1 / 3, 2, 2 + 2 / 3])
    assert result.given_back[0, 0] == pytest.approx(0)


def test_optimal_key_one_renormalised_round() -> None:
    # Fixed round leaves 1 kWh; A (50 %) and C (20 %) still need 1 and 2: their shares become
    # 5/7 and 2/7 of the 1 kWh left, both below demand. Totals A 5 5/7, B 2, C 2 2/7.
    result = run(Key.optimal(PERCENTAGES))
    assert received(result) == pytest.approx([0, 5 + 5 / 7, 2, 2 + 2 / 7])


def test_optimal_key_several_renormalised_rounds() -> None:
    # A takes 5.2 instead of 6. Round 1: A 5 (needs 0.2 more), B 2, C 2; 1 kWh left.
    # Round 2: A 5/7 offered, takes its 0.2; C takes 2/7; 1 - 0.2 - 2/7 = 0.514286 left.
    # Round 3: only C has demand and a percentage: it takes 0.514286. C = 2 + 2/7 + 0.514286 = 2.8.
    result = run(Key.optimal(PERCENTAGES), offtake=[[0.0], [5.2], [2.0], [4.0]])
    assert received(result) == pytest.approx([0, 5.2, 2, 2.8])
    assert result.given_back[0, 0] == pytest.approx(0)


def test_optimal_key_without_percentage_left_gives_back() -> None:
    # Only B has a percentage (30 %): it takes its 2 kWh in round 1; nobody with demand has a
    # percentage left, so 8 kWh go back.
    result = run(Key.optimal([0.0, 0.0, 0.3, 0.0]))
    assert received(result) == pytest.approx([0, 0, 2, 0])
    assert result.given_back[0, 0] == pytest.approx(8)


def test_a_tiny_percentage_never_takes_more_than_the_pool() -> None:
    # Found by the property test: in the re-normalised rounds, pool ÷ a subnormal weight
    # overflowed to infinity and B took its whole 2 kWh from a pool of 1.
    result = allocate(
        offtake=[[0.0], [2.0]], injection=[[1.0], [0.0]], key=Key.optimal([0.0, 2.2e-311])
    )
    assert [float(x) for x in result.received[:, 0]] == pytest.approx([0, 1])
    assert result.given_back[0, 0] == pytest.approx(0)


def test_pro_rata_key() -> None:
    # Demand 6 + 2 + 4 = 12 > 10: everybody gets 10/12 of its demand: 5, 1 2/3, 3 1/3.
    result = run(Key.pro_rata())
    assert received(result) == pytest.approx([0, 5, 5 / 3, 10 / 3])


def test_equal_key() -> None:
    # Three with demand: offers 10/3 each; B takes only its 2. Taken 10/3 + 2 + 10/3 = 8 2/3;
    # 1 1/3 goes back to the school.
    result = run(Key.equal())
    assert received(result) == pytest.approx([0, 10 / 3, 2, 10 / 3])
    assert result.given_back[0, 0] == pytest.approx(4 / 3)


def test_social_priority_key() -> None:
    # B and C vulnerable, cap 50 %. Round 1 among them: offers 10 × 2/6 and 10 × 4/6, capped
    # at 1 and 2: B 1, C 2; 7 kWh left. Round 2 pro rata on remaining demand A 6, B 1, C 2
    # (total 9): 7/9 each: A 4 2/3, B 7/9, C 14/9. Totals A 4.667, B 1.778, C 3.556 = 10.
    result = run(Key.social_priority(cap=0.5), vulnerable=np.array([False, False, True, True]))
    assert received(result) == pytest.approx([0, 14 / 3, 1 + 7 / 9, 2 + 14 / 9])


def test_prosumer_receives_nothing_while_injecting_and_from_others_otherwise() -> None:
    # Quarter-hour 0: prosumer P injects 3 and took 1 -> it is a producer only; A takes 2 of the
    # 3, 1 goes back to P, P's 1 kWh offtake remains. Quarter-hour 1: P injects nothing and
    # takes 1, school S injects 1; P and A (1 each) get 0.5 each, pro rata.
    offtake = [[1.0, 1.0], [2.0, 1.0], [0.0, 0.0]]  # P, A, S
    injection = [[3.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    result = allocate(offtake=offtake, injection=injection, key=Key.pro_rata())
    close(result.received, [[0, 0.5], [2, 0.5], [0, 0]])
    close(result.given_back, [[1, 0], [0, 0], [0, 0]])
    close(result.remaining_offtake, [[1, 0.5], [0, 0.5], [0, 0]])
    # From which producers: A got 2 from P and 0.5 from S; P got 0.5 from S, nothing from P.
    assert result.producers.tolist() == [0, 2]
    close(result.received_from, [[0, 2, 0], [0.5, 0.5, 0]])


def test_received_is_attributed_pro_rata_to_the_producers_injection() -> None:
    # S injects 6 and T 4 (pool 10); A takes 5: 5 × 6/10 = 3 from S and 5 × 4/10 = 2 from T.
    result = allocate(
        offtake=[[0.0], [0.0], [5.0]], injection=[[6.0], [4.0], [0.0]], key=Key.pro_rata()
    )
    close(result.received_from, [[0, 0, 3], [0, 0, 2]])
    assert result.given_back[:, 0].tolist() == pytest.approx([3, 2, 0])


def test_custom_key_equal_round_among_vulnerable_then_fixed() -> None:
    # Round 1: equal among the vulnerable with demand (B, C): offers 5 each, B takes 2, C 4;
    # 4 kWh left. Round 2: fixed 50 % for A: 2 kWh. 2 kWh go back.
    key = Key(
        "custom",
        (
            Round(Weighting.EQUAL, only_vulnerable=True),
            Round(Weighting.FIXED, (0.0, 0.5, 0.0, 0.0)),
        ),
    )
    result = run(key, vulnerable=np.array([False, False, True, True]))
    assert received(result) == pytest.approx([0, 2, 2, 4])
    assert result.given_back[0, 0] == pytest.approx(2)


# --- against the reference ----------------------------------------------------------------------

AMOUNTS = st.one_of(st.just(0.0), st.floats(min_value=0, max_value=10, allow_subnormal=False))


@st.composite
def percentages(draw: st.DrawFn, n: int) -> tuple[float, ...]:
    raw = draw(st.lists(st.one_of(st.just(0.0), st.floats(0.01, 1)), min_size=n, max_size=n))
    total = sum(raw)
    target = draw(st.sampled_from([1.0, 0.5, draw(st.floats(0, 1))]))
    if total == 0:
        return tuple(raw)
    return tuple(min(x * target / total, 1.0) for x in raw)


@st.composite
def keys(draw: st.DrawFn, n: int) -> Key:
    kind = draw(
        st.sampled_from(["fixed", "relative", "optimal", "pro_rata", "equal", "social", "custom"])
    )
    if kind == "fixed":
        return Key.fixed(draw(percentages(n)))
    if kind == "relative":
        return Key.relative(draw(percentages(n)))
    if kind == "optimal":
        return Key.optimal(draw(percentages(n)))
    if kind == "pro_rata":
        return Key.pro_rata()
    if kind == "equal":
        return Key.equal()
    if kind == "social":
        return Key.social_priority(cap=draw(st.floats(0, 1)))
    rounds = []
    for _ in range(draw(st.integers(1, 4))):
        weighting = draw(st.sampled_from(list(Weighting)))
        renormalise = weighting is Weighting.FIXED and draw(st.booleans())
        rounds.append(
            Round(
                weighting,
                draw(percentages(n)) if weighting is Weighting.FIXED else (),
                only_vulnerable=draw(st.booleans()),
                demand_cap=1.0 if renormalise else draw(st.sampled_from([1.0, 0.5, 0.0])),
                renormalise=renormalise,
            )
        )
    return Key("custom", tuple(rounds))


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[list[float]], list[list[float]], Key, list[bool]]:
    n = draw(st.integers(1, 6))
    t = draw(st.integers(1, 5))
    matrix = st.lists(st.lists(AMOUNTS, min_size=t, max_size=t), min_size=n, max_size=n)
    offtake = draw(matrix)
    shape = draw(st.sampled_from(["producers", "prosumers", "no pool", "no demand"]))
    if shape == "no pool":
        injection = [[0.0] * t for _ in range(n)]
    elif shape == "no demand":
        injection = draw(matrix)
        offtake = [[0.0] * t for _ in range(n)]
    elif shape == "producers":
        # Pure producers (no offtake) and pure consumers.
        producer = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        injection = [row if producer[i] else [0.0] * t for i, row in enumerate(draw(matrix))]
        offtake = [[0.0] * t if producer[i] else row for i, row in enumerate(offtake)]
    else:
        injection = draw(matrix)
    vulnerable = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return offtake, injection, draw(keys(n)), vulnerable


@settings(max_examples=300, deadline=None)
@given(cases())
def test_engine_equals_reference(
    case: tuple[list[list[float]], list[list[float]], Key, list[bool]],
) -> None:
    offtake, injection, key, vulnerable = case
    result = allocate(
        offtake=offtake, injection=injection, key=key, vulnerable=np.array(vulnerable)
    )
    expected = reference_allocate(offtake, injection, key, vulnerable)
    for name in ("received", "given_back", "remaining_offtake", "shared_injection"):
        np.testing.assert_allclose(
            getattr(result, name), getattr(expected, name), rtol=0, atol=TOLERANCE, err_msg=name
        )
    np.testing.assert_allclose(result.pool, expected.pool, rtol=0, atol=TOLERANCE)
    received_from = np.zeros((len(offtake), len(offtake)))
    received_from[result.producers] = result.received_from
    np.testing.assert_allclose(received_from, expected.received_from, rtol=0, atol=TOLERANCE)
    check_invariants(np.array(offtake), np.array(injection), result)


def check_invariants(offtake: np.ndarray, injection: np.ndarray, result: Allocation) -> None:
    pool = injection.sum(axis=0)
    # Received plus given back is the pool, in every quarter-hour.
    np.testing.assert_allclose(
        result.received.sum(axis=0) + result.given_back.sum(axis=0), pool, atol=TOLERANCE
    )
    # Nobody above its offtake, nobody while injecting, nobody from itself.
    assert (result.received <= offtake + TOLERANCE).all()
    assert (result.received[injection > 0] == 0).all()
    for row, producer in enumerate(result.producers):
        assert result.received_from[row, producer] == 0
    assert (result.received >= 0).all()
    assert (result.given_back >= -TOLERANCE).all()
    assert (result.remaining_offtake >= -TOLERANCE).all()
    # What producers shared is what receivers got, producer by producer.
    np.testing.assert_allclose(
        result.received_from.sum(axis=1),
        result.shared_injection[result.producers].sum(axis=1),
        atol=TOLERANCE,
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(0, 10_000),
            st.sampled_from([1, 2, 3, 7]),
            keys(n),
        )
    )
)
def test_period_totals_equal_the_sum_of_the_whole(case: tuple[int, int, int, Key]) -> None:
    n, seed, slice_size, key = case
    rng = np.random.default_rng(seed)
    offtake = rng.uniform(0, 1, (n, 10)) * (rng.uniform(size=(n, 10)) > 0.2)
    injection = rng.uniform(0, 2, (n, 10)) * (rng.uniform(size=(n, 10)) > 0.5)
    vulnerable = rng.uniform(size=n) > 0.5
    whole = allocate(offtake=offtake, injection=injection, key=key, vulnerable=vulnerable)
    spans = [(offtake[:, :4], injection[:, :4]), (offtake[:, 4:], injection[:, 4:])]
    totals = allocate_period(
        spans=iter(spans), key=key, vulnerable=vulnerable, slice_quarter_hours=slice_size
    )
    assert totals.quarter_hours == 10
    np.testing.assert_allclose(totals.received, whole.received.sum(axis=1), atol=TOLERANCE)
    np.testing.assert_allclose(totals.given_back, whole.given_back.sum(axis=1), atol=TOLERANCE)
    np.testing.assert_allclose(
        totals.remaining_offtake, whole.remaining_offtake.sum(axis=1), atol=TOLERANCE
    )
    np.testing.assert_allclose(totals.shared_by_quarter_hour, whole.received.sum(axis=0))
    np.testing.assert_allclose(totals.pool_by_quarter_hour, injection.sum(axis=0))
    assert totals.producers.tolist() == whole.producers.tolist()
    np.testing.assert_allclose(totals.received_from, whole.received_from, atol=TOLERANCE)


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offtake", "injection", "message"),
    [
        ([[1.0, 2.0]], [[1.0]], "offtake is"),
        ([1.0, 2.0], [1.0, 2.0], "matrix"),
        ([[1.0, -0.1]], [[0.0, 0.0]], "negative"),
        ([[1.0, 0.0]], [[0.0, float("nan")]], "missing"),
        ([[1.0, 0.0]], [[0.0, float("inf")]], "missing"),
        (np.zeros((0, 4)), np.zeros((0, 4)), "no participants"),
    ],
)
def test_bad_matrices_are_refused(offtake: object, injection: object, message: str) -> None:
    with pytest.raises(AllocationError, match=message):
        allocate(offtake=offtake, injection=injection, key=Key.pro_rata())  # type: ignore[arg-type]


def test_bad_keys_are_refused() -> None:
    with pytest.raises(AllocationError, match="in \\[0, 1\\]"):
        Key.fixed([1.2, 0.0])
    with pytest.raises(AllocationError, match="more than 100"):
        Key.fixed([0.6, 0.5])
    with pytest.raises(AllocationError, match="demand cap"):
        Key.social_priority(cap=1.5)
    with pytest.raises(AllocationError, match="no percentages"):
        Round(Weighting.EQUAL, (0.5,))
    with pytest.raises(AllocationError, match="2 percentages for 4"):
        run(Key.fixed([0.5, 0.5]))
    with pytest.raises(AllocationError, match="one flag per participant"):
        run(Key.pro_rata(), vulnerable=np.array([True]))


def test_percentages_of_exactly_100_percent_with_rounding_are_accepted() -> None:
    result = allocate(
        offtake=[[1.0], [1.0], [1.0], [0.0]],
        injection=[[0.0], [0.0], [0.0], [3.0]],
        key=Key.fixed([0.3333333333, 0.3333333333, 0.3333333334, 0.0]),
    )
    assert result.received[:3, 0] == pytest.approx([1, 1, 1])


def test_period_needs_spans_with_the_same_participants() -> None:
    with pytest.raises(AllocationError, match="no quarter-hours"):
        allocate_period(spans=iter([]), key=Key.pro_rata())
    spans = [(np.ones((2, 3)), np.zeros((2, 3))), (np.ones((3, 3)), np.zeros((3, 3)))]
    with pytest.raises(AllocationError, match="same participants"):
        allocate_period(spans=iter(spans), key=Key.pro_rata())
