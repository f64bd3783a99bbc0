"""Demo data of energy sharing: the Rabot community in Ghent (programme "energie-rabot", led by
Energiecoöperatie Rabot). PV on a school (a producer only) and two shops, the demo households
enrolled in the programme with their consent for energy data (about 38 with the default 300
demo households; some vulnerable: entitled to the social tariff), a year of synthetic
quarter-hour data, imported month by month and every month allocated.

Consumption comes from the BDEW 2025 standard load profiles that demandlib ships (H25 for
households, G25 for the shops), times each participant's yearly use and a seeded lognormal
noise per quarter-hour; production from pvlib's clear-sky model for Ghent and each
installation, times a seeded cloudiness factor per day. Everything is built as numpy arrays
(participants × quarter-hours) at once, so a year stays quick: the series go in through
`meter_series_import` (the import's checks and its compact storage, without writing and
parsing 1.4 million CSV lines), then `allocation_month_run` per month, in this process (no
background run). Statements are PDFs made when they are opened. A second run finds the
community and changes nothing.
"""

import random
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from django.utils import timezone

from households.models import Consent, Enrolment, Household
from sharing import services
from sharing.models import Community, Participant
from sharing.pure.advice import Panel, clear_sky_per_panel
from sharing.pure.meterdata import MeterSeries
from sharing.pure.timeseries import days_between, midnight_quarter, month_span, next_month

if TYPE_CHECKING:
    from core.demo import DemoContext

PROGRAMME = "energie-rabot"
COORDINATOR = "gent"
MONTHS = 12
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
    end = today.replace(day=1)
    first = end
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
    participants: list[Participant] = []
    yearly: list[float] = []
    panels: list[Panel] = []
    panel_rows: list[int] = []  # the participant of each panel
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
        services.pv_add(
            acting=acting,
            participant=participant,
            kwp=Decimal(kwp),
            tilt=tilt,
            azimuth=azimuth,
            commissioned_on=date(2019, 5, 1),
        )
        panels.append(Panel(kwp, tilt, azimuth))
        panel_rows.append(len(participants))
        participants.append(participant)
        yearly.append(float(use))
    taken = sum(o[6] for o in ORGANISATIONS)
    share = (Decimal(100 - taken) / max(len(households), 1)).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )
    for number, household in enumerate(households, start=10):
        participants.append(
            services.participant_add(
                acting=acting,
                community=community,
                household=household,
                role="consumer",
                ean=demo_ean(number),
                vulnerable=household.social_tariff,
                key_percentage=share,
                joined_on=joined,
            )
        )
        yearly.append(float(rng.randint(1400, 1000 + 900 * household.size)))
    offtake, injection = _year(community, participants, yearly, panels, panel_rows, first, end)
    start = midnight_quarter(first)
    month = first
    while month < end:
        a, b = month_span(month)
        moment = datetime.fromtimestamp(a * 900, tz=UTC)
        series = {
            p.ean: MeterSeries(
                ean=p.ean,
                start=moment,
                offtake=offtake[row, a - start : b - start],
                injection=injection[row, a - start : b - start],
                present=np.ones(b - a, dtype=bool),
            )
            for row, p in enumerate(participants)
        }
        report = services.meter_series_import(
            acting=acting, community=community, filename=f"rabot-{month:%Y-%m}.csv", series=series
        )
        if report.errors:
            raise RuntimeError(f"demo meter data refused: {report.errors[:3]}")
        services.allocation_month_run(acting=acting, community=community, month=month)
        context.result.count("energy months allocated")
        month = next_month(month)
    context.result.count("energy participants", len(participants))


def _year(
    community: Community,
    participants: list[Participant],
    yearly: list[float],
    panels: list[Panel],
    panel_rows: list[int],
    first: date,
    end: date,
) -> tuple[np.ndarray, np.ndarray]:
    """(offtake, injection) in kWh, participants × quarter-hours from `first` to `end`."""
    start, stop = midnight_quarter(first), midnight_quarter(end)
    size = stop - start
    noise = np.random.default_rng(SEED)
    household_profile, business_profile = _profiles(first, end)
    is_household = np.array([p.household_id is not None for p in participants])
    profile = np.where(
        is_household[:, None], household_profile[None, :size], business_profile[None, :size]
    )
    consumption = (
        profile * np.array(yearly)[:, None] * noise.lognormal(0, 0.35, (len(participants), size))
    )
    production = np.zeros_like(consumption)
    if panels:
        # One cloudiness factor per local day (92, 96 or 100 quarter-hours).
        day_sizes = [day_end - day_start for _day, day_start, day_end in days_between(start, stop)]
        cloud = np.repeat(noise.uniform(0.15, 1.0, len(day_sizes)), day_sizes)
        clear = clear_sky_per_panel(
            latitude=float(community.latitude),
            longitude=float(community.longitude),
            panels=panels,
            first_day=first,
            days=(end - first).days,
        )
        np.add.at(production, panel_rows, clear[:, :size] * cloud[None, :])
    return np.clip(consumption - production, 0, None), np.clip(production - consumption, 0, None)
