"""Plans one day of the neighbourhood job bureau: who does which job, when, in which order,
and who takes a cargo bike or the van. No Django here; `plan_day` is the entry point.

Why OR-Tools
------------
The day plan is a vehicle-routing problem with time windows, and the bureau needs three
things that VROOM and PyVRP cannot express: jobs done by a crew of two or more people who
must start together (a synchronisation between routes), a limit on how many workers may take
a cargo bike that day (a constraint across routes), and a working-time limit per worker that
is shared between the worker's separate availability windows. (With those, a crew could only
be modelled as one fixed vehicle, chosen before solving.) OR-Tools' routing library sits
on a constraint solver, so such rules are one `solver.Add(...)` each, next to time windows,
allowed vehicles and optional visits with penalties. It is a pinned wheel (Apache 2.0) with no
service to run, and it is single-threaded, which suits a shared web server.

How each rule is modelled
-------------------------
* **Vehicles are worker shifts.** Each availability window of a worker is one routing
  vehicle that leaves the worker's start place (home, or the depot when none is given) no
  earlier than the window opens and is back at the end place no later than it closes. A
  worker's windows may not overlap (checked), so one worker is never in two places at once.
  Between jobs everybody rides their own bike.
* **Cargo bikes and vans** are kept at the depot. The worker who drives one for a job (the
  *driver*, crew place 0) fetches it at the depot and brings it back: the driver's visit
  starts and ends at the depot and lasts depot -> pickup + work + pickup -> drop-off +
  drop-off -> depot, at the van speed for a van. So a worker never needs to decide in the
  morning whether to take a bike: a route may mix bike jobs, van jobs and other jobs. The
  limit "at most N workers use a cargo bike that day" is one constraint per kind: for each
  worker, *uses* is the maximum over the drivers' visits of `IsMemberVar(VehicleVar(visit),
  the worker's shifts)`, and the sum over workers is at most the number of units. Units of
  different sizes are handled by levels: for each capacity level c, the workers who drive a
  load above the next smaller level are at most the units of capacity >= c (Hall's condition
  for nested sets), so concrete units are then handed out greedily, largest load first.
  We first modelled a bike as a copy of each shift (with and without bike, at most one
  used); local search could not move a whole route from one copy to the other, so bikes
  stayed unused. Handing out bikes before solving would have to guess the routes.
* **Skills and locks** restrict the vehicles a visit may use (`VehicleVar(i).SetValues`,
  the same as `SetAllowedVehiclesForIndex`, whose Python binding rejects lists in 9.15):
  only the shifts of workers who have every required skill at the minimum level and enough
  hours left. A lock fixes crew place *i* of a job to the *i*-th locked worker; the rest of
  the day is planned around it. A locked job gets a hundred times the penalty, so it is
  dropped only when impossible (then with the reason `lock_not_feasible`). To fix the time
  as well, the caller passes a single time window.
* **Crews.** A job for a crew of k is k visits (nodes) with the same windows and allowed
  workers. Synchronisation is three constraints between the driver's visit and each other
  one: the job starts at the same minute for all (`CumulVar(a) + fetch == CumulVar(b)` on
  the time dimension: the driver's visit starts at the depot `fetch` minutes earlier), all
  performed or all dropped (`ActiveVar(a) == ActiveVar(b)`), and different vehicles
  (`AllDifferentExcept(VehicleVar..., -1)`). Different vehicles means different workers,
  because two shifts of one worker do not overlap. The helpers meet the driver at the
  pickup and ride along to the drop-off. OR-Tools' local search moves one visit at a time,
  so it can hardly ever add a crew job to a full day on its own; a small greedy seed does:
  for each crew job, on a 15-minute grid of start times, every crew place goes to the
  cheapest position in a different worker's shift that is free at that minute; then each
  single job (least room first) goes to its cheapest feasible position. This runs in 12
  orders (the one above, then seeded shuffles, so plans stay reproducible) and the seed
  with the most jobs, then the least travel, wins. The search starts from it and improves;
  it never drops a crew job, as that costs the penalty. (Without the seed, a benchmark day
  served none of its crew jobs.)
* **Pickup and drop-off** (moving help, appliance delivery) is one job, not a pickup and
  delivery pair: the job starts at the pickup, lasts the work plus the ride from pickup to
  drop-off, and the next ride leaves from the drop-off (or the depot, for the driver). This
  is simpler and right for the bureau: a crew stays with the load from pickup to drop-off, a
  load never shares a cargo bike with another job's load, and so a job's load only has to
  fit the unit (`load <= capacity`), with no capacity dimension.
* **Time windows.** A job must start and finish inside one of its windows (the gaps between
  windows are removed from the start-time domain).
* **Hour limits.** The caller derives the minutes a worker may still work today from the
  monthly, yearly and trajectory limits. Working time is a second dimension that counts the
  visits (the work, the ride with the load and, for the driver, fetching and returning the
  bike), not the rides between jobs: hours are registered per job. Its capacity per shift is
  the worker's remaining minutes, and the ends of all shifts of a worker sum to at most that.
* **Objective.** Each dropped job costs a penalty far above any travel time (split over its
  crew visits, so a crew job counts as one job), so the plan first serves as many jobs as it
  can, then has the least travel: arc costs are the ride minutes between places (the rides
  inside a job are the same whoever does it). Guided local search improves the seed until
  the time limit (parallel cheapest insertion, or the strategy chosen, builds the first
  plan only if the seed is empty or rejected); `metaheuristic="greedy_descent"` stops at
  the first local optimum, which is deterministic.

Reasons for unassigned jobs
---------------------------
Cheap checks before solving catch what can never fit: `outside_area`, `no_equipment`,
`load_too_large`, `no_worker_with_skill`, `no_worker_with_all_skills`,
`locked_worker_not_qualified`, `time_window_impossible` (no qualified worker can reach and
finish the job inside a window and inside an availability window), `hour_limit`,
`crew_too_large`. Those jobs are not given to the solver. A job that passed them but is
dropped by the solver gets `no_capacity_left` (or `lock_not_feasible` when locked); when the
solver found no plan at all in the time limit, every job gets `no_solution`. `jobs/messages.py`
turns codes and their parameters into sentences.

Travel times come from coordinates: haversine distance times a detour factor (1.3), at a
cycling speed (15 km/h) or a van speed (25 km/h), rounded up to whole minutes. All times are
minutes from midnight of the planned day.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from time import monotonic
from typing import Literal

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

MINUTES_PER_DAY = 24 * 60
EARTH_RADIUS_KM = 6371.0088
# A dropped job costs more than any day's travel could (minutes); locked jobs far more.
DROP_PENALTY = 1_000_000
LOCKED_DROP_PENALTY = 100 * DROP_PENALTY

Mode = Literal["bike", "cargo_bike", "van"]
EquipmentKind = Literal["cargo_bike", "van"]
EQUIPMENT_KINDS: tuple[EquipmentKind, ...] = ("cargo_bike", "van")

# Reason codes for unassigned jobs (jobs/messages.py has their sentences).
OUTSIDE_AREA = "outside_area"
NO_EQUIPMENT = "no_equipment"
LOAD_TOO_LARGE = "load_too_large"
NO_WORKER_WITH_SKILL = "no_worker_with_skill"
NO_WORKER_WITH_ALL_SKILLS = "no_worker_with_all_skills"
LOCKED_WORKER_NOT_QUALIFIED = "locked_worker_not_qualified"
TIME_WINDOW_IMPOSSIBLE = "time_window_impossible"
HOUR_LIMIT = "hour_limit"
CREW_TOO_LARGE = "crew_too_large"
NO_CAPACITY_LEFT = "no_capacity_left"
LOCK_NOT_FEASIBLE = "lock_not_feasible"
NO_SOLUTION = "no_solution"


class PlanningInputError(ValueError):
    """The planning input is inconsistent (the message says what and where)."""


# ------------------------------------------------------------------------------------ input
@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Window:
    """From `start` to `end`, in minutes from midnight."""

    start: int
    end: int


@dataclass(frozen=True)
class Depot:
    """The bureau's base: cargo bikes and vans are kept here. Jobs farther than
    `served_radius_km` (straight line) are outside the area; None serves everywhere."""

    location: Location
    served_radius_km: float | None = None


@dataclass(frozen=True)
class Worker:
    id: str
    availability: tuple[Window, ...]
    remaining_minutes: int
    skills: Mapping[str, int] = field(default_factory=dict)
    start: Location | None = None  # None: the depot
    end: Location | None = None  # None: where the worker started


@dataclass(frozen=True)
class Equipment:
    """`count` identical cargo bikes or vans that each carry up to `capacity`."""

    id: str
    kind: EquipmentKind
    count: int
    capacity: int


@dataclass(frozen=True)
class Job:
    id: str
    location: Location  # where the job is, or the pickup
    duration: int  # minutes of work, without the ride from pickup to drop-off
    windows: tuple[Window, ...]
    required_skills: Mapping[str, int] = field(default_factory=dict)
    crew_size: int = 1
    dropoff: Location | None = None
    needs: EquipmentKind | None = None
    load: int = 0
    locked_to: tuple[str, ...] = ()  # worker ids, one per crew place, in order


@dataclass(frozen=True)
class Options:
    time_limit_s: float = 5.0  # for the whole call (checks, model, seed and search)
    cycling_kmh: float = 15.0
    van_kmh: float = 25.0
    detour: float = 1.3
    # "guided_local_search" improves until the time limit; "greedy_descent" stops at the
    # first local optimum (quick and deterministic).
    metaheuristic: Literal["guided_local_search", "greedy_descent"] = "guided_local_search"
    # A name of OR-Tools' FirstSolutionStrategy.
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    solution_limit: int | None = None  # stop after this many improving solutions


# ----------------------------------------------------------------------------------- output
@dataclass(frozen=True)
class Stop:
    job_id: str
    arrival: int  # at the depot for the cargo bike or van, else at the job
    start: int  # the job starts at the pickup
    end: int  # and ends at the drop-off
    travel_minutes: int  # from the previous place
    carry_minutes: int  # from pickup to drop-off, inside start..end
    fetch_minutes: int = 0  # depot -> pickup with the cargo bike or van, before start
    return_minutes: int = 0  # drop-off -> depot, after end
    equipment_id: str | None = None  # the unit this worker drives for the job


@dataclass(frozen=True)
class Route:
    worker_id: str
    shift: Window
    depart: int  # leaves the start place
    back: int  # arrives at the end place
    stops: tuple[Stop, ...]
    travel_minutes: int  # every ride, with and without a load
    work_minutes: int  # the jobs, including fetching, carrying and returning


@dataclass(frozen=True)
class Unassigned:
    job_id: str
    reason: str
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    day: date
    routes: tuple[Route, ...]  # only routes with at least one stop
    crews: Mapping[str, tuple[str, ...]]  # job id -> worker ids
    equipment: Mapping[str, tuple[str, ...]]  # worker id -> the units they drive
    unassigned: tuple[Unassigned, ...]
    total_travel_minutes: int

    def routes_of(self, worker_id: str) -> tuple[Route, ...]:
        return tuple(r for r in self.routes if r.worker_id == worker_id)


# ----------------------------------------------------------------------------------- travel
def distance_km(a: Location, b: Location) -> float:
    """Great-circle (haversine) distance."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def travel_minutes(
    a: Location, b: Location, *, speed_kmh: float = 15.0, detour: float = 1.3
) -> int:
    """Minutes to ride from a to b: haversine distance x detour factor / speed, rounded up."""
    if speed_kmh <= 0 or detour < 1:
        raise PlanningInputError("speed must be positive and the detour factor at least 1")
    minutes = distance_km(a, b) * detour / speed_kmh * 60
    # A hair of tolerance, so that floating-point noise never adds a whole minute.
    return max(0, math.ceil(minutes - 1e-9))


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ------------------------------------------------------------------------------- validation
def _check_window(window: Window, what: str) -> None:
    if not 0 <= window.start < window.end <= MINUTES_PER_DAY:
        raise PlanningInputError(
            f"{what}: window {window.start}-{window.end} must lie within the day and "
            "end after it starts"
        )


