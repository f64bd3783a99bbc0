"""The savings model (rentals/pure/savings.py), without a database."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rentals.pure.savings import (
    AGE_BANDS,
    AGE_KWH,
    AGE_WATER_LITRES,
    CATEGORIES,
    LABEL_CLASSES,
    LABEL_KWH,
    SCALE_2021,
    SCALE_OLD,
    WATER_CATEGORIES,
    NewModel,
    OldAppliance,
    PeriodSavings,
    SavingsError,
    SavingsEstimate,
    Tariff,
    estimate,
    savings_for_period,
    yearly_savings,
)

D = Decimal


def tariff(valid_from: date, standard: str, social: str, water: str = "5", co2: str = "0.2"):
    return Tariff(
        valid_from=valid_from,
        electricity_standard=D(standard),
        electricity_social=D(social),
        water=D(water),
        co2=D(co2),
    )


def fixed(kwh_saved: str, water_m3_saved: str = "0") -> SavingsEstimate:
    return SavingsEstimate(
        category="fridge",
        source="measured",
        cycles_per_year=None,
        kwh_old=D(kwh_saved),
        kwh_new=D("0.0"),
        kwh_saved=D(kwh_saved),
        water_m3_old=D(water_m3_saved),
        water_m3_new=D("0.000"),
        water_m3_saved=D(water_m3_saved),
    )


TARIFFS = [
    tariff(date(2025, 1, 1), "0.30", "0.15", water="5.00", co2="0.2"),
    tariff(date(2025, 7, 1), "0.40", "0.20", water="6.00", co2="0.1"),
]


# --- where the old figure comes from ---------------------------------------------------------

NEW_FRIDGE_FREEZER = NewModel(category="fridge_freezer", kwh_per_year=D("150"))


def test_measurement_beats_label_and_age():
    old = OldAppliance(
        category="fridge_freezer",
        age_band=">15",
        label_scale=SCALE_OLD,
        label_class="B",
        measured_kwh_year=D("512.4"),
    )
    result = estimate(old=old, new=NEW_FRIDGE_FREEZER)
    assert (result.source, result.kwh_old) == ("measured", D("512.4"))
    assert (result.kwh_new, result.kwh_saved) == (D("150.0"), D("362.4"))


def test_label_beats_age():
    old = OldAppliance(
        category="fridge_freezer", age_band=">15", label_scale=SCALE_2021, label_class="E"
    )
    result = estimate(old=old, new=NEW_FRIDGE_FREEZER)
    assert (result.source, result.kwh_old) == ("label", D("245.0"))


def test_age_table_is_the_fallback():
    old = OldAppliance(category="fridge_freezer", age_band=">15", label_class="")
    result = estimate(old=old, new=NEW_FRIDGE_FREEZER)
    assert (result.source, result.kwh_old) == ("age_table", D("480.0"))


def test_cycle_appliances_count_old_and_new_at_the_new_models_cycles():
    new = NewModel(
        category="washing_machine",
        kwh_per_100_cycles=D("49"),
        cycles_per_year=200,
        water_litres_per_cycle=D("45"),
    )
    result = estimate(old=OldAppliance(category="washing_machine", age_band=">15"), new=new)
    assert result.cycles_per_year == 200
    assert (result.kwh_old, result.kwh_new, result.kwh_saved) == (D("220.0"), D("98.0"), D("122.0"))
    # 70 L and 45 L per cycle, 200 cycles a year.
    assert (result.water_m3_old, result.water_m3_new, result.water_m3_saved) == (
        D("14.000"),
        D("9.000"),
        D("5.000"),
    )


def test_default_cycles_when_the_new_model_declares_kwh_a_year():
    new = NewModel(category="dryer", kwh_per_year=D("176"))
    old = OldAppliance(category="dryer", label_scale=SCALE_OLD, label_class="B")
    result = estimate(old=old, new=new)
    assert result.cycles_per_year == 160
    assert result.kwh_old == D("496.0")  # 310 kWh per 100 cycles × 160 cycles


def test_no_water_for_cold_appliances_or_unknown_new_water():
    fridge = estimate(
        old=OldAppliance(category="fridge", age_band="5-10"),
        new=NewModel(category="fridge", kwh_per_year=D("90"), water_litres_per_cycle=D("3")),
    )
    assert fridge.water_m3_saved == 0 and fridge.cycles_per_year is None
    dishwasher = estimate(
        old=OldAppliance(category="dishwasher", age_band="5-10"),
        new=NewModel(category="dishwasher", kwh_per_100_cycles=D("60"), cycles_per_year=250),
    )
    assert (dishwasher.water_m3_old, dishwasher.water_m3_saved) == (0, 0)


def test_negative_savings_are_reported_as_they_are():
    result = estimate(
        old=OldAppliance(category="freezer", measured_kwh_year=D("100")),
        new=NewModel(category="freezer", kwh_per_year=D("150.4")),
    )
    assert result.kwh_saved == D("-50.4")
    period = savings_for_period(
        estimate=result,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        tariffs=TARIFFS,
        social_tariff=False,
    )
    assert period.kwh == D("-50.4") and period.eur < 0


def test_no_old_appliance_saves_nothing_and_costs_the_new_use():
    result = estimate(old=None, new=NewModel(category="fridge", kwh_per_year=D("90")))
    assert (result.source, result.kwh_old, result.kwh_saved) == ("none", 0, D("-90.0"))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (OldAppliance(category="oven"), NewModel(category="oven", kwh_per_year=D("1"))),
        (OldAppliance(category="fridge", age_band="20+"), NewModel("fridge", D("90"))),
        (OldAppliance(category="fridge", label_class="B"), NewModel("fridge", D("90"))),
        (
            OldAppliance(category="fridge", label_scale=SCALE_2021, label_class="A+"),
            NewModel("fridge", D("90")),
        ),
        (OldAppliance(category="fridge", measured_kwh_year=D("-1")), NewModel("fridge", D("9"))),
        (OldAppliance(category="freezer"), NewModel("fridge", D("90"))),
        (
            OldAppliance(category="dryer"),
            NewModel("dryer", kwh_per_100_cycles=D("50"), cycles_per_year=0),
        ),
        (OldAppliance(category="fridge"), NewModel("fridge")),
        (OldAppliance(category="fridge"), NewModel("fridge", kwh_per_year=D("-5"))),
    ],
    ids=[
        "unknown category",
        "unknown age band",
        "label without scale",
        "class not on that scale",
        "negative measurement",
        "categories differ",
        "zero cycles",
        "new model without consumption",
        "negative declared consumption",
    ],
)
def test_bad_input_is_refused(old, new):
    with pytest.raises(SavingsError):
        estimate(old=old, new=new)


# --- the tables ------------------------------------------------------------------------------


def test_label_tables_cover_every_category_and_class_and_grow_with_worse_classes():
    for scale, classes in LABEL_CLASSES.items():
        assert set(LABEL_KWH[scale]) == set(CATEGORIES), scale
        for category in CATEGORIES:
            values = [LABEL_KWH[scale][category][c] for c in classes]
            assert all(v > 0 for v in values)
            assert values == sorted(values) and len(set(values)) == len(values), (scale, category)


def test_age_tables_cover_every_category_and_band_and_grow_with_age():
    assert set(AGE_KWH) == set(CATEGORIES)
    assert set(AGE_WATER_LITRES) == set(WATER_CATEGORIES)
    for table in (AGE_KWH, AGE_WATER_LITRES):
        for category, row in table.items():
            assert set(row) == set(AGE_BANDS), category
            by_age = [row[band] for band in ("<5", "5-10", "10-15", ">15")]
            assert all(v > 0 for v in by_age)
            assert by_age == sorted(by_age) and len(set(by_age)) == 4, category


# --- periods and tariffs ---------------------------------------------------------------------


def test_tariff_change_mid_period_splits_the_days():
    # 365 kWh a year is 1 kWh a day: 10 days in June at the first tariff, 10 in July at the next.
    result = savings_for_period(
        estimate=fixed("365.0", water_m3_saved="36.500"),
        start=date(2025, 6, 21),
        end=date(2025, 7, 10),
        tariffs=list(reversed(TARIFFS)),  # order does not matter
        social_tariff=False,
    )
    assert result == PeriodSavings(
        kwh=D("20.0"),
        eur=D("7.00"),  # 10 × 0.30 + 10 × 0.40
        water_m3=D("2.000"),  # 0.1 m³ a day
        water_eur=D("11.00"),  # 1 m³ at 5.00 + 1 m³ at 6.00
        co2_kg=D("3.0"),  # 10 × 0.2 + 10 × 0.1
    )


def test_social_tariff_uses_the_social_price():
    def eur(social: bool) -> Decimal:
        return savings_for_period(
            estimate=fixed("365.0"),
            start=date(2025, 6, 21),
            end=date(2025, 7, 10),
            tariffs=TARIFFS,
            social_tariff=social,
        ).eur

    assert eur(True) == D("3.50")  # 10 × 0.15 + 10 × 0.20
    assert eur(False) == D("7.00")


def test_a_period_before_any_tariff_is_refused():
    with pytest.raises(SavingsError, match="no tariff"):
        savings_for_period(
            estimate=fixed("100.0"),
            start=date(2024, 12, 31),
            end=date(2025, 1, 5),
            tariffs=TARIFFS,
            social_tariff=False,
        )
    with pytest.raises(SavingsError):
        savings_for_period(
            estimate=fixed("100.0"),
            start=date(2025, 2, 1),
            end=date(2025, 1, 5),
            tariffs=TARIFFS,
            social_tariff=False,
        )
    with pytest.raises(SavingsError, match="same day"):
        savings_for_period(
            estimate=fixed("100.0"),
            start=date(2025, 2, 1),
            end=date(2025, 2, 5),
            tariffs=[*TARIFFS, TARIFFS[0]],
            social_tariff=False,
        )


def test_yearly_savings_per_calendar_year_since_installation():
    est = fixed("200.0")
    years = yearly_savings(
        estimate=est,
        installed=date(2025, 3, 1),
        until=date(2027, 2, 28),
        tariffs=TARIFFS,
        social_tariff=True,
    )
    assert list(years) == [2025, 2026, 2027]
    assert years[2026].kwh == D("200.0")  # a whole year of 365 days
    assert years[2026].eur == D("40.00")  # all of 2026 at the social 0.20
    whole = savings_for_period(
        estimate=est,
        start=date(2025, 3, 1),
        end=date(2027, 2, 28),
        tariffs=TARIFFS,
        social_tariff=True,
    )
    total = sum(years.values(), PeriodSavings())
    assert total.kwh == whole.kwh == D("400.0")
    assert abs(total.eur - whole.eur) <= D("0.02")


def test_a_leap_year_counts_366_days():
    result = savings_for_period(
        estimate=fixed("365.0"),
        start=date(2028, 1, 1),
        end=date(2028, 12, 31),
        tariffs=TARIFFS,
        social_tariff=False,
    )
    assert result.kwh == D("366.0")


@st.composite
def split_cases(draw):
    first = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    start = first + timedelta(days=draw(st.integers(0, 400)))
    middle = start + timedelta(days=draw(st.integers(0, 3000)))
    end = middle + timedelta(days=draw(st.integers(1, 3000)))
    offsets = draw(st.lists(st.integers(1, 6000), max_size=6, unique=True))
    money = st.decimals(min_value=0, max_value=2, places=4)
    tariffs = [
        Tariff(
            valid_from=first + timedelta(days=offset),
            electricity_standard=draw(money),
            electricity_social=draw(money),
            water=draw(st.decimals(min_value=0, max_value=10, places=4)),
            co2=draw(st.decimals(min_value=0, max_value=1, places=4)),
        )
        for offset in [0, *offsets]
    ]
    kwh = draw(st.decimals(min_value=-1000, max_value=2000, places=1))
    water = draw(st.decimals(min_value=-50, max_value=50, places=3))
    return fixed(str(kwh), str(water)), tariffs, start, middle, end


@settings(deadline=None)
@given(case=split_cases(), social=st.booleans())
def test_two_adjacent_periods_add_up_to_the_whole(case, social):
    est, tariffs, start, middle, end = case
    assume(middle < end)

    def period(a: date, b: date) -> PeriodSavings:
        return savings_for_period(
            estimate=est, start=a, end=b, tariffs=tariffs, social_tariff=social
        )

    whole = period(start, end)
    parts = period(start, middle) + period(middle + timedelta(days=1), end)
    assert parts.kwh == whole.kwh
    assert parts.water_m3 == whole.water_m3
    assert abs(parts.eur - whole.eur) <= D("0.01")
    assert abs(parts.water_eur - whole.water_eur) <= D("0.01")
    assert abs(parts.co2_kg - whole.co2_kg) <= D("0.1")
    # And the rounded kWh stays within 0.1 of the exact figure.
    exact = est.kwh_saved * ((end - start).days + 1) / 365
    assert abs(whole.kwh - exact) <= D("0.1")


# --- the documentation -----------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "savings-model.md"
DOC_NAMES = {
    "washing machine": "washing_machine",
    "tumble dryer": "dryer",
    "dishwasher": "dishwasher",
    "fridge": "fridge",
    "freezer": "freezer",
    "fridge-freezer": "fridge_freezer",
}


def doc_table(name: str) -> dict[str, dict[str, Decimal]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"<!-- table: {name} -->") + 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    header, body = rows[0], rows[2:]
    return {
        DOC_NAMES[row[0]]: {col: D(value) for col, value in zip(header[2:], row[2:], strict=True)}
        for row in body
    }


def test_docs_tables_match_the_code():
    assert doc_table("label-2021") == LABEL_KWH[SCALE_2021]
    assert doc_table("label-old") == LABEL_KWH[SCALE_OLD]
    assert doc_table("age") == AGE_KWH
    assert doc_table("water") == AGE_WATER_LITRES
