"""The savings model: what a household saves by replacing an old appliance. No Django here.

Documented in docs/savings-model.md (with the sources of the tables). In short:

- kWh a year saved = old − new. The old figure comes, in this order, from a plug-meter
  measurement, from the old appliance's energy label, or from a default table by category and
  age band. The new figure is the model's declared kWh a year, or its kWh per 100 cycles times
  the cycles a year.
- Appliances that run in cycles (washing machine, dryer, dishwasher) have their label and age
  tables in kWh per 100 cycles; the old and the new appliance are counted at the same number of
  cycles a year (the new model's, else a default per category), because the household's use
  does not change with the machine.
- Water (washing machines and dishwashers): litres per cycle of the old appliance from a table
  by age band, of the new one from the catalogue.
- A period's savings are spread evenly over the days: a day saves 1/365 of the yearly figure
  (a leap year therefore counts 366/365 of it). EUR, water EUR and CO2 use the tariff valid on
  each day: a tariff holds from its valid_from until the day before the next one.
- kWh (0.1) and water m³ (0.001) of a period are the difference of the running totals at its
  end and before its start, each rounded: so months and years add up exactly to the whole.
  EUR (0.01) and CO2 kg (0.1) are computed unrounded per tariff stretch and rounded once at the
  end, so adjacent periods add up to the whole within rounding.
- Negative savings (the new appliance uses more than the old one) are reported as they are.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CATEGORIES = ("washing_machine", "dryer", "fridge", "freezer", "fridge_freezer", "dishwasher")
# "unknown" is what an intake records when nobody knows the age; see AGE_KWH.
AGE_BANDS = ("<5", "5-10", "10-15", ">15", "unknown")
SCALE_2021 = "2021"  # A–G, Regulations (EU) 2019/2014, 2019/2016, 2019/2017 (2023/2534 dryers)
SCALE_OLD = "old"  # A+++–D, Regulations (EU) 1059/2010, 1060/2010, 1061/2010, 392/2012
LABEL_CLASSES: Mapping[str, tuple[str, ...]] = {
    SCALE_2021: ("A", "B", "C", "D", "E", "F", "G"),
    SCALE_OLD: ("A+++", "A++", "A+", "A", "B", "C", "D"),
}

# Default cycles a year: the counts the pre-2021 labels used for their kWh/annum figure.
DEFAULT_CYCLES: Mapping[str, int] = {"washing_machine": 220, "dryer": 160, "dishwasher": 280}
WATER_CATEGORIES = frozenset({"washing_machine", "dishwasher"})

SOURCE_MEASURED = "measured"
SOURCE_LABEL = "label"
SOURCE_AGE_TABLE = "age_table"
SOURCE_NONE = "none"  # the household had no old appliance

KWH = Decimal("0.1")
M3 = Decimal("0.001")
CENT = Decimal("0.01")
DAYS_PER_YEAR = 365


def _table(rows: Mapping[str, Sequence[int]], keys: Sequence[str]) -> dict[str, dict[str, Decimal]]:
    return {
        cat: {k: Decimal(v) for k, v in zip(keys, values, strict=True)}
        for cat, values in rows.items()
    }


# Typical consumption by label class: kWh per 100 cycles for washing machines, dryers and
# dishwashers, kWh a year for cold appliances. Rounded typical values; see the docs for how each
# row was derived and from where.
LABEL_KWH: Mapping[str, Mapping[str, Mapping[str, Decimal]]] = {
    SCALE_2021: _table(
        {
            # columns: A, B, C, D, E, F, G
            "washing_machine": (45, 51, 59, 68, 78, 88, 100),
            "dryer": (85, 105, 130, 165, 210, 270, 340),
            "dishwasher": (53, 62, 72, 82, 93, 105, 118),
            "fridge": (45, 60, 75, 95, 115, 145, 180),
            "freezer": (85, 110, 140, 175, 220, 275, 340),
            "fridge_freezer": (100, 130, 160, 200, 245, 300, 370),
        },
        LABEL_CLASSES[SCALE_2021],
    ),
    SCALE_OLD: _table(
        {
            # columns: A+++, A++, A+, A, B, C, D
            "washing_machine": (75, 85, 95, 110, 125, 140, 160),
            "dryer": (100, 120, 155, 220, 310, 345, 390),
            "dishwasher": (75, 95, 105, 120, 135, 150, 170),
            "fridge": (75, 110, 150, 190, 250, 310, 370),
            "freezer": (130, 170, 230, 290, 370, 440, 520),
            "fridge_freezer": (160, 210, 280, 350, 440, 520, 600),
        },
        LABEL_CLASSES[SCALE_OLD],
    ),
}

# Typical real-life consumption of an old appliance by age, same units as LABEL_KWH. Chosen on
# the low side so that savings are not overstated; "unknown" uses the 5–10 year figure.
AGE_KWH: Mapping[str, Mapping[str, Decimal]] = _table(
    {
        # columns: <5, 5-10, 10-15, >15, unknown (years)
        "washing_machine": (65, 80, 95, 110, 80),
        "dryer": (200, 280, 320, 360, 280),
        "dishwasher": (90, 105, 120, 140, 105),
        "fridge": (120, 160, 220, 290, 160),
        "freezer": (200, 260, 330, 420, 260),
        "fridge_freezer": (230, 300, 380, 480, 300),
    },
    AGE_BANDS,
)

# Water litres per cycle of an old appliance by age.
AGE_WATER_LITRES: Mapping[str, Mapping[str, Decimal]] = _table(
    {
        # columns: <5, 5-10, 10-15, >15, unknown (years)
        "washing_machine": (50, 55, 60, 70, 55),
        "dishwasher": (11, 12, 14, 16, 12),
    },
    AGE_BANDS,
)


class SavingsError(ValueError):
    """Input the savings model cannot work with (unknown category, missing tariff, …)."""


@dataclass(frozen=True)
class OldAppliance:
    category: str
    age_band: str = "unknown"
    label_scale: str | None = None  # SCALE_2021 or SCALE_OLD
    label_class: str | None = None  # e.g. "E" or "A+"
    measured_kwh_year: Decimal | None = None  # from a plug meter, scaled to a year


@dataclass(frozen=True)
class NewModel:
    category: str
    kwh_per_year: Decimal | None = None
    kwh_per_100_cycles: Decimal | None = None
    cycles_per_year: int | None = None
    water_litres_per_cycle: Decimal | None = None


@dataclass(frozen=True)
class SavingsEstimate:
    """Yearly figures for one old → new replacement."""

    category: str
    source: str  # where kwh_old comes from: measured, label, age_table or none
    cycles_per_year: int | None  # the cycles both appliances are counted at (None: cold)
    kwh_old: Decimal
    kwh_new: Decimal
    kwh_saved: Decimal
    water_m3_old: Decimal  # 0 when the category uses no water or the new model's is unknown
    water_m3_new: Decimal
    water_m3_saved: Decimal


class TariffLike(Protocol):
    """Prices valid from a date; core.models.Tariff rows fit as they are."""

    @property
    def valid_from(self) -> date: ...
    @property
    def electricity_standard(self) -> Decimal: ...
    @property
    def electricity_social(self) -> Decimal: ...
    @property
    def water(self) -> Decimal: ...  # EUR per m³
    @property
    def co2(self) -> Decimal: ...  # kg per kWh


@dataclass(frozen=True)
class Tariff:
    valid_from: date
    electricity_standard: Decimal
    electricity_social: Decimal
    water: Decimal
    co2: Decimal


@dataclass(frozen=True)
class PeriodSavings:
    kwh: Decimal = Decimal("0.0")
    eur: Decimal = Decimal("0.00")
    water_m3: Decimal = Decimal("0.000")
    water_eur: Decimal = Decimal("0.00")
    co2_kg: Decimal = Decimal("0.0")

    def __add__(self, other: "PeriodSavings") -> "PeriodSavings":
        # Totals over contracts or years: sums of already rounded figures stay exact.
        return PeriodSavings(
            kwh=self.kwh + other.kwh,
            eur=self.eur + other.eur,
            water_m3=self.water_m3 + other.water_m3,
            water_eur=self.water_eur + other.water_eur,
            co2_kg=self.co2_kg + other.co2_kg,
        )


def _not_negative(value: Decimal | int | None, what: str) -> None:
    if value is not None and value < 0:
        raise SavingsError(f"{what} cannot be negative")


def _check_category(category: str) -> None:
    if category not in CATEGORIES:
        raise SavingsError(f"unknown appliance category {category!r}")


def old_kwh(old: OldAppliance, cycles: int | None) -> tuple[Decimal, str]:
    """The old appliance's kWh a year and where the figure comes from."""
    _check_category(old.category)
    if old.age_band not in AGE_BANDS:
        raise SavingsError(f"unknown age band {old.age_band!r}")
    if old.measured_kwh_year is not None:
        _not_negative(old.measured_kwh_year, "a measured consumption")
        return old.measured_kwh_year, SOURCE_MEASURED
    if old.label_class:
        if old.label_scale is None or old.label_scale not in LABEL_KWH:
            raise SavingsError("an energy label needs its scale (2021 or old)")
        per_class = LABEL_KWH[old.label_scale][old.category]
        if old.label_class not in per_class:
            raise SavingsError(f"{old.label_class!r} is not a class of that label scale")
        return _per_year(per_class[old.label_class], cycles), SOURCE_LABEL
    return _per_year(AGE_KWH[old.category][old.age_band], cycles), SOURCE_AGE_TABLE


