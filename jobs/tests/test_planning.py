"""The day planner (jobs/planning.py): travel times, small cases with a known optimum, every
reason for an unassigned job, bad input, and properties of plans for random instances.

Every plan is checked by `assert_valid`, which recomputes the times from the input alone."""

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs import planning
from jobs.planning import (
    Depot,
    Equipment,
    Job,
    Location,
    Options,
    Plan,
    PlanningInputError,
    Window,
    Worker,
    plan_day,
    travel_minutes,
)

DAY = date(2026, 12, 1)
DEPOT = Depot(Location(51.2300, 2.9200), served_radius_km=8)  # Oostende
WORKDAY = Window(8 * 60, 17 * 60)
QUICK = Options(time_limit_s=0.3)


def km_north(km: float) -> Location:
    """A place `km` north (negative: south) of the depot."""
    return Location(DEPOT.location.lat + km / (planning.EARTH_RADIUS_KM * math.pi / 180), 2.92)


def plan(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    equipment: Sequence[Equipment] = (),
    options: Options = QUICK,
    depot: Depot = DEPOT,
) -> Plan:
    result = plan_day(
        day=DAY, depot=depot, workers=workers, jobs=jobs, equipment=equipment, options=options
    )
    assert_valid(result, depot, workers, jobs, equipment, options)
    return result


def reasons(result: Plan) -> dict[str, tuple[str, dict[str, str | int]]]:
    return {u.job_id: (u.reason, dict(u.params)) for u in result.unassigned}


def assert_valid(
    result: Plan,
    depot: Depot,
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    equipment: Sequence[Equipment],
    options: Options,
) -> None:
    """Every hard rule, checked from the input and the plan alone."""
    by_worker = {w.id: w for w in workers}
    by_job = {j.id: j for j in jobs}
    units = {e.id: e for e in equipment}

    def ride(a: Location, b: Location, mode: str) -> int:
        speed = options.van_kmh if mode == "van" else options.cycling_kmh
        return travel_minutes(a, b, speed_kmh=speed, detour=options.detour)

    # Each job is either served by a full crew or unassigned with a reason, never both.
    unassigned = [u.job_id for u in result.unassigned]
    assert len(unassigned) == len(set(unassigned))
    assert set(unassigned) | set(result.crews) == set(by_job)
    assert not set(unassigned) & set(result.crews)
    assert all(u.reason for u in result.unassigned)

    starts: dict[str, set[int]] = defaultdict(set)
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    worked: dict[str, int] = defaultdict(int)
    served_by: dict[str, list[str]] = defaultdict(list)
    travel_total = 0
    for route in result.routes:
        worker = by_worker[route.worker_id]
        assert route.shift in worker.availability
        assert route.stops
        place = worker.start or depot.location
        end_place = worker.end or place
        clock, rides, work = route.depart, 0, 0
        assert route.shift.start <= route.depart
        for stop in route.stops:
            job = by_job[stop.job_id]
            mode = job.needs or "bike"
            driver = job.needs is not None and result.crews[job.id][0] == worker.id
            dropoff = job.dropoff or job.location
            leg = ride(place, depot.location if driver else job.location, "bike")
            fetch = ride(depot.location, job.location, mode) if driver else 0
            give_back = ride(dropoff, depot.location, mode) if driver else 0
            carry = ride(job.location, dropoff, mode) if job.dropoff else 0
            assert stop.travel_minutes == leg
            assert stop.arrival == clock + leg
            assert (stop.fetch_minutes, stop.return_minutes) == (fetch, give_back)
            assert stop.start >= stop.arrival + fetch
            assert stop.carry_minutes == carry
            assert stop.end == stop.start + job.duration + carry
            assert any(w.start <= stop.start and stop.end <= w.end for w in job.windows)
            for skill, level in job.required_skills.items():
                assert worker.skills.get(skill, -1) >= level
            if driver:
                unit = units[stop.equipment_id or ""]
                assert unit.kind == job.needs and unit.capacity >= job.load
                assert unit.id in result.equipment[worker.id]
            else:
                assert stop.equipment_id is None
            starts[job.id].add(stop.start)
            served_by[job.id].append(worker.id)
            work += fetch + job.duration + carry + give_back
            rides += leg + fetch + carry + give_back
            clock = stop.end + give_back
            place = depot.location if driver else dropoff
        last = ride(place, end_place, "bike")
        assert route.back == clock + last
        assert route.back <= route.shift.end
        assert route.travel_minutes == rides + last
        assert route.work_minutes == work
        worked[worker.id] += work
        travel_total += rides + last
        busy[worker.id].append((route.depart, route.back))
    assert result.total_travel_minutes == travel_total

    # No worker in two places at once, none over their hours.
    for worker_id, intervals in busy.items():
        intervals.sort()
        for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
            assert end <= start, f"{worker_id} is double-booked"
        assert worked[worker_id] <= by_worker[worker_id].remaining_minutes

    # Crews: full, distinct people, the same start, locks kept, the driver has the unit.
    for job_id, crew in result.crews.items():
        job = by_job[job_id]
        assert len(crew) == job.crew_size == len(set(crew))
        assert sorted(crew) == sorted(served_by[job_id])
        assert len(starts[job_id]) == 1
        assert tuple(crew[: len(job.locked_to)]) == job.locked_to

    # Never more workers on a unit than there are units.
    users: dict[str, int] = defaultdict(int)
    for worker_id, unit_ids in result.equipment.items():
        assert len(set(unit_ids)) == len(unit_ids)
        for unit_id in unit_ids:
            users[unit_id] += 1
            assert any(
                s.equipment_id == unit_id for r in result.routes_of(worker_id) for s in r.stops
            )
    for unit_id, count in users.items():
        assert count <= units[unit_id].count


