"""The meter-data parser (sharing/pure/meterdata.py) on small files built here, no database."""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sharing.pure.meterdata import MeterData, MeterFileRejected, parse_meter_file

BRUSSELS = ZoneInfo("Europe/Brussels")
EAN = "541448820012345678"
OTHER_EAN = "541448820098765438"
BAD_CHECK_DIGIT = "541448820012345679"
QUARTER = timedelta(minutes=15)

OLD_DUTCH = (
    "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;"
    "Eenheid;Validatiestatus"
)
NEW_DUTCH = (
    "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;"
    "Volume;Eenheid;Validatiestatus;Omschrijving"
)
ENGLISH = (
    "From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;"
    "Volume;Unit;Validation status;Description"
)


def local_day(year: int, month: int, day: int) -> list[datetime]:
    """The UTC starts of every quarter-hour of one local day in Brussels."""
    start = datetime(year, month, day, tzinfo=BRUSSELS).astimezone(UTC)
    end = (datetime(year, month, day, tzinfo=BRUSSELS) + timedelta(days=1)).astimezone(UTC)
    starts = []
    while start < end:
        starts.append(start)
        start += QUARTER
    return starts


def line(
    start: datetime,
    register: str,
    volume: str,
    *,
    ean: str = EAN,
    date_separator: str = "-",
    english: bool = False,
    columns: int = 11,
) -> str:
    """One export line, with local wall-clock times as Fluvius writes them."""
    begin, end = start.astimezone(BRUSSELS), (start + QUARTER).astimezone(BRUSSELS)
    day = f"%d{date_separator}%m{date_separator}%Y"
    fields = [
        begin.strftime(day),
        begin.strftime("%H:%M:%S"),
        end.strftime(day),
        end.strftime("%H:%M:%S"),
        f'="{ean}"',
        "1SAG1100042062",
        "Digital meter" if english else "Digitale Meter",
        register,
        volume,
        "kWh",
        "Read" if english else "Gevalideerd",
    ]
    if columns == 12:
        fields.append("")
    return ";".join(fields)


def export(header: str, lines: Sequence[str]) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


def parsed(data: bytes, **kwargs: object) -> MeterData:
    result = parse_meter_file(data, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, MeterData), result
    return result


def rejected(data: bytes, **kwargs: object) -> list[tuple[int, str]]:
    result = parse_meter_file(data, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, MeterFileRejected), result
    return [(error.line, error.code) for error in result.errors]


def test_old_dutch_header_day_and_night_summed_per_direction() -> None:
    # Two quarter-hours of 1 June 2026 (local 00:00 and 00:15 = 22:00 and 22:15 UTC the day
    # before). Offtake day 0,100 + night 0,025 = 0.125; injection night 0,5.
    starts = local_day(2026, 6, 1)[:2]
    lines = []
    for start in starts:
        lines += [
            line(start, "Afname Dag", "0,100"),
            line(start, "Afname Nacht", "0,025"),
            line(start, "Injectie Dag", ""),
            line(start, "Injectie Nacht", "0,5"),
        ]
    data = parsed(export(OLD_DUTCH, lines))
    assert data.lines == 8
    series = data.series[EAN]
    assert series.start == datetime(2026, 5, 31, 22, 0, tzinfo=UTC)
    assert series.offtake.tolist() == pytest.approx([0.125, 0.125])
    assert series.injection.tolist() == pytest.approx([0.5, 0.5])
    assert series.present.tolist() == [True, True]


def test_new_dutch_header_with_slashes_and_digital_registers() -> None:
    starts = local_day(2026, 1, 15)
    lines = [line(s, "Afname Actief", "0,2", date_separator="/", columns=12) for s in starts]
    lines += [line(s, "Injectie Actief", "0,05", date_separator="/", columns=12) for s in starts]
    series = parsed(export(NEW_DUTCH, lines)).series[EAN]
    assert series.start == datetime(2026, 1, 14, 23, 0, tzinfo=UTC)
    assert len(series.offtake) == 96
    assert series.offtake.sum() == pytest.approx(96 * 0.2)
    assert series.injection.sum() == pytest.approx(96 * 0.05)


def test_english_header() -> None:
    start = local_day(2026, 7, 1)[40]  # 10:00 local
    lines = [
        line(start, "Offtake Day", "1,5", english=True, columns=12),
        line(start, "Injection Day", "0,25", english=True, columns=12),
        line(start, "Offtake Reactive", "0,3", english=True, columns=12),  # skipped
    ]
    series = parsed(export(ENGLISH, lines)).series[EAN]
    assert series.start == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert series.offtake.tolist() == [1.5]
    assert series.injection.tolist() == [0.25]


def test_march_daylight_saving_day_has_92_quarter_hours() -> None:
    starts = local_day(2026, 3, 29)
    assert len(starts) == 92
    series = parsed(export(OLD_DUTCH, [line(s, "Afname Dag", "0,1") for s in starts])).series[EAN]
    assert len(series.offtake) == 92
    assert series.present.all()
    # 01:45 CET is 00:45 UTC, the next line 03:00 CEST is 01:00 UTC.
    assert series.start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