def _check_windows(windows: Sequence[Window], what: str) -> tuple[Window, ...]:
    ordered = tuple(sorted(windows, key=lambda w: w.start))
    for window in ordered:
        _check_window(window, what)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            raise PlanningInputError(f"{what}: windows overlap")
    return ordered


def _check_location(location: Location, what: str) -> None:
    if not (-90 <= location.lat <= 90 and -180 <= location.lon <= 180):
        raise PlanningInputError(f"{what}: coordinates out of range")


def _validate(
    depot: Depot, workers: Sequence[Worker], jobs: Sequence[Job], equipment: Sequence[Equipment]
) -> None:
    _check_location(depot.location, "depot")
    if depot.served_radius_km is not None and depot.served_radius_km <= 0:
        raise PlanningInputError("depot: the served radius must be positive")
    worker_ids = [w.id for w in workers]
    if len(set(worker_ids)) != len(worker_ids):
        raise PlanningInputError("workers: the same id appears twice")
    for worker in workers:
        what = f"worker {worker.id}"
        _check_windows(worker.availability, what)
        if worker.remaining_minutes < 0:
            raise PlanningInputError(f"{what}: remaining minutes cannot be negative")
        for place in (worker.start, worker.end):
            if place is not None:
                _check_location(place, what)
    equipment_ids = [e.id for e in equipment]
    if len(set(equipment_ids)) != len(equipment_ids):
        raise PlanningInputError("equipment: the same id appears twice")
    for unit in equipment:
        if unit.kind not in EQUIPMENT_KINDS:
            raise PlanningInputError(f"equipment {unit.id}: unknown kind {unit.kind!r}")
        if unit.count < 0 or unit.capacity < 0:
            raise PlanningInputError(f"equipment {unit.id}: count and capacity must be >= 0")
    job_ids = [j.id for j in jobs]
    if len(set(job_ids)) != len(job_ids):
        raise PlanningInputError("jobs: the same id appears twice")
    known = set(worker_ids)
    for job in jobs:
        what = f"job {job.id}"
        _check_location(job.location, what)
        if job.dropoff is not None:
            _check_location(job.dropoff, what)
        if not job.windows:
            raise PlanningInputError(f"{what}: at least one time window is needed")
        _check_windows(job.windows, what)
        if job.duration < 1:
            raise PlanningInputError(f"{what}: the duration must be at least one minute")
        if job.crew_size < 1:
            raise PlanningInputError(f"{what}: the crew size must be at least 1")
        if job.load < 0:
            raise PlanningInputError(f"{what}: the load cannot be negative")
        if job.needs is not None and job.needs not in EQUIPMENT_KINDS:
            raise PlanningInputError(f"{what}: unknown equipment kind {job.needs!r}")
        if len(job.locked_to) > job.crew_size:
            raise PlanningInputError(f"{what}: more locked workers than the crew size")
        if len(set(job.locked_to)) != len(job.locked_to):
            raise PlanningInputError(f"{what}: the same worker is locked twice")
        unknown = set(job.locked_to) - known
        if unknown:
            raise PlanningInputError(f"{what}: locked to unknown worker {sorted(unknown)[0]}")
        for skill, level in job.required_skills.items():
            if level < 0:
                raise PlanningInputError(f"{what}: skill {skill} needs a level >= 0")


