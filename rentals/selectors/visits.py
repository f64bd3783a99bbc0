"""Reads of visits that pages and API share, so the two cannot disagree about what is shown:
a technician sees only the visits assigned to them, with what the visit needs
(VisitForTechnician); each read of a household's data is audited here
(core.services.audit_record, with the channel of the acting context).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from core.models import AuditEvent
from core.services import audit_record
from core.templatetags.wijk_tags import address_line
from core.tenancy import Acting, get_scoped, scoped
from households.models import ContactChannel, Household
from rentals import rules
from rentals.models import Visit

VISIT_RELATED = (
    "contract__household",
    "contract__unit__appliance_model",
    "contract__application",
    "technician",
    "ticket",
)


def households_viewed(acting: Acting, households: Iterable[Household], what: str = "") -> None:
    """Audit that the acting user saw these households' data (once per household)."""
    seen: set[int] = set()
    for household in households:
        if household.pk in seen:
            continue
        seen.add(household.pk)
        subject = f"household {household.reference}"
        audit_record(
            acting=acting,
            action=AuditEvent.Action.VIEW,
            household=household,
            subject=f"{subject}: {what}" if what else subject,
        )


def phone_for_visit(household: Household) -> str:
    """The phone number only when the household wants to be reached by phone or text."""
    if household.contact_channel in (ContactChannel.PHONE, ContactChannel.SMS):
        return household.phone
    return ""


@dataclass(frozen=True)
class VisitForTechnician:
    """What a visit needs and nothing more: where, who to ask for, the phone only when the
    household wants calls, the appliance and the ticket — no income, eligibility or notes.
    The technician's page, the visit list and the API all show a visit through this."""

    id: int
    contract_id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    planned_on: date
    window: str
    technician: str | None
    ticket_id: int | None
    ticket: str
    done_at: datetime | None
    disposal: str
    report: str
    category: str
    appliance: str
    model: str
    unit_serial: str
    has_old_appliance: bool
    name: str
    address: str
    phone: str

    @property
    def serial(self) -> str:
        return self.unit_serial


def visit_card(visit: Visit) -> VisitForTechnician:
    household = visit.contract.household
    unit = visit.contract.unit
    return VisitForTechnician(
        id=visit.pk,
        contract_id=visit.contract_id,
        kind=visit.kind,
        kind_label=str(visit.get_kind_display()),
        status=visit.status,
        status_label=str(visit.get_status_display()),
        planned_on=visit.planned_on,
        window=visit.window,
        technician=visit.technician.get_username() if visit.technician else None,
        ticket_id=visit.ticket_id,
        ticket=visit.ticket.description if visit.ticket else "",
        done_at=visit.done_at,
        disposal=visit.disposal,
        report=visit.report,
        category=visit.contract.category,
        appliance=str(visit.contract.get_category_display()),
        model=str(unit.appliance_model),
        unit_serial=unit.serial,
        has_old_appliance=visit.contract.application.has_old_appliance,
        name=household.name,
        address=address_line(household),
        phone=phone_for_visit(household),
    )


def visible_visits(acting: Acting) -> QuerySet[Visit]:
    """The visits the acting user may read: a technician those assigned to them
    (visit.view_assigned); readers of an organisation that sees the contract (visit.view)."""
    if acting.can("visit.view"):
        visits = scoped(Visit, acting)
    elif acting.can("visit.view_assigned"):
        visits = rules.technician_visits(acting)
    else:
        acting.require("visit.view")  # refused
    return visits.select_related(*VISIT_RELATED)


def visit_cards(acting: Acting, visits: QuerySet[Visit]) -> list[VisitForTechnician]:
    """Cards of (a page of) visits the acting user may read; audited per household."""
    allowed = visits.filter(pk__in=visible_visits(acting).values("pk")).select_related(
        *VISIT_RELATED
    )
    found = list(allowed)
    households_viewed(acting, (v.contract.household for v in found), "visit")
    return [visit_card(v) for v in found]


def visit_for(acting: Acting, visit_id: int) -> tuple[Visit, VisitForTechnician]:
    """One visit the acting user may read (else 404), and its card; audited."""
    visit = get_scoped(visible_visits(acting), acting, pk=visit_id)
    households_viewed(acting, [visit.contract.household], "visit")
    return visit, visit_card(visit)
