"""Reading the grid operator's quarter-hour exports, as households download them, and a plain CSV.

Pure (no Django): `parse_meter_file` takes the file's bytes and returns either `MeterData`
(one `MeterSeries` per EAN) or `MeterFileRejected` with every bad line. A file with one bad
line gives nothing else: the import takes all or nothing. Errors are codes with parameters
(`LineError`); their English texts, marked for translation, are in `sharing.messages`.

The grid operator's export (Fluvius "verbruikshistoriek", quarter-hour values)
-----------------------------------------------------------------------------
Semicolon separated, one line per quarter-hour and register, with one of three headers
(column names are matched without regard to case, surrounding spaces or order; columns not
named below, such as Meter, Metertype, Omschrijving, are ignored; each header is one line
in the file, cut in two here)::

    Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;
        Eenheid;Validatiestatus
    Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;
        Volume;Eenheid;Validatiestatus;Omschrijving
    From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;
        Volume;Unit;Validation status;Description

* Dates ``dd-mm-yyyy`` or ``dd/mm/yyyy``; times ``HH:MM`` or ``HH:MM:SS`` (the hour may have
  one digit), local time in Europe/Brussels, on a quarter-hour. "Tot"/"Until" must be the
  end of that quarter-hour (see daylight saving below for the two days it may differ).
* The EAN is 18 digits with a valid GS1 check digit, often written ``="541448820012345678"``
  (so spreadsheets keep the digits); the ``="…"`` is removed.
* Registers: ``Afname Dag``, ``Afname Nacht``, ``Afname Actief`` (English ``Offtake Day`` /
  ``Night`` / ``Active``) are added up as offtake; ``Injectie Dag``, ``Injectie Nacht``,
  ``Injectie Actief`` (``Injection …``) as injection. Reactive-energy registers (``… Reactief``,
  ``… Reactive``, unit kVArh) are skipped; any other register is an error.
* Volume in kWh with a decimal comma (a decimal point is accepted too); an empty volume
  (status ``Geen verbruik`` / ``No consumption`` or no reading) counts as 0. The unit must be
  ``kWh`` (it may be empty when the volume is). The validation status (``Gevalideerd``,
  ``Gemeten``, ``Geschat``, ``Geen verbruik``, ``Read``, ``No consumption``…) is not used.

The plain CSV
-------------
For data from elsewhere (another grid operator, a data hub, a spreadsheet). UTF-8, comma
separated, this header exactly (case and spaces aside) and one line per EAN and quarter-hour::

    timestamp,ean,offtake_kwh,injection_kwh
    2026-10-25T02:00:00+02:00,541448820012345678,0.125,0
    2026-10-25T02:00:00+01:00,541448820012345678,0.118,0

* ``timestamp``: the START of the quarter-hour, ISO 8601 with its UTC offset (``+01:00``,
  ``+02:00`` or ``Z``); a timestamp without an offset is an error. It must be on a
  quarter-hour (minutes 00, 15, 30, 45, no seconds).
* ``ean``: 18 digits, valid check digit (``="…"`` is accepted too).
* ``offtake_kwh`` and ``injection_kwh``: kWh in that quarter-hour, ≥ 0, decimal point; empty
  means 0.
* The same EAN and quarter-hour twice is a duplicate.

Time and daylight saving
------------------------
Local times are Europe/Brussels and are converted to UTC; series are indexed by the UTC start
of each quarter-hour, so a day has 92 quarter-hours on the last Sunday of March and 100 on the
last Sunday of October. Fluvius writes local wall-clock times without an offset:

* In March the local times 02:00–02:45 do not exist; a line with one is an error.
* In October 02:00–02:45 happen twice. The exports list the quarter-hours in time order, so
  those lines appear twice: first the summer-time ones (+02:00), then the winter-time ones
  (+01:00). Per EAN and register, the parser reads the first line of an ambiguous time as
  summer time and the second as winter time; a third is a duplicate. This works whether the
  file gives the registers of one quarter-hour together or one register after the other.
* On those two days "Tot" of the quarter-hour around the change may be written as the naive
  wall clock (02:45 → 03:00) or the real one (02:45 summer → 02:00 winter in October, 01:45 →
  03:00 in March); both are accepted.

Encoding
--------
UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark, or Windows-1252 (what
spreadsheets on Windows save); a file that is none of these is refused.

Duplicates
----------
The same EAN, quarter-hour and register twice in one file is an error on the second line (the
grid operator never sends one; it happens when two downloads are pasted together).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from stdnum import ean as gs1_ean

BRUSSELS = ZoneInfo("Europe/Brussels")
EPOCH = date(1970, 1, 1)
MAX_ERRORS = 200
INFINITY = float("inf")
OFFTAKE = 0
INJECTION = 1
SKIP = -1

REGISTERS: dict[str, int] = {
    **{f"afname {x}": OFFTAKE for x in ("dag", "nacht", "actief")},
    **{f"injectie {x}": INJECTION for x in ("dag", "nacht", "actief")},
    **{f"offtake {x}": OFFTAKE for x in ("day", "night", "active")},
    **{f"injection {x}": INJECTION for x in ("day", "night", "active")},
    **{
        f"{d} {r}": SKIP
        for d in ("afname", "injectie", "offtake", "injection")
        for r in ("reactief", "reactive", "inductief", "capacitief", "inductive", "capacitive")
    },
}

COLUMNS: dict[str, str] = {
    "van datum": "from_date",
    "van (datum)": "from_date",
    "from (date)": "from_date",
    "van tijdstip": "from_time",
    "van (tijdstip)": "from_time",
    "from (time)": "from_time",
    "tot datum": "until_date",
    "tot (datum)": "until_date",
    "until (date)": "until_date",
    "tot tijdstip": "until_time",
    "tot (tijdstip)": "until_time",
    "until (time)": "until_time",
    "ean": "ean",
    "ean-code": "ean",
    "ean code": "ean",
    "register": "register",
    "volume": "volume",
    "eenheid": "unit",
    "unit": "unit",
}
PLAIN_HEADER = ["timestamp", "ean", "offtake_kwh", "injection_kwh"]

Params = Mapping[str, str | int]


@dataclass(frozen=True)
class LineError:
    """One problem in a file: its line number (1 = header), a code and the code's parameters."""

    line: int
    code: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class MeterSeries:
    """One EAN's quarter-hours, from `start` (UTC) on, one value per quarter-hour, in kWh."""

    ean: str
    start: datetime
    offtake: NDArray[np.float64]
    injection: NDArray[np.float64]
    # False where the file has no line for that quarter-hour (its values are then 0).
    present: NDArray[np.bool_]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=15 * len(self.offtake))


