"""What a rental visit is to a job bureau (core/handoffs.py, the rentals side): the facts the
bureau needs to do it, and where the visits handed to a bureau stand."""

import re
from collections.abc import Iterable
from datetime import time

from core import handoffs
from core.models import Programme
from rentals.models import Visit

SOURCE = "rentals.visit"
# The kinds a bureau can do: bring and install, or take the appliance back. A repair or a
# swap needs the supplier's technician.
HANDED_KINDS = (Visit.Kind.INSTALLATION, Visit.Kind.RETURN)
_WINDOW = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*[-–]\s*(\d{1,2})(?:[:.h](\d{2}))?\s*$")


def window_times(text: str) -> tuple[time | None, time | None]:
    """ "08:00–12:00" or "9-12" as times; (None, None) for anything else."""
    match = _WINDOW.match(text or "")
    if not match:
        return None, None
    h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h2, m2) <= (h1, m1):
        return None, None
    return time(h1, m1), time(h2, m2)


def visit_facts(visit: Visit) -> handoffs.VisitFacts:
    contract = visit.contract
    household = contract.household
    start, end = window_times(visit.window)
    kind = Visit.Kind(visit.kind)
    note = contract.get_category_display()
    return handoffs.VisitFacts(
        source=SOURCE,
        source_id=visit.pk,
        programme_id=contract.programme_id,
        programme_name=contract.programme.name,
        kind=visit.kind,
        kind_label=kind.label,
        day=visit.planned_on,
        window_start=start,
        window_end=end,
        household_id=household.pk,
        name=household.name,
        street=" ".join(p for p in (household.street, household.house_number) if p),
        postcode=household.postcode,
        city=household.city,
        phone=household.phone,
        language=household.language,
        note=str(note),
    )


def describe(visit_id: int) -> handoffs.VisitFacts | None:
    visit = (
        Visit.objects.select_related("contract__household", "contract__programme")
        .filter(pk=visit_id)
        .first()
    )
    return visit_facts(visit) if visit else None


def handoff_states(visits: Iterable[Visit]) -> dict[int, handoffs.HandoffState]:
    """Visit id → where it stands at the bureau it was handed to (visits never handed are
    absent). The caller has read the visits through tenancy."""
    ids = [v.pk for v in visits]
    return handoffs.states(SOURCE, ids) if ids else {}


def handoff_bureaus(programme: Programme) -> list[handoffs.Bureau]:
    return handoffs.bureaus_for(programme)


def may_hand_off(visit: Visit) -> bool:
    """The visit is one a bureau can do, and still to do."""
    return visit.kind in HANDED_KINDS and visit.status == Visit.Status.PLANNED
