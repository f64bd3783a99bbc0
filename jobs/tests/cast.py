"""The job bureau's test cast, on top of wijk.testing's: the lead (sowv) runs "Wijkfabriek"
in Oostende under wijk-werken rules; Arnhem runs its own bureau.

  bureau    Wijkfabriek Oostende, led by lead; depot in Oostende, 6 km served, 1 cargo bike
  moving    "Verhuishulp": crew of 2, 120 min, cargo bike, skill carrying 1
  garden    "Tuinwerk": 1 person, 60 min, skill gardening 1
  worker_w  Wout (user wout), carrying 2 + cargo bike 2, Mon-Fri 08:00-16:00
  worker_s  Sara (no login), carrying 1 + gardening 2, Mon-Fri 08:00-16:00
  arnhem_bureau  Buurtbaanbureau, led by arnhem (a stranger to the lead)
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.models import Programme
from core.tenancy import Acting, acting_for
from jobs import services
from jobs.models import JobRequest, Service, Worker
from wijk.testing import WijkTestCase

DAY = date(2026, 3, 2)  # a Monday
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS)


def _acting(user: Any) -> Acting:
    found = acting_for(user)
    if found is None:
        raise RuntimeError("no acting")
    return found


def build_jobs_cast(ns: Any, around: date = DAY) -> None:
    """Needs the cast of wijk.testing on `ns` and the clock on or before `around`, the day
    the workers' agreements run around."""
    cora, jo = _acting(ns.cora), _acting(ns.jo)
    ns.bureau = Programme.objects.create(
        name="Wijkfabriek Oostende",
        slug="wijkfabriek",
        kind="job_bureau",
        lead_organisation=ns.lead,
    )
    services.rules_apply_preset(acting=cora, programme=ns.bureau, preset="wijk_werken")
    services.rules_update(
        acting=cora,
        programme=ns.bureau,
        values={"depot_lat": 51.2260, "depot_lon": 2.9180, "served_radius_km": 6, "cargo_bikes": 1},
    )
    ns.moving = services.service_create(
        acting=cora,
        programme=ns.bureau,
        name="Verhuishulp",
        category="moving",
        required_skills={"carrying": 1},
        crew_size=2,
        duration_minutes=120,
        needs="cargo_bike",
        load=50,
    )
    ns.garden = services.service_create(
        acting=cora,
        programme=ns.bureau,
        name="Tuinwerk",
        category="garden",
        required_skills={"gardening": 1},
        duration_minutes=60,
    )
    ns.worker_w = _worker(
        jo, ns.bureau, "Wout", "Claeys", ns.wout, {"carrying": 2, "cargo_bike": 2}, around
    )
    ns.worker_s = _worker(
        jo, ns.bureau, "Sara", "Benali", None, {"carrying": 1, "gardening": 2}, around
    )
    ns.arnhem_bureau = Programme.objects.create(
        name="Buurtbaanbureau", slug="buurtbaan", kind="job_bureau", lead_organisation=ns.arnhem
    )


def _worker(
    jo: Acting,
    programme: Programme,
    first: str,
    last: str,
    user: Any,
    skills: dict[str, int],
    around: date,
) -> Worker:
    worker = services.worker_create(
        acting=jo,
        programme=programme,
        first_name=first,
        last_name=last,
        agreement_start=around - timedelta(days=60),
        agreement_end=around + timedelta(days=300),
        user=user,
        coach=jo.user,
    )
    for skill, level in skills.items():
        services.worker_skill_set(acting=jo, worker=worker, skill=skill, level=level)
    for weekday in range(5):
        services.availability_add(
            acting=jo, worker=worker, weekday=weekday, start=time(8), end=time(16)
        )
    return worker


def ask(ns: Any, service: Service, **fields: Any) -> JobRequest:
    """A staff request on DAY, by the coordinator."""
    values: dict[str, Any] = {
        "service": service,
        "name": "Marleen Peeters",
        "phone": "059 12 34 56",
        "street": "Kerkstraat 5",
        "postcode": "8400",
        "city": "Oostende",
        "preferred_day": DAY,
        "window_start": time(8),
        "window_end": time(13),
    }
    values.update(fields)
    return services.request_create(acting=_acting(ns.cora), programme=ns.bureau, **values)


class JobsTestCase(WijkTestCase):
    """WijkTestCase with the job bureau's cast (build_jobs_cast in setUpTestData)."""

    bureau: Programme
    arnhem_bureau: Programme
    moving: Service
    garden: Service
    worker_w: Worker
    worker_s: Worker

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_jobs_cast(cls)