# ------------------------------------------------------------------------ vehicles and visits
@dataclass(frozen=True)
class _Vehicle:
    """One routing vehicle: a worker's shift."""

    worker: Worker
    shift: Window
    start: Location
    end: Location


@dataclass(frozen=True)
class _Visit:
    """One crew place of a job, as the worker in it rides and works it. The driver of a job
    that needs a cargo bike or van fetches it at the depot and brings it back: that visit
    starts and ends at the depot, `offset` minutes before the job starts at the pickup."""

    job: Job
    copy: int
    arrive_at: Location
    leave_from: Location
    offset: int  # from the start of the visit to the start of the job
    fetch: int  # depot -> pickup
    carry: int  # pickup -> drop-off
    give_back: int  # drop-off -> depot

    @property
    def service(self) -> int:
        return self.fetch + self.job.duration + self.carry + self.give_back

    @property
    def rides(self) -> int:
        return self.fetch + self.carry + self.give_back


@dataclass(frozen=True)
class _Travel:
    depot: Depot
    options: Options

    def minutes(self, a: Location, b: Location, mode: Mode = "bike") -> int:
        speed = self.options.van_kmh if mode == "van" else self.options.cycling_kmh
        return travel_minutes(a, b, speed_kmh=speed, detour=self.options.detour)

    def visit(self, job: Job, copy: int) -> _Visit:
        mode: Mode = job.needs or "bike"
        dropoff = job.dropoff or job.location
        carry = self.minutes(job.location, dropoff, mode) if job.dropoff else 0
        if copy == 0 and job.needs is not None:
            depot = self.depot.location
            fetch = self.minutes(depot, job.location, mode)
            give_back = self.minutes(dropoff, depot, mode)
            return _Visit(job, copy, depot, depot, fetch, fetch, carry, give_back)
        return _Visit(job, copy, job.location, dropoff, 0, 0, carry, 0)


