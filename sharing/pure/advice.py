""" "Use power now" advice: the sunniest hours of the next days for the community's panels.

Pure (no Django): pvlib's clear-sky model (Ineichen, with the Linke turbidity pvlib ships, so
it works offline) at the community's location, turned into AC power of each installation
(its kWp, tilt and orientation; 85 % for inverter and losses), summed, per quarter-hour.
Clear sky is the best case: clouds lower the production, never move the sunniest hours much,
which is what the advice is about. pvlib and pandas are imported when the advice is asked
for, not when Django starts (they take seconds to import).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from sharing.pure.meterdata import BRUSSELS

PERFORMANCE_RATIO = 0.85
# The best window: the hours that produce at least this share of the day's best hour.
WINDOW_SHARE = 0.7


@dataclass(frozen=True)
class Panel:
    kwp: float
    tilt: float
    azimuth: float  # degrees from north: 180 is south


@dataclass(frozen=True)
class DayAdvice:
    day: date
    start: datetime  # local, start of the best window
    end: datetime  # local, end of the best window
    kwh_in_window: float
    kwh_day: float
    peak_kw: float
    hourly_kwh: tuple[float, ...]  # 24 values, local hours


def clear_sky_production(
    *, latitude: float, longitude: float, panels: Sequence[Panel], first_day: date, days: int
) -> tuple[list[datetime], np.ndarray]:
    """Local quarter-hour starts and the kWh of all panels in each, under a clear sky."""
    times, each = _clear_sky(
        latitude=latitude, longitude=longitude, panels=panels, first_day=first_day, days=days
    )
    kwh = np.sum(each, axis=0) if len(panels) else np.zeros(len(times))
    return [t.to_pydatetime() for t in times], kwh


def clear_sky_per_panel(
    *, latitude: float, longitude: float, panels: Sequence[Panel], first_day: date, days: int
) -> np.ndarray:
    """Per panel (rows), its kWh in each local quarter-hour from `first_day` on under a clear
    sky; the sky and the sun's positions are computed once for all panels."""
    return _clear_sky(
        latitude=latitude, longitude=longitude, panels=panels, first_day=first_day, days=days
    )[1]


def _clear_sky(
    *, latitude: float, longitude: float, panels: Sequence[Panel], first_day: date, days: int
) -> tuple[Any, np.ndarray]:
    import pandas as pd
    import pvlib

    location = pvlib.location.Location(latitude, longitude, tz="Europe/Brussels")
    times = pd.date_range(
        pd.Timestamp(first_day, tz="Europe/Brussels"),
        pd.Timestamp(first_day + timedelta(days=days), tz="Europe/Brussels"),
        freq="15min",
        inclusive="left",
    )
    sun = location.get_solarposition(times)
    sky = location.get_clearsky(times, solar_position=sun)
    kwh = np.zeros((len(panels), len(times)))
    for row, panel in enumerate(panels):
        irradiance = pvlib.irradiance.get_total_irradiance(
            panel.tilt,
            panel.azimuth,
            sun["apparent_zenith"],
            sun["azimuth"],
            sky["dni"],
            sky["ghi"],
            sky["dhi"],
        )
        poa = np.nan_to_num(irradiance["poa_global"].to_numpy(dtype=float))
        kwh[row] = np.clip(poa, 0, None) / 1000 * panel.kwp * PERFORMANCE_RATIO / 4
    return times, kwh


def best_hours(
    *,
    latitude: float,
    longitude: float,
    panels: Sequence[Panel],
    first_day: date,
    days: int = 3,
) -> list[DayAdvice]:
    """Per day, the window of whole hours around the sunniest hour (see WINDOW_SHARE)."""
    if not panels:
        return []
    # The same community asks the same question all day (page, card, SMS): computed once.
    return list(_best_hours(latitude, longitude, tuple(panels), first_day, days))


@lru_cache(maxsize=64)
def _best_hours(
    latitude: float, longitude: float, panels: tuple[Panel, ...], first_day: date, days: int
) -> tuple[DayAdvice, ...]:
    times, kwh = clear_sky_production(
        latitude=latitude, longitude=longitude, panels=panels, first_day=first_day, days=days
    )
    advice: list[DayAdvice] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        hourly = np.zeros(24)
        for moment, value in zip(times, kwh, strict=True):
            if moment.date() == day:
                hourly[moment.hour] += value
        if hourly.max() <= 0:
            continue
        best = int(hourly.argmax())
        start = end = best
        while start > 0 and hourly[start - 1] >= WINDOW_SHARE * hourly[best]:
            start -= 1
        while end < 23 and hourly[end + 1] >= WINDOW_SHARE * hourly[best]:
            end += 1
        tz = BRUSSELS
        advice.append(
            DayAdvice(
                day=day,
                start=datetime(day.year, day.month, day.day, start, tzinfo=tz),
                end=datetime(day.year, day.month, day.day, end, tzinfo=tz) + timedelta(hours=1),
                kwh_in_window=float(hourly[start : end + 1].sum()),
                kwh_day=float(hourly.sum()),
                peak_kw=float(hourly[best]),
                hourly_kwh=tuple(float(v) for v in hourly),
            )
        )
    return tuple(advice)
