"""The allocation engine of energy sharing: who receives how much of the neighbourhood's injection.

Pure and vectorised (numpy), no Django. The Django app calls `allocate` for a small case (a
key simulator, a dashboard) and `allocate_period` for a monthly run; the tests hold a plain
per-quarter-hour reference implementation (`sharing/tests/reference.py`) that both must agree
with.

Inputs
------
Two matrices of participants × quarter-hours, in kWh, float64, finite and ≥ 0:

* ``offtake[i, t]``   what participant i took from the grid in quarter-hour t (its meter's
  offtake registers, day and night summed);
* ``injection[i, t]`` what participant i put on the grid in quarter-hour t.

Plus a `Key` (an ordered list of `Round` s) and optionally a vulnerable flag per participant
(e.g. entitled to the social tariff). Row i is the same participant in every input; a key's
percentages are in that order too.

The rules, per quarter-hour t (nothing carries over from one quarter-hour to the next)
-------------------------------------------------------------------------------------
1. **Pool.** The pool is the sum of all participants' injection in t.
2. **Demand.** A participant's demand is its offtake in t, with one exception for prosumers:
   *in a quarter-hour in which a participant injects (injection > 0), its demand is zero*: it
   takes part in that quarter-hour as a producer only, and its offtake in it stays with its
   supplier. Why: nothing may be shared within one connection (EAN), and the metered
   injection already is what is left after the household's own use (the meter balances its
   own use first, instantly); a participant that injects and also receives in the same
   quarter-hour would, pro rata, receive part of its own injection back. With this rule a
   participant's own injection never counts toward what it receives, and the pool can be
   attributed to the receivers pro rata to the producers' injection (rule 6) without any
   receiver getting energy from itself. In quarter-hours without injection, a prosumer is a
   consumer like any other.
3. **Rounds.** The key's rounds run in order. A round's pool is what has not been taken yet
   in t. In a round every eligible participant is offered ``round pool × its weight`` and
   takes ``min(offer, cap × remaining demand)`` (the cap is 100 % unless the round says
   otherwise). All offers of one round are made from the same round pool, at the same time.
   The weights are one of:

   * **fixed**: the key's percentages (shares in [0, 1], adding up to at most 1; what is not
     given out by a fixed round stays in the pool for the next round);
   * **pro rata**: remaining demand / sum of the eligible participants' remaining demand;
   * **equal**: 1 / the number of eligible participants with remaining demand.

   A round can be limited to the participants flagged vulnerable. A fixed round can be a
   **re-normalising** round: the percentages of the eligible participants that still have
   demand are divided by their sum (so they add up to 100 %), and the round is repeated
   until the pool or the demand is used up, or no participant with demand has a percentage
   left — at most n times for n participants (each repetition either uses up the pool or
   fills at least one participant's demand).
4. **Used up.** A pool below `POOL_EPSILON_KWH` (10⁻¹² kWh, a billionth of a Wh) counts as
   used up; this only stops re-normalising rounds from chasing rounding residues.
5. **Given back.** After the last round, what has not been taken goes back to the producers,
   pro rata to their injection in t: producer j's *shared injection* is
   ``injection[j, t] × taken / pool`` and it is *given back* the rest of its injection.
   Received plus given back equals the pool in every quarter-hour.
6. **From which producers.** What a participant receives in t comes from the producers pro
   rata to their share of the pool in t (``received[i, t] × injection[j, t] / pool[t]``);
   statements sum this over the month.

The keys (`Key` constructors)
-----------------------------
* `Key.fixed` — one fixed round (Flanders "vast", Brussels fixed, Wallonia fixed or equal
  fixed); percentages below 100 % in total leave the rest to be given back.
* `Key.relative` — a fixed round, then one pro-rata round for what is left (Flanders
  "relatief", Brussels hybrid).
* `Key.optimal` — the fixed round with the percentages as given, then the re-normalising
  round (Flanders "optimaal"): a participant whose demand is filled lets its unused share
  go to the others, in the proportion of their percentages. At most n + 1 rounds.
* `Key.pro_rata` — one pro-rata round (Brussels pro rata, Wallonia dynamic).
* `Key.equal` — one equal round; a participant that needs less than its equal share leaves
  the rest to be given back.
* `Key.social_priority` — first a pro-rata round among the vulnerable participants, each
  taking at most ``cap`` of its demand, then a pro-rata round for everybody.
A custom key is any tuple of `Round` s.

Memory
------
A year of quarter-hours (35,040) for 10,000 participants is 2.8 GB per float64 matrix, too
much to hold several of. `allocate` works on any span of quarter-hours (a month, a week) and
returns full matrices; `allocate_period` takes the spans one at a time (e.g. a generator
that reads one month from the database), cuts each into slices of at most
`slice_quarter_hours`, and keeps only totals: per participant, per quarter-hour (community
level) and producer → receiver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

POOL_EPSILON_KWH = 1e-12
# Percentages may add up to 1 plus rounding (e.g. 3 × 0.333… written with many decimals).
PERCENT_SUM_TOLERANCE = 1e-9


class AllocationError(ValueError):
    """The inputs of an allocation are not valid (shape, negative or missing values, key)."""


class Weighting(StrEnum):
    FIXED = "fixed"
    PRO_RATA = "pro_rata"
    EQUAL = "equal"


@dataclass(frozen=True)
class Round:
    """One round of a key (see the module docstring, rule 3)."""

    weighting: Weighting
    # Fixed rounds only: one share in [0, 1] per participant, adding up to at most 1.
    percentages: tuple[float, ...] = ()
    only_vulnerable: bool = False
    # The share of its remaining demand a participant may take in this round.
    demand_cap: float = 1.0
    # Fixed rounds only: re-normalise the percentages and repeat (the optimal key).
    renormalise: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.demand_cap <= 1.0:
            raise AllocationError(f"A round's demand cap must be in [0, 1], not {self.demand_cap}.")
        if self.weighting is Weighting.FIXED:
            _check_percentages(self.percentages)
        elif self.percentages:
            raise AllocationError(f"A {self.weighting} round takes no percentages.")
        if self.renormalise and self.weighting is not Weighting.FIXED:
            raise AllocationError("Only a fixed round can be re-normalised.")
        if self.renormalise and self.demand_cap != 1.0:
            raise AllocationError("A re-normalising round cannot have a demand cap.")


@dataclass(frozen=True)
class Key:
    """An allocation key: an ordered list of rounds. Use the constructors for the presets."""

    name: str
    rounds: tuple[Round, ...]

    def __post_init__(self) -> None:
        if not self.rounds:
            raise AllocationError("A key needs at least one round.")

    @classmethod
    def fixed(cls, percentages: Sequence[float]) -> Key:
        return cls("fixed", (Round(Weighting.FIXED, tuple(percentages)),))

    @classmethod
    def relative(cls, percentages: Sequence[float]) -> Key:
        return cls(
            "relative", (Round(Weighting.FIXED, tuple(percentages)), Round(Weighting.PRO_RATA))
        )

    @classmethod
    def optimal(cls, percentages: Sequence[float]) -> Key:
        shares = tuple(percentages)
        return cls(
            "optimal",
            (
                Round(Weighting.FIXED, shares),
                Round(Weighting.FIXED, shares, renormalise=True),
            ),
        )

    @classmethod
    def pro_rata(cls) -> Key:
        return cls("pro_rata", (Round(Weighting.PRO_RATA),))

    @classmethod
    def equal(cls) -> Key:
        return cls("equal", (Round(Weighting.EQUAL),))

    @classmethod
    def social_priority(cls, cap: float = 0.5) -> Key:
        return cls(
            "social_priority",
            (
                Round(Weighting.PRO_RATA, only_vulnerable=True, demand_cap=cap),
                Round(Weighting.PRO_RATA),
            ),
        )


@dataclass(frozen=True)
class Allocation:
    """The result for one span of quarter-hours. Matrices are participants × quarter-hours."""

    received: FloatArray
    given_back: FloatArray
    remaining_offtake: FloatArray
    shared_injection: FloatArray
    pool: FloatArray  # per quarter-hour
    # received_from[k, i]: kWh participant i received from participant producers[k] in the span.
    producers: IntArray
    received_from: FloatArray


@dataclass
class AllocationTotals:
    """Totals of a period (e.g. a month or a year), as `allocate_period` accumulates them."""

    participants: int
    quarter_hours: int = 0
    # Per participant (length n).
    offtake: FloatArray = field(default_factory=lambda: np.zeros(0))
    injection: FloatArray = field(default_factory=lambda: np.zeros(0))
    received: FloatArray = field(default_factory=lambda: np.zeros(0))
    given_back: FloatArray = field(default_factory=lambda: np.zeros(0))
    shared_injection: FloatArray = field(default_factory=lambda: np.zeros(0))
    remaining_offtake: FloatArray = field(default_factory=lambda: np.zeros(0))
    # Per quarter-hour for the whole community (length = quarter_hours), for dashboards.
    pool_by_quarter_hour: FloatArray = field(default_factory=lambda: np.zeros(0))
    shared_by_quarter_hour: FloatArray = field(default_factory=lambda: np.zeros(0))
    offtake_by_quarter_hour: FloatArray = field(default_factory=lambda: np.zeros(0))
    # received_from[k, i]: kWh participant i received from participant producers[k].
    producers: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    received_from: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))


def allocate(
    *,
    offtake: ArrayLike,
    injection: ArrayLike,
    key: Key,
    vulnerable: ArrayLike | None = None,
) -> Allocation:
    """Share the injection of one span of quarter-hours according to `key` (module docstring)."""
    off, inj = _check_matrices(offtake, injection)
    n = off.shape[0]
    vul = _check_vulnerable(vulnerable, n)
    _check_key(key, n)
    return _allocate(off, inj, key, vul)


def allocate_period(
    *,
    spans: Iterable[tuple[ArrayLike, ArrayLike]],
    key: Key,
    vulnerable: ArrayLike | None = None,
    slice_quarter_hours: int = 672,
) -> AllocationTotals:
    """Allocate span after span (e.g. month after month) and keep only the totals.

    `spans` yields ``(offtake, injection)`` pairs with the same participants in the same
    order; a generator keeps only one span in memory. Each span is cut into slices of at most
    `slice_quarter_hours` (a week by default) so the engine's working matrices stay small.
    """
    if slice_quarter_hours < 1:
        raise AllocationError("slice_quarter_hours must be at least 1.")
    totals: AllocationTotals | None = None
    vul: BoolArray | None = None
    from_producer: dict[int, FloatArray] = {}
    pools: list[FloatArray] = []
    shared: list[FloatArray] = []
    offtakes: list[FloatArray] = []
    for span_offtake, span_injection in spans:
        off, inj = _check_matrices(span_offtake, span_injection)
        n = off.shape[0]
        if totals is None:
            vul = _check_vulnerable(vulnerable, n)
            _check_key(key, n)
            totals = _empty_totals(n)
        elif n != totals.participants:
            raise AllocationError(
                f"Every span needs the same participants: {n} rows instead of "
                f"{totals.participants}."
            )
        if vul is None:
            raise RuntimeError("vul must be set")
        for start in range(0, off.shape[1], slice_quarter_hours):
            part_off = off[:, start : start + slice_quarter_hours]
            part_inj = inj[:, start : start + slice_quarter_hours]
            result = _allocate_core(part_off, part_inj, key, vul)
            # Totals from the core alone, without the full given-back and remaining matrices.
            offtake_sum, injection_sum = part_off.sum(axis=1), part_inj.sum(axis=1)
            received_sum = result.received.sum(axis=1)
            shared_sum = part_inj @ result.share
            totals.quarter_hours += part_off.shape[1]
            totals.offtake += offtake_sum
            totals.injection += injection_sum
            totals.received += received_sum
            totals.given_back += injection_sum - shared_sum
            totals.shared_injection += shared_sum
            totals.remaining_offtake += offtake_sum - received_sum
            pools.append(result.pool)
            shared.append(result.received.sum(axis=0))
            offtakes.append(part_off.sum(axis=0))
            for row, producer in zip(result.received_from, result.producers, strict=True):
                if producer in from_producer:
                    from_producer[int(producer)] += row
                else:
                    from_producer[int(producer)] = row.copy()
    if totals is None:
        raise AllocationError("The period has no quarter-hours.")
    totals.pool_by_quarter_hour = np.concatenate(pools)
    totals.shared_by_quarter_hour = np.concatenate(shared)
    totals.offtake_by_quarter_hour = np.concatenate(offtakes)
    order = sorted(from_producer)
    totals.producers = np.array(order, dtype=np.intp)
    totals.received_from = (
        np.stack([from_producer[p] for p in order]) if order else np.zeros((0, totals.participants))
    )
    return totals


# --- the engine -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Core:
    """What the rounds decide; everything else follows from it and the inputs."""

    received: FloatArray
    pool: FloatArray
    share: FloatArray  # per quarter-hour: taken / pool, the shared part of every injection
    producers: IntArray
    received_from: FloatArray


def _allocate(off: FloatArray, inj: FloatArray, key: Key, vulnerable: BoolArray) -> Allocation:
    core = _allocate_core(off, inj, key, vulnerable)
    shared_injection = inj * core.share
    return Allocation(
        received=core.received,
        given_back=inj - shared_injection,
        remaining_offtake=off - core.received,
        shared_injection=shared_injection,
        pool=core.pool,
        producers=core.producers,
        received_from=core.received_from,
    )


def _allocate_core(off: FloatArray, inj: FloatArray, key: Key, vulnerable: BoolArray) -> _Core:
    pool = inj.sum(axis=0)
    # Rule 2: no demand in a quarter-hour in which the participant injects.
    demand = np.where(inj > 0, 0.0, off)
    remaining_pool = pool.copy()
    received = np.zeros_like(off)
    for rnd in key.rounds:
        rows = np.flatnonzero(vulnerable) if rnd.only_vulnerable else None
        if rnd.renormalise:
            _renormalising_rounds(rnd, demand, received, remaining_pool, rows)
        else:
            _one_round(rnd, demand, received, remaining_pool, rows)

    taken = received.sum(axis=0)
    sunny = np.flatnonzero(pool > 0)
    share = np.zeros_like(pool)
    share[sunny] = np.minimum(taken[sunny] / pool[sunny], 1.0)
    producers = np.flatnonzero(inj.sum(axis=1) > 0)
    # Rule 6, only over the quarter-hours with a pool (nothing is received in the others).
    of_pool = inj[np.ix_(producers, sunny)] / pool[sunny]
    return _Core(
        received=received,
        pool=pool,
        share=share,
        producers=producers,
        received_from=of_pool @ received[:, sunny].T,
    )


def _one_round(
    rnd: Round,
    demand: FloatArray,
    received: FloatArray,
    pool: FloatArray,
    rows: IntArray | None,
) -> None:
    """One round over all quarter-hours at once; updates demand, received and pool in place."""
    d = demand if rows is None else demand[rows]
    capped = d if rnd.demand_cap == 1.0 else d * rnd.demand_cap
    if rnd.weighting is Weighting.FIXED:
        weights = np.asarray(rnd.percentages, dtype=np.float64)
        if rows is not None:
            weights = weights[rows]
        take = np.minimum(weights[:, None] * pool[None, :], capped)
    elif rnd.weighting is Weighting.PRO_RATA:
        total = d.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            # min(pool × d / total, cap × d) = d × min(pool / total, cap)
            factor = np.where(total > 0, np.minimum(pool / total, rnd.demand_cap), 0.0)
        take = d * factor[None, :]
    else:
        count = (d > 0).sum(axis=0)
        offer = np.where(count > 0, pool / np.maximum(count, 1), 0.0)
        take = np.minimum(offer[None, :], capped)
    if rows is None:
        demand -= take
        received += take
    else:
        demand[rows] = d - take
        received[rows] += take
    np.maximum(pool - take.sum(axis=0), 0.0, out=pool)


def _renormalising_rounds(
    rnd: Round,
    demand: FloatArray,
    received: FloatArray,
    pool: FloatArray,
    rows: IntArray | None,
) -> None:
    """The repeated re-normalised fixed round, on the quarter-hours that are still open.

    Only participants with a percentage can take part. A quarter-hour closes when its pool is
    used up or nobody in it has demand and a percentage; closed quarter-hours take nothing
    (their pool is set to 0 in the working copy) and are dropped from the working copies
    once a quarter of them has closed, so each repetition is cheaper than the one before.
    """
    weights = np.asarray(rnd.percentages, dtype=np.float64)
    candidates = np.flatnonzero(weights > 0)
    if rows is not None:
        candidates = np.intersect1d(candidates, rows)
    if candidates.size == 0:
        return
    w = weights[candidates][:, None]
    # The working set: candidates × quarter-hours with a pool; the rest takes nothing.
    start_columns = np.flatnonzero(pool > POOL_EPSILON_KWH)
    if start_columns.size == 0:
        return
    every_row = candidates.size == demand.shape[0]
    block = (slice(None), start_columns) if every_row else np.ix_(candidates, start_columns)
    before = demand[block]
    after = before.copy()
    columns = np.arange(start_columns.size)  # positions in the working set
    d, open_pool = after, pool[start_columns]
    for _ in range(demand.shape[0]):
        eligible_weight = np.where(d > 0, w, 0.0).sum(axis=0)
        closed = (open_pool <= POOL_EPSILON_KWH) | (eligible_weight == 0)
        if closed.all():
            break
        if closed.sum() * 4 > closed.size:
            keep = ~closed
            after[:, columns[closed]] = d[:, closed]
            pool[start_columns[columns[closed]]] = open_pool[closed]
            columns, d, open_pool = columns[keep], d[:, keep], open_pool[keep]
            eligible_weight = eligible_weight[keep]
            closed = closed[keep]
        working_pool = np.where(closed, 0.0, open_pool)
        # The share first, then the pool: pool / weight overflows for tiny (subnormal) weights.
        take = np.minimum(working_pool * (w / np.where(closed, 1.0, eligible_weight)), d)
        d -= take
        open_pool = np.maximum(open_pool - take.sum(axis=0), 0.0)
    if d is not after:
        after[:, columns] = d
    pool[start_columns[columns]] = open_pool
    demand[block] = after
    received[block] += before - after


# --- validation -------------------------------------------------------------------------------


def _check_percentages(percentages: tuple[float, ...]) -> None:
    shares = np.asarray(percentages, dtype=np.float64)
    if shares.ndim != 1 or shares.size == 0:
        raise AllocationError("A fixed round needs one percentage per participant.")
    bad = np.flatnonzero(~((shares >= 0) & (shares <= 1)))
    if bad.size:
        raise AllocationError(
            f"Percentages must be shares in [0, 1]: participant {bad[0]} has {shares[bad[0]]}."
        )
    if shares.sum() > 1 + PERCENT_SUM_TOLERANCE:
        raise AllocationError(f"Percentages add up to {shares.sum():.6f}, more than 100 %.")


def _check_key(key: Key, n: int) -> None:
    for number, rnd in enumerate(key.rounds, start=1):
        if rnd.weighting is Weighting.FIXED and len(rnd.percentages) != n:
            raise AllocationError(
                f"Round {number} of key {key.name!r} has {len(rnd.percentages)} percentages "
                f"for {n} participants."
            )


def _check_matrices(offtake: ArrayLike, injection: ArrayLike) -> tuple[FloatArray, FloatArray]:
    off = np.asarray(offtake, dtype=np.float64)
    inj = np.asarray(injection, dtype=np.float64)
    for name, matrix in (("offtake", off), ("injection", inj)):
        if matrix.ndim != 2:
            raise AllocationError(
                f"{name} must be a participants × quarter-hours matrix, not {matrix.ndim}-D."
            )
    if off.shape != inj.shape:
        raise AllocationError(f"offtake is {off.shape} but injection is {inj.shape}.")
    if off.shape[0] == 0:
        raise AllocationError("There are no participants.")
    for name, matrix in (("offtake", off), ("injection", inj)):
        bad = ~np.isfinite(matrix)
        if bad.any():
            i, t = np.argwhere(bad)[0]
            raise AllocationError(f"{name} of participant {i} in quarter-hour {t} is missing.")
        negative = matrix < 0
        if negative.any():
            i, t = np.argwhere(negative)[0]
            raise AllocationError(
                f"{name} of participant {i} in quarter-hour {t} is negative: {matrix[i, t]}."
            )
    return off, inj


def _check_vulnerable(vulnerable: ArrayLike | None, n: int) -> BoolArray:
    if vulnerable is None:
        return np.zeros(n, dtype=np.bool_)
    flags = np.asarray(vulnerable)
    if flags.shape != (n,):
        raise AllocationError(
            f"vulnerable needs one flag per participant ({n}), not {flags.shape}."
        )
    if flags.dtype != np.bool_:
        raise AllocationError("vulnerable flags must be booleans.")
    return flags


def _empty_totals(n: int) -> AllocationTotals:
    return AllocationTotals(
        participants=n,
        offtake=np.zeros(n),
        injection=np.zeros(n),
        received=np.zeros(n),
        given_back=np.zeros(n),
        shared_injection=np.zeros(n),
        remaining_offtake=np.zeros(n),
    )
