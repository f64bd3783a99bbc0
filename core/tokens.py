"""API bearer tokens: made for one user in one organisation, with an end, and revocable.

A token works until `expires_at` (WIJK_API_TOKEN_DAYS after it was made, unless the
command chose another lifetime) or until its user revokes it. A refused token says why
(TokenRefused.message), so an API client can tell "make a new token" from "wrong token".

The account page (/account/tokens/), the API (POST /auth/token, GET /auth/tokens, POST
/auth/token/revoke) and `manage.py api_token` all go through `api_token_issue`,
`api_tokens_of` and `api_token_revoke`; making and revoking a token is audited with the
channel it came through.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import ApiToken, AuditEvent, Membership, Organisation
from core.services import audit_record
from core.tenancy import API, Acting, acting_for, current_channel

MAX_DAYS = 3660
NAME_LENGTH = 100


class TokenRefused(Exception):
    """Why a bearer token was not accepted; `message` is answered to the client."""

    message: str | Promise = gettext_lazy(
        "Give a valid API token in the header “Authorization: Bearer <token>”; "
        "get one with POST /api/v1/auth/token."
    )

    def __str__(self) -> str:
        return str(self.message)


class TokenExpired(TokenRefused):
    message = gettext_lazy(
        "This API token has expired. Get a new one with POST /api/v1/auth/token."
    )


class TokenRevoked(TokenRefused):
    message = gettext_lazy(
        "This API token was revoked. Get a new one with POST /api/v1/auth/token."
    )


@dataclass(frozen=True)
class IssuedToken:
    key: str  # shown once; only its hash is stored
    token: ApiToken


def _audit(token: ApiToken, what: str, via: str | None) -> None:
    """The log line of a token made or revoked, by its user for its organisation."""
    acting = Acting(user=token.user, organisation=token.organisation, via=via or current_channel())
    action = AuditEvent.Action.CREATE if what == "made" else AuditEvent.Action.CHANGE
    audit_record(acting=acting, action=action, subject=f"API token {token.pk} {what}")


@transaction.atomic
def api_token_issue(
    *,
    user: User,
    organisation: Organisation | None = None,
    days: int | None = None,
    name: str = "",
    via: str | None = None,
    audited: bool = True,
) -> IssuedToken:
    """Make a bearer token for the user acting for one of their organisations; `via` is the
    channel it was asked through (default: the context's, core.tenancy.channel). Audited,
    except for `api_token_create`, the tests' and scripts' shortcut."""
    if days is None:
        days = settings.WIJK_API_TOKEN_DAYS
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("Choose between 1 and %(max)d days.") % {"max": MAX_DAYS}})
    name = (name or "").strip()
    if len(name) > NAME_LENGTH:
        raise ValidationError(
            {"name": _("Keep the name under %(max)d characters.") % {"max": NAME_LENGTH}}
        )
    memberships = Membership.objects.filter(user=user)
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    membership = memberships.select_related("organisation").order_by("organisation__name").first()
    if membership is None:
        raise ValidationError(
            {"organisation": _("This user is not a member of that organisation.")}
        )
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        organisation=membership.organisation,
        key_hash=ApiToken.hash(key),
        name=name,
        expires_at=timezone.now() + timedelta(days=days),
    )
    if audited:
        _audit(token, "made", via)
    return IssuedToken(key=key, token=token)


def api_tokens_of(*, user: User) -> "QuerySet[ApiToken]":
    """The user's own tokens, newest first (never the keys: only their hashes are kept)."""
    return (
        ApiToken.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


def api_token_create(*, user: User, organisation: Organisation | None = None) -> str:
    """A new token with the default lifetime; returns the key itself (shown once). For tests
    and scripts: not audited (people make tokens on the page, through the API or the
    command, all audited)."""
    return api_token_issue(user=user, organisation=organisation, audited=False).key


def api_token_check(key: str, *, now: datetime | None = None) -> tuple[Acting, ApiToken]:
    """The acting user and organisation of a bearer token, or TokenRefused saying why."""
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), user__is_active=True)
        .first()
    )
    if token is None:
        raise TokenRefused
    if token.revoked_at is not None:
        raise TokenRevoked
    if token.expires_at <= now:
        raise TokenExpired
    acting = acting_for(token.user, token.organisation_id, via=API)
    if acting is None or acting.organisation.pk != token.organisation_id:
        raise TokenRefused  # the membership was removed after the token was made
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return acting, token


def api_token_authenticate(key: str) -> Acting | None:
    """The acting identity of a working token, else None."""
    try:
        return api_token_check(key)[0]
    except TokenRefused:
        return None


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken, via: str | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (revoking twice keeps the first moment)."""
    if token.user_id != user.pk:
        raise PermissionDenied(_("You can revoke only your own API tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _audit(token, "revoked", via)
    return token
