"""What the statement, the dashboard and the key simulator show (shared by pages, API, PDF)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from core.tenancy import Acting, scoped
from sharing.models import (
    AllocationRun,
    Community,
    Flow,
    KeyPreset,
    MonthResult,
    Participant,
    floats,
    key_for,
)
from sharing.pure.allocation import Key, Round, Weighting, allocate_period
from sharing.pure.timeseries import day_span, local_hour, month_days, month_span
from sharing.selectors.months import month_data

CENT = Decimal("0.01")


def money(value: float, price: Decimal) -> Decimal:
    return (Decimal(str(round(value, 6))) * price).quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


# --- statement ------------------------------------------------------------------------------


@dataclass
class Statement:
    participant: Participant
    community: Community
    month: date
    result: MonthResult
    from_producers: list[tuple[str, float]]
    value_at_sharing_price: Decimal
    value_at_supplier_price: Decimal
    saving: Decimal
    self_sufficiency: float | None
    shared_value: Decimal  # a producer's shared kWh at the sharing price
    to_receivers: int  # how many participants received from this producer

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "participant": self.participant.pk,
            "month": f"{self.month:%Y-%m}",
            "offtake_kwh": round(r.offtake, 3),
            "received_kwh": round(r.received, 3),
            "injection_kwh": round(r.injection, 3),
            "shared_kwh": round(r.shared_injection, 3),
            "given_back_kwh": round(r.given_back, 3),
            "from_producers": [{"producer": n, "kwh": round(k, 3)} for n, k in self.from_producers],
            "value_at_sharing_price": str(self.value_at_sharing_price),
            "value_at_supplier_price": str(self.value_at_supplier_price),
            "saving": str(self.saving),
            "self_sufficiency": self.self_sufficiency,
            "shared_value": str(self.shared_value),
        }


def producer_name(producer: Participant, reader: Participant) -> str:
    """Organisations by name; another household stays anonymous on a statement."""
    if producer.household_id is None or producer.pk == reader.pk:
        return producer.display_name
    return _("A household of the community")


def statement(participant: Participant, month: date) -> Statement | None:
    """The participant's statement of a month that was allocated; None when it was not."""
    community = participant.community
    result = (
        MonthResult.objects.filter(
            participant=participant, run__community=community, run__month=month.replace(day=1)
        )
        .select_related("run")
        .first()
    )
    if result is None:
        return None
    flows = Flow.objects.filter(run=result.run, receiver=participant).select_related(
        "producer__household"
    )
    received = result.received
    at_sharing = money(received, community.sharing_price)
    at_supplier = money(received, community.supplier_price)
    return Statement(
        participant=participant,
        community=community,
        month=month.replace(day=1),
        result=result,
        from_producers=[(producer_name(f.producer, participant), f.kwh) for f in flows],
        value_at_sharing_price=at_sharing,
        value_at_supplier_price=at_supplier,
        saving=at_supplier - at_sharing,
        self_sufficiency=share(received, result.offtake),
        shared_value=money(result.shared_injection, community.sharing_price),
        to_receivers=Flow.objects.filter(run=result.run, producer=participant).count(),
    )


def statements_of(acting: Acting, participant: Participant) -> list[date]:
    """The months with a statement for the participant."""
    return list(
        scoped(MonthResult, acting)
        .filter(participant=participant)
        .order_by("-run__month")
        .values_list("run__month", flat=True)
    )


# --- dashboard ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    run: AllocationRun
    days: list[date]
    daily_production: list[float]
    daily_consumption: list[float]
    daily_shared: list[float]
    heat: list[list[float | None]]  # day × hour: shared / offtake
    results: list[MonthResult]
    totals: dict[str, float]
    self_sufficiency: float | None
    self_consumption: float | None
    vulnerable_share: float | None


