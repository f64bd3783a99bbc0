"""Small synthetic quarter-hour series for tests and the benchmark (pure, no Django): a PV
bell around midday and a household's consumption with morning and evening peaks. The demo
uses real load profiles (demandlib) and pvlib instead (sharing/demo.py)."""

import numpy as np
from numpy.typing import NDArray

from sharing.pure.timeseries import local_hour


def hours_of(first: int, count: int) -> NDArray[np.float64]:
    """The local hour (with fraction) of each quarter-hour from `first` on."""
    base = local_hour(first) + ((first * 15) % 60) / 60
    return np.asarray((base + np.arange(count) * 0.25) % 24, dtype=np.float64)


def pv(first: int, count: int, kwp: float) -> NDArray[np.float64]:
    """kWh per quarter-hour of a clear day: a bell from 7 to 19 h, peak 0.7 × kWp."""
    hours = hours_of(first, count)
    bell = np.clip(np.sin((hours - 7) / 12 * np.pi), 0, None)
    return np.where((hours >= 7) & (hours < 19), bell * 0.7 * kwp / 4, 0.0)


def household(first: int, count: int, kwh_per_day: float, seed: int = 0) -> NDArray[np.float64]:
    hours = hours_of(first, count)
    shape = 0.4 + np.exp(-((hours - 8) ** 2) / 2) + 1.5 * np.exp(-((hours - 19) ** 2) / 4)
    wobble = 1 + 0.2 * np.sin(np.arange(count) * (0.7 + seed * 0.13))
    values = shape * wobble
    return values / values[: min(count, 96)].sum() * kwh_per_day
