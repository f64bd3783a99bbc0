"""The monthly allocation as a background run of the platform (core.runs): started from the
runs page or the API, followed at /runs/<pk>/, idempotent (running a month again replaces its
results with the same figures)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Programme
from core.runs import Progress, RunError, run_kind
from core.tenancy import Acting
from sharing.forms import parse_month
from sharing.models import Community
from sharing.rules import require_lead
from sharing.services import allocation_month_check, allocation_month_run

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