def _vehicles(workers: Sequence[Worker], depot: Location) -> list[_Vehicle]:
    vehicles = []
    for worker in workers:
        home = worker.start or depot
        for shift in _check_windows(worker.availability, worker.id):
            vehicles.append(_Vehicle(worker, shift, home, worker.end or home))
    return vehicles


def _has_skills(worker: Worker, job: Job) -> bool:
    return all(worker.skills.get(s, -1) >= lvl for s, lvl in job.required_skills.items())


def _job_starts(visit: _Visit, window: Window) -> tuple[int, int]:
    """Earliest and latest start of the visit (not of the job) for one job window."""
    job = visit.job
    return window.start - visit.offset, window.end - job.duration - visit.carry - visit.offset


def _fits_in_time(vehicle: _Vehicle, visit: _Visit, travel: _Travel) -> bool:
    """Can this shift reach the visit, do it inside a job window and get back in time?"""
    arrive = vehicle.shift.start + travel.minutes(vehicle.start, visit.arrive_at)
    home = travel.minutes(visit.leave_from, vehicle.end)
    for window in visit.job.windows:
        earliest, latest = _job_starts(visit, window)
        start = max(arrive, earliest)
        if start <= latest and start + visit.service + home <= vehicle.shift.end:
            return True
    return False


def _may_take(vehicle: _Vehicle, visit: _Visit) -> bool:
    locked = visit.job.locked_to
    return _has_skills(vehicle.worker, visit.job) and (
        visit.copy >= len(locked) or vehicle.worker.id == locked[visit.copy]
    )


# --------------------------------------------------------------------------------- prechecks
def _precheck(
    job: Job,
    workers: Sequence[Worker],
    vehicles: Sequence[_Vehicle],
    equipment: Sequence[Equipment],
    travel: _Travel,
) -> Unassigned | None:
    """Why this job can never be planned today, or None when it might be."""
    radius = travel.depot.served_radius_km
    if radius is not None:
        far = max(
            distance_km(travel.depot.location, place)
            for place in (job.location, job.dropoff or job.location)
        )
        if far > radius:
            return Unassigned(
                job.id, OUTSIDE_AREA, {"distance_km": f"{far:.1f}", "radius_km": f"{radius:.1f}"}
            )
    if job.needs is not None:
        units = [e for e in equipment if e.kind == job.needs and e.count > 0]
        if not units:
            return Unassigned(job.id, NO_EQUIPMENT, {"kind": job.needs})
        largest = max(e.capacity for e in units)
        if job.load > largest:
            return Unassigned(
                job.id, LOAD_TOO_LARGE, {"kind": job.needs, "load": job.load, "capacity": largest}
            )
    for skill, level in sorted(job.required_skills.items()):
        if not any(w.skills.get(skill, -1) >= level for w in workers):
            return Unassigned(job.id, NO_WORKER_WITH_SKILL, {"skill": skill, "level": level})
    skilled = {w.id for w in workers if _has_skills(w, job)}
    if not skilled:
        return Unassigned(
            job.id, NO_WORKER_WITH_ALL_SKILLS, {"skills": ", ".join(sorted(job.required_skills))}
        )
    for worker_id in job.locked_to:
        if worker_id not in skilled:
            return Unassigned(job.id, LOCKED_WORKER_NOT_QUALIFIED, {"worker": worker_id})
    # Per crew place: the workers who could take it in time, and those with the hours too.
    visits = [travel.visit(job, copy) for copy in range(job.crew_size)]
    in_time = [
        {v.worker.id for v in vehicles if _may_take(v, visit) and _fits_in_time(v, visit, travel)}
        for visit in visits
    ]
    if not all(in_time):
        windows = ", ".join(
            f"{format_minutes(w.start)}-{format_minutes(w.end)}" for w in job.windows
        )
        return Unassigned(job.id, TIME_WINDOW_IMPOSSIBLE, {"windows": windows})
    with_hours = [
        {w for w in place if w in _hours_for(workers, visit)}
        for place, visit in zip(in_time, visits, strict=True)
    ]
    if not all(with_hours):
        return Unassigned(job.id, HOUR_LIMIT, {"minutes": max(v.service for v in visits)})
    qualified = set().union(*with_hours)
    if len(qualified) < job.crew_size:
        return Unassigned(
            job.id, CREW_TOO_LARGE, {"crew_size": job.crew_size, "qualified": len(qualified)}
        )
    return None


