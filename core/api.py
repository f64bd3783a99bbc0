"""API of the core domain: organisations, memberships, programmes, partners, tariffs.

Handlers stay thin: they look records up through core.tenancy and call core.services.
Shared pieces of the API (the error schema, id and text types, `acting()`) live here so that
every app's api.py can use them without importing wijk.api (which imports the routers).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, cast

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from pydantic import AfterValidator, ConfigDict

from core import ratelimit
from core.access import LEAD, login_only, needs, public
from core.eligibility import RULES
from core.models import (
    ApiToken,
    Country,
    Language,
    Membership,
    Organisation,
    Programme,
    ProgrammePartner,
    Role,
    Run,
    Tariff,
    TimeZone,
)
from core.notifications import inbox, notification_mark_read, notification_text, unread_count
from core.runs import kind_label, run_get
from core.services import (
    organisation_update,
    programme_create,
    programme_partner_add,
    programme_update,
    tariff_create,
)
from core.tenancy import API, Acting, get_scoped, scoped
from core.tokens import api_token_issue, api_token_revoke, api_tokens_of

# --- shared by every app's API ------------------------------------------------------------

# Larger ids cannot exist, and would overflow the database integer instead of giving a 404.
MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL characters; refuse them as bad input rather than fail later.
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
ObjectId = Annotated[int, Field(gt=0, le=MAX_ID)]
OrganisationId = Annotated[int, Path(gt=0, le=MAX_ID)]
ProgrammeId = Annotated[int, Path(gt=0, le=MAX_ID)]


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    """Every error of the API has this shape; `field` is the first field in error, if any."""

    message: str
    field: str | None = None
    errors: list[FieldError] = []


# The error answers every operation can give, for the OpenAPI schema.
ERRORS: dict[int, Any] = {code: ErrorOut for code in (400, 401, 403, 404, 413, 422, 500)}


def acting(request: HttpRequest) -> Acting:
    """The acting user and organisation, set by the bearer-token authentication."""
    return cast(Acting, request.auth)  # type: ignore[attr-defined]


router = Router()


# --- tokens -------------------------------------------------------------------------------


class TokenIn(Schema):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)
    organisation: Text | None = Field(
        None, max_length=60, description="Short name (slug) of the organisation to act for."
    )
    name: Text = Field(
        "", max_length=100, description="What you call it, to tell your tokens apart."
    )


class TokenOut(Schema):
    token: str
    organisation: str
    expires_at: datetime = Field(description="The token works until then; then get a new one.")


class TokenInfoOut(Schema):
    id: int
    name: str
    organisation: str = Field(alias="organisation.slug")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    current: bool = Field(False, description="The token this request was made with.")


class TokenRevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id: ObjectId | None = Field(
        None, description="One of your own tokens (GET /auth/tokens); none: this request's."
    )


def _password_refused() -> HttpError:
    return HttpError(
        429, _("Too many wrong passwords. Wait 15 minutes, or ask your organisation's admin.")
    )


@router.post(
    "/auth/token",
    response={200: TokenOut, **ERRORS, 429: ErrorOut},
    auth=None,
    tags=["auth"],
)
@public
def token_create(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    """Exchange a username and password for a bearer token (shown only once).

    Wrong passwords are limited like on the login page (per user name, and more widely per
    address); a right one is never counted.
    """
    address = ratelimit.client_address(request)
    if ratelimit.password_attempt_blocked(username=payload.username, address=address):
        raise _password_refused()
    user = authenticate(request, username=payload.username, password=payload.password)
    ratelimit.password_attempt_record(
        username=payload.username, address=address, success=user is not None
    )
    if user is None:
        raise AuthenticationError(message=_("Wrong username or password."))
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(slug=payload.organisation).first()
        if organisation is None:
            raise ValidationError(
                {"organisation": _("This user is not a member of that organisation.")}
            )
    issued = api_token_issue(user=user, organisation=organisation, name=payload.name, via=API)
    return {
        "token": issued.key,
        "organisation": issued.token.organisation.slug,
        "expires_at": issued.token.expires_at,
    }


@router.get("/auth/tokens", response={200: list[TokenInfoOut], **ERRORS}, tags=["auth"])
@login_only
def token_list(request: HttpRequest) -> Any:
    """Your own API tokens (never the tokens themselves: they are shown only once)."""
    current = getattr(request, "api_token", None)
    tokens = list(api_tokens_of(user=cast(User, acting(request).user)))
    for token in tokens:
        token.current = current is not None and token.pk == current.pk  # type: ignore[attr-defined]
    return tokens


@router.post("/auth/token/revoke", response={200: TokenInfoOut, **ERRORS}, tags=["auth"])
@login_only
def token_revoke(request: HttpRequest, payload: TokenRevokeIn) -> Any:
    """Revoke one of your own tokens, or the one this request was made with; it answers 401
    from then on."""
    user = cast(User, acting(request).user)
    if payload.id is None:
        token = request.api_token  # type: ignore[attr-defined]
    else:
        # Another user's token id is simply not found.
        token = get_object_or_404(ApiToken, pk=payload.id, user=user)
    return api_token_revoke(user=user, token=token, via=API)


# --- organisations ------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    kind: Organisation.Kind
    country: Country
    language: Language
    time_zone: TimeZone
    email: str
    phone: str
    street: str
    postcode: str
    city: str
    iban: str
    enterprise_number: str
    sepa_creditor_id: str


class OrganisationPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(None, max_length=200)
    language: Language | None = None
    time_zone: TimeZone | None = None
    email: Text | None = Field(None, max_length=254)
    phone: Text | None = Field(None, max_length=40)
    street: Text | None = Field(None, max_length=200)
    postcode: Text | None = Field(None, max_length=10)
    city: Text | None = Field(None, max_length=100)
    iban: Text | None = Field(None, max_length=34)
    enterprise_number: Text | None = Field(None, max_length=20)
    sepa_creditor_id: Text | None = Field(None, max_length=35)


@router.get(
    "/organisations", response={200: list[OrganisationOut], **ERRORS}, tags=["organisations"]
)
@needs("organisation.view")
def organisation_list(request: HttpRequest) -> Any:
    """The organisation you act for (a token acts for exactly one)."""
    acting(request).require("organisation.view")
    return scoped(Organisation, acting(request))


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    tags=["organisations"],
)
@needs("organisation.view")
def organisation_detail(request: HttpRequest, organisation_id: OrganisationId) -> Any:
    acting(request).require("organisation.view")
    return get_scoped(Organisation, acting(request), pk=organisation_id)


@router.patch(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    tags=["organisations"],
)
@needs("organisation.manage")
def organisation_patch(
    request: HttpRequest, organisation_id: OrganisationId, payload: OrganisationPatch
) -> Any:
    organisation = get_scoped(Organisation, acting(request), pk=organisation_id)
    return organisation_update(
        acting=acting(request),
        organisation=organisation,
        fields=payload.model_dump(exclude_unset=True),
    )


# --- memberships --------------------------------------------------------------------------


class MembershipOut(Schema):
    id: int
    organisation_id: int
    username: str = Field(alias="user.username")
    role: Role
    created_at: datetime


@router.get("/memberships", response={200: list[MembershipOut], **ERRORS}, tags=["memberships"])
@needs("membership.view")
def membership_list(request: HttpRequest) -> Any:
    """The members of the organisation you act for, with their roles."""
    acting(request).require("membership.view")
    return scoped(Membership, acting(request)).select_related("user")


# --- programmes ---------------------------------------------------------------------------


def _known_rule(name: str) -> str:
    if name not in RULES:
        raise ValueError(
            _("Unknown rule “%(rule)s”; choose one of: %(rules)s.")
            % {"rule": name, "rules": ", ".join(RULES)}
        )
    return name


class EligibilityRules(Schema):
    """Which facts make a household eligible; see core/eligibility.py."""

    model_config = ConfigDict(extra="forbid")

    any_of: list[Annotated[str, AfterValidator(_known_rule)]] = []
    all_of: list[Annotated[str, AfterValidator(_known_rule)]] = []
    income_limits: dict[Annotated[str, Field(max_length=20)], Decimal] | None = None
    postcodes: list[Annotated[Text, Field(max_length=10)]] | None = None


def _rules(rules: EligibilityRules | None) -> dict[str, Any]:
    return rules.model_dump(mode="json", exclude_defaults=True) if rules is not None else {}


class ProgrammeOut(Schema):
    id: int
    name: str
    slug: str
    kind: Programme.Kind
    lead_organisation_id: int
    description: str
    eligibility_rules: dict[str, Any]
    active: bool


class ProgrammeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(max_length=200)
    slug: Text = Field(max_length=60)
    kind: Programme.Kind
    description: Text = Field("", max_length=10000)
    eligibility_rules: EligibilityRules | None = None


class ProgrammePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(None, max_length=200)
    description: Text | None = Field(None, max_length=10000)
    eligibility_rules: EligibilityRules | None = None
    active: bool | None = None


@router.get("/programmes", response={200: list[ProgrammeOut], **ERRORS}, tags=["programmes"])
@needs("programme.view")
def programme_list(request: HttpRequest) -> Any:
    """Programmes your organisation leads or is a partner of."""
    acting(request).require("programme.view")
    return scoped(Programme, acting(request))


@router.post("/programmes", response={201: ProgrammeOut, **ERRORS}, tags=["programmes"])
@needs("programme.manage")
def programme_post(request: HttpRequest, payload: ProgrammeIn) -> Any:
    """A new programme, led by your organisation."""
    programme = programme_create(
        acting=acting(request),
        name=payload.name,
        slug=payload.slug,
        kind=payload.kind,
        description=payload.description,
        eligibility_rules=_rules(payload.eligibility_rules),
    )
    return Status(201, programme)


@router.get(
    "/programmes/{programme_id}", response={200: ProgrammeOut, **ERRORS}, tags=["programmes"]
)
@needs("programme.view")
def programme_detail(request: HttpRequest, programme_id: ProgrammeId) -> Any:
    acting(request).require("programme.view")
    return get_scoped(Programme, acting(request), pk=programme_id)


@router.patch(
    "/programmes/{programme_id}", response={200: ProgrammeOut, **ERRORS}, tags=["programmes"]
)
@needs("programme.manage", of=LEAD)
def programme_patch(
    request: HttpRequest, programme_id: ProgrammeId, payload: ProgrammePatch
) -> Any:
    programme = get_scoped(Programme, acting(request), pk=programme_id)
    fields = payload.model_dump(exclude_unset=True)
    if "eligibility_rules" in fields:
        fields["eligibility_rules"] = _rules(payload.eligibility_rules)
    return programme_update(acting=acting(request), programme=programme, fields=fields)


class PartnerOut(Schema):
    id: int
    organisation_id: int
    organisation: str = Field(alias="organisation.slug")
    organisation_name: str = Field(alias="organisation.name")
    role: ProgrammePartner.Role


class PartnerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation: Text = Field(max_length=60, description="Short name (slug) of the partner.")
    role: ProgrammePartner.Role


@router.get(
    "/programmes/{programme_id}/partners",
    response={200: list[PartnerOut], **ERRORS},
    tags=["programmes"],
)
@needs("programme.view")
def partner_list(request: HttpRequest, programme_id: ProgrammeId) -> Any:
    acting(request).require("programme.view")
    programme = get_scoped(Programme, acting(request), pk=programme_id)
    return (
        scoped(ProgrammePartner, acting(request))
        .filter(programme=programme)
        .select_related("organisation")
    )


@router.post(
    "/programmes/{programme_id}/partners",
    response={201: PartnerOut, **ERRORS},
    tags=["programmes"],
)
@needs("programme.manage", of=LEAD)
def partner_post(request: HttpRequest, programme_id: ProgrammeId, payload: PartnerIn) -> Any:
    programme = get_scoped(Programme, acting(request), pk=programme_id)
    # A partner is by definition another organisation, which the acting one cannot "see"
    # through scoping; organisations themselves hold no personal data.
    organisation = Organisation.objects.filter(slug=payload.organisation).first()
    if organisation is None:
        raise ValidationError(
            {
                "organisation": _("There is no organisation with short name “%(slug)s”.")
                % {"slug": payload.organisation}
            }
        )
    partner = programme_partner_add(
        acting=acting(request), programme=programme, organisation=organisation, role=payload.role
    )
    return Status(201, partner)


class TariffOut(Schema):
    id: int
    programme_id: int
    valid_from: date
    electricity_standard: Decimal
    electricity_social: Decimal
    water: Decimal
    co2: Decimal


class TariffIn(Schema):
    model_config = ConfigDict(extra="forbid")

    valid_from: date
    electricity_standard: Decimal = Field(description="EUR/kWh")
    electricity_social: Decimal = Field(description="EUR/kWh")
    water: Decimal = Field(description="EUR/m³")
    co2: Decimal = Field(description="kg/kWh")


@router.get(
    "/programmes/{programme_id}/tariffs",
    response={200: list[TariffOut], **ERRORS},
    tags=["programmes"],
)
@needs("programme.view")
def tariff_list(request: HttpRequest, programme_id: ProgrammeId) -> Any:
    acting(request).require("programme.view")
    programme = get_scoped(Programme, acting(request), pk=programme_id)
    return scoped(Tariff, acting(request)).filter(programme=programme)


@router.post(
    "/programmes/{programme_id}/tariffs",
    response={201: TariffOut, **ERRORS},
    tags=["programmes"],
)
@needs("programme.manage", of=LEAD)
def tariff_post(request: HttpRequest, programme_id: ProgrammeId, payload: TariffIn) -> Any:
    programme = get_scoped(Programme, acting(request), pk=programme_id)
    tariff = tariff_create(acting=acting(request), programme=programme, **payload.model_dump())
    return Status(201, tariff)


# --- notifications ------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="What it is about, e.g. rentals.ticket_opened.")
    text: str = Field(description="The text in the request's language (Accept-Language).")
    params: dict[str, str | int]
    url: str = Field(description="The page it concerns, a path on this site (may be empty).")
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(Schema):
    unread: int
    notifications: list[NotificationOut]


class NotificationReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[ObjectId] = Field(default_factory=list, max_length=500)
    all: bool = Field(False, description="Mark every unread notification read.")


class NotificationReadOut(Schema):
    marked: int
    unread: int


def _notification_out(notification: Any) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification_text(notification),
        "params": notification.params,
        "url": notification.url,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get("/notifications", response={200: NotificationsOut, **ERRORS}, tags=["notifications"])
@needs("notification.view")
def notification_list(
    request: HttpRequest,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Your own notifications for the organisation the token acts for, newest first."""
    rows = inbox(acting(request))
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return {
        "unread": unread_count(acting(request)),
        "notifications": [_notification_out(n) for n in rows[:limit]],
    }


