from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import Organisation
from core.services import api_token_create


class Command(BaseCommand):
    help = "Make an API bearer token for a user and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="Short name of the organisation the token acts for (default: the user's first).",
        )

    def handle(self, *args: Any, username: str, organisation: str | None, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user “{username}”.")
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"There is no organisation “{organisation}”.")
        try:
            key = api_token_create(user=user, organisation=org)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(key)