def _hours_for(workers: Sequence[Worker], visit: _Visit) -> set[str]:
    return {w.id for w in workers if w.remaining_minutes >= visit.service}


# ------------------------------------------------------------------------------------ solve
def plan_day(
    *,
    day: date,
    depot: Depot,
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    equipment: Sequence[Equipment] = (),
    options: Options | None = None,
) -> Plan:
    """Plans the day: the most jobs possible, then the least travel. See the module doc."""
    began = monotonic()
    options = options or Options()
    if options.time_limit_s <= 0:
        raise PlanningInputError("the time limit must be positive")
    if not hasattr(routing_enums_pb2.FirstSolutionStrategy, options.first_solution):
        raise PlanningInputError(f"unknown first solution strategy {options.first_solution}")
    for speed in (options.cycling_kmh, options.van_kmh):  # checks speeds and detour
        travel_minutes(depot.location, depot.location, speed_kmh=speed, detour=options.detour)
    _validate(depot, workers, jobs, equipment)
    travel = _Travel(depot, options)
    vehicles = _vehicles(workers, depot.location)

    unassigned: list[Unassigned] = []
    plannable: list[Job] = []
    for job in jobs:
        reason = _precheck(job, workers, vehicles, equipment, travel)
        if reason is None:
            plannable.append(job)
        else:
            unassigned.append(reason)
    if not plannable:
        return Plan(day, (), {}, {}, tuple(unassigned), 0)
    deadline = began + options.time_limit_s
    return _solve(day, plannable, vehicles, equipment, travel, unassigned, deadline)


