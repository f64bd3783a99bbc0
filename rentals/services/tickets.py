"""Writes of tickets: faults reported by staff or by the resident on their page, and the
reminders for overdue tickets.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Programme
from core.tenancy import Acting
from households.models import Household
from rentals import rules
from rentals.models import (
    Contract,
    Ticket,
    UnitStatus,
)
from rentals.selectors.tickets import tickets_overdue
from rentals.services import notices
from rentals.services.common import move_unit


@transaction.atomic
def ticket_open(*, acting: Acting, contract: Contract, channel: str, description: str) -> Ticket:
    """Report a breakdown for a household (by phone or at the desk): ticket.open."""
    rules.require_ticket_open(acting, contract)
    return _ticket_create(
        contract=contract, channel=channel, description=description, by_id=acting.user_id
    )


@transaction.atomic
def ticket_open_by_resident(
    *, household: Household, contract: Contract, description: str
) -> Ticket:
    """A resident reports a breakdown on their own page (opened with their link and PIN):
    only for a contract of the household the PIN opened."""
    if contract.household_id != household.pk:
        raise PermissionDenied
    return _ticket_create(
        contract=contract, channel=Ticket.Channel.RESIDENT, description=description, by_id=None
    )


def _ticket_create(
    *, contract: Contract, channel: str, description: str, by_id: int | None
) -> Ticket:
    """A new ticket, or, while one is open for the contract (and so for its unit), the
    report added to that one: the same breakdown reported again is one ticket."""
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say in a few words what is wrong.")})
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("Only an installed appliance can be reported broken."))
    if channel not in Ticket.Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    # Serialise reports per contract, so two at once cannot both make a ticket.
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    ticket = (
        Ticket.objects.select_for_update()
        .filter(contract=contract, status__in=Ticket.OPEN_STATUSES)
        .first()
    )
    if ticket is not None:
        now = timezone.now()
        # Dated in the text itself, as written by whoever reported it (no translated words).
        added = f"{ticket.description}\n\n[{timezone.localdate(now):%Y-%m-%d}] {description}"
        ticket.description = added[:2000]
        ticket.reports += 1
        ticket.last_reported_at = now
        ticket.save(update_fields=["description", "reports", "last_reported_at"])
        notices.ticket_reported(ticket, again=True)
        return ticket
    ticket = Ticket(contract=contract, channel=channel, description=description[:2000])
    ticket.full_clean()
    ticket.save()
    if contract.unit.status == UnitStatus.INSTALLED:
        move_unit(contract.unit, UnitStatus.IN_REPAIR, by_id=by_id, note=f"ticket {ticket.pk}")
    notices.ticket_reported(ticket, again=False)
    return ticket


@transaction.atomic
def ticket_reminders_send(*, programme: Programme) -> int:
    """Mark overdue tickets as reminded (shown on the dashboard); returns how many."""
    overdue = tickets_overdue(programme).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=timezone.now() - timedelta(days=7))
    )
    return overdue.update(reminded_at=timezone.now())
