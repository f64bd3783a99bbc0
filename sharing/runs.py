"""Energy sharing's background runs of the platform (core.runs), followed at /runs/<pk>/:

- `sharing.allocation`: the monthly allocation, started from the runs page or the API,
  idempotent (running a month again replaces its results with the same figures);
- `sharing.import`: a meter-data file (kept as a MeterUpload by `meter_import_start`), checked
  whole, imported all at once or not at all; every bad line is on the failed run;
- `sharing.simulation`: the key simulator on a past month; the figures are the run's result.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.models import Programme
from core.runs import Progress, RunError, run_kind
from core.tenancy import Acting
from sharing.forms import parse_month
from sharing.models import Community, MeterUpload
from sharing.rules import require_lead
from sharing.selectors.reports import simulate
from sharing.services import (
    allocation_month_check,
    allocation_month_run,
    custom_rounds,
    key_simulation_check,
    meter_upload_import,
)
from sharing.services.imports import IMPORT_KIND
from sharing.services.simulations import SIMULATION_KIND

KIND = "sharing.allocation"


def _community(programme: Programme | None) -> Community:
    community = Community.objects.filter(programme=programme).first() if programme else None
    if community is None:
        raise ValidationError(_("This programme has no energy community."))
    return community


def _clean(acting: Acting, programme: Programme | None, params: dict[str, Any]) -> dict[str, Any]:
    community = _community(programme)
    require_lead(acting, community, "sharing.run")
    month = parse_month(str(params.get("month", "")))
    if month is None:
        raise ValidationError({"month": _("Give a month as YYYY-MM, for example 2026-05.")})
    allocation_month_check(community=community, month=month)
    return {"month": f"{month:%Y-%m}"}


@run_kind(
    KIND,
    label=gettext_lazy("Monthly energy allocation"),
    permission="sharing.run",
    clean=_clean,
    target=lambda params: str(params["month"]),
    describe=lambda params: str(params["month"]),
)
def allocation(progress: Progress, *, month: str) -> dict[str, Any]:
    community = _community(progress.programme)
    first = parse_month(month)
    if first is None:
        raise RunError(_("Give a month as YYYY-MM, for example 2026-05."))
    label = _("Sharing the quarter-hours")
    progress.step(0, 1, label)
    run = allocation_month_run(
        acting=progress.acting,
        community=community,
        month=first,
        progress=lambda done, total: progress.step(done, total, label),
    )
    shared = float(sum(r.received for r in run.results.all()))
    return {
        "summary": _("%(month)s is allocated: %(kwh)s kWh shared.")
        % {"month": month, "kwh": f"{shared:.1f}"},
        "link": reverse("sharing:dashboard", kwargs={"community_pk": community.pk, "month": month}),
        "allocation_run": run.pk,
        "shared_kwh": round(shared, 3),
    }


# ---------------------------------------------------------------- meter-data import
def _clean_import(
    acting: Acting, programme: Programme | None, params: dict[str, Any]
) -> dict[str, Any]:
    community = _community(programme)
    require_lead(acting, community, "sharing.import")
    pk = params.get("upload")
    upload = (
        MeterUpload.objects.filter(pk=pk, community=community).first()
        if isinstance(pk, int)
        else None
    )
    if upload is None:
        raise ValidationError({"file": _("Upload the file again.")})
    return {"upload": upload.pk, "sha256": upload.sha256}


@run_kind(
    IMPORT_KIND,
    label=gettext_lazy("Meter-data import"),
    permission="sharing.import",
    clean=_clean_import,
    # The same file while it is being imported joins that run.
    target=lambda params: f"file:{params['sha256']}",
)
def meter_data_import(progress: Progress, *, upload: int, sha256: str) -> dict[str, Any]:
    community = _community(progress.programme)
    report = meter_upload_import(
        acting=progress.acting, community=community, upload_pk=upload, progress=progress.step
    )
    if report.errors or report.meter_import is None:
        raise RunError(
            ngettext(
                "Nothing was imported: the file has %(count)s problem.",
                "Nothing was imported: the file has %(count)s problems.",
                len(report.errors),
            )
            % {"count": len(report.errors)},
            problems=report.errors,
        )
    record = report.meter_import
    return {
        "summary": _("Imported: %(days)s days of %(eans)s EANs.")
        % {"days": record.days, "eans": record.eans},
        "link": reverse("sharing:imports", kwargs={"community_pk": community.pk}),
        "meter_import": record.pk,
        "lines": record.lines,
        "eans": record.eans,
        "days": record.days,
        "first_day": record.first_day,
        "last_day": record.last_day,
        "days_written": report.days_written,
        "days_merged": report.days_merged,
    }


# ---------------------------------------------------------------- key simulator
def _clean_simulation(
    acting: Acting, programme: Programme | None, params: dict[str, Any]
) -> dict[str, Any]:
    community = _community(programme)
    require_lead(acting, community, "sharing.view")
    month = parse_month(str(params.get("month", "")))
    if month is None:
        raise ValidationError({"month": _("Give a month as YYYY-MM, for example 2026-05.")})
    cap = params.get("social_cap", 0.5)
    if not isinstance(cap, int | float) or not 0 <= cap <= 1:
        raise ValidationError({"social_cap": _("Give a share between 0 and 1.")})
    rounds = custom_rounds(params.get("custom", []))
    key_simulation_check(community=community, month=month)
    return {
        "month": f"{month:%Y-%m}",
        "social_cap": float(cap),
        "custom": [
            {
                "weighting": r.weighting,
                "only_vulnerable": r.only_vulnerable,
                "demand_cap": r.demand_cap,
            }
            for r in rounds
        ],
    }


@run_kind(
    SIMULATION_KIND,
    label=gettext_lazy("Key simulation"),
    permission="sharing.view",
    clean=_clean_simulation,
    describe=lambda params: str(params["month"]),
)
def key_simulation(
    progress: Progress, *, month: str, social_cap: float, custom: list[dict[str, Any]]
) -> dict[str, Any]:
    community = _community(progress.programme)
    require_lead(progress.acting, community, "sharing.view")
    first = parse_month(month)
    if first is None:
        raise RunError(_("Give a month as YYYY-MM, for example 2026-05."))
    progress.step(0, 1, _("Sharing the month under every key"))
    result = simulate(community, first, social_cap=social_cap, custom=custom_rounds(custom))
    if result is None:
        raise RunError(_("There is no meter data for this month."))
    progress.step(1, 1, _("Compared"))
    best = max(result.simulations, key=lambda s: s.shared)
    return {
        "summary": _("%(count)s keys compared on %(month)s; the most shared: %(key)s.")
        % {"count": len(result.simulations), "month": month, "key": best.label},
        "link": reverse("sharing:simulator", kwargs={"community_pk": community.pk})
        + f"?run={progress.run.pk}",
        "month": month,
        "participants": result.participants,
        "offtake_kwh": round(result.offtake, 3),
        "injection_kwh": round(result.injection, 3),
        "simulations": [
            {
                "label": s.label,
                "shared_kwh": round(s.shared, 3),
                "self_sufficiency": s.self_sufficiency,
                "vulnerable_share": s.vulnerable_share,
                "vulnerable_self_sufficiency": s.vulnerable_self_sufficiency,
                "error": s.error,
            }
            for s in result.simulations
        ],
    }