def _solve(
    day: date,
    jobs: Sequence[Job],
    vehicles: Sequence[_Vehicle],
    equipment: Sequence[Equipment],
    travel: _Travel,
    unassigned: list[Unassigned],
    deadline: float,
) -> Plan:
    visits = [travel.visit(job, c) for job in jobs for c in range(job.crew_size)]
    n_visits, n_vehicles = len(visits), len(vehicles)
    # Nodes: the visits, then a start and an end node per vehicle.
    starts = [n_visits + 2 * v for v in range(n_vehicles)]
    ends = [n_visits + 2 * v + 1 for v in range(n_vehicles)]
    arrive_at = [v.arrive_at for v in visits]
    leave_from = [v.leave_from for v in visits]
    service = [v.service for v in visits]
    for vehicle in vehicles:
        arrive_at += [vehicle.start, vehicle.end]
        leave_from += [vehicle.start, vehicle.end]
        service += [0, 0]
    n_nodes = len(arrive_at)

    manager = pywrapcp.RoutingIndexManager(n_nodes, n_vehicles, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # Rides between places, as a matrix over nodes (no Python callback per arc).
    rides = [
        [0 if a == b else travel.minutes(leave_from[a], arrive_at[b]) for b in range(n_nodes)]
        for a in range(n_nodes)
    ]
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(rides))
    time_cb = routing.RegisterTransitMatrix(
        [[service[a] + minutes for minutes in row] for a, row in enumerate(rides)]
    )
    routing.AddDimension(time_cb, MINUTES_PER_DAY, MINUTES_PER_DAY, False, "time")
    time = routing.GetDimensionOrDie("time")
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitVector(service),
        0,
        [v.worker.remaining_minutes for v in vehicles],
        True,
        "work",
    )
    work = routing.GetDimensionOrDie("work")

    # Shifts: when a vehicle may leave and must be back; hours shared by a worker's shifts.
    of_worker: dict[str, list[int]] = {}
    for v, vehicle in enumerate(vehicles):
        time.CumulVar(routing.Start(v)).SetRange(vehicle.shift.start, vehicle.shift.end)
        time.CumulVar(routing.End(v)).SetRange(vehicle.shift.start, vehicle.shift.end)
        of_worker.setdefault(vehicle.worker.id, []).append(v)
    for own in of_worker.values():
        if len(own) > 1:
            limit = vehicles[own[0]].worker.remaining_minutes
            solver.Add(solver.Sum([work.CumulVar(routing.End(v)) for v in own]) <= limit)

    # Visits: job windows, allowed vehicles, penalties; crews synchronised.
    index_of: dict[tuple[str, int], int] = {}
    allowed_of: list[list[int]] = []  # per visit node
    for node, visit in enumerate(visits):
        index = manager.NodeToIndex(node)
        index_of[(visit.job.id, visit.copy)] = index
        ranges = [_job_starts(visit, w) for w in visit.job.windows]
        ranges = [(lo, hi) for lo, hi in ranges if lo <= hi]
        cumul = time.CumulVar(index)
        cumul.SetRange(max(0, ranges[0][0]), ranges[-1][1])
        for (_, before), (after, _) in zip(ranges, ranges[1:], strict=False):
            cumul.RemoveInterval(before + 1, after - 1)
        allowed = [
            v
            for v, vehicle in enumerate(vehicles)
            if _may_take(vehicle, visit) and vehicle.worker.remaining_minutes >= visit.service
        ]
        if not allowed:  # the prechecks rule this out; an empty list would allow all
            raise RuntimeError(f"job {visit.job.id} has no allowed worker")
        # SetAllowedVehiclesForIndex's Python binding rejects lists in OR-Tools 9.15
        # (absl::Span); restricting VehicleVar is the same (-1: not performed).
        routing.VehicleVar(index).SetValues([-1, *allowed])
        allowed_of.append(allowed)
        penalty = LOCKED_DROP_PENALTY if visit.job.locked_to else DROP_PENALTY
        routing.AddDisjunction([index], -(-penalty // visit.job.crew_size))
    for job in jobs:
        if job.crew_size == 1:
            continue
        crew = [index_of[(job.id, c)] for c in range(job.crew_size)]
        lead = visits[manager.IndexToNode(crew[0])].offset
        for other in crew[1:]:
            solver.Add(routing.ActiveVar(crew[0]) == routing.ActiveVar(other))
            # Helpers meet the driver at the pickup when the job starts.
            solver.Add(time.CumulVar(crew[0]) + lead == time.CumulVar(other))
        solver.Add(solver.AllDifferentExcept([routing.VehicleVar(i) for i in crew], -1))

    _limit_equipment(routing, solver, jobs, vehicles, equipment, index_of)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, travel.options.first_solution
    )
    if travel.options.solution_limit is not None:
        params.solution_limit = travel.options.solution_limit
    if travel.options.metaheuristic == "guided_local_search":
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
    else:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        )
    params.time_limit.FromMilliseconds(round(travel.options.time_limit_s * 1000))
    routing.CloseModelWithParameters(params)
    seed = _seed(jobs, visits, vehicles, equipment, rides, allowed_of, index_of, manager)
    # The time limit covers the whole call: building the model and the seed count too.
    left = max(0.1, deadline - monotonic())
    params.time_limit.FromMilliseconds(round(left * 1000))
    start = routing.ReadAssignmentFromRoutes(seed, True) if any(seed) else None
    if start is not None:
        solution = routing.SolveFromAssignmentWithParameters(start, params)
    else:
        solution = routing.SolveWithParameters(params)
    if solution is None:
        unassigned += [Unassigned(job.id, NO_SOLUTION) for job in jobs]
        return Plan(day, (), {}, {}, tuple(unassigned), 0)
    return _read_plan(
        day, routing, manager, solution, visits, vehicles, equipment, unassigned, rides
    )


SEED_TRIES = 12


def _seed(
    jobs: Sequence[Job],
    visits: Sequence[_Visit],
    vehicles: Sequence[_Vehicle],
    equipment: Sequence[Equipment],
    rides: Sequence[Sequence[int]],
    allowed_of: Sequence[Sequence[int]],
    index_of: Mapping[tuple[str, int], int],
    manager: pywrapcp.RoutingIndexManager,
) -> list[list[int]]:
    """The best of a few greedy seeds (most jobs, then least travel): the first in the
    order below, the others in seeded random orders, so the plan stays reproducible."""
    n_visits = len(visits)
    crews = sorted((j for j in jobs if j.crew_size > 1), key=lambda j: -j.crew_size)
    singles = sorted(
        (j for j in jobs if j.crew_size == 1), key=lambda j: sum(w.end - w.start for w in j.windows)
    )
    best: tuple[int, int, list[list[int]]] | None = None
    for attempt in range(SEED_TRIES):
        if attempt:
            shuffle = random.Random(attempt).shuffle  # noqa: S311 -- a seeded search, not a secret
            shuffle(crews)
            shuffle(singles)
        planned = _seed_crews(
            crews, singles, visits, vehicles, equipment, rides, allowed_of, index_of, manager
        )
        jobs_in = len({visits[node].job.id for route in planned for node in route})
        travel = 0
        for v, route in enumerate(planned):
            path = [n_visits + 2 * v, *route, n_visits + 2 * v + 1]
            travel += sum(rides[a][b] for a, b in zip(path, path[1:], strict=False))
        if best is None or (-jobs_in, travel) < (-best[0], best[1]):
            best = (jobs_in, travel, planned)
    if best is None:
        raise RuntimeError("best must be set")
    return [[manager.NodeToIndex(node) for node in route] for route in best[2]]


