"""The rentals' share of the route walk (core/tests/walk.py builds rentals' main world itself):
a reminder letter kept on an arrears step of jansens, for collection:arrears_letter; handing
the walk's visit to a job bureau; the requests of the contract cancellation (the world's
contract is installed, so a permitted cancel is refused on its merits and changes nothing)."""

from decimal import Decimal
from typing import Any

from core.tests.walk import WalkPart


def world(cls: Any) -> dict[str, Any]:
    from rentals.models import ArrearsStep

    ArrearsStep.objects.create(
        household=cls.jansens,
        programme=cls.rental,
        collector=cls.ocmw,
        level=ArrearsStep.Level.REMINDER_LETTER,
        arrears=Decimal("7.50"),
        letter=b"%PDF-1.7 a reminder letter",
    )
    return {}


def _bureau(case: Any) -> int:
    """A job bureau of the walk (jobs' part), found through the world, not by import: the
    walk's visit is a repair, so handing it off is refused on its merits (422)."""
    bureau = case.part_objects.get("bureau")
    return bureau.pk if bureau is not None else 1


PART = WalkPart(
    world=world,
    page_requests={
        "rentals:visit_handoff": {"GET": None, "POST": lambda t: {"bureau": _bureau(t)}},
        "rentals:contract_cancel": {
            "GET": None,
            "POST": {"reason": "Household moved away", "confirm": "yes"},
        },
    },
    api_bodies={
        "POST /rentals/visits/{visit_id}/handoff": lambda t: {"bureau_id": _bureau(t)},
        "POST /rentals/contracts/{contract_id}/cancel": {"reason": "Household moved away"},
    },
)
