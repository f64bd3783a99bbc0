"""Solomon VRPTW instances for the planner's solver (OR-Tools routing, as jobs/planning.py
uses it): Euclidean distances, travel time = distance, service times, time windows and a
vehicle capacity that fills up along the route, as Solomon's instances require, with the
planner's search settings (its first-solution strategy and metaheuristic). The objective is
the total distance, as the best-known solution we compare with.

The data is not in this repository: PyPI's source distribution of PyVRP 0.5.0 (MIT licence)
ships RC208 and its best-known solution in its tests (pyvrp/tests/data/RC208.txt, RC208.sol).
`fetch()` downloads that sdist with pip into bench/.solomon-cache/ (git-ignored) and reads
the two files out of it; nothing is installed. No other Solomon instance is in a PyPI source
distribution we checked (vrplib 1.0.1 and 2.2.0 ship none), so RC208 is the one instance.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from jobs.planning import Options

CACHE = Path(__file__).resolve().parent / ".solomon-cache"
SDIST = "pyvrp==0.5.0"
MEMBERS = ("pyvrp-0.5.0/pyvrp/tests/data/{name}.txt", "pyvrp-0.5.0/pyvrp/tests/data/{name}.sol")
INSTANCES = ("RC208",)
SCALE = 100  # OR-Tools wants integers: distances and times in hundredths


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    xy: list[tuple[float, float]]
    demand: list[int]
    ready: list[int]
    due: list[int]
    service: list[int]
    best_known: float  # total distance of the best-known solution
    best_routes: int


def fetch(name: str) -> tuple[str, str]:
    """The instance's text and its best-known solution, from the cached sdist."""
    CACHE.mkdir(exist_ok=True)
    archives = sorted(CACHE.glob("pyvrp-0.5.0.tar.gz"))
    if not archives:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                "pyvrp",
                SDIST,
                "-d",
                str(CACHE),
            ],
            check=True,
            capture_output=True,
        )
        archives = sorted(CACHE.glob("pyvrp-0.5.0.tar.gz"))
    with tarfile.open(archives[0]) as archive:
        texts = []
        for member in MEMBERS:
            handle = archive.extractfile(member.format(name=name))
            if handle is None:
                raise FileNotFoundError(member)
            texts.append(handle.read().decode())
    return texts[0], texts[1]


def parse(name: str, text: str, solution: str) -> Instance:
    lines = [line.split() for line in text.splitlines() if line.strip()]
    vehicles, capacity = (int(v) for v in lines[lines.index(["NUMBER", "CAPACITY"]) + 1])
    start = next(i for i, line in enumerate(lines) if line[:2] == ["CUST", "NO."]) + 1
    rows = [[float(v) for v in line] for line in lines[start:] if line[0].isdigit()]
    cost = next(line for line in solution.splitlines() if line.startswith("Cost"))
    return Instance(
        name=name,
        vehicles=vehicles,
        capacity=capacity,
        xy=[(r[1], r[2]) for r in rows],
        demand=[int(r[3]) for r in rows],
        ready=[int(r[4]) for r in rows],
        due=[int(r[5]) for r in rows],
        service=[int(r[6]) for r in rows],
        best_known=float(cost.split()[1]),
        best_routes=sum(1 for line in solution.splitlines() if line.startswith("Route")),
    )


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


@dataclass(frozen=True)
class Result:
    distance: float  # exact Euclidean total of the routes found
    routes: int
    seconds: float
    feasible: bool


def solve(instance: Instance, seconds: float, options: Options | None = None) -> Result:
    options = options or Options()
    n = len(instance.xy)
    manager = pywrapcp.RoutingIndexManager(n, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = [[round(distance(a, b) * SCALE) for b in instance.xy] for a in instance.xy]
    service = [s * SCALE for s in instance.service]

    def arc(i: int, j: int) -> int:
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def travel(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return service[a] + dist[a][b]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc))
    horizon = instance.due[0] * SCALE
    routing.AddDimension(routing.RegisterTransitCallback(travel), horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        clock.CumulVar(manager.NodeToIndex(node)).SetRange(
            instance.ready[node] * SCALE, instance.due[node] * SCALE
        )
    for v in range(instance.vehicles):
        clock.CumulVar(routing.End(v)).SetRange(0, horizon)
    demand = routing.RegisterUnaryTransitCallback(lambda i: instance.demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [instance.capacity] * instance.vehicles, True, "load"
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, options.first_solution
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        if options.metaheuristic == "guided_local_search"
        else routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    )
    params.time_limit.FromMilliseconds(round(seconds * 1000))
    began = time.process_time()
    found = routing.SolveWithParameters(params)
    spent = time.process_time() - began
    if found is None:
        return Result(math.inf, 0, spent, False)
    total, routes = 0.0, 0
    for v in range(instance.vehicles):
        index = routing.Start(v)
        path = [0]
        while not routing.IsEnd(index):
            index = found.Value(routing.NextVar(index))
            path.append(manager.IndexToNode(index))
        if len(path) > 2:
            routes += 1
            legs = zip(path, path[1:], strict=False)
            total += sum(distance(instance.xy[a], instance.xy[b]) for a, b in legs)
    return Result(total, routes, spent, True)


def bench_solomon(seconds: float) -> None:
    print(f"Solomon VRPTW ({SDIST} sdist test data), {seconds:g} s per instance:")
    for name in INSTANCES:
        instance = parse(name, *fetch(name))
        result = solve(instance, seconds)
        gap = (result.distance / instance.best_known - 1) * 100
        print(
            f"  {name}: distance {result.distance:.1f} with {result.routes} routes "
            f"(best known {instance.best_known:.1f} with {instance.best_routes}), "
            f"gap {gap:+.1f} %, {result.seconds:.1f} s CPU"
        )
