"""The key simulator as a background run: every preset (and a custom key) on a past month's
meter data (sharing.selectors.reports.simulate), started here, done by the run kind
`sharing.simulation` (sharing/runs.py); the result (figures per key, no personal data) is
kept on the run and shown by the simulator page."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Run
from core.runs import run_start
from core.tenancy import Acting
from sharing.models import Community, MeterDay
from sharing.pure.allocation import Weighting
from sharing.pure.timeseries import month_days
from sharing.rules import require_lead
from sharing.selectors.reports import CustomRound

SIMULATION_KIND = "sharing.simulation"
MAX_ROUNDS = 3


def simulation_params(
    *, month: date, social_cap: float, custom: list[CustomRound]
) -> dict[str, Any]:
    """The run's parameters as JSON (the same question gives the same parameters)."""
    return {
        "month": f"{month:%Y-%m}",
        "social_cap": round(float(social_cap), 3),
        "custom": [
            {
                "weighting": r.weighting,
                "only_vulnerable": bool(r.only_vulnerable),
                "demand_cap": round(float(r.demand_cap), 3),
            }
            for r in custom
        ],
    }


def custom_rounds(value: Any) -> list[CustomRound]:
    """The custom key of the parameters; a ValidationError for anything else."""
    if not isinstance(value, list) or len(value) > MAX_ROUNDS:
        raise ValidationError({"custom": _("Give at most three rounds.")})
    rounds = []
    weightings = {w.value for w in Weighting}
    for item in value:
        if not isinstance(item, dict) or item.get("weighting") not in weightings:
            raise ValidationError({"custom": _("Each round needs a known weighting.")})
        cap = item.get("demand_cap", 1.0)
        if not isinstance(cap, int | float) or not 0 <= cap <= 1:
            raise ValidationError({"custom": _("A round's demand cap is between 0 and 1.")})
        rounds.append(
            CustomRound(
                weighting=str(item["weighting"]),
                only_vulnerable=bool(item.get("only_vulnerable", False)),
                demand_cap=float(cap),
            )
        )
    return rounds


def key_simulation_check(*, community: Community, month: date) -> None:
    """What refuses a simulation before any work: a month without meter data."""
    days = month_days(month.replace(day=1))
    if not MeterDay.objects.filter(
        participant__community=community, day__gte=days[0], day__lte=days[-1]
    ).exists():
        raise ValidationError({"month": _("There is no meter data for this month.")})


def key_simulation_start(
    *,
    acting: Acting,
    community: Community,
    month: date,
    social_cap: float = 0.5,
    custom: list[CustomRound] | None = None,
    back_url: str = "",
) -> Run:
    """Start the key simulator on a month in the background; the same question while it runs
    returns that run (`is_new` False). Refused at once: a month without meter data."""
    require_lead(acting, community, "sharing.view")
    if not 0 <= social_cap <= 1:
        raise ValidationError({"social_cap": _("Give a share between 0 and 1.")})
    return run_start(
        acting=acting,
        kind=SIMULATION_KIND,
        programme=community.programme,
        params=simulation_params(month=month, social_cap=social_cap, custom=custom or []),
        back_url=back_url,
    )