# ----------------------------------------------------------------------------------- travel
def test_travel_minutes_is_distance_times_detour_over_speed_rounded_up() -> None:
    here = Location(51.23, 2.92)
    assert travel_minutes(here, here) == 0
    # Exactly 15 km along the equator: an hour at 15 km/h with no detour, not 61 minutes.
    fifteen_km = Location(0, math.degrees(15 / planning.EARTH_RADIUS_KM))
    assert travel_minutes(Location(0, 0), fifteen_km, detour=1.0) == 60
    # 1 km x 1.3 / 15 km/h = 5.2 minutes, rounded up.
    assert travel_minutes(here, km_north(1)) == 6
    assert travel_minutes(km_north(1), here) == 6
    assert travel_minutes(here, km_north(10), speed_kmh=30, detour=1.0) == 20
    assert planning.distance_km(here, km_north(10)) == pytest.approx(10)


def test_travel_minutes_refuses_a_speed_of_zero_or_a_detour_below_one() -> None:
    with pytest.raises(PlanningInputError):
        travel_minutes(Location(0, 0), Location(0, 1), speed_kmh=0)
    with pytest.raises(PlanningInputError):
        travel_minutes(Location(0, 0), Location(0, 1), detour=0.9)


# ------------------------------------------------------------------------- known optima
def test_two_workers_four_jobs_on_a_line_split_north_and_south() -> None:
    # Each worker has time for two of the hour-long jobs. The best split: both northern jobs
    # to one worker, both southern to the other: 6 + 6 + 11 minutes each way, 46 in all.
    workers = [Worker("ann", (WORKDAY,), 150), Worker("bob", (WORKDAY,), 150)]
    jobs = [Job(f"j{km}", km_north(km), 60, (WORKDAY,)) for km in (1, 2, -1, -2)]
    result = plan(workers, jobs)
    assert not result.unassigned
    assert result.total_travel_minutes == 46
    groups = {frozenset(s.job_id for s in r.stops) for r in result.routes}
    assert groups == {frozenset({"j1", "j2"}), frozenset({"j-1", "j-2"})}


def test_one_worker_with_time_for_everything_does_the_line_in_one_round() -> None:
    workers = [Worker("ann", (WORKDAY,), 480), Worker("bob", (WORKDAY,), 480)]
    jobs = [Job(f"j{km}", km_north(km), 60, (WORKDAY,)) for km in (1, 2, -1, -2)]
    result = plan(workers, jobs)
    # 6 + 6 + 21 (2 km north to 2 km south) + 6 + 6: less than two rounds of 23.
    assert result.total_travel_minutes == 45
    assert len(result.routes) == 1