def dashboard(run: AllocationRun) -> Dashboard:
    pool, shared, offtake = floats(run.pool), floats(run.shared), floats(run.offtake)
    start, _end = month_span(run.month)
    days = month_days(run.month)
    daily_p, daily_c, daily_s, heat = [], [], [], []
    for day in days:
        a, b = (q - start for q in day_span(day))
        daily_p.append(float(pool[a:b].sum()))
        daily_c.append(float(offtake[a:b].sum()))
        daily_s.append(float(shared[a:b].sum()))
        hours_off, hours_shared = np.zeros(24), np.zeros(24)
        for index in range(a, b):
            hour = local_hour(start + index)
            hours_off[hour] += offtake[index]
            hours_shared[hour] += shared[index]
        heat.append(
            [share(float(s), float(o)) for s, o in zip(hours_shared, hours_off, strict=True)]
        )
    results = list(
        MonthResult.objects.filter(run=run)
        .select_related("participant__household")
        .order_by("participant__kind", "participant__name", "participant__pk")
    )
    totals = {
        name: float(sum(getattr(r, name) for r in results))
        for name in ("offtake", "injection", "received", "shared_injection", "given_back")
    }
    vulnerable = sum(r.received for r in results if r.participant.vulnerable)
    return Dashboard(
        run=run,
        days=days,
        daily_production=daily_p,
        daily_consumption=daily_c,
        daily_shared=daily_s,
        heat=heat,
        results=results,
        totals=totals,
        self_sufficiency=share(totals["received"], totals["offtake"]),
        self_consumption=share(totals["shared_injection"], totals["injection"]),
        vulnerable_share=share(vulnerable, totals["received"]),
    )


# --- key simulator --------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomRound:
    weighting: str  # a sharing.pure.allocation.Weighting value
    only_vulnerable: bool = False
    demand_cap: float = 1.0


@dataclass
class Simulation:
    label: str
    shared: float
    self_sufficiency: float | None
    vulnerable_share: float | None
    vulnerable_self_sufficiency: float | None
    error: str = ""


@dataclass
class SimulatorResult:
    month: date
    participants: int
    offtake: float
    injection: float
    simulations: list[Simulation] = field(default_factory=list)


def simulation_result(kept: dict[str, Any]) -> SimulatorResult | None:
    """A simulation run's result (sharing/runs.py) as the simulator page shows it."""
    try:
        year, number = str(kept["month"]).split("-")
        result = SimulatorResult(
            month=date(int(year), int(number), 1),
            participants=int(kept["participants"]),
            offtake=float(kept["offtake_kwh"]),
            injection=float(kept["injection_kwh"]),
        )
        for s in kept["simulations"]:
            result.simulations.append(
                Simulation(
                    label=str(s["label"]),
                    shared=float(s["shared_kwh"]),
                    self_sufficiency=s["self_sufficiency"],
                    vulnerable_share=s["vulnerable_share"],
                    vulnerable_self_sufficiency=s["vulnerable_self_sufficiency"],
                    error=str(s.get("error", "")),
                )
            )
    except (KeyError, TypeError, ValueError):  # a run of an older version, or not done
        return None
    return result


def custom_key(rounds: list[CustomRound], percentages: list[float]) -> Key:
    built = []
    for r in rounds:
        weighting = Weighting(r.weighting)
        built.append(
            Round(
                weighting,
                tuple(percentages) if weighting is Weighting.FIXED else (),
                only_vulnerable=r.only_vulnerable,
                demand_cap=r.demand_cap,
            )
        )
    return Key("custom", tuple(built))


def simulate(
    community: Community,
    month: date,
    *,
    social_cap: float = 0.5,
    custom: list[CustomRound] | None = None,
) -> SimulatorResult | None:
    """Every preset (and a custom key) on a month's meter data; None without data."""
    data = month_data(community, month)
    if not data.participants or data.days_with_data == 0:
        return None
    vulnerable = data.vulnerable
    result = SimulatorResult(
        month=data.month,
        participants=len(data.participants),
        offtake=float(data.offtake.sum()),
        injection=float(data.injection.sum()),
    )
    keys: list[tuple[str, Any]] = []
    for preset in KeyPreset:
        keys.append((str(preset.label), lambda p=preset: key_for(p, data.percentages, social_cap)))
    if custom:
        keys.append((_("Your own key"), lambda: custom_key(custom, data.percentages)))
    offtake_v = float(data.offtake[vulnerable].sum())
    for label, make in keys:
        try:
            totals = allocate_period(
                spans=[(data.offtake, data.injection)], key=make(), vulnerable=vulnerable
            )
        except ValueError as exc:
            result.simulations.append(Simulation(label, 0.0, None, None, None, error=str(exc)))
            continue
        received = float(totals.received.sum())
        to_vulnerable = float(totals.received[vulnerable].sum())
        result.simulations.append(
            Simulation(
                label=label,
                shared=received,
                self_sufficiency=share(received, result.offtake),
                vulnerable_share=share(to_vulnerable, received),
                vulnerable_self_sufficiency=share(to_vulnerable, offtake_v),
            )
        )
    return result
