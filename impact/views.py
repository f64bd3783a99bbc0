"""The organisation's impact page (every programme it leads, figures over time, charts) and
its Excel export. Views stay thin: the figures come from impact.figures."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.access import needs
from core.tenancy import request_acting
from impact import figures
from impact.pure import charts


def _fmt(value: Decimal | float | int) -> str:
    return str(number_format(value, decimal_pos=None, use_l10n=True, force_grouping=True))


@login_required
@needs("impact.view")
def organisation(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "impact.view")
    today = timezone.localdate()
    programmes = []
    for item in figures.organisation_impact(acting, today):
        labels = [date_format(m, "M Y") for m in item.months]
        rows = []
        for series in item.series:
            svg = charts.series_chart(
                title=series.label,
                labels=labels,
                values=series.values,
                unit=series.unit,
                hidden_text=_("not known"),
                empty_text=_("No figures yet."),
                fmt=_fmt,
            )
            # The chart escapes every text it gets (impact/pure/charts.py).
            rows.append({"series": series, "svg": mark_safe(svg)})  # noqa: S308  # nosec
        programmes.append({"item": item, "rows": rows})
    return render(
        request,
        "impact/organisation.html",
        {"programmes": programmes, "can_export": acting.can("impact.export"), "today": today},
    )


@login_required
@needs("impact.export")
def export(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "impact.export")
    data = figures.workbook_bytes(acting, timezone.localdate())
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="impact-{acting.organisation.slug}.xlsx"'
    )
    return response