@router.post(
    "/notifications/read", response={200: NotificationReadOut, **ERRORS}, tags=["notifications"]
)
@needs("notification.view")
def notification_read(request: HttpRequest, payload: NotificationReadIn) -> Any:
    """Mark some (`ids`) or all (`all`) of your notifications read; others' ids are ignored."""
    marked = notification_mark_read(acting=acting(request), ids=payload.ids, everything=payload.all)
    return {"marked": marked, "unread": unread_count(acting(request))}


# --- background runs (core.runs) ----------------------------------------------------------

RunId = Annotated[int, Path(gt=0, le=MAX_ID)]


class RunProgressOut(Schema):
    done: int
    total: int = Field(description="0 while the total is not known yet.")
    step: str = Field(description="What it is doing now, in the starter's language.")


class RunOut(Schema):
    id: int
    kind: str = Field(description='The registered kind, e.g. "rentals.billing".')
    label: str
    status: Run.Status
    programme_id: int | None
    requested_by: str | None = Field(description="User name; none for the operator.")
    via: Run.Via
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: RunProgressOut
    parameters: dict[str, Any]
    result: dict[str, Any] = Field(description='A summary; "summary" says it in words.')
    result_url: str = Field(description="Where the outcome is seen, when there is a page.")
    error: str = Field(description="Why it failed, in words for a person.")
    url: str = Field(description="The run's page.")


def run_out(run: Run) -> dict[str, Any]:
    """A run as the API shows it (RunOut); other apps' handlers that start a run return it."""
    return {
        "id": run.pk,
        "kind": run.kind,
        "label": kind_label(run.kind),
        "status": run.status,
        "programme_id": run.programme_id,
        "requested_by": run.requested_by.get_username() if run.requested_by else None,
        "via": run.via,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "progress": {"done": run.progress_done, "total": run.progress_total, "step": run.step},
        "parameters": run.parameters,
        "result": run.result,
        "result_url": run.result_url,
        "error": run.error,
        "url": run.get_absolute_url(),
    }


@router.get("/runs/{run_id}", response={200: RunOut, **ERRORS}, tags=["runs"])
@needs("run.view")
def run_detail(request: HttpRequest, run_id: RunId) -> Any:
    """A background run of your organisation: poll it until `status` is done or failed."""
    return run_out(run_get(acting(request), run_id))