def _seed_crews(
    crew_jobs: Sequence[Job],
    singles: Sequence[Job],
    visits: Sequence[_Visit],
    vehicles: Sequence[_Vehicle],
    equipment: Sequence[Equipment],
    rides: Sequence[Sequence[int]],
    allowed_of: Sequence[Sequence[int]],
    index_of: Mapping[tuple[str, int], int],
    manager: pywrapcp.RoutingIndexManager,
) -> list[list[int]]:
    """Routes (node lists per vehicle) that hold as many crew jobs as a greedy insertion finds.

    Local search moves one visit at a time, and a crew's visits can only be added together at
    one start time, so OR-Tools' own first-solution heuristics and operators rarely manage to
    add a crew job to a full day. This seed does: for each crew job, on a grid of start
    times, each crew place goes to the cheapest position of a different worker's shift that
    is free at exactly that time. The search then starts from these routes and adds the
    single jobs; it never drops a crew again, as that costs the penalty."""
    n_visits = len(visits)
    node_of = {key: manager.IndexToNode(index) for key, index in index_of.items()}
    # Per vehicle: the visits (node, start of the visit) in order, at fixed times.
    planned: list[list[tuple[int, int]]] = [[] for _ in vehicles]
    worked: dict[str, int] = {}
    loads: dict[tuple[EquipmentKind, str], int] = {}

    def best_place(
        node: int, lo: int, hi: int, taken: set[str]
    ) -> tuple[int, int, int, int] | None:
        """The cheapest (added ride, vehicle, position, start) for a visit starting
        between lo and hi, in the fixed schedule planned so far."""
        visit = visits[node]
        found: tuple[int, int, int, int] | None = None
        for v in allowed_of[node]:
            vehicle = vehicles[v]
            worker = vehicle.worker
            if worker.id in taken:
                continue
            if worked.get(worker.id, 0) + visit.service > worker.remaining_minutes:
                continue
            if visit.copy == 0 and visit.job.needs is not None:
                key = (visit.job.needs, worker.id)
                trial = {**loads, key: max(loads.get(key, 0), visit.job.load)}
                try:
                    _hand_out(trial, equipment)
                except RuntimeError:
                    continue
            stops = planned[v]
            for p in range(len(stops) + 1):
                before, free_from = (
                    (n_visits + 2 * v, vehicle.shift.start)
                    if p == 0
                    else (stops[p - 1][0], stops[p - 1][1] + visits[stops[p - 1][0]].service)
                )
                after, busy_from = (
                    (n_visits + 2 * v + 1, vehicle.shift.end) if p == len(stops) else stops[p]
                )
                begins = max(lo, free_from + rides[before][node])
                if begins > hi or begins + visit.service + rides[node][after] > busy_from:
                    continue
                added = rides[before][node] + rides[node][after] - rides[before][after]
                if found is None or added < found[0]:
                    found = (added, v, p, begins)
        return found

    def commit(node: int, v: int, position: int, begins: int) -> None:
        visit = visits[node]
        worker = vehicles[v].worker
        planned[v].insert(position, (node, begins))
        worked[worker.id] = worked.get(worker.id, 0) + visit.service
        if visit.copy == 0 and visit.job.needs is not None:
            key = (visit.job.needs, worker.id)
            loads[key] = max(loads.get(key, 0), visit.job.load)

    for job in crew_jobs:
        nodes = [node_of[(job.id, c)] for c in range(job.crew_size)]
        best: tuple[int, list[tuple[int, int, int, int]]] | None = None
        for window in job.windows:
            lead = visits[nodes[0]]
            last = window.end - job.duration - lead.carry
            for start in range(window.start, last + 1, 15):
                places: list[tuple[int, int, int, int]] = []  # node, vehicle, position, begins
                taken: set[str] = set()
                total = 0
                for node in nodes:
                    begins = start - visits[node].offset
                    place = best_place(node, begins, begins, taken)
                    if place is None:
                        break
                    total += place[0]
                    places.append((node, place[1], place[2], begins))
                    taken.add(vehicles[place[1]].worker.id)
                if len(places) == len(nodes) and (best is None or total < best[0]):
                    best = (total, places)
        if best is None:
            continue
        for node, v, p, begins in best[1]:
            commit(node, v, p, begins)

    # Then the single jobs, those with the least room first.
    for job in singles:
        node = node_of[(job.id, 0)]
        options = [
            place
            for window in job.windows
            if (place := best_place(node, *_job_starts(visits[node], window), set()))
        ]
        if options:
            _, v, p, begins = min(options)
            commit(node, v, p, begins)
    return [[node for node, _ in stops] for stops in planned]


def _limit_equipment(
    routing: pywrapcp.RoutingModel,
    solver: pywrapcp.Solver,
    jobs: Sequence[Job],
    vehicles: Sequence[_Vehicle],
    equipment: Sequence[Equipment],
    index_of: Mapping[tuple[str, int], int],
) -> None:
    """At most as many workers per kind and capacity level as there are units (see doc)."""
    shifts_of: dict[str, list[int]] = {}
    for v, vehicle in enumerate(vehicles):
        shifts_of.setdefault(vehicle.worker.id, []).append(v)
    for kind in EQUIPMENT_KINDS:
        units = [e for e in equipment if e.kind == kind and e.count > 0]
        below = -1
        for level in sorted({e.capacity for e in units}):
            available = sum(e.count for e in units if e.capacity >= level)
            drivers = [index_of[(j.id, 0)] for j in jobs if j.needs == kind and j.load > below]
            below = level
            if len(drivers) <= available:
                continue  # cannot bind
            uses = [
                solver.Max([solver.IsMemberVar(routing.VehicleVar(i), own) for i in drivers])
                for own in shifts_of.values()
            ]
            solver.Add(solver.Sum(uses) <= available)


