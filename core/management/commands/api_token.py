from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.models import ApiToken, Organisation
from core.tenancy import COMMAND, channel
from core.tokens import api_token_issue, api_token_revoke


class Command(BaseCommand):
    help = (
        "Make an API bearer token for a user and print it (it is shown only once), "
        "or with --revoke revoke every working token of the user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="Short name of the organisation the token acts for (default: the user's first).",
        )
        parser.add_argument(
            "--days",
            type=int,
            help="Days the token works (default: WIJK_API_TOKEN_DAYS, 90).",
        )
        parser.add_argument(
            "--name", default="", help="What the token is for, shown in the list of tokens."
        )
        parser.add_argument(
            "--revoke",
            action="store_true",
            help="Revoke the user's working tokens (of --organisation only, if given).",
        )

    def handle(
        self,
        *args: Any,
        username: str,
        organisation: str | None,
        days: int | None,
        revoke: bool,
        name: str = "",
        **options: Any,
    ) -> None:
        with channel(COMMAND):  # the audit log says "via command"
            self._handle(username, organisation, days, revoke, name)

    def _handle(
        self, username: str, organisation: str | None, days: int | None, revoke: bool, name: str
    ) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user “{username}”.")
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"There is no organisation “{organisation}”.")
        if revoke:
            tokens = ApiToken.objects.filter(
                user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
            )
            if org is not None:
                tokens = tokens.filter(organisation=org)
            count = 0
            for token in tokens:
                api_token_revoke(user=user, token=token)
                count += 1
            self.stdout.write(f"Revoked {count} token(s) of {username}.")
            return
        try:
            issued = api_token_issue(user=user, organisation=org, days=days, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(issued.key)
        until = timezone.localtime(issued.token.expires_at)
        self.stderr.write(f"Works until {until:%Y-%m-%d %H:%M}.")
