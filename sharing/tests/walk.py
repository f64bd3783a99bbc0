"""Energy sharing's share of the route walk (core/tests/walk.py): the cast's community on the
walk's energy programme `energy` (led by lead), jansens (registered by ocmw) taking part, three
days of January imported and January allocated."""

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from core.tenancy import acting_for
from core.tests.walk import WalkPart
from sharing import services
from sharing.tests.cast import JANSENS_EAN, SCHOOL_EAN, build_sharing_cast, ean, month_file


def world(cls: Any) -> dict[str, Any]:
    build_sharing_cast(cls, cls.energy)
    cora = acting_for(cls.cora)
    if cora is None:
        raise RuntimeError("cora acts for the lead")
    report = services.meter_import(
        acting=cora,
        community=cls.community,
        filename="jan.csv",
        data=month_file(date(2026, 1, 1), days=3),
    )
    if report.errors:
        raise RuntimeError(report.errors)
    services.allocation_month_run(acting=cora, community=cls.community, month=date(2026, 1, 1))
    cls.sharing_file = month_file(date(2026, 2, 1), days=1)
    return {"community": cls.community, "participant": cls.jansens_p}


def _file(t: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("feb.csv", t.sharing_file, "text/csv")}


PARTICIPANT = {
    "name": "Apotheek Zuid",
    "language": "nl",
    "ean": ean(50),
    "role": "consumer",
    "key_percentage": "0",
    "joined_on": "2026-02-01",
}

PART = WalkPart(
    world=world,
    page_requests={
        "sharing:index": {"GET": None, "POST": {"programme": "", "sharing_price": "0,15"}},
        "sharing:community": {
            "GET": None,
            "POST": {
                "sharing_price": "0,16",
                "supplier_price": "0,35",
                "latitude": "51,2",
                "longitude": "3,2",
            },
        },
        "sharing:key_choose": {
            "POST": {"preset": "pro_rata", "valid_from": "2026-02-01", "social_cap": "0,5"}
        },
        "sharing:participant_add": {"GET": None, "POST": PARTICIPANT},
        "sharing:participant": {
            "GET": None,
            "POST": {
                "ean": JANSENS_EAN,
                "role": "consumer",
                "vulnerable": "on",
                "key_percentage": "35",
                "joined_on": "2025-12-01",
            },
        },
        "sharing:pv_add": {
            "POST": {"kwp": "3,5", "azimuth": "180", "tilt": "30", "commissioned_on": "2026-01-01"}
        },
        "sharing:participant_end": {"POST": {"on": "2026-06-30"}},
        "sharing:imports": {"GET": None, "POST": _file},
        "sharing:runs": {"GET": None, "POST": {"month": "2026-01"}},
        "sharing:simulator": {"GET": None, "POST": {"month": "2026-01", "social_cap": "0,5"}},
    },
    api_bodies={
        "POST /sharing/communities/{community_id}/participants": {
            **PARTICIPANT,
            "key_percentage": "0",
        },
        "POST /sharing/communities/{community_id}/imports": _file,
        "POST /sharing/communities/{community_id}/runs": {"month": "2026-01"},
        "POST /sharing/communities/{community_id}/simulations": {
            "month": "2026-01",
            "custom": [{"weighting": "pro_rata"}],
        },
    },
    secrets=lambda case: (JANSENS_EAN, SCHOOL_EAN, "Basisschool De Linde"),
)
