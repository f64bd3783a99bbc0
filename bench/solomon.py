"""Solomon VRPTW instances for the planner's solver (OR-Tools routing, as jobs/planning.py
uses it): Euclidean distances, travel time = distance, service times, time windows and a
vehicle capacity that fills up along the route, as Solomon's instances require, with the
planner's search settings (its first-solution strategy and metaheuristic). The objective is
the total distance, as the best-known solutions we compare with.

The data is not in this repository. PyPI's source distribution of VRPSolverEasy 0.1.4 (MIT
licence) ships all 56 Solomon instances of 100 customers in its demos
(VRPSolverEasy/demos/data/CVRPTW/C101.txt, ...), without solutions. `fetch()` downloads that
sdist with pip into bench/.solomon-cache/ (git-ignored) and reads the instance files out of
it; nothing is installed. bench/README.md lists the other packages that were checked.

The best-known values are the literature's distance-only ones (`BEST_KNOWN`): the least total
distance with any number of vehicles, as CVRPLIB lists them (optimal, from exact methods that
truncate each distance to one decimal). They are the right comparison because the solver
here minimises distance alone; the usual "vehicles first" table (SINTEF's) minimises the
number of vehicles first and is quoted in the README for reference.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from jobs.planning import Options

CACHE = Path(__file__).resolve().parent / ".solomon-cache"
RESULTS = Path(__file__).resolve().parent / "solomon-results.json"
PACKAGE, VERSION = "VRPSolverEasy", "0.1.4"
ARCHIVE = f"{PACKAGE}-{VERSION}.tar.gz"
MEMBER = f"{PACKAGE}-{VERSION}/VRPSolverEasy/demos/data/CVRPTW/{{name}}.txt"
# One or two of each class (C1, C2, R1, R2, RC1, RC2): total distance and routes of the
# distance-only best-known solution (CVRPLIB; RC208's is also in PyVRP 0.5.0's test data).
BEST_KNOWN: dict[str, tuple[float, int]] = {
    "C101": (827.3, 10),
    "C201": (589.1, 3),
    "R101": (1637.7, 20),
    "R201": (1143.2, 8),
    "RC101": (1619.8, 15),
    "RC208": (776.1, 4),
}
INSTANCES = tuple(BEST_KNOWN)
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


def fetch(name: str) -> str:
    """The instance's text, from the cached sdist (downloaded on first use)."""
    CACHE.mkdir(exist_ok=True)
    archive = CACHE / ARCHIVE
    if not archive.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                PACKAGE,
                f"{PACKAGE}=={VERSION}",
                "-d",
                str(CACHE),
            ],
            check=True,
            capture_output=True,
        )
    with tarfile.open(archive) as tar:
        handle = tar.extractfile(MEMBER.format(name=name))
        if handle is None:
            raise FileNotFoundError(MEMBER.format(name=name))
        return handle.read().decode()


def parse(name: str, text: str, best_known: float, best_routes: int) -> Instance:
    """An instance in Solomon's text format: a VEHICLE section (number, capacity) and a
    CUSTOMER table of number, x, y, demand, ready time, due date and service time, the depot
    first (number 0)."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    try:
        vehicles, capacity = (int(v) for v in lines[lines.index(["NUMBER", "CAPACITY"]) + 1])
        start = next(i for i, line in enumerate(lines) if line[:2] == ["CUST", "NO."]) + 1
        rows = [[float(v) for v in line] for line in lines[start:] if line[0].isdigit()]
    except (ValueError, IndexError, StopIteration) as error:
        raise ValueError(f"{name}: not an instance in Solomon's format") from error
    if (
        not rows
        or any(len(r) != 7 for r in rows)
        or [int(r[0]) for r in rows] != list(range(len(rows)))
    ):
        raise ValueError(f"{name}: the customer table needs 7 numbers a row, numbered from 0")
    return Instance(
        name=name,
        vehicles=vehicles,
        capacity=capacity,
        xy=[(r[1], r[2]) for r in rows],
        demand=[int(r[3]) for r in rows],
        ready=[int(r[4]) for r in rows],
        due=[int(r[5]) for r in rows],
        service=[int(r[6]) for r in rows],
        best_known=best_known,
        best_routes=best_routes,
    )


def load(name: str) -> Instance:
    return parse(name, fetch(name), *BEST_KNOWN[name])


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


def bench_solomon(seconds: float, names: tuple[str, ...] = INSTANCES) -> list[dict[str, object]]:
    """Solve each instance once within `seconds` (wall time) and compare with its best-known
    distance; the figures are printed and written to bench/solomon-results.json."""
    print(f"Solomon VRPTW ({PACKAGE} {VERSION} sdist demo data), {seconds:g} s per instance:")
    rows: list[dict[str, object]] = []
    for name in names:
        instance = load(name)
        load_before = os.getloadavg()[0]
        result = solve(instance, seconds)
        gap = (result.distance / instance.best_known - 1) * 100
        print(
            f"  {name}: distance {result.distance:.1f} with {result.routes} routes "
            f"(best known {instance.best_known:.1f} with {instance.best_routes}), "
            f"gap {gap:+.1f} %, {result.seconds:.1f} s CPU, load {load_before:.1f}"
        )
        rows.append(
            {
                "instance": name,
                "customers": len(instance.xy) - 1,
                "time_limit_s": seconds,
                "distance": round(result.distance, 2),
                "routes": result.routes,
                "cpu_s": round(result.seconds, 2),
                "feasible": result.feasible,
                "best_known": instance.best_known,
                "best_known_routes": instance.best_routes,
                "gap_percent": round(gap, 2),
                "load_average_1min_before": round(load_before, 2),
            }
        )
    # One entry per time limit: a run with another limit keeps the others' figures.
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved["source"] = f"{PACKAGE}=={VERSION} sdist"
    saved.setdefault("by_time_limit", {})[f"{seconds:g}s"] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "runs": rows,
    }
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n")
    return rows
