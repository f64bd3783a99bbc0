"""Demo data of energy sharing: the Rabot community in Ghent (programme "energie-rabot", led by
Energiecoöperatie Rabot). PV on a school and two shops, the demo households enrolled in the
programme with their consent for energy data (some vulnerable: entitled to the social
tariff), three months of synthetic quarter-hour data, imported and allocated.

Consumption comes from the BDEW 2025 standard load profiles that demandlib ships (H25 for
households, G25 for the shops and the school), production from pvlib's clear-sky model for
Ghent and each installation, times a cloudiness factor per day; everything is seeded, so a run
builds the same data. The data goes in through the same services as a person's: the plain
CSV through `meter_import`, then `allocation_month_run` per month. A second run finds the
community and changes nothing. Three months rather than a year keep `demo_data` quick.
"""

import random
import warnings
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from django.utils import timezone

from households.models import Consent, Enrolment, Household
from sharing import services
from sharing.models import Community, Participant
from sharing.pure.advice import Panel, clear_sky_production
from sharing.pure.meterdata import plain_csv
from sharing.pure.timeseries import midnight_quarter, month_span, next_month

if TYPE_CHECKING:
    from core.demo import DemoContext

PROGRAMME = "energie-rabot"
COORDINATOR = "gent"
MONTHS = 3
MAX_HOUSEHOLDS = 40
SEED = 2026
# (name, role, kWp, tilt, azimuth, yearly consumption kWh, key %)
ORGANISATIONS = (
    ("Basisschool De Wereldbrug", "producer", 120, 15, 180, 0, 0),
    ("Buurtwinkel Rabot", "both", 15, 20, 135, 9000, 3),
    ("Bakkerij Tondelier", "both", 12, 30, 225, 14000, 3),
)


def demo_ean(number: int) -> str:
    from stdnum import ean as gs1

    body = f"54144882{900_000_000 + number:09d}"
    return body + gs1.calc_check_digit(body)


def _profiles(first_day: date, end_day: date) -> tuple[np.ndarray, np.ndarray]:
    """kWh per quarter-hour of 1 kWh a year: (household H25, business G25), local days."""
    import pandas as pd
    from demandlib.bdew._profiles25 import G25, H25

    index = pd.date_range(
        pd.Timestamp(first_day, tz="Europe/Brussels"),
        pd.Timestamp(end_day, tz="Europe/Brussels"),
        freq="15min",
        inclusive="left",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The profiles are in kW for 1 GWh a year: kWh per quarter-hour per kWh a year.
        household = H25(index).to_numpy(dtype=float) / 4 / 1e6
        business = G25(index).to_numpy(dtype=float) / 4 / 1e6
    return household, business


def load_demo(context: "DemoContext") -> None:
    programme = context.programmes.get(PROGRAMME)
    acting = context.actings.get(COORDINATOR)
    if programme is None or acting is None:
        return
    if Community.objects.filter(programme=programme).exists():
        return
    rng = random.Random(f"{SEED}-sharing")
    today = timezone.localdate()
    last = today.replace(day=1)
    first = last
    for _ in range(MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
    community = services.community_configure(
        acting=acting,
        programme=programme,
        sharing_price=Decimal("0.1200"),
        supplier_price=Decimal("0.3200"),
        latitude=Decimal("51.06180"),
        longitude=Decimal("3.71400"),
    )
    services.key_choose(acting=acting, community=community, preset="optimal", valid_from=first)
    households = list(
        Household.objects.active()
        .filter(
            enrolments__programme=programme,
            enrolments__status=Enrolment.Status.ENROLLED,
            consents__purpose=Consent.Purpose.ENERGY_DATA,
            consents__withdrawn_on__isnull=True,
        )
        .distinct()
        .order_by("pk")[:MAX_HOUSEHOLDS]
    )
    joined = first - timedelta(days=30)
    participants: list[tuple[Participant, list[Panel], float]] = []
    for number, (name, role, kwp, tilt, azimuth, use, key) in enumerate(ORGANISATIONS, start=1):
        participant = services.participant_add(
            acting=acting,
            community=community,
            name=name,
            role=role,
            ean=demo_ean(number),
            key_percentage=Decimal(key),
            joined_on=joined,
        )
        panel = Panel(kwp, tilt, azimuth)
        services.pv_add(
            acting=acting,
            participant=participant,
            kwp=Decimal(kwp),
            tilt=tilt,
            azimuth=azimuth,
            commissioned_on=date(2019, 5, 1),
        )
        participants.append((participant, [panel], float(use)))
    taken = sum(o[6] for o in ORGANISATIONS)
    share = (Decimal(100 - taken) / max(len(households), 1)).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )
    for number, household in enumerate(households, start=10):
        participant = services.participant_add(
            acting=acting,
            community=community,
            household=household,
            role="consumer",
            ean=demo_ean(number),
            vulnerable=household.social_tariff,
            key_percentage=share,
            joined_on=joined,
        )
        participants.append(
            (participant, [], float(rng.randint(1400, 1000 + 900 * household.size)))
        )
    end = last
    days = (end - first).days
    household_profile, business_profile = _profiles(first, end)
    start = midnight_quarter(first)
    size = midnight_quarter(end) - start
    cloud = np.repeat([rng.uniform(0.15, 1.0) for _ in range(days + 1)], 100)
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for participant, panels, yearly in participants:
        profile = business_profile if participant.household_id is None else household_profile
        noise = np.array([rng.lognormvariate(0, 0.35) for _ in range(size)])
        consumption = profile[:size] * yearly * noise
        production = np.zeros(size)
        if panels:
            _times, clear = clear_sky_production(
                latitude=float(community.latitude),
                longitude=float(community.longitude),
                panels=panels,
                first_day=first,
                days=days,
            )
            production = clear[:size] * _day_factor(cloud, first, size, start)
        series[participant.ean] = (
            np.clip(consumption - production, 0, None),
            np.clip(production - consumption, 0, None),
        )
    month = first
    while month < end:
        a, b = month_span(month)
        data = plain_csv(
            {
                ean: (a, off[a - start : b - start], inj[a - start : b - start])
                for ean, (off, inj) in series.items()
            }
        )
        report = services.meter_import(
            acting=acting, community=community, filename=f"rabot-{month:%Y-%m}.csv", data=data
        )
        if report.errors:
            raise RuntimeError(f"demo meter data refused: {report.errors[:3]}")
        services.allocation_month_run(acting=acting, community=community, month=month)
        context.result.count("energy months allocated")
        month = next_month(month)
    context.result.count("energy participants", len(participants))


def _day_factor(cloud: np.ndarray, first: date, size: int, start: int) -> np.ndarray:
    """The cloudiness factor of each quarter-hour's local day."""
    from sharing.pure.timeseries import local_day_of

    factors = np.empty(size)
    day_index = 0
    current = first
    for q in range(size):
        day = local_day_of(start + q)
        if day != current:
            current = day
            day_index += 1
        factors[q] = cloud[day_index * 100]
    return factors
