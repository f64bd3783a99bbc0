from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.models import Programme
from rentals.management.commands.billing_run import rental_programme
from rentals.selectors.tickets import tickets_overdue
from rentals.services.notices import visits_overdue_notify
from rentals.services.tickets import ticket_reminders_send


class Command(BaseCommand):
    help = (
        "Mark service tickets that are open too long as reminded (they show on the "
        "dashboard), for one appliance-rental programme or all of them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", metavar="SLUG", help="Only this programme.")

    def handle(self, *args: Any, programme: str | None = None, **options: Any) -> None:
        if programme:
            programmes = [rental_programme(programme)]
        else:
            programmes = list(
                Programme.objects.filter(
                    kind=Programme.Kind.APPLIANCE_RENTAL, rental_scheme__isnull=False
                ).order_by("slug")
            )
        for found in programmes:
            try:
                overdue = tickets_overdue(found).count()
                sent = ticket_reminders_send(programme=found)
                # The same daily run announces visits past their day (rentals.services.notices).
                visits_overdue_notify(programme=found)
            except ValidationError as exc:  # no rental set-up yet
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(
                _("%(programme)s: %(overdue)s tickets open too long, %(sent)s reminders sent.")
                % {"programme": found.slug, "overdue": overdue, "sent": sent}
            )