def test_october_daylight_saving_day_has_100_quarter_hours_summer_time_first() -> None:
    # 25 October 2026: local 02:00-02:45 twice. Each quarter-hour's volume is its UTC index, so
    # the order of the lines can be checked: the first 02:00 (+02:00, 00:00 UTC) is number 8.
    starts = local_day(2026, 10, 25)
    assert len(starts) == 100
    lines = [line(s, "Afname Nacht", f"{i},0") for i, s in enumerate(starts)]
    wall_clocks = [text.split(";")[1] for text in lines]
    assert wall_clocks[8:16] == ["02:00:00", "02:15:00", "02:30:00", "02:45:00"] * 2
    series = parsed(export(OLD_DUTCH, lines)).series[EAN]
    assert len(series.offtake) == 100
    assert series.offtake.tolist() == [float(i) for i in range(100)]
    assert series.start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)


def test_october_day_with_registers_one_after_the_other() -> None:
    # All offtake lines of the day, then all injection lines: each register has its own order.
    starts = local_day(2026, 10, 25)
    lines = [line(s, "Afname Dag", f"{i},0") for i, s in enumerate(starts)]
    lines += [line(s, "Injectie Dag", f"{2 * i},0") for i, s in enumerate(starts)]
    series = parsed(export(OLD_DUTCH, lines)).series[EAN]
    assert series.offtake.tolist() == [float(i) for i in range(100)]
    assert series.injection.tolist() == [2.0 * i for i in range(100)]


def test_october_days_of_two_years_in_one_file() -> None:
    starts = local_day(2025, 10, 26) + local_day(2026, 10, 25)
    lines = [line(s, "Afname Dag", f"{i % 100},0") for i, s in enumerate(starts)]
    series = parsed(export(OLD_DUTCH, lines)).series[EAN]
    assert series.present.sum() == 200
    assert series.offtake[series.present].tolist() == [float(i) for i in range(100)] * 2


def test_a_third_line_of_an_ambiguous_time_is_a_duplicate() -> None:
    starts = local_day(2026, 10, 25)
    lines = [line(s, "Afname Dag", "0,1") for s in starts]
    lines.append(lines[8])  # 02:00 a third time, on line 102
    assert rejected(export(OLD_DUTCH, lines)) == [(102, "duplicate")]


def test_a_time_that_does_not_exist_is_refused() -> None:
    start = local_day(2026, 3, 29)[7]  # 01:45 CET
    text = (
        line(start, "Afname Dag", "0,1")
        .replace("01:45:00", "02:15:00")
        .replace("03:00:00", "02:30:00")
    )
    assert rejected(export(OLD_DUTCH, [text])) == [(2, "nonexistent_time")]


def test_a_broken_line_rejects_the_whole_file_with_its_number() -> None:
    starts = local_day(2026, 6, 1)[:3]
    lines = [line(s, "Afname Dag", "0,1") for s in starts]
    lines[1] = lines[1].replace("0,1", "abc")
    lines.append("01-06-2026;00:45:00")
    result = parse_meter_file(export(OLD_DUTCH, lines))
    assert isinstance(result, MeterFileRejected)
    assert [(e.line, e.code) for e in result.errors] == [(3, "bad_volume"), (5, "field_count")]
    assert result.errors[0].params == {"value": "abc"}


def test_invalid_and_unknown_eans() -> None:
    start = local_day(2026, 6, 1)[0]
    lines = [
        line(start, "Afname Dag", "0,1", ean=BAD_CHECK_DIGIT),
        line(start, "Afname Dag", "0,1", ean="54144882"),
        line(start, "Afname Dag", "0,1", ean=OTHER_EAN),
        line(start, "Afname Dag", "0,1"),
    ]
    assert rejected(export(OLD_DUTCH, lines), expected_eans={EAN}) == [
        (2, "bad_ean"),
        (3, "bad_ean"),
        (4, "unknown_ean"),
    ]


def test_two_eans_in_one_file() -> None:
    start = local_day(2026, 6, 1)[0]
    lines = [line(start, "Afname Dag", "0,1"), line(start, "Afname Dag", "0,3", ean=OTHER_EAN)]
    data = parsed(export(OLD_DUTCH, lines))
    assert sorted(data.series) == [EAN, OTHER_EAN]
    assert data.series[OTHER_EAN].offtake.tolist() == [0.3]


def test_empty_volume_is_zero_and_a_gap_is_not_present() -> None:
    starts = local_day(2026, 6, 1)
    lines = [line(starts[0], "Afname Dag", ""), line(starts[2], "Afname Dag", "0,2")]
    series = parsed(export(OLD_DUTCH, lines)).series[EAN]
    assert series.offtake.tolist() == [0.0, 0.0, 0.2]
    assert series.present.tolist() == [True, False, True]


