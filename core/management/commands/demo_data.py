"""`python manage.py demo_data`: load the synthetic demo economy and print one login per role."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from core.demo import DEFAULT_HOUSEHOLDS, DEMO_PASSWORD, load
from core.tenancy import COMMAND, channel


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print one login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"How many households to make (default {DEFAULT_HOUSEHOLDS}).",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the server will listen, for the addresses printed (make demo passes "
            "http://HOST:PORT).",
        )

    def handle(self, *args: Any, households: int, base_url: str, **options: Any) -> None:
        base_url = base_url.rstrip("/")
        if households < 0:
            raise CommandError(_("The number of households cannot be negative."))
        try:
            with channel(COMMAND):  # every audit event of the demo says "via command"
                result = load(households=households)
        except ValidationError as exc:  # a bug in the demo data, not in the user's input
            raise CommandError(f"demo data is not valid: {exc}") from exc
        if result.created:
            made = ", ".join(f"{what}: {n}" for what, n in sorted(result.created.items()))
            self.stdout.write(_("Demo data loaded (%(made)s).") % {"made": made})
        else:
            self.stdout.write(_("Demo data was already loaded; nothing changed."))
        self._print_logins(result.logins, result.other_logins)
        self.stdout.write(_("Log in at %(url)s") % {"url": f"{base_url}{reverse('login')}"})
        if result.resident:
            path, pin = result.resident
            self.stdout.write(
                _("Resident page of a demo household: %(path)s (PIN %(pin)s)")
                % {"path": f"{base_url}{path}", "pin": pin}
            )
        self.stdout.write(
            _("Interactive API documentation: %(url)s") % {"url": f"{base_url}/api/v1/docs"}
        )

    def _print_logins(self, logins: list[tuple[str, str, str, str]], others: list[str]) -> None:
        header = (_("Username"), _("Name"), _("Role"), _("Organisation"))
        rows = [header, *logins]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        self.stdout.write("")
        for n, row in enumerate(rows):
            line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write(
            _("Password for every demo login: %(password)s") % {"password": DEMO_PASSWORD}
        )
        if others:
            self.stdout.write(
                _("Intake workers of the other welfare offices: %(usernames)s")
                % {"usernames": ", ".join(others)}
            )
