"""A plain reference implementation of the sharing rules, one quarter-hour at a time.

Written from the rules in `sharing.pure.allocation`'s docstring, as literally as possible, with
lists and loops and no numpy, so that the vectorised engine has something independent to
agree with. It reads the key's rounds (the data), never the engine's code.
"""

from dataclasses import dataclass

from sharing.pure.allocation import POOL_EPSILON_KWH, Key, Round, Weighting


@dataclass
class ReferenceResult:
    received: list[list[float]]  # [participant][quarter-hour]
    given_back: list[list[float]]
    remaining_offtake: list[list[float]]
    shared_injection: list[list[float]]
    pool: list[float]
    received_from: list[list[float]]  # [producer][receiver], over all quarter-hours


def reference_allocate(
    offtake: list[list[float]],
    injection: list[list[float]],
    key: Key,
    vulnerable: list[bool] | None = None,
) -> ReferenceResult:
    n = len(offtake)
    quarter_hours = len(offtake[0])
    if vulnerable is None:
        vulnerable = [False] * n
    result = ReferenceResult(
        received=[[0.0] * quarter_hours for _ in range(n)],
        given_back=[[0.0] * quarter_hours for _ in range(n)],
        remaining_offtake=[[0.0] * quarter_hours for _ in range(n)],
        shared_injection=[[0.0] * quarter_hours for _ in range(n)],
        pool=[0.0] * quarter_hours,
        received_from=[[0.0] * n for _ in range(n)],
    )
    for t in range(quarter_hours):
        offtake_t = [offtake[i][t] for i in range(n)]
        injection_t = [injection[i][t] for i in range(n)]
        received = one_quarter_hour(offtake_t, injection_t, key, vulnerable)
        pool = sum(injection_t)
        taken = sum(received)
        result.pool[t] = pool
        for i in range(n):
            result.received[i][t] = received[i]
            result.remaining_offtake[i][t] = offtake_t[i] - received[i]
            shared = injection_t[i] * min(taken / pool, 1.0) if pool > 0 else 0.0
            result.shared_injection[i][t] = shared
            result.given_back[i][t] = injection_t[i] - shared
        if pool > 0:
            for producer in range(n):
                for receiver in range(n):
                    result.received_from[producer][receiver] += (
                        received[receiver] * injection_t[producer] / pool
                    )
    return result


def one_quarter_hour(
    offtake: list[float], injection: list[float], key: Key, vulnerable: list[bool]
) -> list[float]:
    n = len(offtake)
    pool = sum(injection)
    # A participant that injects in this quarter-hour receives nothing in it.
    demand = [0.0 if injection[i] > 0 else offtake[i] for i in range(n)]
    received = [0.0] * n
    for rnd in key.rounds:
        if rnd.renormalise:
            for _ in range(n):
                eligible = [
                    i
                    for i in range(n)
                    if demand[i] > 0
                    and rnd.percentages[i] > 0
                    and (vulnerable[i] or not rnd.only_vulnerable)
                ]
                if pool <= POOL_EPSILON_KWH or not eligible:
                    break
                total = sum(rnd.percentages[i] for i in eligible)
                weights = [0.0] * n
                for i in eligible:
                    weights[i] = rnd.percentages[i] / total
                pool = play_round(rnd, weights, demand, received, pool)
        else:
            weights = round_weights(rnd, demand, vulnerable)
            pool = play_round(rnd, weights, demand, received, pool)
    return received


def round_weights(rnd: Round, demand: list[float], vulnerable: list[bool]) -> list[float]:
    n = len(demand)
    in_round = [vulnerable[i] or not rnd.only_vulnerable for i in range(n)]
    if rnd.weighting is Weighting.FIXED:
        return [rnd.percentages[i] if in_round[i] else 0.0 for i in range(n)]
    with_demand = [i for i in range(n) if in_round[i] and demand[i] > 0]
    weights = [0.0] * n
    if rnd.weighting is Weighting.PRO_RATA:
        total = sum(demand[i] for i in with_demand)
        for i in with_demand:
            weights[i] = demand[i] / total
    else:
        for i in with_demand:
            weights[i] = 1 / len(with_demand)
    return weights


def play_round(
    rnd: Round, weights: list[float], demand: list[float], received: list[float], pool: float
) -> float:
    """Every participant is offered pool × weight and takes min(offer, cap × demand)."""
    takes = [min(pool * weights[i], rnd.demand_cap * demand[i]) for i in range(len(demand))]
    for i, take in enumerate(takes):
        demand[i] -= take
        received[i] += take
    return max(pool - sum(takes), 0.0)