def test_a_two_person_job_gets_two_different_workers_starting_together() -> None:
    workers = [
        Worker("ann", (WORKDAY,), 480, start=km_north(1)),
        Worker("bob", (Window(9 * 60, 17 * 60),), 480, start=km_north(-3)),
    ]
    move = Job("move", km_north(2), 90, (Window(9 * 60, 12 * 60),), crew_size=2)
    result = plan(workers, [move])
    assert sorted(result.crews["move"]) == ["ann", "bob"]
    ann_stop = result.routes_of("ann")[0].stops[0]
    bob_stop = result.routes_of("bob")[0].stops[0]
    # Ann lives 1 km away and waits for Bob, who rides 5 km (26 minutes) from 9:00.
    assert ann_stop.start == bob_stop.start == 9 * 60 + 26
    # A route leaves as late as it can: Ann sets off at 9:20 for her 6-minute ride.
    assert result.routes_of("ann")[0].depart == 9 * 60 + 20


def test_a_skill_only_one_worker_has_sends_that_worker() -> None:
    workers = [
        Worker("ann", (WORKDAY,), 480, skills={"electric": 1}, start=km_north(1)),
        Worker("bob", (WORKDAY,), 480, skills={"electric": 3}, start=km_north(-4)),
    ]
    fridge = Job("fridge", km_north(1), 60, (WORKDAY,), required_skills={"electric": 2})
    result = plan(workers, [fridge])
    assert result.crews == {"fridge": ("bob",)}


def test_a_lock_is_kept_and_the_rest_is_planned_around_it() -> None:
    workers = [
        Worker("ann", (WORKDAY,), 480, start=km_north(2)),
        Worker("bob", (WORKDAY,), 480, start=km_north(-2)),
    ]
    north = Job("north", km_north(2), 60, (Window(9 * 60, 10 * 60),))
    south = Job("south", km_north(-2), 60, (Window(9 * 60, 10 * 60),))
    free = plan(workers, [north, south])
    assert free.crews == {"north": ("ann",), "south": ("bob",)}
    assert free.total_travel_minutes == 0
    # The coordinator gives the northern job to Bob: Ann now takes the southern one.
    locked = Job("north", km_north(2), 60, (Window(9 * 60, 10 * 60),), locked_to=("bob",))
    result = plan(workers, [locked, south])
    assert result.crews == {"north": ("bob",), "south": ("ann",)}


def test_an_impossible_lock_is_dropped_with_its_reason() -> None:
    workers = [Worker("ann", (WORKDAY,), 480), Worker("bob", (WORKDAY,), 480)]
    nine = (Window(9 * 60, 10 * 60),)
    jobs = [
        Job("one", km_north(1), 60, nine, locked_to=("ann",)),
        Job("two", km_north(1), 60, nine, locked_to=("ann",)),
    ]
    result = plan(workers, jobs)
    assert len(result.crews) == 1
    assert list(reasons(result).values()) == [(planning.LOCK_NOT_FEASIBLE, {"workers": "ann"})]


def test_a_job_that_does_not_fit_is_left_with_no_capacity_left() -> None:
    workers = [Worker("ann", (WORKDAY,), 480)]
    nine = (Window(9 * 60, 10 * 60),)
    jobs = [Job("one", km_north(1), 60, nine), Job("two", km_north(1), 60, nine)]
    result = plan(workers, jobs)
    assert len(result.crews) == 1
    assert [r for r, _ in reasons(result).values()] == [planning.NO_CAPACITY_LEFT]


