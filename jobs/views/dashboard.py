"""The bureau's dashboard: figures, SVG charts and the Excel export."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.access import LEAD, needs
from core.validators import local_today
from jobs import charts
from jobs.selectors.access import bureau_for
from jobs.selectors.dashboard import dashboard as figures
from jobs.views.common import acting_of


@login_required
@require_GET
@needs("job.dashboard", of=LEAD)
def dashboard(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.dashboard")
    data = figures(programme, local_today(programme.lead_organisation))
    month_limit = data.loads[0].month_limit if data.loads else None
    context = {
        "programme": programme,
        "data": data,
        # Our own SVG, every text escaped in jobs/charts.py.
        "status_chart": mark_safe(  # noqa: S308
            charts.bars(data.requests_by_status, title=_("Requests by status"))
        ),
        "service_chart": mark_safe(  # noqa: S308
            charts.bars(data.requests_by_service, title=_("Requests by service"))
        ),
        "load_chart": mark_safe(  # noqa: S308
            charts.bars(
                [(str(load.worker), round(load.month_minutes / 60, 1)) for load in data.loads],
                title=_("Hours this month per worker, against the monthly limit"),
                unit=" h",
                limit=month_limit,
            )
        ),
    }
    return render(request, "jobs/dashboard.html", context)


@login_required
@require_GET
@needs("job.dashboard", of=LEAD)
def dashboard_xlsx(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    from openpyxl import Workbook

    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.dashboard")
    data = figures(programme, local_today(programme.lead_organisation))
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Figures"))[:31]
    for row in (
        (str(_("Hours delivered")), data.hours_delivered),
        (str(_("Residents served")), data.residents_served),
        (str(_("Workers active")), data.workers_active),
        (str(_("To a paid job after 6 months")), data.outflow_6[0]),
        (str(_("Followed up after 6 months")), data.outflow_6[1]),
        (str(_("To a paid job after 12 months")), data.outflow_12[0]),
        (str(_("Followed up after 12 months")), data.outflow_12[1]),
    ):
        sheet.append(row)
    statuses = book.create_sheet(str(_("Requests"))[:31])
    statuses.append((str(_("Status")), str(_("Requests"))))
    for label, count in data.requests_by_status:
        statuses.append((label, count))
    statuses.append(())
    statuses.append((str(_("Service")), str(_("Requests"))))
    for name, count in data.requests_by_service:
        statuses.append((name, count))
    loads = book.create_sheet(str(_("Hours per worker"))[:31])
    loads.append(
        (
            str(_("Worker")),
            str(_("Hours this month")),
            str(_("Hours this year")),
            str(_("Monthly limit")),
            str(_("Yearly limit")),
        )
    )
    for load in data.loads:
        loads.append(
            (
                str(load.worker.short_name),
                round(load.month_minutes / 60, 2),
                round(load.year_minutes / 60, 2),
                load.month_limit,
                load.year_limit,
            )
        )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-figures.xlsx"'
    return response
