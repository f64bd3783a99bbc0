"""Benchmark of energy sharing: `.venv/bin/python bench/sharing.py` (see bench/SHARING.md).

Four parts, each in its own process so that its peak memory (RSS) is its own:

* month     — one month (2,976 quarter-hours) for 1,000 participants under every preset
              (target ≤ 0.5 s each);
* year      — a year (35,040 quarter-hours) for 10,000 participants, month by month through
              `allocate_period` (target ≤ 60 s, within memory);
* reference — the vectorised engine against the plain reference implementation of the
              tests, as a speed ratio, on a small case;
* meter     — the meter-data parser, lines per second (target ≥ 200,000).

Synthetic data from a seeded numpy generator: households with a daily load curve, prosumers
(PV on their own roof, injection = production above their own use) and a few large producers
(a school, shops). Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sharing.pure.allocation import Key, allocate, allocate_period  # noqa: E402
from sharing.pure.meterdata import MeterData, parse_meter_file  # noqa: E402
from sharing.tests.reference import reference_allocate  # noqa: E402

SEED = 20261201
MONTH_TARGET_S = 0.5
YEAR_TARGET_S = 60.0
LINES_TARGET = 200_000
QUARTERS_PER_DAY = 96
# Days of the months of 2026, from January.
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


class Community:
    """Fixed traits of the synthetic participants; `span` makes their quarter-hour data."""

    def __init__(self, participants: int, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        self.n = participants
        role = rng.uniform(size=participants)
        self.big_producer = role < 0.01  # schools, shops: large roofs, little use
        self.prosumer = (role >= 0.01) & (role < 0.11)
        self.daily_kwh = rng.gamma(4.0, 2.5, participants)  # about 3,650 kWh a year
        self.daily_kwh[self.big_producer] *= 3
        self.kwp = np.where(self.big_producer, rng.uniform(10, 40, participants), 0.0)
        self.kwp[self.prosumer] = rng.uniform(2, 6, self.prosumer.sum())
        self.percentages = rng.dirichlet(np.ones(participants))
        self.vulnerable = rng.uniform(size=participants) < 0.2
        self.seed = seed

    def span(self, first_day: int, days: int) -> tuple[np.ndarray, np.ndarray]:
        """Offtake and injection (participants × quarter-hours, kWh) from day `first_day`."""
        rng = np.random.default_rng((self.seed, first_day))
        hour = (np.arange(days * QUARTERS_PER_DAY) % QUARTERS_PER_DAY) / 4
        day_of_year = first_day + np.arange(days * QUARTERS_PER_DAY) // QUARTERS_PER_DAY
        # Load: a morning and an evening peak; PV: a sine between sunrise and sunset, longer
        # and higher in summer, times a cloud factor per day.
        shape = (
            0.6 + 0.8 * np.exp(-(((hour - 8) / 1.5) ** 2)) + 1.4 * np.exp(-(((hour - 19) / 2) ** 2))
        )
        shape /= shape.sum() / QUARTERS_PER_DAY
        season = np.cos((day_of_year - 172) / 365 * 2 * np.pi)
        half_day = 6 + 2.5 * season
        sun = np.clip(np.cos((hour - 13.5) / half_day * np.pi / 2), 0, None) ** 1.5
        sun *= (0.55 + 0.45 * season) * rng.uniform(0.2, 1, days).repeat(QUARTERS_PER_DAY)
        noise = rng.random((self.n, days * QUARTERS_PER_DAY), dtype=np.float32) + 0.5
        load = noise * (self.daily_kwh[:, None] / QUARTERS_PER_DAY) * shape[None, :]
        production = (self.kwp[:, None] * 0.25 * 0.8) * sun[None, :]
        net = load - production
        offtake = np.maximum(net, 0.0)
        injection = np.maximum(-net, 0.0)
        return offtake, injection

    def presets(self) -> list[Key]:
        pct = list(self.percentages)
        return [
            Key.fixed(pct),
            Key.relative(pct),
            Key.optimal(pct),
            Key.pro_rata(),
            Key.equal(),
            Key.social_priority(cap=0.5),
        ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part_month() -> dict[str, object]:
    community = Community(1000)
    offtake, injection = community.span(0, 31)
    figures: dict[str, object] = {"participants": 1000, "quarter_hours": offtake.shape[1]}
    for key in community.presets():
        best = best_cpu = float("inf")
        for _ in range(3):  # best of three: the machine is shared
            start, start_cpu = time.perf_counter(), time.process_time()
            result = allocate(
                offtake=offtake, injection=injection, key=key, vulnerable=community.vulnerable
            )
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        figures[key.name] = {
            "seconds": round(best, 3),
            "cpu_seconds": round(best_cpu, 3),
            "shared_fraction": round(float(result.received.sum() / injection.sum()), 3),
        }
    figures["peak_rss_mb"] = round(peak_rss_mb())
    figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    return figures


def part_year(key_name: str) -> dict[str, object]:
    community = Community(10_000)
    key = {k.name: k for k in community.presets()}[key_name]
    generating = [0.0, 0.0]

    def months() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        first_day = 0
        for days in MONTH_DAYS:
            start, start_cpu = time.perf_counter(), time.process_time()
            span = community.span(first_day, days)
            generating[0] += time.perf_counter() - start
            generating[1] += time.process_time() - start_cpu
            first_day += days
            yield span

    start, start_cpu = time.perf_counter(), time.process_time()
    totals = allocate_period(spans=months(), key=key, vulnerable=community.vulnerable)
    total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return {
        "participants": 10_000,
        "quarter_hours": totals.quarter_hours,
        "key": key_name,
        # Wall-clock and CPU seconds of the allocation, without making the synthetic data.
        "allocation_seconds": round(total - generating[0], 1),
        "allocation_cpu_seconds": round(total_cpu - generating[1], 1),
        "generation_seconds": round(generating[0], 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "producers": int(totals.producers.size),
        "shared_fraction": round(float(totals.received.sum() / totals.injection.sum()), 3),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def part_reference() -> dict[str, object]:
    community = Community(100)
    offtake, injection = community.span(170, 2)  # two days in June, 192 quarter-hours
    figures: dict[str, object] = {"participants": 100, "quarter_hours": offtake.shape[1]}
    for key in (community.presets()[2], community.presets()[3]):
        start = time.perf_counter()
        reference_allocate(offtake.tolist(), injection.tolist(), key, list(community.vulnerable))
        slow = time.perf_counter() - start
        fast = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            allocate(offtake=offtake, injection=injection, key=key, vulnerable=community.vulnerable)
            fast = min(fast, time.perf_counter() - start)
        figures[key.name] = {
            "reference_seconds": round(slow, 2),
            "engine_seconds": round(fast, 4),
            "ratio": round(slow / fast),
        }
    return figures


def fluvius_export(eans: list[str], days: int) -> bytes:
    """A year-like export: per EAN and quarter-hour, offtake and injection, day and night."""
    brussels = ZoneInfo("Europe/Brussels")
    rng = np.random.default_rng(SEED)
    lines = [
        "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;"
        "Register;Volume;Eenheid;Validatiestatus;Omschrijving"
    ]
    start = datetime(2026, 1, 1, tzinfo=brussels).astimezone(UTC)
    end = (datetime(2026, 1, 1, tzinfo=brussels) + timedelta(days=days)).astimezone(UTC)
    stamps = []
    moment = start
    while moment < end:
        begin, until = (
            moment.astimezone(brussels),
            (moment + timedelta(minutes=15)).astimezone(brussels),
        )
        stamps.append(f"{begin:%d-%m-%Y};{begin:%H:%M:%S};{until:%d-%m-%Y};{until:%H:%M:%S};")
        moment += timedelta(minutes=15)
    for ean in eans:
        volumes = rng.gamma(2, 0.05, (len(stamps), 2))
        for stamp, (offtake, injection) in zip(stamps, volumes, strict=True):
            night = stamp[11:13] < "07" or stamp[11:13] >= "22"
            period = "Nacht" if night else "Dag"
            for register, volume in (("Afname", offtake), ("Injectie", injection)):
                text = f"{volume:.3f}".replace(".", ",")
                lines.append(
                    f'{stamp}="{ean}";1SAG1100042062;Digitale Meter;{register} {period};'
                    f"{text};kWh;Gevalideerd;"
                )
    return ("\r\n".join(lines) + "\r\n").encode()


def plain_export(eans: list[str], days: int) -> bytes:
    lines = ["timestamp,ean,offtake_kwh,injection_kwh"]
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Brussels")).astimezone(UTC)
    rng = np.random.default_rng(SEED)
    for ean in eans:
        volumes = rng.gamma(2, 0.05, (days * QUARTERS_PER_DAY, 2))
        for i, (offtake, injection) in enumerate(volumes):
            moment = start + timedelta(minutes=15 * i)
            lines.append(f"{moment.isoformat()},{ean},{offtake:.3f},{injection:.3f}")
    return ("\n".join(lines) + "\n").encode()


def part_meter() -> dict[str, object]:
    from stdnum import ean as gs1_ean

    eans = [f"54144882{i:09d}" for i in range(3)]
    eans = [e + gs1_ean.calc_check_digit(e) for e in eans]
    figures: dict[str, object] = {}
    for name, data in (
        ("fluvius", fluvius_export(eans, 365)),
        ("plain", plain_export(eans, 365)),
    ):
        best = best_cpu = float("inf")
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = parse_meter_file(data)
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        assert isinstance(result, MeterData), result
        assert all(len(s.offtake) == 35_040 for s in result.series.values())
        figures[name] = {
            "lines": result.lines,
            "megabytes": round(len(data) / 1e6, 1),
            "seconds": round(best, 2),
            "lines_per_second": round(result.lines / best),
            "lines_per_cpu_second": round(result.lines / best_cpu),
        }
    figures["peak_rss_mb"] = round(peak_rss_mb())
    figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    return figures


PARTS = {
    "month": part_month,
    "year": lambda: part_year("optimal"),
    "year-pro-rata": lambda: part_year("pro_rata"),
    "reference": part_reference,
    "meter": part_meter,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=sorted(PARTS), action="append")
    parser.add_argument("--inline", action="store_true", help="run in this process (one part)")
    args = parser.parse_args()
    parts = args.part or ["month", "year", "year-pro-rata", "reference", "meter"]
    if args.inline:
        for part in parts:
            print(json.dumps({part: PARTS[part]()}))
        return
    for part in parts:
        # One process per part, so that each peak RSS is its own.
        output = subprocess.run(
            [sys.executable, __file__, "--inline", "--part", part],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(json.dumps(json.loads(output), indent=2), flush=True)


if __name__ == "__main__":
    main()