def _per_year(table_value: Decimal, cycles: int | None) -> Decimal:
    return table_value if cycles is None else table_value * cycles / 100


def _cycles(new: NewModel) -> int | None:
    if new.category not in DEFAULT_CYCLES:
        return None
    if new.cycles_per_year is not None:
        if new.cycles_per_year <= 0:
            raise SavingsError("cycles a year must be positive")
        return new.cycles_per_year
    return DEFAULT_CYCLES[new.category]


def new_kwh(new: NewModel, cycles: int | None) -> Decimal:
    _check_category(new.category)
    _not_negative(new.kwh_per_year, "a declared consumption")
    _not_negative(new.kwh_per_100_cycles, "a declared consumption")
    if new.kwh_per_year is not None:
        return new.kwh_per_year
    if new.kwh_per_100_cycles is not None and cycles is not None:
        return new.kwh_per_100_cycles * cycles / 100
    raise SavingsError("the new model needs kWh a year, or kWh per 100 cycles and cycles a year")


def estimate(*, old: OldAppliance | None, new: NewModel) -> SavingsEstimate:
    """Yearly kWh and water of the old and the new appliance. old=None: there was none."""
    _check_category(new.category)
    if old is not None and old.category != new.category:
        raise SavingsError("the old and the new appliance are of different categories")
    cycles = _cycles(new)
    kwh_new = new_kwh(new, cycles).quantize(KWH, rounding=ROUND_HALF_UP)
    if old is None:
        kwh_old, source = Decimal(0), SOURCE_NONE
    else:
        kwh_old, source = old_kwh(old, cycles)
    kwh_old = kwh_old.quantize(KWH, rounding=ROUND_HALF_UP)

    water_old = water_new = Decimal(0)
    if new.category in WATER_CATEGORIES and new.water_litres_per_cycle is not None:
        _not_negative(new.water_litres_per_cycle, "water per cycle")
        if cycles is None:
            raise RuntimeError("every water category runs in cycles")
        water_new = new.water_litres_per_cycle * cycles / 1000
        if old is not None:
            water_old = AGE_WATER_LITRES[new.category][old.age_band] * cycles / 1000
    water_old = water_old.quantize(M3, rounding=ROUND_HALF_UP)
    water_new = water_new.quantize(M3, rounding=ROUND_HALF_UP)
    return SavingsEstimate(
        category=new.category,
        source=source,
        cycles_per_year=cycles,
        kwh_old=kwh_old,
        kwh_new=kwh_new,
        kwh_saved=kwh_old - kwh_new,
        water_m3_old=water_old,
        water_m3_new=water_new,
        water_m3_saved=water_old - water_new,
    )


