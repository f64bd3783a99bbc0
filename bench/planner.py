"""Benchmark of the job bureau's day planner (jobs/planning.py); see bench/PLANNER.md.

    .venv/bin/python bench/planner.py                 # the day (3 seeds) and the week
    .venv/bin/python bench/planner.py --seeds 1 --long 20 --skip-week

The day: a synthetic, seeded Oostende neighbourhood with 60 requests, 8 workers and 3 cargo
bikes (skills, crews of two, pickups and drop-offs, time windows, split shifts, hour limits).
Each seed is planned three times: with greedy descent (the first local optimum), with the
5-second budget (a limit of 4.8 s for the whole call, model and seed included), and with
`--long` seconds (60). The week: 300 requests and 20 workers, planned day by day for five
days, hours carried over within the month, unplanned requests moved to the next day once.

Every plan is checked (crews full, same start, windows, shifts, hours, bikes) before its
figures are printed. The machine may be shared: the figures say what this run measured.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jobs.planning import (
    NO_CAPACITY_LEFT,
    Depot,
    Equipment,
    Job,
    Location,
    Options,
    Plan,
    Window,
    Worker,
    plan_day,
)

# The bureau sits near the centre of Oostende; most requests come from the neighbourhood
# around it, some from farther in town, grave care from the cemetery.
DEPOT = Depot(Location(51.2254, 2.9196), served_radius_km=6.0)
NEIGHBOURHOOD = Location(51.2215, 2.9135)
CEMETERY = Location(51.2105, 2.9035)
SKILLS = ("odd_jobs", "garden", "moving", "appliance_installation")
DAY_TARGET_S = 5.0


def hm(hours: float) -> int:
    return round(hours * 60)


MORNING, AFTERNOON, WHOLE_DAY = Window(hm(8.5), hm(12.5)), Window(hm(12.5), hm(17)), None


def around(rng: random.Random, centre: Location, km: float) -> Location:
    """A point uniformly in a disc of `km` around `centre`."""
    r, angle = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat_km = 111.2
    lon_km = lat_km * math.cos(math.radians(centre.lat))
    return Location(
        centre.lat + r * math.sin(angle) / lat_km, centre.lon + r * math.cos(angle) / lon_km
    )


def address(rng: random.Random) -> Location:
    return around(rng, NEIGHBOURHOOD, 1.5 if rng.random() < 0.75 else 3.5)


def request_windows(rng: random.Random) -> tuple[Window, ...]:
    roll = rng.random()
    if roll < 0.40:
        return (Window(hm(8.5), hm(17)),)
    if roll < 0.65:
        return (MORNING,)
    if roll < 0.90:
        return (AFTERNOON,)
    slot = rng.choice([9, 10, 11, 13, 14, 15])
    return (Window(hm(slot), hm(slot + 2)),)


def requests(rng: random.Random, count: int, prefix: str) -> list[Job]:
    """Requests drawn from the bureau's service catalogue, by how often each is asked."""
    jobs = []
    services = ["odd", "garden", "grave", "moving", "appliance", "transport"]
    weights = [0.30, 0.15, 0.15, 0.08, 0.12, 0.20]
    for n in range(count):
        service = rng.choices(services, weights)[0]
        job_id = f"{prefix}{n:03d}-{service}"
        windows = request_windows(rng)
        if service == "odd":
            job = Job(job_id, address(rng), rng.randrange(20, 46, 5), windows, {"odd_jobs": 1})
        elif service == "garden":
            level = rng.choice([1, 1, 2])
            job = Job(job_id, address(rng), rng.randrange(30, 61, 5), windows, {"garden": level})
        elif service == "grave":
            job = Job(
                job_id, around(rng, CEMETERY, 0.3), rng.randrange(20, 41, 5), windows, {"garden": 1}
            )
        elif service == "moving":
            job = Job(
                job_id,
                address(rng),
                rng.randrange(45, 76, 15),
                windows,
                {"moving": 1},
                crew_size=2,
                dropoff=address(rng),
                needs="cargo_bike",
                load=rng.randrange(80, 151, 10),
            )
        elif service == "appliance":
            # A rented appliance from the bureau's store to the household, installed.
            job = Job(
                job_id,
                DEPOT.location,
                rng.randrange(30, 46, 5),
                windows,
                {"appliance_installation": 2},
                crew_size=2,
                dropoff=address(rng),
                needs="cargo_bike",
                load=rng.randrange(60, 101, 10),
            )
        else:
            job = Job(
                job_id,
                address(rng),
                rng.randrange(15, 31, 5),
                windows,
                {},
                dropoff=address(rng),
                needs="cargo_bike",
                load=rng.randrange(20, 101, 10),
            )
        jobs.append(job)
    return jobs


