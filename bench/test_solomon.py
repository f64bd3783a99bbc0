"""The Solomon benchmark's parser and model, on a tiny instance written here (no third-party
data): a depot and three customers whose best routes can be worked out by hand."""

from __future__ import annotations

import math

import pytest

from bench.solomon import Instance, parse, solve
from jobs.planning import Options

TINY = """TINY

VEHICLE
NUMBER     CAPACITY
  3          {capacity}

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0       0          0          0          0       1000          0
    1       3          4          5          0        100          2
    2       6          8          5          0        100          2
    3       0         -5          5          0        {due}          2
"""

QUICK = Options(metaheuristic="greedy_descent")


def tiny(capacity: int = 10, due: int = 100) -> Instance:
    return parse("TINY", TINY.format(capacity=capacity, due=due), 30.0, 2)


def test_parse_reads_vehicles_capacity_and_the_customer_table() -> None:
    instance = tiny()
    assert (instance.vehicles, instance.capacity) == (3, 10)
    assert instance.xy == [(0, 0), (3, 4), (6, 8), (0, -5)]
    assert instance.demand == [0, 5, 5, 5]
    assert instance.ready == [0, 0, 0, 0]
    assert instance.due == [1000, 100, 100, 100]
    assert instance.service == [0, 2, 2, 2]
    assert (instance.best_known, instance.best_routes) == (30.0, 2)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "TINY\nVEHICLE\nNUMBER CAPACITY\n",
        "TINY\nVEHICLE\nNUMBER CAPACITY\n3 10\n",
        TINY.replace("    2       6", "    7       6"),
        TINY.replace("          5          0        {due}", "          x          0        {due}"),
    ],
)
def test_parse_refuses_what_is_not_a_solomon_instance(text: str) -> None:
    with pytest.raises(ValueError, match="TINY"):
        parse("TINY", text.format(capacity=10, due=100), 30.0, 2)


def test_the_capacity_fills_up_along_the_route() -> None:
    # Two loads of 5 fit a vehicle of 10: 0-1-2-0 (5 + 5 + 10) and 0-3-0 (5 + 5).
    result = solve(tiny(capacity=10), 2, QUICK)
    assert result.feasible and result.routes == 2
    assert result.distance == pytest.approx(30.0)
    # All three fit a vehicle of 15: 0-1-2-3-0 is shorter.
    result = solve(tiny(capacity=15), 2, QUICK)
    assert result.routes == 1
    assert result.distance == pytest.approx(5 + 5 + math.hypot(6, 13) + 5)


def test_a_window_that_closes_before_the_vehicle_can_arrive_leaves_no_plan() -> None:
    # Customer 3 is 5 away from the depot; its window closes at 4.
    assert not solve(tiny(due=4), 2, QUICK).feasible