@dataclass(frozen=True)
class MeterData:
    series: dict[str, MeterSeries]
    lines: int  # data lines read (the header not counted)


@dataclass(frozen=True)
class MeterFileRejected:
    errors: tuple[LineError, ...]


def parse_meter_file(
    data: bytes, *, expected_eans: Collection[str] | None = None
) -> MeterData | MeterFileRejected:
    """Read a meter-data file (module docstring); with `expected_eans`, other EANs are errors."""
    text = _decode(data)
    if text is None:
        return MeterFileRejected((LineError(1, "bad_encoding"),))
    if not text.strip():
        return MeterFileRejected((LineError(1, "empty_file"),))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    reading = _Reading(expected_eans)
    if header == PLAIN_HEADER:
        reading.read_plain(reader)
    else:
        positions = {COLUMNS[name]: i for i, name in enumerate(header) if name in COLUMNS}
        missing = sorted(set(COLUMNS.values()) - set(positions))
        if missing:
            return MeterFileRejected(
                (LineError(1, "unknown_header", {"columns": ", ".join(missing)}),)
            )
        reading.read_fluvius(reader, positions)
    return reading.result()


def _decode(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class _Reading:
    """The state of one file's reading: caches, the lines read so far, the errors."""

    def __init__(self, expected_eans: Collection[str] | None) -> None:
        self.expected = set(expected_eans) if expected_eans is not None else None
        self.errors: list[LineError] = []
        self.error_count = 0
        self.lines = 0
        self.eans: list[str] = []
        self.ean_index: dict[str, int | LineError] = {}
        self.registers: dict[str, int] = {}
        self.days: dict[str, tuple[int, int, bool] | None] = {}
        self.periods: dict[tuple[str, str, str, str], tuple[int, int, int, bool] | LineError] = {}
        self.register_cache: dict[str, tuple[int | None, int]] = {}
        self.seen_ambiguous: dict[tuple[int, int, int, int], int] = {}
        # One entry per register value read.
        self.ean_of: list[int] = []
        self.quarter_of: list[int] = []  # UTC quarter-hours since 1970
        self.register_of: list[int] = []
        self.direction_of: list[int] = []
        self.volume_of: list[float] = []
        self.line_of: list[int] = []

    def error(self, line: int, code: str, **params: str | int) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line, code, params))

    # --- the grid operator's export ---

    def read_fluvius(self, reader: Iterator[list[str]], positions: dict[str, int]) -> None:
        i_from_date, i_from_time = positions["from_date"], positions["from_time"]
        i_until_date, i_until_time = positions["until_date"], positions["until_time"]
        i_ean, i_register = positions["ean"], positions["register"]
        i_volume, i_unit = positions["volume"], positions["unit"]
        width = max(positions.values()) + 1
        periods, register_cache = self.periods, self.register_cache
        append_ean, append_quarter = self.ean_of.append, self.quarter_of.append
        append_register, append_direction = self.register_of.append, self.direction_of.append
        append_volume, append_line = self.volume_of.append, self.line_of.append
        for line, row in enumerate(reader, start=2):
            if len(row) < width:
                if not "".join(row).strip():
                    continue
                self.error(line, "field_count", expected=width, found=len(row))
                continue
            self.lines += 1
            register = register_cache.get(row[i_register])
            if register is None:
                register = self._register(row[i_register])
            direction, register_id = register
            if direction == SKIP:
                continue
            if direction is None:
                self.error(line, "unknown_register", register=row[i_register].strip())
                continue
            ean = self.ean_index.get(row[i_ean])
            if ean is None:
                ean = self._ean(row[i_ean])
            if isinstance(ean, LineError):
                self.error(line, ean.code, **ean.params)
                continue
            when = (row[i_from_date], row[i_from_time], row[i_until_date], row[i_until_time])
            period = periods.get(when)
            if period is None:
                period = self._period(*when)
            if isinstance(period, LineError):
                self.error(line, period.code, **period.params)
                continue
            volume_text = row[i_volume]
            if volume_text:
                try:
                    volume = float(volume_text.replace(",", "."))
                except ValueError:
                    if volume_text.strip():
                        self.error(line, "bad_volume", value=volume_text)
                        continue
                    volume = 0.0
                if not 0 <= volume < INFINITY:
                    code = "negative_volume" if volume < 0 else "bad_volume"
                    self.error(line, code, value=volume_text)
                    continue
                unit = row[i_unit]
                if unit != "kWh" and volume_text.strip() and unit.strip().lower() != "kwh":
                    self.error(line, "bad_unit", unit=unit.strip())
                    continue
            else:
                volume = 0.0
            quarter, day_number, minute, transition = period
            if transition:
                utc = self._transition_minute(line, ean, register_id, day_number, minute)
                if utc is None:
                    continue
                quarter = utc // 15
            append_ean(ean)
            append_quarter(quarter)
            append_register(register_id)
            append_direction(direction)
            append_volume(volume)
            append_line(line)

    def _register(self, raw: str) -> tuple[int | None, int]:
        """(direction or None if unknown, a number per register name) of a register column."""
        name = raw.strip().lower()
        result = (REGISTERS.get(name), self.registers.setdefault(name, len(self.registers)))
        self.register_cache[raw] = result
        return result

    def _period(
        self, from_date: str, from_time: str, until_date: str, until_time: str
    ) -> tuple[int, int, int, bool] | LineError:
        """(UTC quarter-hour, day, minute, daylight-saving day) of a line's period, or an error.

        On a daylight-saving day the UTC quarter-hour depends on the line's order (module
        docstring) and is worked out per line from the day and minute.
        """
        result: tuple[int, int, int, bool] | LineError
        day = self.days.get(from_date) or self._day(from_date)
        minute = self._time(from_time)
        until_day = self.days.get(until_date) or self._day(until_date)
        until_minute = self._time(until_time)
        if day is None:
            result = LineError(0, "bad_date", {"value": from_date})
        elif minute is None or minute >= 1440 or minute % 15:
            result = LineError(0, "bad_time", {"value": from_time})
        elif until_day is None or until_minute is None:
            result = LineError(0, "bad_until", {"value": f"{until_date} {until_time}"})
        else:
            day_number, offset, transition = day
            local = day_number * 1440 + minute
            length = until_day[0] * 1440 + until_minute - local
            if length != 15 and not (transition and length in (-45, 75)):
                result = LineError(0, "not_quarter_hour", {"value": until_time})
            else:
                result = ((local - offset) // 15, day_number, minute, transition)
        self.periods[(from_date, from_time, until_date, until_time)] = result
        return result

    def _transition_minute(
        self, line: int, ean: int, register: int, day_number: int, minute: int
    ) -> int | None:
        """UTC minutes since 1970 of a local time on a daylight-saving day (module docstring)."""
        naive = datetime(1970, 1, 1) + timedelta(days=day_number, minutes=minute)
        summer = naive.replace(tzinfo=BRUSSELS, fold=0)
        winter = naive.replace(tzinfo=BRUSSELS, fold=1)
        if summer.astimezone(UTC).astimezone(BRUSSELS).replace(tzinfo=None) != naive:
            self.error(line, "nonexistent_time", value=naive.strftime("%d-%m-%Y %H:%M"))
            return None
        chosen = summer
        if summer.utcoffset() != winter.utcoffset():
            seen = self.seen_ambiguous.get((ean, register, day_number, minute), 0)
            self.seen_ambiguous[(ean, register, day_number, minute)] = seen + 1
            # A third line of the same time falls through to the duplicate check.
            chosen = summer if seen == 0 else winter
        return int(chosen.timestamp()) // 60

    def _ean(self, raw: str) -> int | LineError:
        text = raw.strip()
        if text.startswith("="):
            text = text[1:]
        text = text.strip('"').strip()
        result: int | LineError
        # stdnum.ean.is_valid stops at 14 digits; an 18-digit EAN (a GSRN) has the same GS1
        # check digit, so its calculation is used directly.
        if not ean_is_valid(text):
            result = LineError(0, "bad_ean", {"ean": text})
        elif self.expected is not None and text not in self.expected:
            result = LineError(0, "unknown_ean", {"ean": text})
        else:
            if text not in self.eans:
                self.eans.append(text)
            result = self.eans.index(text)
        self.ean_index[raw] = result
        return result

    def _day(self, text: str) -> tuple[int, int, bool] | None:
        """(days since 1970, UTC offset in minutes, whether the offset changes that day)."""
        result: tuple[int, int, bool] | None = None
        parts = text.strip().replace("/", "-").split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                day = None
            if day is not None:
                start = datetime(day.year, day.month, day.day, tzinfo=BRUSSELS)
                end = start + timedelta(hours=23, minutes=59)
                offset = start.utcoffset()
                if offset is None:
                    raise RuntimeError("offset must be set")
                result = (
                    (day - EPOCH).days,
                    int(offset.total_seconds()) // 60,
                    offset != end.utcoffset(),
                )
        self.days[text] = result
        return result

    def _time(self, text: str) -> int | None:
        """Minutes after midnight (24:00 allowed, for an end); None if not a time."""
        result: int | None = None
        parts = text.strip().split(":")
        if 2 <= len(parts) <= 3 and all(p.isdigit() and len(p) <= 2 for p in parts):
            hours, minutes = int(parts[0]), int(parts[1])
            seconds = int(parts[2]) if len(parts) == 3 else 0
            if (hours < 24 and minutes < 60 and seconds == 0) or (hours, minutes, seconds) == (
                24,
                0,
                0,
            ):
                result = hours * 60 + minutes
        return result

    # --- the plain CSV ---

    def read_plain(self, reader: Iterator[list[str]]) -> None:
        stamps: dict[str, int | None] = {}
        for line, row in enumerate(reader, start=2):
            if len(row) != 4:
                if not "".join(row).strip():
                    continue
                self.error(line, "field_count", expected=4, found=len(row))
                continue
            self.lines += 1
            stamp, raw_ean, offtake_text, injection_text = row
            ean = self.ean_index.get(raw_ean)
            if ean is None:
                ean = self._ean(raw_ean)
            if isinstance(ean, LineError):
                self.error(line, ean.code, **ean.params)
                continue
            quarter = stamps.get(stamp, -1)
            if quarter == -1:
                quarter = stamps[stamp] = _quarter_of_timestamp(stamp)
            if quarter is None:
                self.error(line, "bad_timestamp", value=stamp)
                continue
            volumes = []
            for text in (offtake_text, injection_text):
                try:
                    volume = float(text) if text.strip() else 0.0
                except ValueError:
                    self.error(line, "bad_volume", value=text)
                    break
                if not 0 <= volume < INFINITY:
                    self.error(line, "negative_volume" if volume < 0 else "bad_volume", value=text)
                    break
                volumes.append(volume)
            else:
                for direction, volume in enumerate(volumes):
                    self.ean_of.append(ean)
                    self.quarter_of.append(quarter)
                    self.register_of.append(direction)
                    self.direction_of.append(direction)
                    self.volume_of.append(volume)
                    self.line_of.append(line)

    # --- the outcome ---

    def result(self) -> MeterData | MeterFileRejected:
        lines = np.array(self.line_of, dtype=np.int64)
        quarters = np.array(self.quarter_of, dtype=np.int64)
        eans = np.array(self.ean_of, dtype=np.int64)
        registers = np.array(self.register_of, dtype=np.int64)
        if lines.size:
            self._find_duplicates(eans, registers, quarters, lines)
        if self.errors:
            if self.error_count > len(self.errors):
                extra = self.error_count - len(self.errors)
                self.errors.append(LineError(0, "more_errors", {"count": extra}))
            return MeterFileRejected(tuple(sorted(self.errors, key=lambda e: e.line or 10**12)))
        if not self.lines:
            return MeterFileRejected((LineError(1, "no_data"),))
        volumes = np.array(self.volume_of, dtype=np.float64)
        directions = np.array(self.direction_of, dtype=np.int64)
        series: dict[str, MeterSeries] = {}
        for index, ean in enumerate(self.eans):
            mine = eans == index
            quarter = quarters[mine]
            first = int(quarter.min())
            offset = quarter - first
            size = int(offset.max()) + 1
            volume, direction = volumes[mine], directions[mine]
            series[ean] = MeterSeries(
                ean=ean,
                start=datetime.fromtimestamp(first * 900, tz=UTC),
                offtake=np.bincount(
                    offset, weights=volume * (direction == OFFTAKE), minlength=size
                ).astype(np.float64, copy=False),
                injection=np.bincount(
                    offset, weights=volume * (direction == INJECTION), minlength=size
                ).astype(np.float64, copy=False),
                present=np.bincount(offset, minlength=size) > 0,
            )
        return MeterData(series=series, lines=self.lines)

    def _find_duplicates(
        self,
        eans: NDArray[np.int64],
        registers: NDArray[np.int64],
        quarters: NDArray[np.int64],
        lines: NDArray[np.int64],
    ) -> None:
        order = np.lexsort((lines, quarters, registers, eans))
        same = (
            (np.diff(eans[order]) == 0)
            & (np.diff(registers[order]) == 0)
            & (np.diff(quarters[order]) == 0)
        )
        reported: set[int] = set()
        for position in np.flatnonzero(same):
            first, again = int(lines[order[position]]), int(lines[order[position + 1]])
            if again in reported:  # a plain line holds two values: one report is enough
                continue
            reported.add(again)
            when = datetime.fromtimestamp(int(quarters[order[position]]) * 900, tz=UTC)
            self.error(
                again,
                "duplicate",
                first_line=first,
                quarter_hour=when.astimezone(BRUSSELS).isoformat(timespec="minutes"),
            )


def ean_is_valid(text: str) -> bool:
    """18 digits with a valid GS1 check digit (an EAN-18 / GSRN, as on Belgian meters)."""
    return len(text) == 18 and text.isdigit() and gs1_ean.calc_check_digit(text[:-1]) == text[-1]


def _quarter_of_timestamp(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None or moment.second or moment.microsecond or moment.minute % 15:
        return None
    return int(moment.timestamp()) // 900


def plain_csv(series: Mapping[str, tuple[int, NDArray[np.float64], NDArray[np.float64]]]) -> bytes:
    """The plain CSV of `series` (EAN → first UTC quarter-hour number, offtake, injection)."""
    out = ["timestamp,ean,offtake_kwh,injection_kwh"]
    for ean, (first, offtake, injection) in series.items():
        for k, (off, inj) in enumerate(zip(offtake.tolist(), injection.tolist(), strict=True)):
            moment = datetime.fromtimestamp((first + k) * 900, tz=UTC).astimezone(BRUSSELS)
            out.append(f"{moment.isoformat()},{ean},{off:.4f},{inj:.4f}")
    return ("\n".join(out) + "\n").encode()


def fluvius_csv(
    series: Mapping[str, tuple[int, NDArray[np.float64], NDArray[np.float64]]],
    *,
    header: str = "old",
) -> bytes:
    """The grid operator's export of `series`, with the old or new Dutch or the English header
    ("old", "new", "en"): decimal comma, local wall-clock times, EAN as ="…"."""
    headers = {
        "old": "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;"
        "Volume;Eenheid;Validatiestatus",
        "new": "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;"
        "Register;Volume;Eenheid;Validatiestatus;Omschrijving",
        "en": "From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;"
        "Register;Volume;Unit;Validation status;Description",
    }
    english = header == "en"
    registers = ("Offtake Day", "Injection Day") if english else ("Afname Dag", "Injectie Dag")
    status = "Read" if english else "Gevalideerd"
    extra = ";" if header != "old" else ""
    out = [headers[header]]
    for ean, (first, offtake, injection) in series.items():
        for k, (off, inj) in enumerate(zip(offtake.tolist(), injection.tolist(), strict=True)):
            begin = datetime.fromtimestamp((first + k) * 900, tz=UTC).astimezone(BRUSSELS)
            end = datetime.fromtimestamp((first + k + 1) * 900, tz=UTC).astimezone(BRUSSELS)
            when = f"{begin:%d-%m-%Y};{begin:%H:%M:%S};{end:%d-%m-%Y};{end:%H:%M:%S}"
            for register, volume in zip(registers, (off, inj), strict=True):
                text = f"{volume:.3f}".replace(".", ",")
                out.append(
                    f'{when};="{ean}";1SAG1100000001;Digitale meter;{register};{text};kWh;'
                    f"{status}{extra}"
                )
    return ("\r\n".join(out) + "\r\n").encode()