def shifts(rng: random.Random) -> tuple[Window, ...]:
    roll = rng.random()
    if roll < 0.70:
        return (Window(hm(8.5), hm(16.5)),)
    if roll < 0.80:
        return (MORNING,)
    if roll < 0.90:
        return (AFTERNOON,)
    return (Window(hm(9), hm(12)), Window(hm(13), hm(16.5)))


@dataclass(frozen=True)
class Person:
    """A worker as the bureau knows them; `Worker` is their availability on one day."""

    id: str
    skills: dict[str, int]
    home: Location | None
    month_left: int  # minutes left under the monthly limit


def people(rng: random.Random, count: int) -> list[Person]:
    crew = []
    for n in range(count):
        skills = {"odd_jobs": rng.randint(1, 3)}
        for skill in rng.sample(SKILLS[1:], rng.randint(1, 2)):
            skills[skill] = rng.randint(1, 3)
        home = address(rng) if rng.random() < 0.75 else None
        crew.append(Person(f"w{n:02d}", skills, home, rng.randrange(hm(12), hm(60), 30)))
    return crew


def worker_today(rng: random.Random, person: Person) -> Worker:
    # The caller's part: today's hours are at most a working day and what the month leaves.
    return Worker(
        person.id, shifts(rng), min(hm(7), person.month_left), person.skills, start=person.home
    )


def day_instance(seed: int) -> tuple[list[Worker], list[Job], list[Equipment]]:
    rng = random.Random(seed)
    crew = [replace(p, month_left=hm(60)) for p in people(rng, 8)]
    workers = [worker_today(rng, p) for p in crew]
    return workers, requests(rng, 60, "r"), [Equipment("bakfiets", "cargo_bike", 3, 150)]


# ------------------------------------------------------------------------------- checking
def check(result: Plan, workers: list[Worker], jobs: list[Job], equipment: list[Equipment]) -> None:
    """The hard rules, again, so that a benchmark figure never comes from a broken plan."""
    by_worker = {w.id: w for w in workers}
    by_job = {j.id: j for j in jobs}
    starts: dict[str, set[int]] = {}
    worked: Counter[str] = Counter()
    for route in result.routes:
        worker = by_worker[route.worker_id]
        assert route.shift in worker.availability
        assert route.shift.start <= route.depart and route.back <= route.shift.end
        previous = route.depart
        for stop in route.stops:
            job = by_job[stop.job_id]
            assert previous <= stop.arrival <= stop.start
            assert any(w.start <= stop.start and stop.end <= w.end for w in job.windows)
            assert all(worker.skills.get(s, -1) >= lvl for s, lvl in job.required_skills.items())
            starts.setdefault(job.id, set()).add(stop.start)
            worked[worker.id] += stop.end - stop.start
            previous = stop.end
    for worker_id, minutes in worked.items():
        assert minutes <= by_worker[worker_id].remaining_minutes
    for job_id, crew in result.crews.items():
        assert len(set(crew)) == by_job[job_id].crew_size and len(starts[job_id]) == 1
    assert len(result.equipment) <= sum(e.count for e in equipment)


def run(
    workers: list[Worker], jobs: list[Job], equipment: list[Equipment], day: date, options: Options
) -> tuple[Plan, tuple[float, float]]:
    began, cpu = time.perf_counter(), time.process_time()
    result = plan_day(
        day=day, depot=DEPOT, workers=workers, jobs=jobs, equipment=equipment, options=options
    )
    seconds = time.perf_counter() - began
    check(result, workers, jobs, equipment)
    # CPU time next to wall time shows how much of the budget a loaded machine gave.
    return result, (seconds, time.process_time() - cpu)


def describe(result: Plan, times: tuple[float, float]) -> str:
    reasons = Counter(u.reason for u in result.unassigned)
    why = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "-"
    seconds, cpu = times
    return (
        f"{len(result.crews):3d} served  travel {result.total_travel_minutes:5d} min  "
        f"{seconds:6.2f} s (CPU {cpu:5.2f} s)  unassigned: {why}"
    )