def test_a_duplicate_line_is_reported_with_the_first_one() -> None:
    starts = local_day(2026, 6, 1)[:3]
    lines = [line(s, "Afname Dag", "0,1") for s in starts] + [line(starts[1], "Afname Dag", "0,1")]
    result = parse_meter_file(export(OLD_DUTCH, lines))
    assert isinstance(result, MeterFileRejected)
    assert [(e.line, e.code) for e in result.errors] == [(5, "duplicate")]
    assert result.errors[0].params["first_line"] == 3
    assert result.errors[0].params["quarter_hour"] == "2026-06-01T00:15+02:00"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_encodings(encoding: str) -> None:
    start = local_day(2026, 6, 1)[0]
    text = "\r\n".join([NEW_DUTCH, line(start, "Afname Dag", "0,1", columns=12) + "Geschat é"])
    series = parsed(text.encode(encoding)).series[EAN]
    assert series.offtake.tolist() == [0.1]


def test_a_file_in_no_known_encoding() -> None:
    assert rejected(NEW_DUTCH.encode() + b"\r\n\x81\x8d\xff") == [(1, "bad_encoding")]


def test_empty_file_header_only_and_unknown_header() -> None:
    assert rejected(b"") == [(1, "empty_file")]
    assert rejected(b"\r\n \r\n") == [(1, "empty_file")]
    assert rejected(export(OLD_DUTCH, [])) == [(1, "no_data")]
    assert rejected(b"Datum;Uur;Verbruik\r\n01-06-2026;00:00;1\r\n") == [(1, "unknown_header")]


def test_bad_dates_times_units_and_registers() -> None:
    start = local_day(2026, 6, 1)[0]
    good = line(start, "Afname Dag", "0,1")
    lines = [
        good.replace("01-06-2026", "31-02-2026", 1),
        good.replace("00:00:00", "00:07:00", 1),
        good.replace("00:15:00", "00:30:00"),
        good.replace("kWh", "Wh"),
        good.replace("Afname Dag", "Productie Actief"),
        good.replace("0,1", "-0,1"),
    ]
    assert rejected(export(OLD_DUTCH, lines)) == [
        (2, "bad_date"),
        (3, "bad_time"),
        (4, "not_quarter_hour"),
        (5, "bad_unit"),
        (6, "unknown_register"),
        (7, "negative_volume"),
    ]


def test_plain_csv() -> None:
    # The October change in the plain format: the offsets tell the two 02:00 apart.
    text = "\n".join(
        [
            "timestamp,ean,offtake_kwh,injection_kwh",
            f"2026-10-25T02:00:00+02:00,{EAN},0.125,0",
            f"2026-10-25T02:00:00+01:00,{EAN},0.5,",
            f'2026-10-25T01:15:00Z,="{EAN}",0,1.25',
        ]
    )
    series = parsed(text.encode()).series[EAN]
    assert series.start == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    assert series.offtake.tolist() == [0.125, 0, 0, 0, 0.5, 0]
    assert series.injection.tolist() == [0, 0, 0, 0, 0, 1.25]
    assert series.present.tolist() == [True, False, False, False, True, True]


def test_plain_csv_errors() -> None:
    text = "\n".join(
        [
            "timestamp,ean,offtake_kwh,injection_kwh",
            f"2026-10-25T02:00:00,{EAN},0.125,0",  # no offset
            f"2026-10-25T02:05:00+02:00,{EAN},0.125,0",  # not a quarter-hour
            f"2026-10-25T02:15:00+02:00,{EAN},0.125,-1",
            f"2026-10-25T02:30:00+02:00,{EAN},0.1,0",
            f"2026-10-25T00:30:00Z,{EAN},0.1,0",  # the same instant as the line above
        ]
    )
    assert rejected(text.encode()) == [
        (2, "bad_timestamp"),
        (3, "bad_timestamp"),
        (4, "negative_volume"),
        (6, "duplicate"),
    ]


def test_many_errors_are_cut_short() -> None:
    start = local_day(2026, 6, 1)[0]
    lines = [line(start, "Afname Dag", "x")] * 250
    result = parse_meter_file(export(OLD_DUTCH, lines))
    assert isinstance(result, MeterFileRejected)
    assert len(result.errors) == 201
    assert result.errors[-1].code == "more_errors"
    assert result.errors[-1].params == {"count": 50}


def test_every_error_code_has_a_message() -> None:
    from sharing.messages import LINE_ERROR_MESSAGES, line_error_message
    from sharing.pure import meterdata

    source = Path(meterdata.__file__).read_text(encoding="utf-8")
    pattern = r'(?:error\(\s*\w+,\s*|LineError\(\s*\w+,\s*|code = |else )"([a-z_]+)"'
    used = set(re.findall(pattern, source))
    assert len(used) >= 15
    assert used <= set(LINE_ERROR_MESSAGES)
    result = parse_meter_file(export(OLD_DUTCH, [line(local_day(2026, 6, 1)[0], "X", "1")]))
    assert isinstance(result, MeterFileRejected)
    from django.utils import translation

    with translation.override("en"):
        assert line_error_message(result.errors[0]) == "Line 2: unknown register “X”."
    with translation.override("fr"):
        assert line_error_message(result.errors[0]).startswith("Ligne 2")
    assert np.all([isinstance(str(m), str) for m in LINE_ERROR_MESSAGES.values()])
