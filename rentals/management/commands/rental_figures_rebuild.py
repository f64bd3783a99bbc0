from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rentals.management.commands.billing_run import rental_programme
from rentals.services.counts import rental_counts_rebuild
from rentals.services.totals import month_totals_rebuild


class Command(BaseCommand):
    help = (
        "Recompute what billing, payments and the unit and contract writes keep for the "
        "dashboard — the monthly totals, the households with an open charge, the counts of "
        "units and contracts per appliance and status — from the charges, units and contracts "
        "(a repair after writes that bypassed the services, e.g. a bulk import)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="the slug of one programme (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = rental_programme(options["programme"]) if options["programme"] else None
        months = month_totals_rebuild(programme=programme)
        counts = rental_counts_rebuild(programme)
        self.stdout.write(f"{months} monthly totals and {counts} counts rebuilt")