def _read_plan(
    day: date,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    solution: pywrapcp.Assignment,
    visits: Sequence[_Visit],
    vehicles: Sequence[_Vehicle],
    equipment: Sequence[Equipment],
    unassigned: list[Unassigned],
    rides: Sequence[Sequence[int]],
) -> Plan:
    time = routing.GetDimensionOrDie("time")
    crews: dict[str, list[tuple[int, str]]] = {}
    loads: dict[tuple[EquipmentKind, str], int] = {}
    raw: list[tuple[_Vehicle, list[tuple[int, _Visit, int]], int]] = []
    for v, vehicle in enumerate(vehicles):
        legs: list[tuple[int, _Visit, int]] = []  # (ride to it, visit, start of the visit)
        index = routing.Start(v)
        while True:
            after = solution.Value(routing.NextVar(index))
            ride = rides[manager.IndexToNode(index)][manager.IndexToNode(after)]
            if routing.IsEnd(after):
                break
            visit = visits[manager.IndexToNode(after)]
            legs.append((ride, visit, solution.Min(time.CumulVar(after))))
            crews.setdefault(visit.job.id, []).append((visit.copy, vehicle.worker.id))
            kind = visit.job.needs
            if visit.copy == 0 and kind is not None:
                loads[(kind, vehicle.worker.id)] = max(
                    loads.get((kind, vehicle.worker.id), 0), visit.job.load
                )
            index = after
        if legs:
            raw.append((vehicle, legs, ride))
    handed_out = _hand_out(loads, equipment)
    routes = []
    for vehicle, legs, ride_home in raw:
        stops = []
        clock = 0
        for position, (ride, visit, begins) in enumerate(legs):
            start = begins + visit.offset
            unit = None
            if visit.job.needs is not None and visit.copy == 0:
                unit = handed_out[(visit.job.needs, vehicle.worker.id)]
            stops.append(
                Stop(
                    job_id=visit.job.id,
                    arrival=begins if position == 0 else clock + ride,
                    start=start,
                    end=start + visit.job.duration + visit.carry,
                    travel_minutes=ride,
                    carry_minutes=visit.carry,
                    fetch_minutes=visit.fetch,
                    return_minutes=visit.give_back,
                    equipment_id=unit,
                )
            )
            clock = begins + visit.service
        routes.append(
            Route(
                worker_id=vehicle.worker.id,
                shift=vehicle.shift,
                depart=legs[0][2] - legs[0][0],
                back=clock + ride_home,
                stops=tuple(stops),
                travel_minutes=sum(r for r, _, _ in legs)
                + ride_home
                + sum(v.rides for _, v, _ in legs),
                work_minutes=sum(v.service for _, v, _ in legs),
            )
        )
    for visit in visits:
        if visit.copy == 0 and visit.job.id not in crews:
            job = visit.job
            if job.locked_to:
                unassigned.append(
                    Unassigned(job.id, LOCK_NOT_FEASIBLE, {"workers": ", ".join(job.locked_to)})
                )
            else:
                unassigned.append(Unassigned(job.id, NO_CAPACITY_LEFT))
    by_worker: dict[str, list[str]] = {}
    for (_, worker_id), unit_id in handed_out.items():
        by_worker.setdefault(worker_id, []).append(unit_id)
    return Plan(
        day=day,
        routes=tuple(routes),
        crews={job: tuple(w for _, w in sorted(crew)) for job, crew in crews.items()},
        equipment={w: tuple(sorted(units)) for w, units in by_worker.items()},
        unassigned=tuple(unassigned),
        total_travel_minutes=sum(r.travel_minutes for r in routes),
    )


def _hand_out(
    loads: Mapping[tuple[EquipmentKind, str], int], equipment: Sequence[Equipment]
) -> dict[tuple[EquipmentKind, str], str]:
    """Gives each worker who drives a kind a unit that carries their largest load: largest
    load first, the smallest unit that fits. The level constraints make this always work."""
    handed: dict[tuple[EquipmentKind, str], str] = {}
    for kind in EQUIPMENT_KINDS:
        left = {e.id: e.count for e in equipment if e.kind == kind}
        by_size = sorted((e for e in equipment if e.kind == kind), key=lambda e: e.capacity)
        users = sorted(((load, w) for (k, w), load in loads.items() if k == kind), reverse=True)
        for load, worker_id in users:
            unit = next((e for e in by_size if e.capacity >= load and left[e.id] > 0), None)
            if unit is None:
                raise RuntimeError(f"no {kind} left for worker {worker_id}")
            left[unit.id] -= 1
            handed[(kind, worker_id)] = unit.id
    return handed
