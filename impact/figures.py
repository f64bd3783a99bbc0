"""Each programme's key figures, collected in one place through the programme registry
(core.programmes: `impact_figures`, and `impact_at` for figures as of a day), plus the one
figure every programme has: households reached (enrolled at some time).

Two ways out:
- `own_*` for the organisation itself (its impact page): every value, with a mark on those
  that would be suppressed outside;
- `published_*` for everything that leaves the organisation (public practice pages, the
  feed, the Excel export, the API): small groups suppressed and counts of households or
  persons rounded to a multiple of 5, so no two published figures differ by a small group
  (impact.suppression).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Programme
from core.programmes import Figure, registry
from core.tenancy import Acting
from households.models import Enrolment
from impact.pure import suppression

HOUSEHOLDS_REACHED = "households_reached"


@dataclass(frozen=True)
class Shown:
    """A figure as the organisation itself sees it."""

    key: str
    label: str
    value: Decimal | int
    unit: str
    about: int | None
    hidden_outside: bool  # suppressed wherever it leaves the organisation


def _end_of(programme: Programme, day: date) -> datetime:
    zone = ZoneInfo(programme.lead_organisation.time_zone)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def households_reached(programme: Programme, day: date) -> int:
    """Households enrolled in the programme on or before the day (ended ones still count)."""
    return (
        Enrolment.objects.filter(programme=programme, decided_at__lt=_end_of(programme, day))
        .filter(Q(status=Enrolment.Status.ENROLLED) | Q(status=Enrolment.Status.ENDED))
        .count()
    )


def _figures(programme: Programme, day: date, today: date) -> list[Figure]:
    reached = households_reached(programme, day)
    own = [Figure(HOUSEHOLDS_REACHED, _("Households reached"), reached, "households")]
    registered = registry.impact_figures_at(programme, day)
    if registered is None:
        # The app gives only its figures so far: they belong to today alone.
        registered = registry.impact_figures(programme) if day >= today else []
    return own + [
        f if f.about is not None else Figure(f.key, f.label, f.value, f.unit, reached)
        for f in registered
    ]


def own_figures(programme: Programme, day: date | None = None) -> list[Shown]:
    today = timezone.localdate()
    day = day or today
    return [
        Shown(
            f.key,
            str(f.label),
            f.value,
            f.unit,
            f.about,
            suppression.suppressed(f.value, f.unit, f.about),
        )
        for f in _figures(programme, day, today)
    ]


def published_figures(programme: Programme, day: date | None = None) -> list[suppression.Published]:
    """The programme's figures as they may leave the organisation."""
    return [
        suppression.publish(s.key, s.label, s.value, s.unit, s.about)
        for s in own_figures(programme, day)
    ]


def month_ends(today: date, count: int = 12) -> list[date]:
    """The last day of each of the `count` months up to today's month (today for this one)."""
    ends = [today]
    first = today.replace(day=1)
    for _i in range(count - 1):
        ends.append(first - timedelta(days=1))
        first = ends[-1].replace(day=1)
    return list(reversed(ends))


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    unit: str
    values: list[Decimal | int | None]  # None: not known for that month
    hidden: list[bool]  # suppressed outside the organisation that month
    # The values as they may leave the organisation: small groups None, counts rounded to 5.
    outside: list[Decimal | int | None]


@dataclass(frozen=True)
class ProgrammeImpact:
    programme: Programme
    now: list[Shown]
    months: list[date]
    series: list[Series]


def programme_impact(programme: Programme, today: date, count: int = 12) -> ProgrammeImpact:
    months = month_ends(today, count)
    by_month = [{s.key: s for s in own_figures(programme, day)} for day in months]
    now = list(by_month[-1].values())
    series = []
    for figure in now:
        cells = [month.get(figure.key) for month in by_month]
        series.append(
            Series(
                figure.key,
                figure.label,
                figure.unit,
                [c.value if c else None for c in cells],
                [c.hidden_outside if c else True for c in cells],
                [
                    suppression.publish(c.key, c.label, c.value, c.unit, c.about).value
                    if c
                    else None
                    for c in cells
                ],
            )
        )
    return ProgrammeImpact(programme, now, months, series)


def own_programmes(acting: Acting) -> "list[Programme]":
    """The programmes the acting organisation leads: their figures are its own."""
    acting.require("impact.view")
    return list(
        Programme.objects.filter(lead_organisation=acting.organisation)
        .select_related("lead_organisation")
        .order_by("name")
    )


def organisation_impact(acting: Acting, today: date | None = None) -> list[ProgrammeImpact]:
    today = today or timezone.localdate()
    return [programme_impact(p, today) for p in own_programmes(acting)]


def published_organisation(acting: Acting, today: date | None = None) -> list[dict[str, Any]]:
    """What the API and the Excel export give: every figure with small groups suppressed,
    per month."""
    result = []
    for item in organisation_impact(acting, today):
        result.append(
            {
                "programme": item.programme,
                "months": item.months,
                "figures": [
                    {
                        "key": s.key,
                        "label": s.label,
                        "unit": s.unit,
                        # Per month: the value, or None with `suppressed` (fewer than 5) or
                        # without (not known for that month).
                        "values": [
                            {
                                "month": month,
                                "value": None if hidden else outside,
                                "suppressed": bool(hidden and value is not None),
                            }
                            for month, value, hidden, outside in zip(
                                item.months, s.values, s.hidden, s.outside, strict=True
                            )
                        ],
                    }
                    for s in item.series
                ],
            }
        )
    return result


def workbook_bytes(acting: Acting, today: date | None = None) -> bytes:
    """An Excel workbook: one sheet per programme, a row per figure, a column per month;
    small groups say "fewer than 5" (the file leaves the organisation)."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    acting.require("impact.export")
    workbook = Workbook()
    workbook.remove(workbook.active)
    hidden_text = _("fewer than 5")
    for item in published_organisation(acting, today):
        title = "".join(c for c in item["programme"].name if c not in "[]:*?/\\")[:31] or "-"
        sheet = workbook.create_sheet(title=title)
        sheet.append([_("Figure"), _("Unit"), *[m.isoformat() for m in item["months"]]])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for figure in item["figures"]:
            sheet.append(
                [
                    figure["label"],
                    figure["unit"],
                    *[
                        hidden_text
                        if v["suppressed"]
                        else ("" if v["value"] is None else v["value"])
                        for v in figure["values"]
                    ],
                ]
            )
        sheet.column_dimensions["A"].width = 40
    if not workbook.sheetnames:
        workbook.create_sheet(title=_("No programmes")[:31])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
