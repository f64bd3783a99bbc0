"""Rentals' background runs (core.runs; found by autodiscovery).

`rentals.billing`: billing a month from the billing page. The month rules stay in the billing
service (`rentals.services.billing`): `clean` checks them before anything is queued, and
`billing_run` checks them again when the worker does it, as the person who started it. The
run is the same run per programme and month (one active at a time); billing a month again is
safe (one charge per contract and month), so a re-run after it finished adds nothing.
The API's POST /rentals/programmes/{id}/billing-runs stays synchronous (it answers the counts
at once); the command `billing_run` too.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.models import Programme
from core.runs import Progress, RunError, run_kind
from core.tenancy import Acting
from core.validators import local_today
from rentals import rules
from rentals.models import Charge
from rentals.services.billing import billing_run, check_billing_month, check_no_skipped_month

BILLING = "rentals.billing"


def _month(value: Any) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError) as exc:
        raise ValidationError({"month": _("Enter a month as year-month, e.g. 2026-11.")}) from exc


def _billing_clean(
    acting: Acting, programme: Programme | None, params: dict[str, Any]
) -> dict[str, Any]:
    if programme is None:
        raise ValueError("a billing run is for a programme")
    rules.require_billing(acting, programme)
    first = check_billing_month(
        _month(params.get("month")), today=local_today(programme.lead_organisation)
    )
    confirm = params.get("confirm") is True
    if not confirm:
        check_no_skipped_month(programme, first)  # refused before it is queued
    return {"month": f"{first:%Y-%m}", "confirm": confirm}


@run_kind(
    BILLING,
    label=gettext_lazy("Monthly billing"),
    permission="billing.run",
    clean=_billing_clean,
    target=lambda params: str(params["month"]),
    describe=lambda params: str(params["month"]),
)
def billing(progress: Progress, *, month: str, confirm: bool = False) -> dict[str, Any]:
    programme = progress.programme
    if programme is None:
        raise RunError(_("This billing run has no programme."))
    first = _month(month)
    progress.step(0, 1, _("Charging the contracts active in %(month)s") % {"month": month})
    result = billing_run(programme=programme, month=first, acting=progress.acting, confirm=confirm)
    if result.created:
        summary = ngettext(
            "%(count)s charge was created for %(month)s.",
            "%(count)s charges were created for %(month)s.",
            result.created,
        ) % {"count": result.created, "month": month}
    elif Charge.objects.filter(contract__programme=programme, month=first).exists():
        summary = _("0 charges created — %(month)s was already billed.") % {"month": month}
    else:
        summary = _("0 charges created — no contract was active in %(month)s.") % {"month": month}
    progress.step(1, 1, summary)
    return {
        "month": month,
        "created": result.created,
        "contracts": result.contracts,
        "summary": summary,
        "link": reverse("collection:billing", kwargs={"programme_pk": programme.pk}),
    }
