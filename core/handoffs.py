"""The visit handoff seam: a programme with visits (appliance rental) hands a visit to a
programme that takes requests (a job bureau), and the request's status flows back.

Programme apps never import each other (import-linter); they meet here, exchanging plain
dataclasses and ids:

    rentals declares a VisitHandoff   (source "rentals.visit": what a visit is, in facts,
                                       and what to do when the bureau's status changes)
    jobs registers a RequestTaker     (which bureaus may take a programme's visits, taking
                                       one as a request, and the states of those requests)

    rentals.services.visit_hand_off ──► hand_off(acting, bureau_id, facts) ──► taker.take
    jobs (planned, done, cancelled, nobody home) ──► report(source, id, state)
                                                      ──► provider.status_changed

and, once handed, the provider's own changes follow the visit to the bureau (the provider
calls these inside its transaction, after changing the visit):

    rentals.services.visit_assign (a new day or window) ──► changed(acting, facts)
                                                      ──► taker.visit_changed
    rentals.services.contract_cancel (its open visits) ──► withdrawn(acting, source, id, reason)
                                                      ──► taker.visit_cancelled

The taker follows only an open request (new or planned): a new day or window takes a planned
request out of its plan (back to new, its crew places freed) and its planners hear that it
moved; a withdrawn visit cancels the open request (freed from its plan, planners told). Both
return the visit's latest state at the bureau (None: never handed), so the provider can refuse
what the bureau has already done (rentals: a visit the bureau reported done is recorded done,
not moved or cancelled); a request closed at the bureau (cancelled, nobody home) is left as it
is. What the provider asked for is never reported back to it (no ping-pong): the provider
knows already. A taker that cannot follow (the new day too far ahead for the bureau) raises
ValidationError in words, and the provider's change is refused with it.

Who may hand off is the provider's rule (rentals: a coordinator of the rental programme's
lead organisation, `visit.handoff`); which bureau may take it is the taker's (jobs: a bureau
of the same lead organisation, or of a partner organisation whose bureau agreed to take the
programme's visits). See docs/architecture.md, "Declared seams".
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Programme
from core.programmes import Label, registry
from core.tenancy import Acting


@dataclass(frozen=True)
class VisitFacts:
    """What the bureau needs to know of a visit: where, when, for whom, what to do."""

    source: str  # the provider's key, e.g. "rentals.visit"
    source_id: int
    programme_id: int  # the programme the visit belongs to
    programme_name: str
    kind: str  # the provider's own kind, e.g. "installation"
    kind_label: Label
    day: date
    window_start: time | None
    window_end: time | None
    household_id: int | None
    name: str
    street: str
    postcode: str
    city: str
    phone: str = ""
    language: str = "nl"
    note: str = ""  # what to bring or do, in the provider's words


@dataclass(frozen=True)
class HandoffState:
    """Where a handed visit stands at the bureau: new → planned → done / cancelled / no-show,
    with the dates."""

    bureau_id: int
    bureau_name: str
    reference: str  # the bureau's request reference, e.g. "J000042"
    status: str  # "new", "planned", "done", "cancelled", "no_show"
    status_label: Label
    day: date  # the day asked for
    planned_at: datetime | None = None  # the start of the first planned crew place
    done_on: date | None = None
    closed_on: date | None = None  # cancelled or nobody home

    @property
    def open(self) -> bool:
        return self.status in ("new", "planned")


@dataclass(frozen=True)
class Bureau:
    """A bureau that may take a programme's visits."""

    id: int
    name: str
    organisation: str


@dataclass(frozen=True)
class VisitHandoff:
    """Declared by an app whose programme has visits."""

    source: str
    programme_kind: str  # the kind of the programmes whose visits these are
    describe: Callable[[int], VisitFacts | None]  # None: the visit is gone
    status_changed: Callable[[int, HandoffState], None] = lambda source_id, state: None


@dataclass(frozen=True)
class RequestTaker:
    """Registered by an app that takes visits as requests. `take`, `visit_changed` and
    `visit_cancelled` raise django.core.exceptions.ValidationError with a message in words
    when the bureau cannot."""

    bureaus_for: Callable[[Programme], list[Bureau]]
    take: Callable[[Acting, int, VisitFacts], HandoffState]
    states: Callable[[str, Sequence[int]], dict[int, HandoffState]]
    # The provider changed a handed visit (day, window, the household's facts): the open
    # request follows. Returns the visit's latest state here, None when it was never taken.
    visit_changed: Callable[[Acting, VisitFacts], HandoffState | None] = lambda acting, facts: None
    # The provider cancelled a handed visit (source, source_id, reason in words): the open
    # request is cancelled. Returns the visit's latest state here, None when never taken.
    visit_cancelled: Callable[[Acting, str, int, str], HandoffState | None] = (
        lambda acting, source, source_id, reason: None
    )


def _takers() -> list[RequestTaker]:
    return [t for app in registry.apps for t in app.request_takers]


def provider(source: str) -> VisitHandoff | None:
    return next(
        (p for app in registry.apps for p in app.visit_handoffs if p.source == source), None
    )


def provider_kinds() -> set[str]:
    """The programme kinds whose visits can be handed off."""
    return {p.programme_kind for app in registry.apps for p in app.visit_handoffs}


def bureaus_for(programme: Programme) -> list[Bureau]:
    """The bureaus that may take this programme's visits (none without a taker)."""
    return [b for taker in _takers() for b in taker.bureaus_for(programme)]


def hand_off(acting: Acting, bureau_id: int, facts: VisitFacts) -> HandoffState:
    """Give the visit to the bureau; the caller has checked the acting may hand it off."""
    takers = _takers()
    if not takers:
        raise ValidationError(_("No job bureau takes visits here."))
    return takers[0].take(acting, bureau_id, facts)


def states(source: str, ids: Sequence[int]) -> dict[int, HandoffState]:
    """The latest state of each handed visit (visits never handed are absent)."""
    found: dict[int, HandoffState] = {}
    for taker in _takers():
        found.update(taker.states(source, ids))
    return found


def describe(source: str, source_id: int) -> VisitFacts | None:
    found = provider(source)
    return found.describe(source_id) if found else None


def _latest(found: list[HandoffState | None]) -> HandoffState | None:
    # An open state wins over a closed one (a visit is open at one bureau at most).
    given = [s for s in found if s is not None]
    return next((s for s in given if s.open), given[-1] if given else None)


def changed(acting: Acting, facts: VisitFacts) -> HandoffState | None:
    """The provider changed a handed visit: its open request follows the new facts. Call it
    inside the provider's transaction; a ValidationError refuses the provider's change."""
    return _latest([taker.visit_changed(acting, facts) for taker in _takers()])


def withdrawn(acting: Acting, source: str, source_id: int, reason: str) -> HandoffState | None:
    """The provider cancelled a handed visit: its open request is cancelled, with the reason.
    Call it inside the provider's transaction."""
    return _latest(
        [taker.visit_cancelled(acting, source, source_id, reason) for taker in _takers()]
    )


def report(source: str, source_id: int, state: HandoffState) -> None:
    """The taker tells the provider that the request's status changed."""
    found = provider(source)
    if found is not None:
        found.status_changed(source_id, state)
