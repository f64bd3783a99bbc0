"""Pages of a community's data: meter-data import, monthly runs, dashboard (with its Excel
export), statements (PDF), the key simulator and the "use power now" advice."""

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.access import LEAD, REGISTERED, needs
from core.forms import add_service_errors
from core.models import AuditEvent, Run
from core.runs import run_get, run_latest_done, run_start, runs_recent
from core.services import audit_record
from core.tenancy import Acting, request_acting
from sharing import rules, services
from sharing.documents import statement_pdf
from sharing.forms import RunForm, SimulatorForm, UploadForm, parse_month
from sharing.models import AllocationRun, Community, MeterImport
from sharing.pure import charts
from sharing.runs import KIND as RUN_KIND
from sharing.selectors.advice import advice_for, sms_text
from sharing.selectors.reports import (
    CustomRound,
    dashboard,
    simulation_result,
    statement,
)
from sharing.services.imports import IMPORT_KIND
from sharing.services.simulations import SIMULATION_KIND
from sharing.views.community import community_of, participant_of


def _lead_community(acting: Acting, community_pk: int, permission: str) -> Community:
    record = community_of(acting, community_pk)
    rules.require_lead(acting, record, permission)
    return record


def _month(value: str) -> Any:
    month = parse_month(value)
    if month is None:
        raise Http404
    return month


