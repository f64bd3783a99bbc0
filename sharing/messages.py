"""The texts of the meter-data parser's error codes (sharing.pure.meterdata.LineError),
translatable.

The parser stays free of Django; the import page turns each error into a sentence in the
user's language with `line_error_message`.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.pure.meterdata import LineError

LINE_ERROR_MESSAGES: dict[str, Promise] = {
    "bad_encoding": _("The file is not text in a known encoding (UTF-8, UTF-16 or Windows-1252)."),
    "empty_file": _("The file is empty."),
    "no_data": _("The file has a header but no quarter-hour lines."),
    "unknown_header": _(
        "This is not a known meter-data file: the header lacks the columns %(columns)s."
    ),
    "field_count": _("Line %(line)s has %(found)s fields instead of at least %(expected)s."),
    "unknown_register": _("Line %(line)s: unknown register “%(register)s”."),
    "bad_ean": _("Line %(line)s: “%(ean)s” is not a valid EAN (18 digits with a check digit)."),
    "unknown_ean": _("Line %(line)s: EAN %(ean)s is not a participant of this community."),
    "bad_date": _("Line %(line)s: “%(value)s” is not a date (dd-mm-yyyy or dd/mm/yyyy)."),
    "bad_time": _("Line %(line)s: “%(value)s” is not the start of a quarter-hour."),
    "bad_until": _("Line %(line)s: the end “%(value)s” is not a date and time."),
    "not_quarter_hour": _(
        "Line %(line)s: the period does not last a quarter of an hour (it ends at %(value)s)."
    ),
    "nonexistent_time": _(
        "Line %(line)s: %(value)s does not exist (the clocks were put forward that night)."
    ),
    "bad_timestamp": _(
        "Line %(line)s: “%(value)s” is not the start of a quarter-hour in ISO 8601 with its "
        "UTC offset (e.g. 2026-03-29T03:00:00+02:00)."
    ),
    "bad_volume": _("Line %(line)s: “%(value)s” is not a number of kWh."),
    "negative_volume": _("Line %(line)s: the volume %(value)s is negative."),
    "bad_unit": _("Line %(line)s: the unit is “%(unit)s”, not kWh."),
    "duplicate": _(
        "Line %(line)s: the quarter-hour of %(quarter_hour)s is already on line %(first_line)s."
    ),
    "more_errors": _("And %(count)s more errors."),
}


def line_error_message(error: LineError) -> str:
    """The error as a sentence in the active language."""
    return str(LINE_ERROR_MESSAGES[error.code]) % {"line": error.line, **error.params}
