import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.models import Programme
from core.tenancy import COMMAND, channel, operator_acting
from rentals.services.billing import billing_run


def parse_month(value: str) -> date:
    """ "2026-11" → 1 November 2026; anything else is a CommandError."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise CommandError(
            _("“%(value)s” is not a month; write it as year-month, e.g. 2026-11.")
            % {"value": value}
        )
    return date(int(match[1]), int(match[2]), 1)


def rental_programme(slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise CommandError(_("There is no programme “%(slug)s”.") % {"slug": slug})
    if programme.kind != Programme.Kind.APPLIANCE_RENTAL:
        raise CommandError(_("“%(slug)s” is not an appliance-rental programme.") % {"slug": slug})
    return programme


class Command(BaseCommand):
    help = (
        "Make the monthly charges of an appliance-rental programme: one per active contract. "
        "Safe to run again: a month already billed gets nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, metavar="SLUG")
        parser.add_argument("--month", required=True, metavar="YYYY-MM")
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Bill the month although an earlier month with contracts was never billed.",
        )

    def handle(
        self, *args: Any, programme: str, month: str, confirm: bool = False, **options: Any
    ) -> None:
        first = parse_month(month)
        found = rental_programme(programme)
        # The operator runs it for the lead organisation: audited "via command", and the
        # service's rules hold as on the page (at most one month ahead).
        with channel(COMMAND):
            try:
                result = billing_run(
                    acting=operator_acting(found.lead_organisation),
                    programme=found,
                    month=first,
                    confirm=confirm,
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _(
                "%(programme)s, %(month)s: %(created)s charges made "
                "(%(contracts)s contracts to bill)."
            )
            % {
                "programme": found.slug,
                "month": f"{first:%Y-%m}",
                "created": result.created,
                "contracts": result.contracts,
            }
        )