def tariff_stretches(
    tariffs: Iterable[TariffLike], start: date, end: date
) -> list[tuple[int, TariffLike]]:
    """(days, tariff) for each stretch of start..end (inclusive) under one tariff."""
    ordered = sorted(tariffs, key=lambda t: t.valid_from)
    starts = [t.valid_from for t in ordered]
    if len(set(starts)) != len(starts):
        raise SavingsError("two tariffs start on the same day")
    if not ordered or ordered[0].valid_from > start:
        raise SavingsError(f"no tariff is valid on {start.isoformat()}")
    stretches = []
    for i, tariff in enumerate(ordered):
        until = ordered[i + 1].valid_from - timedelta(days=1) if i + 1 < len(ordered) else end
        first, last = max(tariff.valid_from, start), min(until, end)
        if first <= last:
            stretches.append(((last - first).days + 1, tariff))
    return stretches


def _running_total(per_year: Decimal, day: date, places: Decimal) -> Decimal:
    # Savings accumulated up to and including `day`, counted from a fixed origin: a period is
    # the difference of two of these, so adjacent periods add up exactly.
    return (per_year * day.toordinal() / DAYS_PER_YEAR).quantize(places, rounding=ROUND_HALF_UP)


def _spread(per_year: Decimal, start: date, end: date, places: Decimal) -> Decimal:
    before = start - timedelta(days=1)
    return _running_total(per_year, end, places) - _running_total(per_year, before, places)