def bench_day(seeds: int, long_s: float) -> None:
    print(f"Day: 60 requests, 8 workers, 3 cargo bikes; 5 s budget vs {long_s:g} s")
    gaps = []
    for seed in range(1, seeds + 1):
        workers, jobs, equipment = day_instance(seed)
        day = date(2026, 12, 1)
        quick, quick_s = run(
            workers,
            jobs,
            equipment,
            day,
            Options(time_limit_s=DAY_TARGET_S, metaheuristic="greedy_descent"),
        )
        short, short_s = run(workers, jobs, equipment, day, Options(time_limit_s=4.8))
        long, long_time = run(workers, jobs, equipment, day, Options(time_limit_s=long_s))
        gap = (short.total_travel_minutes - long.total_travel_minutes) / max(
            1, long.total_travel_minutes
        )
        gaps.append(gap)
        crews = sum(1 for j in jobs if j.crew_size > 1)
        print(f"seed {seed}: {crews} crew jobs, {sum(1 for j in jobs if j.needs)} on a cargo bike")
        print(f"  first local optimum  {describe(quick, quick_s)}")
        print(f"  5 s budget           {describe(short, short_s)}")
        print(f"  {long_s:g} s               {describe(long, long_time)}")
        same = "same" if len(short.crews) == len(long.crews) else "DIFFERENT"
        print(
            f"  travel gap 5 s vs {long_s:g} s: {gap:+.1%} ({same} number served)"
            f"; 5 s run within {DAY_TARGET_S:g} s: {short_s[0] <= DAY_TARGET_S}"
        )
    print(f"largest travel gap: {max(gaps):+.1%}")


def bench_week(seconds_per_day: float) -> None:
    print(f"Week: 300 requests, 20 workers, 3 cargo bikes, {seconds_per_day:g} s a day")
    rng = random.Random(2026)
    crew = people(rng, 20)
    monday = date(2026, 11, 30)
    carried: list[Job] = []
    total_served = total_travel = 0
    total_seconds = 0.0
    for d in range(5):
        day = monday + timedelta(days=d)
        fresh = requests(rng, 60, f"d{d}-")
        todays = [p for p in crew if rng.random() < 0.8]  # who works today
        workers = [worker_today(rng, p) for p in todays]
        jobs = carried + fresh
        result, seconds = run(
            workers,
            jobs,
            [Equipment("bakfiets", "cargo_bike", 3, 150)],
            day,
            Options(time_limit_s=seconds_per_day),
        )
        worked: Counter[str] = Counter()
        for route in result.routes:
            worked[route.worker_id] += route.work_minutes
        crew = [replace(p, month_left=p.month_left - worked[p.id]) for p in crew]
        # Unplanned fresh requests get one more chance tomorrow; carried ones are phoned.
        no_room = {u.job_id for u in result.unassigned if u.reason == NO_CAPACITY_LEFT}
        carried = [j for j in fresh if j.id in no_room]
        total_served += len(result.crews)
        total_travel += result.total_travel_minutes
        total_seconds += seconds[0]
        print(
            f"  {day:%a} {len(workers):2d} workers {len(jobs):3d} requests  "
            f"{describe(result, seconds)}"
        )
    print(
        f"  week: {total_served} served of 300, travel {total_travel} min, "
        f"{total_seconds:.1f} s planning"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--long", type=float, default=60.0, help="seconds of the long run")
    parser.add_argument("--week-seconds", type=float, default=5.0)
    parser.add_argument("--skip-day", action="store_true")
    parser.add_argument("--skip-week", action="store_true")
    parser.add_argument(
        "--solomon-seconds",
        type=float,
        default=10.0,
        help="time limit per Solomon instance; 0 skips them",
    )
    parser.add_argument(
        "--solomon",
        default="C101,C201,R101,R201,RC101,RC208",
        help="comma-separated Solomon instances, among those of BEST_KNOWN in bench/solomon.py",
    )
    args = parser.parse_args()
    solomon = tuple(name.strip().upper() for name in args.solomon.split(",") if name.strip())
    if args.solomon_seconds > 0:
        from bench.solomon import INSTANCES

        unknown = sorted(set(solomon) - set(INSTANCES))
        if unknown:
            parser.error(
                f"no best-known value for {', '.join(unknown)}: use {', '.join(INSTANCES)}"
            )
    load = os.getloadavg()
    print(
        f"{platform.node()} {platform.python_version()} {os.cpu_count()} cores, "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    if not args.skip_day:
        bench_day(args.seeds, args.long)
    if not args.skip_week:
        bench_week(args.week_seconds)
    if args.solomon_seconds > 0:
        from bench.solomon import bench_solomon  # downloads its data on first use

        bench_solomon(args.solomon_seconds, solomon)
    load = os.getloadavg()
    print(f"load at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