def _file(content: bytes, content_type: str, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename) or ""
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- import
@login_required
@require_http_methods(["GET", "POST"])
@needs("sharing.import", of=LEAD)
def imports(request: HttpRequest, community_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.import")
    record = _lead_community(acting, community_pk, "sharing.import")
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # A background run (sharing/runs.py): its page shows how far it got, and every
            # bad line when the file is refused.
            try:
                started = services.meter_import_start(
                    acting=acting,
                    community=record,
                    filename=upload.name or "",
                    data=upload.read(),
                    back_url=request.get_full_path(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(started.get_absolute_url())
    return render(
        request,
        "sharing/imports.html",
        {
            "community": record,
            "form": form,
            "imports": MeterImport.objects.filter(community=record)[:20],
            "import_runs": runs_recent(
                acting, kind=IMPORT_KIND, programme=record.programme, limit=5
            ),
        },
        status=status,
    )


# ---------------------------------------------------------------- runs
@login_required
@require_http_methods(["GET", "POST"])
@needs("sharing.view", of=LEAD, methods=("GET",))
@needs("sharing.run", of=LEAD, methods=("POST",))
def runs(request: HttpRequest, community_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.view")
    record = _lead_community(acting, community_pk, "sharing.view")
    form = RunForm(request.POST or None)
    status = 200
    if request.method == "POST":
        rules.require_lead(acting, record, "sharing.run")
        status = 400
        if form.is_valid():
            # A background run of the platform (sharing/runs.py); its page shows the progress
            # and links to the month's dashboard when done.
            try:
                started = run_start(
                    acting=acting,
                    kind=RUN_KIND,
                    programme=record.programme,
                    params={"month": f"{form.cleaned_data['month']:%Y-%m}"},
                    back_url=request.get_full_path(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(started.get_absolute_url())
    return render(
        request,
        "sharing/runs.html",
        {
            "community": record,
            "form": form,
            "runs": AllocationRun.objects.filter(community=record),
            "can_run": acting.can("sharing.run"),
        },
        status=status,
    )


# ---------------------------------------------------------------- dashboard
def _run(record: Community, month: str) -> AllocationRun:
    run = AllocationRun.objects.filter(community=record, month=_month(month)).first()
    if run is None:
        raise Http404(_("This month has not been allocated yet."))
    return run


@login_required
@require_GET
@needs("sharing.view", of=LEAD)
def dashboard_page(request: HttpRequest, community_pk: int, month: str) -> HttpResponse:
    acting = request_acting(request, "sharing.view")
    record = _lead_community(acting, community_pk, "sharing.view")
    run = _run(record, month)
    board = dashboard(run)
    labels = [str(day.day) for day in board.days]
    month_name = date_format(run.month, "YEAR_MONTH_FORMAT")
    bars = charts.daily_bars(
        chart_id="daily",
        title=_("Production and consumption per day, %(month)s") % {"month": month_name},
        description=_(
            "Per day: the injection of the producers, the consumption of all participants "
            "and what was shared, in kWh; the same figures are in the table of participants."
        ),
        labels=labels,
        series=[
            (_("Production"), "#e0a800", board.daily_production),
            (_("Consumption"), "#1f5f99", board.daily_consumption),
            (_("Shared"), "#2e7d32", board.daily_shared),
        ],
        unit="kWh",
    )
    heat = charts.heat_map(
        chart_id="heat",
        title=_("Share of consumption covered by shared energy, by hour and day"),
        description=_(
            "One row per day, one column per hour; the darker the cell, the larger the part "
            "of the consumption in that hour that came from the community's panels."
        ),
        rows=labels,
        values=board.heat,
        hour_label=_("Hour of the day"),
    )
    return render(
        request,
        "sharing/dashboard.html",
        {
            "community": record,
            "run": run,
            "board": board,
            "month": month,
            "bars_svg": bars,
            "heat_svg": heat,
        },
    )


@login_required
@require_GET
@needs("sharing.view", of=LEAD)
def dashboard_xlsx(request: HttpRequest, community_pk: int, month: str) -> HttpResponse:
    from openpyxl import Workbook

    acting = request_acting(request, "sharing.view")
    record = _lead_community(acting, community_pk, "sharing.view")
    run = _run(record, month)
    board = dashboard(run)
    book = Workbook()
    sheet = book.active
    if sheet is None:
        raise RuntimeError("a new workbook has a sheet")
    sheet.title = _("Participants")[:31]
    sheet.append(
        [
            _("Participant"),
            _("Role"),
            _("Vulnerable"),
            _("Offtake (kWh)"),
            _("Received (kWh)"),
            _("Injection (kWh)"),
            _("Shared (kWh)"),
            _("Given back (kWh)"),
        ]
    )
    for r in board.results:
        p = r.participant
        sheet.append(
            [
                p.display_name,
                str(p.get_role_display()),
                _("yes") if p.vulnerable else _("no"),
                round(r.offtake, 3),
                round(r.received, 3),
                round(r.injection, 3),
                round(r.shared_injection, 3),
                round(r.given_back, 3),
            ]
        )
    days = book.create_sheet(_("Days")[:31])
    days.append([_("Day"), _("Production (kWh)"), _("Consumption (kWh)"), _("Shared (kWh)")])
    for day, p_, c, s in zip(
        board.days, board.daily_production, board.daily_consumption, board.daily_shared, strict=True
    ):
        days.append([day, round(p_, 3), round(c, 3), round(s, 3)])
    out = io.BytesIO()
    book.save(out)
    for r in board.results:
        if r.participant.household is not None:
            audit_record(
                acting=acting,
                action=AuditEvent.Action.EXPORT,
                household=r.participant.household,
                subject=f"household {r.participant.household.reference}: energy month {month}",
            )
    return _file(
        out.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"energy-{month}.xlsx",
        True,
    )


# ---------------------------------------------------------------- statement
@login_required
@require_GET
@needs("sharing.view", of=LEAD)
@needs("sharing.view", of=REGISTERED)
def statement_page(request: HttpRequest, participant_pk: int, month: str) -> HttpResponse:
    acting = request_acting(request, "sharing.view")
    record = participant_of(acting, participant_pk)
    found = statement(record, _month(month))
    if found is None:
        raise Http404(_("There is no statement for this month."))
    if record.household is not None:
        audit_record(
            acting=acting,
            action=AuditEvent.Action.VIEW,
            household=record.household,
            subject=f"household {record.household.reference}: energy statement {month}",
        )
    return _file(statement_pdf(found), "application/pdf", f"energy-statement-{month}.pdf", False)


# ---------------------------------------------------------------- simulator
def _simulation_of(acting: Acting, record: Community, value: str) -> Run | None:
    """The finished simulation run of this community the page shows: the one named by
    `?run=<pk>`, or without it the latest one (None when the named run is not one)."""
    if not value:
        return run_latest_done(acting, kind=SIMULATION_KIND, programme=record.programme)
    if not value.isdigit() or len(value) > 12:
        return None
    try:
        run = run_get(acting, int(value))
    except Http404:
        return None
    if run.kind != SIMULATION_KIND or run.programme_id != record.programme_id:
        return None
    return run


@login_required
@require_http_methods(["GET", "POST"])
@needs("sharing.view", of=LEAD)
def simulator(request: HttpRequest, community_pk: int) -> HttpResponse:
    """The form starts a background run (sharing/runs.py); its page links back here with
    `?run=<pk>`, which shows the figures it kept; without `?run=` the latest finished
    simulation of the community is shown."""
    acting = request_acting(request, "sharing.view")
    record = _lead_community(acting, community_pk, "sharing.view")
    latest = AllocationRun.objects.filter(community=record).order_by("-month").first()
    form = SimulatorForm(
        request.POST if request.method == "POST" else None,
        initial={"month": request.GET.get("month") or (f"{latest.month:%Y-%m}" if latest else "")},
    )
    run = _simulation_of(acting, record, request.GET.get("run", ""))
    result = simulation_result(run.result) if run is not None else None
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            custom = [
                CustomRound(
                    weighting=data[f"round{n}"],
                    only_vulnerable=bool(data[f"round{n}_vulnerable"]),
                    demand_cap=float(data[f"round{n}_cap"])
                    if data[f"round{n}_cap"] is not None
                    else 1.0,
                )
                for n in (1, 2, 3)
                if data[f"round{n}"]
            ]
            cap = data["social_cap"]
            try:
                started = services.key_simulation_start(
                    acting=acting,
                    community=record,
                    month=data["month"],
                    social_cap=float(cap) if cap is not None else 0.5,
                    custom=custom,
                    back_url=request.path,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(started.get_absolute_url())
    return render(
        request,
        "sharing/simulator.html",
        {"community": record, "form": form, "result": result, "run": run if result else None},
        status=status,
    )


# ---------------------------------------------------------------- advice
def _advice(request: HttpRequest, community_pk: int, template: str) -> HttpResponse:
    acting = request_acting(request, "sharing.view")
    record = _lead_community(acting, community_pk, "sharing.view")
    if not acting.can("sharing.view"):
        raise PermissionDenied
    advice = advice_for(record)
    return render(
        request,
        template,
        {"community": record, "advice": advice, "sms": sms_text(advice)},
    )


@login_required
@require_GET
@needs("sharing.view", of=LEAD)
def advice(request: HttpRequest, community_pk: int) -> HttpResponse:
    return _advice(request, community_pk, "sharing/advice.html")


@login_required
@require_GET
@needs("sharing.view", of=LEAD)
def advice_card(request: HttpRequest, community_pk: int) -> HttpResponse:
    return _advice(request, community_pk, "sharing/advice_card.html")
