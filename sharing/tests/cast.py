"""The energy-sharing part of the cast: a community on an energy-sharing programme of `lead`.

Community "Zonnedelen Brugge": sharing price 0.15, supplier price 0.35 EUR/kWh, in Brugge;
key relative from 2026-01-01. Participants:
  school   Basisschool De Linde (organisation), producer, 60 kWp
  bakery   Bakkerij Vanhove (organisation), producer and consumer, 10 kWp, key 20 %
  jansens  household (registered by ocmw), consumer, vulnerable, key 40 %, energy consent
  peeters  household (registered by ocmw), consumer, key 30 %, energy consent
dubois (registered by kortrijk) is enrolled but gave no consent for energy data and does not
take part yet.

`month_file(month)` is a grid-operator export of that month for all four EANs.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from stdnum import ean as gs1

from core.models import Programme
from core.tenancy import acting_for
from households.models import Consent, Enrolment
from sharing import services
from sharing.models import Participant
from sharing.pure import synthetic
from sharing.pure.meterdata import fluvius_csv, plain_csv
from sharing.pure.timeseries import month_span
from wijk.testing import WijkTestCase


def ean(number: int) -> str:
    body = f"54144882{number:09d}"
    return body + gs1.calc_check_digit(body)


SCHOOL_EAN, BAKERY_EAN, JANSENS_EAN, PEETERS_EAN, DUBOIS_EAN = (ean(n) for n in range(1, 6))


def _acting(user: Any) -> Any:
    acting = acting_for(user)
    assert acting is not None
    return acting


def build_sharing_cast(cls: Any, programme: Programme) -> None:
    cora = _acting(cls.cora)
    cls.community = services.community_configure(
        acting=cora,
        programme=programme,
        sharing_price=Decimal("0.15"),
        supplier_price=Decimal("0.35"),
        latitude=Decimal("51.20892"),
        longitude=Decimal("3.22424"),
    )
    services.key_choose(
        acting=cora, community=cls.community, preset="relative", valid_from=date(2026, 1, 1)
    )
    for household in (cls.jansens, cls.peeters, cls.dubois):
        Enrolment.objects.create(household=household, programme=programme, status="enrolled")
    for household in (cls.jansens, cls.peeters):
        Consent.objects.create(
            household=household, purpose="energy_data", given_on=date(2025, 12, 1)
        )
    add = services.participant_add
    community = cls.community
    cls.school = add(
        acting=cora,
        community=community,
        name="Basisschool De Linde",
        role="producer",
        ean=SCHOOL_EAN,
        joined_on=date(2025, 12, 1),
    )
    services.pv_add(
        acting=cora, participant=cls.school, kwp=Decimal("60"), commissioned_on=date(2025, 6, 1)
    )
    cls.bakery = add(
        acting=cora,
        community=community,
        name="Bakkerij Vanhove",
        role="both",
        ean=BAKERY_EAN,
        key_percentage=Decimal("20"),
        joined_on=date(2025, 12, 1),
    )
    services.pv_add(
        acting=cora,
        participant=cls.bakery,
        kwp=Decimal("10"),
        commissioned_on=date(2025, 6, 1),
        azimuth=135,
    )
    cls.jansens_p = add(
        acting=cora,
        community=community,
        household=cls.jansens,
        role="consumer",
        ean=JANSENS_EAN,
        vulnerable=True,
        key_percentage=Decimal("40"),
        joined_on=date(2025, 12, 1),
    )
    cls.peeters_p = add(
        acting=cora,
        community=community,
        household=cls.peeters,
        role="consumer",
        ean=PEETERS_EAN,
        key_percentage=Decimal("30"),
        joined_on=date(2025, 12, 1),
    )


def month_series(
    month: date, days: int | None = None
) -> dict[str, tuple[int, np.ndarray, np.ndarray]]:
    """The four EANs' quarter-hours of a month (or of its first `days` days)."""
    first, end = month_span(month)
    count = end - first if days is None else days * 96
    zero = np.zeros(count)
    bakery_use = synthetic.household(first, count, 25.0, seed=3)
    bakery_pv = synthetic.pv(first, count, 10.0)
    return {
        SCHOOL_EAN: (first, zero, synthetic.pv(first, count, 60.0) * 0.3),
        BAKERY_EAN: (
            first,
            np.clip(bakery_use - bakery_pv, 0, None),
            np.clip(bakery_pv - bakery_use, 0, None),
        ),
        JANSENS_EAN: (first, synthetic.household(first, count, 8.0, seed=1), zero),
        PEETERS_EAN: (first, synthetic.household(first, count, 11.0, seed=2), zero),
    }


def month_file(month: date, *, header: str = "old", days: int | None = None) -> bytes:
    return fluvius_csv(month_series(month, days), header=header)


def month_plain(month: date) -> bytes:
    return plain_csv(month_series(month))


class SharingTestCase(WijkTestCase):
    energy: Programme
    community: Any
    school: Participant
    bakery: Participant
    jansens_p: Participant
    peeters_p: Participant

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.energy = Programme.objects.create(
            name="Zonnedelen Brugge",
            slug="zon-brugge",
            kind="energy_sharing",
            lead_organisation=cls.lead,
        )
        build_sharing_cast(cls, cls.energy)
