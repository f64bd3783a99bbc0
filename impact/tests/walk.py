"""impact's share of the route walk: its pages and operations need no records of their own
(they read the figures of the programmes the acting organisation leads)."""

from core.tests.walk import WalkPart

PART = WalkPart(
    world=lambda cls: {},
    page_requests={"impact:organisation": {"GET": None}, "impact:export": {"GET": None}},
)