def test_pickup_and_drop_off_is_one_job_including_the_ride() -> None:
    workers = [Worker("ann", (WORKDAY,), 480)]
    bikes = [Equipment("bakfiets", "cargo_bike", 1, 100)]
    move = Job(
        "move", km_north(1), 30, (WORKDAY,), dropoff=km_north(3), needs="cargo_bike", load=50
    )
    result = plan(workers, [move], bikes)
    (route,) = result.routes
    (stop,) = route.stops
    assert stop.equipment_id == "bakfiets"
    # From the depot with the bike 1 km to the pickup, 2 km to the drop-off, 3 km back.
    assert (stop.fetch_minutes, stop.carry_minutes, stop.return_minutes) == (6, 11, 16)
    assert stop.end - stop.start == 30 + 11
    assert route.travel_minutes == 6 + 11 + 16
    assert route.work_minutes == 30 + 6 + 11 + 16
    assert result.equipment == {"ann": ("bakfiets",)}


def test_only_as_many_workers_on_cargo_bikes_as_there_are_bikes() -> None:
    workers = [Worker(w, (WORKDAY,), 480) for w in ("ann", "bob")]
    nine = (Window(9 * 60, 10 * 60),)
    jobs = [
        Job("north", km_north(2), 60, nine, needs="cargo_bike", load=10),
        Job("south", km_north(-2), 60, nine, needs="cargo_bike", load=10),
    ]
    one_bike = plan(workers, jobs, [Equipment("bak", "cargo_bike", 1, 20)])
    assert len(one_bike.crews) == 1 and len(one_bike.equipment) == 1
    assert [r for r, _ in reasons(one_bike).values()] == [planning.NO_CAPACITY_LEFT]
    two_bikes = plan(workers, jobs, [Equipment("bak", "cargo_bike", 2, 20)])
    assert len(two_bikes.crews) == 2 and set(two_bikes.equipment.values()) == {("bak",)}


def test_a_large_load_gets_the_large_bike() -> None:
    workers = [Worker(w, (WORKDAY,), 480) for w in ("ann", "bob")]
    nine = (Window(9 * 60, 10 * 60),)
    bikes = [Equipment("small", "cargo_bike", 1, 50), Equipment("large", "cargo_bike", 1, 150)]
    jobs = [
        Job("big", km_north(2), 60, nine, needs="cargo_bike", load=120),
        Job("light", km_north(-2), 60, nine, needs="cargo_bike", load=40),
    ]
    result = plan(workers, jobs, bikes)
    assert not result.unassigned
    assert result.equipment[result.crews["big"][0]] == ("large",)
    assert result.equipment[result.crews["light"][0]] == ("small",)
    # Two large loads at once with one large bike: one cannot be done.
    heavy = [Job(j.id, j.location, 60, nine, needs="cargo_bike", load=120) for j in jobs]
    assert len(plan(workers, heavy, bikes).crews) == 1


def test_the_van_is_faster_on_a_longer_ride() -> None:
    workers = [Worker("ann", (WORKDAY,), 480)]
    van = Job("van", km_north(5), 30, (WORKDAY,), needs="van")
    result = plan(workers, [van], [Equipment("van", "van", 1, 500)])
    (route,) = result.routes
    assert route.stops[0].equipment_id == "van"
    assert route.travel_minutes == 2 * math.ceil(5 * 1.3 / 25 * 60)


def test_hours_are_shared_between_a_workers_shifts() -> None:
    morning, afternoon = Window(8 * 60, 12 * 60), Window(13 * 60, 17 * 60)
    workers = [Worker("ann", (morning, afternoon), 60)]
    jobs = [
        Job("am", km_north(1), 60, (morning,)),
        Job("pm", km_north(1), 60, (afternoon,)),
    ]
    result = plan(workers, jobs)
    assert len(result.crews) == 1
    assert [r for r, _ in reasons(result).values()] == [planning.NO_CAPACITY_LEFT]


def test_greedy_descent_gives_the_same_plan_twice() -> None:
    workers = [Worker(w, (WORKDAY,), 300, start=km_north(i)) for i, w in enumerate("abc")]
    jobs = [Job(f"j{k}", km_north(k / 2 - 2), 45, (WORKDAY,)) for k in range(9)]
    options = Options(time_limit_s=2, metaheuristic="greedy_descent")
    first, second = plan(workers, jobs, options=options), plan(workers, jobs, options=options)
    assert first == second
    assert not first.unassigned


