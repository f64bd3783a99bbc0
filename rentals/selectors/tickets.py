"""Reads of tickets: the open tickets older than the scheme allows."""

from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.models import Programme
from rentals.models import (
    Ticket,
)
from rentals.selectors.catalogue import scheme_for


def tickets_overdue(programme: Programme, today: date | None = None) -> QuerySet[Ticket]:
    """Open tickets older than the scheme's reminder limit."""
    scheme = scheme_for(programme)
    now = (
        timezone.now()
        if today is None
        else timezone.make_aware(datetime.combine(today, datetime.min.time()))
    )
    limit = now - timedelta(days=scheme.ticket_reminder_days)
    return Ticket.objects.filter(
        contract__programme=programme,
        status__in=[Ticket.Status.OPEN, Ticket.Status.PLANNED],
        opened_at__lt=limit,
    )