def savings_for_period(
    *,
    estimate: SavingsEstimate,
    start: date,
    end: date,
    tariffs: Iterable[TariffLike],
    social_tariff: bool,
) -> PeriodSavings:
    """Savings from start to end, both days included, at the tariffs valid on each day.

    social_tariff holds for the whole period; when the entitlement changes, call once per part.
    """
    if end < start:
        raise SavingsError("a period cannot end before it starts")
    kwh_day = estimate.kwh_saved / DAYS_PER_YEAR
    water_day = estimate.water_m3_saved / DAYS_PER_YEAR
    eur = water_eur = co2 = Decimal(0)
    for days, tariff in tariff_stretches(tariffs, start, end):
        price = tariff.electricity_social if social_tariff else tariff.electricity_standard
        eur += kwh_day * days * price
        water_eur += water_day * days * tariff.water
        co2 += kwh_day * days * tariff.co2
    return PeriodSavings(
        kwh=_spread(estimate.kwh_saved, start, end, KWH),
        eur=eur.quantize(CENT, rounding=ROUND_HALF_UP),
        water_m3=_spread(estimate.water_m3_saved, start, end, M3),
        water_eur=water_eur.quantize(CENT, rounding=ROUND_HALF_UP),
        co2_kg=co2.quantize(KWH, rounding=ROUND_HALF_UP),
    )


def yearly_savings(
    *,
    estimate: SavingsEstimate,
    installed: date,
    until: date,
    tariffs: Sequence[TariffLike],
    social_tariff: bool,
) -> dict[int, PeriodSavings]:
    """Savings per calendar year from the installation day to `until` (both included)."""
    if until < installed:
        raise SavingsError("a period cannot end before it starts")
    return {
        year: savings_for_period(
            estimate=estimate,
            start=max(installed, date(year, 1, 1)),
            end=min(until, date(year, 12, 31)),
            tariffs=tariffs,
            social_tariff=social_tariff,
        )
        for year in range(installed.year, until.year + 1)
    }