# --------------------------------------------------------------------- reasons up front
def test_a_skill_nobody_has_is_unassigned_with_that_skill() -> None:
    workers = [Worker("ann", (WORKDAY,), 480, skills={"garden": 2})]
    jobs = [
        Job("grave", km_north(1), 60, (WORKDAY,), required_skills={"garden": 1, "stone": 1}),
        Job("hedge", km_north(1), 60, (WORKDAY,), required_skills={"garden": 3}),
    ]
    assert reasons(plan(workers, jobs)) == {
        "grave": (planning.NO_WORKER_WITH_SKILL, {"skill": "stone", "level": 1}),
        "hedge": (planning.NO_WORKER_WITH_SKILL, {"skill": "garden", "level": 3}),
    }


def test_skills_spread_over_two_workers_are_not_enough() -> None:
    workers = [
        Worker("ann", (WORKDAY,), 480, skills={"garden": 2}),
        Worker("bob", (WORKDAY,), 480, skills={"stone": 2}),
    ]
    job = Job("grave", km_north(1), 60, (WORKDAY,), required_skills={"garden": 1, "stone": 1})
    assert reasons(plan(workers, [job])) == {
        "grave": (planning.NO_WORKER_WITH_ALL_SKILLS, {"skills": "garden, stone"})
    }


def test_an_impossible_time_window_is_unassigned_with_its_reason() -> None:
    workers = [Worker("ann", (WORKDAY,), 480)]
    early = Job("early", km_north(1), 60, (Window(6 * 60, 7 * 60 + 30),))
    # Fits the window only if Ann could be there at 8:00 sharp, but the ride takes 6 minutes.
    tight = Job("tight", km_north(1), 60, (Window(8 * 60, 9 * 60),))
    assert reasons(plan(workers, [early, tight])) == {
        "early": (planning.TIME_WINDOW_IMPOSSIBLE, {"windows": "06:00-07:30"}),
        "tight": (planning.TIME_WINDOW_IMPOSSIBLE, {"windows": "08:00-09:00"}),
    }


def test_a_crew_larger_than_the_qualified_workers_is_unassigned() -> None:
    workers = [
        Worker("ann", (WORKDAY,), 480, skills={"lifting": 1}),
        Worker("bob", (WORKDAY,), 480, skills={"lifting": 1}),
        Worker("cas", (WORKDAY,), 480),
    ]
    piano = Job("piano", km_north(1), 60, (WORKDAY,), required_skills={"lifting": 1}, crew_size=3)
    assert reasons(plan(workers, [piano])) == {
        "piano": (planning.CREW_TOO_LARGE, {"crew_size": 3, "qualified": 2})
    }


def test_a_job_outside_the_served_area_is_unassigned() -> None:
    workers = [Worker("ann", (WORKDAY,), 480)]
    far = Job("far", km_north(12), 60, (WORKDAY,))
    assert reasons(plan(workers, [far])) == {
        "far": (planning.OUTSIDE_AREA, {"distance_km": "12.0", "radius_km": "8.0"})
    }


def test_a_job_longer_than_the_hours_left_is_unassigned() -> None:
    workers = [Worker("ann", (WORKDAY,), 45)]
    job = Job("long", km_north(1), 60, (WORKDAY,))
    assert reasons(plan(workers, [job])) == {"long": (planning.HOUR_LIMIT, {"minutes": 60})}


def test_equipment_reasons() -> None:
    workers = [Worker("ann", (WORKDAY,), 480)]
    jobs = [
        Job("van", km_north(1), 60, (WORKDAY,), needs="van"),
        Job("heavy", km_north(1), 60, (WORKDAY,), needs="cargo_bike", load=300),
    ]
    result = plan(workers, jobs, [Equipment("bak", "cargo_bike", 2, 150)])
    assert reasons(result) == {
        "van": (planning.NO_EQUIPMENT, {"kind": "van"}),
        "heavy": (planning.LOAD_TOO_LARGE, {"kind": "cargo_bike", "load": 300, "capacity": 150}),
    }


def test_a_lock_on_a_worker_without_the_skill_is_unassigned() -> None:
    workers = [
        Worker("ann", (WORKDAY,), 480, skills={"electric": 2}),
        Worker("bob", (WORKDAY,), 480),
    ]
    job = Job(
        "fridge", km_north(1), 60, (WORKDAY,), required_skills={"electric": 1}, locked_to=("bob",)
    )
    assert reasons(plan(workers, [job])) == {
        "fridge": (planning.LOCKED_WORKER_NOT_QUALIFIED, {"worker": "bob"})
    }


def test_every_reason_code_has_a_message() -> None:
    from jobs.messages import MESSAGES

    codes = {v for k, v in vars(planning).items() if k.isupper() and isinstance(v, str)}
    codes -= {"bike", "cargo_bike", "van"}
    assert codes == set(MESSAGES)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("workers", "jobs", "message"),
    [
        ([Worker("a", (WORKDAY,), 60)] * 2, [], "same id"),
        ([Worker("a", (Window(480, 700), Window(600, 900)), 60)], [], "overlap"),
        ([Worker("a", (Window(700, 600),), 60)], [], "end after it starts"),
        ([Worker("a", (Window(0, 1500),), 60)], [], "within the day"),
        ([Worker("a", (WORKDAY,), -5)], [], "negative"),
        ([], [Job("j", Location(51, 3), 60, ())], "at least one time window"),
        ([], [Job("j", Location(51, 3), 0, (WORKDAY,))], "duration"),
        ([], [Job("j", Location(51, 3), 60, (WORKDAY,), crew_size=0)], "crew size"),
        ([], [Job("j", Location(95, 3), 60, (WORKDAY,))], "coordinates"),
        ([], [Job("j", Location(51, 3), 60, (WORKDAY,), locked_to=("x",))], "unknown worker"),
        ([], [Job("j", Location(51, 3), 60, (WORKDAY,), load=-1)], "load"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    workers: list[Worker], jobs: list[Job], message: str
) -> None:
    with pytest.raises(PlanningInputError, match=message):
        plan_day(day=DAY, depot=DEPOT, workers=workers, jobs=jobs)


def test_a_lock_with_more_workers_than_the_crew_is_refused() -> None:
    workers = [Worker("a", (WORKDAY,), 60), Worker("b", (WORKDAY,), 60)]
    job = Job("j", Location(51.23, 2.92), 60, (WORKDAY,), locked_to=("a", "b"))
    with pytest.raises(PlanningInputError, match="more locked workers"):
        plan_day(day=DAY, depot=DEPOT, workers=workers, jobs=[job])


def test_no_jobs_or_no_workers_give_an_empty_plan() -> None:
    assert plan([], []).routes == ()
    job = Job("j", km_north(1), 60, (WORKDAY,))
    assert reasons(plan([], [job]))["j"][0] == planning.NO_WORKER_WITH_ALL_SKILLS


# ------------------------------------------------------------------------------ properties
SKILLS = ("garden", "lifting")


@st.composite
def day_instances(draw: st.DrawFn) -> tuple[list[Worker], list[Job], list[Equipment]]:
    def place() -> Location:
        return km_north(draw(st.integers(-40, 40)) / 10)

    def window(shortest: int, latest_start: int) -> Window:
        start = draw(st.integers(7 * 60, latest_start))
        return Window(start, start + draw(st.integers(shortest, 540)))

    def windows() -> tuple[Window, ...]:
        first = window(30, 15 * 60)
        if draw(st.booleans()) and first.end + 30 < 20 * 60:
            return (first, Window(first.end + 30, first.end + 30 + draw(st.integers(30, 240))))
        return (first,)

    workers = []
    for n in range(draw(st.integers(2, 5))):
        first = window(180, 11 * 60)
        shifts = [first]
        if draw(st.booleans()) and first.end + 30 < 20 * 60:
            shifts.append(Window(first.end + 30, first.end + 30 + draw(st.integers(60, 240))))
        skills = {s: draw(st.integers(1, 3)) for s in SKILLS if draw(st.integers(0, 3)) > 0}
        home = place() if draw(st.booleans()) else None
        workers.append(
            Worker(f"w{n}", tuple(shifts), draw(st.integers(30, 480)), skills, start=home)
        )
    equipment = [Equipment("bak", "cargo_bike", draw(st.integers(0, 2)), 100)]
    if draw(st.booleans()):
        equipment.append(Equipment("van", "van", 1, 400))
    jobs = []
    for n in range(draw(st.integers(1, 7))):
        crew = draw(st.sampled_from([1, 1, 2, 2, 3]))
        locked: tuple[str, ...] = ()
        if draw(st.integers(0, 5)) == 0:
            locked = (draw(st.sampled_from(workers)).id,)
        jobs.append(
            Job(
                f"j{n}",
                place(),
                draw(st.integers(15, 120)),
                windows(),
                {s: draw(st.integers(1, 3)) for s in SKILLS if draw(st.integers(0, 4)) == 0},
                crew,
                dropoff=place() if draw(st.integers(0, 2)) == 0 else None,
                needs=draw(st.sampled_from([None, None, None, "cargo_bike", "van"])),
                load=draw(st.integers(0, 150)),
                locked_to=locked,
            )
        )
    return workers, jobs, equipment


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day_instances())
def test_random_days_keep_every_rule(
    instance: tuple[list[Worker], list[Job], list[Equipment]],
) -> None:
    workers, jobs, equipment = instance
    plan(workers, jobs, equipment, options=Options(time_limit_s=0.2))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day_instances())
def test_a_job_that_is_alone_and_passes_the_prechecks_is_planned(
    instance: tuple[list[Worker], list[Job], list[Equipment]],
) -> None:
    # The prechecks are necessary conditions; for one job without a crew they are sufficient,
    # so the solver must then plan it.
    workers, jobs, equipment = instance
    job = Job(
        jobs[0].id,
        jobs[0].location,
        jobs[0].duration,
        jobs[0].windows,
        jobs[0].required_skills,
        1,
        jobs[0].dropoff,
        jobs[0].needs,
        jobs[0].load,
    )
    result = plan(workers, [job], equipment, options=Options(time_limit_s=0.2))
    assert [u.reason for u in result.unassigned] != [planning.NO_CAPACITY_LEFT]


def test_a_reason_reads_as_a_sentence_with_its_parameters() -> None:
    from django.utils import translation

    from jobs.messages import reason_message

    reason = planning.Unassigned("piano", planning.CREW_TOO_LARGE, {"crew_size": 3, "qualified": 2})
    with translation.override("en"):
        assert reason_message(reason) == (
            "The job needs 3 people, but only 2 qualified workers are available."
        )
    with translation.override("nl"):
        assert "3" in reason_message(reason) and "needs" not in reason_message(reason)


# Whichever first-solution strategy is chosen (the crew seed comes first in both cases).
@pytest.mark.parametrize("first_solution", ["PARALLEL_CHEAPEST_INSERTION", "ALL_UNPERFORMED"])
def test_a_full_day_still_makes_room_for_a_two_person_move_with_the_cargo_bike(
    first_solution: str,
) -> None:
    workers = [
        Worker("ann", (WORKDAY,), 480, {"moving": 1}, start=km_north(1)),
        Worker("bob", (WORKDAY,), 480, {"moving": 1}, start=km_north(-1)),
    ]
    singles = [Job(f"odd{k}", km_north(k / 2 - 2), 45, (WORKDAY,)) for k in range(8)]
    move = Job(
        "move",
        km_north(1.5),
        90,
        (Window(13 * 60, 17 * 60),),
        {"moving": 1},
        crew_size=2,
        dropoff=km_north(-1.5),
        needs="cargo_bike",
        load=120,
    )
    bikes = [Equipment("bak", "cargo_bike", 1, 150)]
    options = Options(time_limit_s=0.3, first_solution=first_solution)
    result = plan(workers, [*singles, move], bikes, options=options)
    assert not result.unassigned
    assert sorted(result.crews["move"]) == ["ann", "bob"]
