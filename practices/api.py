"""API of the practice exchange, under /api/v1/practices, /api/v1/exchanges and
/api/v1/packages. Handlers stay thin: reads through practices.selectors and core.tenancy,
writes through practices.services, package and feed; figures with small groups suppressed."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import TextChoices
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from pydantic import AfterValidator

from core.access import LEAD, login_only, needs
from core.api import ERRORS, MAX_ID, ObjectId, Text, acting
from core.models import Language, Programme
from core.tenancy import get_scoped, scoped
from practices import feed, package, selectors, services
from practices.models import ExchangeRequest, Practice, Subscription, Theme

router = Router(tags=["practices"])

Id = Annotated[int, Path(gt=0, le=MAX_ID)]


def _one_of(choices: type[TextChoices]) -> Any:
    """A check that the value is a code of the model's choices. The schema gives a plain string
    with the codes in its description (core/tests/test_openapi.py knows only core's enums)."""

    def check(value: str) -> str:
        if value not in choices.values:
            raise ValueError(_("Choose one of: %(codes)s") % {"codes": ", ".join(choices.values)})
        return value

    return AfterValidator(check)


ThemeCode = Annotated[
    str, _one_of(Theme), Field(max_length=40, description=" | ".join(Theme.values))
]
VisibilityCode = Annotated[
    str,
    _one_of(Practice.Visibility),
    Field(max_length=40, description=" | ".join(Practice.Visibility.values)),
]
StatusCode = Annotated[
    str,
    _one_of(Practice.Status),
    Field(max_length=40, description=" | ".join(Practice.Status.values)),
]
ExchangeKindCode = Annotated[
    str,
    _one_of(ExchangeRequest.Kind),
    Field(max_length=40, description=" | ".join(ExchangeRequest.Kind.values)),
]


def _language() -> str:
    code = (get_language() or "nl")[:2]
    return code if code in Language.values else "nl"


class PracticeFigureOut(Schema):
    label: str
    value: Decimal | int | None
    unit: str
    suppressed: bool
    rounded: bool = False  # a count of households or persons, rounded to a multiple of 5


class PracticeSummaryOut(Schema):
    title: str
    summary: str
    organisation: str
    country: str
    themes: list[str]
    programme_kind: str
    languages: list[str]
    updated: datetime | None
    url: str
    remote: bool
    source: str
    missing_translation: bool


class TextIn(Schema):
    language: Language
    title: Text = Field(max_length=200)
    summary: Text = Field(max_length=2000)
    target_group: Text = Field("", max_length=2000)
    problem: Text = Field("", max_length=5000)
    approach: Text = Field("", max_length=8000, description="one step a line")
    partners: Text = Field("", max_length=3000)
    costs: Text = Field("", max_length=3000)
    preconditions: Text = Field("", max_length=3000)
    relevance: Text = Field("", max_length=3000)
    participation: Text = Field("", max_length=3000)
    lessons: Text = Field("", max_length=5000)
    success_factors: Text = Field("", max_length=3000)
    transfer_notes: Text = Field("", max_length=3000)


class TextOut(Schema):
    language: str
    title: str
    summary: str
    target_group: str
    problem: str
    approach: str
    partners: str
    costs: str
    preconditions: str
    relevance: str
    participation: str
    lessons: str
    success_factors: str
    transfer_notes: str


class PracticeIn(Schema):
    text: TextIn
    themes: list[ThemeCode] = Field(default_factory=list, max_length=10)
    visibility: VisibilityCode = Practice.Visibility.PUBLIC.value
    programme_kind: Programme.Kind | None = None
    programme_id: ObjectId | None = None
    contact_name: Text = Field("", max_length=120)
    contact_email: Text = Field("", max_length=254)
    participatory: bool = False
    measured: bool = False
    transferable: bool = False


class PracticePatch(Schema):
    themes: list[ThemeCode] | None = Field(None, max_length=10)
    visibility: VisibilityCode | None = None
    contact_name: Text | None = Field(None, max_length=120)
    contact_email: Text | None = Field(None, max_length=254)
    status: StatusCode | None = None


class ResultIn(Schema):
    label: Text = Field(max_length=200)
    value: Decimal = Field(max_digits=14, decimal_places=2)
    unit: Text = Field("", max_length=30)
    about: int | None = Field(None, ge=0, le=10_000_000)
    source: Text = Field(max_length=300)
    measured_on: date


class PracticeOut(Schema):
    id: int
    slug: str
    organisation: str
    status: str
    visibility: str
    themes: list[str]
    programme_kind: str
    original_language: str
    languages: list[str]
    missing_translation: bool
    text: TextOut | None
    live_figures: list[PracticeFigureOut]
    results: list[PracticeFigureOut]


def _practice_out(practice: Practice) -> dict[str, Any]:
    shown = selectors.text_in(practice, _language())
    return {
        "id": practice.pk,
        "slug": practice.slug,
        "organisation": practice.organisation.name,
        "status": practice.status,
        "visibility": practice.visibility,
        "themes": practice.theme_list,
        "programme_kind": practice.programme_kind,
        "original_language": practice.original_language,
        "languages": shown.available,
        "missing_translation": shown.missing,
        "text": shown.text,
        "live_figures": [f.__dict__ for f in selectors.live_figures(practice)],
        "results": [p.__dict__ for _r, p in selectors.typed_results(practice)],
    }


@router.get("/practices", response={200: list[PracticeSummaryOut], **ERRORS}, summary="The library")
@login_only
def practice_list(
    request: HttpRequest,
    q: str = "",
    theme: ThemeCode | None = None,
    country: str = "",
    kind: Programme.Kind | None = None,
    language: Language | None = None,
) -> Any:
    return [
        item.__dict__
        for item in selectors.library(
            acting(request),
            language=_language(),
            q=q[:100],
            theme=theme or "",
            country=country[:2],
            kind=kind or "",
            in_language=language or "",
        )
    ]


@router.post("/practices", response={201: PracticeOut, **ERRORS}, summary="Describe a practice")
@needs("practice.manage")
def practice_post(request: HttpRequest, payload: PracticeIn) -> Any:
    who = acting(request)
    who.require("practice.manage")
    programme = (
        get_scoped(Programme, who, pk=payload.programme_id) if payload.programme_id else None
    )
    text = payload.text.dict()
    language = text.pop("language")
    practice = services.practice_create(
        acting=who,
        themes=list(payload.themes),
        programme=programme,
        original_language=language,
        visibility=payload.visibility,
        programme_kind=payload.programme_kind or "",
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        participatory=payload.participatory,
        measured=payload.measured,
        transferable=payload.transferable,
        **text,
    )
    return Status(201, _practice_out(practice))


@router.get(
    "/practices/{practice_id}",
    response={200: PracticeOut, **ERRORS},
    summary="One of our practices (others' published practices: the feed and the public page)",
)
@needs("organisation.view")
def practice_detail(request: HttpRequest, practice_id: Id) -> Any:
    who = acting(request)
    who.require("organisation.view")
    return _practice_out(get_scoped(Practice, who, pk=practice_id))


@router.patch(
    "/practices/{practice_id}",
    response={200: PracticeOut, **ERRORS},
    summary="Change or publish a practice",
)
@needs("practice.manage")
def practice_patch(request: HttpRequest, practice_id: Id, payload: PracticePatch) -> Any:
    who = acting(request)
    who.require("practice.manage")
    practice = get_scoped(Practice, who, pk=practice_id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    status = values.pop("status", None)
    themes = values.pop("themes", None)
    practice = services.practice_update(acting=who, practice=practice, themes=themes, **values)
    if status is not None:
        practice = services.practice_publish(
            acting=who, practice=practice, published=status == Practice.Status.PUBLISHED
        )
    return _practice_out(practice)


@router.post(
    "/practices/{practice_id}/texts",
    response={200: PracticeOut, **ERRORS},
    summary="Texts in one language",
)
@needs("practice.manage")
def practice_text(request: HttpRequest, practice_id: Id, payload: TextIn) -> Any:
    who = acting(request)
    who.require("practice.manage")
    practice = get_scoped(Practice, who, pk=practice_id)
    text = payload.dict()
    services.practice_text_set(acting=who, practice=practice, **text)
    return _practice_out(practice)


@router.post(
    "/practices/{practice_id}/results",
    response={201: PracticeOut, **ERRORS},
    summary="Add a measured result",
)
@needs("practice.manage")
def practice_result(request: HttpRequest, practice_id: Id, payload: ResultIn) -> Any:
    who = acting(request)
    who.require("practice.manage")
    practice = get_scoped(Practice, who, pk=practice_id)
    services.practice_result_add(acting=who, practice=practice, **payload.dict())
    return Status(201, _practice_out(practice))


# --- exchanges -----------------------------------------------------------------------------


class MessageOut(Schema):
    organisation: str
    text: str
    created_at: datetime


class ExchangeOut(Schema):
    id: int
    practice_id: int
    practice_organisation: str
    requester: str
    kind: str
    status: str
    proposed_dates: str
    meeting_link: str
    messages: list[MessageOut]


class ExchangeIn(Schema):
    practice_id: ObjectId
    kind: ExchangeKindCode
    message: Text = Field(max_length=5000)
    proposed_dates: Text = Field("", max_length=300)
    meeting_link: Text = Field("", max_length=200)


class ReplyIn(Schema):
    text: Text = Field(max_length=5000)
    close: bool = False


def _exchange_out(thread: ExchangeRequest) -> dict[str, Any]:
    return {
        "id": thread.pk,
        "practice_id": thread.practice_id,
        "practice_organisation": thread.practice.organisation.name,
        "requester": thread.requester.name,
        "kind": thread.kind,
        "status": thread.status,
        "proposed_dates": thread.proposed_dates,
        "meeting_link": thread.meeting_link,
        "messages": [
            {"organisation": m.organisation.name, "text": m.text, "created_at": m.created_at}
            for m in thread.messages.select_related("organisation")
        ],
    }


@router.get(
    "/exchanges", response={200: list[ExchangeOut], **ERRORS}, summary="Our exchange threads"
)
@needs("exchange.view")
def exchange_list(request: HttpRequest) -> Any:
    return [_exchange_out(t) for t in selectors.threads(acting(request))[:200]]


@router.post("/exchanges", response={201: ExchangeOut, **ERRORS}, summary="Ask for an exchange")
@needs("exchange.request")
def exchange_post(request: HttpRequest, payload: ExchangeIn) -> Any:
    who = acting(request)
    who.require("exchange.request")
    practice = selectors.practice_for_reader(who, pk=payload.practice_id)
    thread = services.exchange_request_create(
        acting=who,
        practice=practice,
        kind=payload.kind,
        message=payload.message,
        proposed_dates=payload.proposed_dates,
        meeting_link=payload.meeting_link,
    )
    return Status(201, _exchange_out(thread))


@router.get("/exchanges/{exchange_id}", response={200: ExchangeOut, **ERRORS}, summary="A thread")
@needs("exchange.view")
def exchange_detail(request: HttpRequest, exchange_id: Id) -> Any:
    who = acting(request)
    who.require("exchange.view")
    return _exchange_out(get_scoped(ExchangeRequest, who, pk=exchange_id))


@router.post(
    "/exchanges/{exchange_id}/messages",
    response={201: ExchangeOut, **ERRORS},
    summary="Write in a thread",
)
@needs("exchange.request")
@needs("exchange.answer")
def exchange_message(request: HttpRequest, exchange_id: Id, payload: ReplyIn) -> Any:
    who = acting(request)
    who.require("exchange.view")
    thread = get_scoped(ExchangeRequest, who, pk=exchange_id)
    services.exchange_reply(acting=who, request=thread, text=payload.text, close=payload.close)
    return Status(201, _exchange_out(thread))


# --- packages ------------------------------------------------------------------------------


class ChangeOut(Schema):
    level: str
    text: str


class PreviewOut(Schema):
    changes: list[ChangeOut]
    existing_programme_id: int | None


class PackageIn(Schema):
    package: dict[str, Any]
    name: Text = Field("", max_length=200)


class ImportOut(Schema):
    programme_id: int
    created: bool


@router.get(
    "/packages/programmes/{programme_id}",
    response={200: dict[str, Any], **ERRORS},
    summary="A programme's package (set-up, never personal data)",
)
@needs("package.export", of=LEAD)
def package_get(request: HttpRequest, programme_id: Id) -> Any:
    who = acting(request)
    who.require("package.export")
    programme = get_scoped(Programme, who, pk=programme_id)
    return package.export_package(acting=who, programme=programme)


@router.post(
    "/packages/preview",
    response={200: PreviewOut, **ERRORS},
    summary="What adopting a package would do",
)
@needs("package.import")
def package_preview(request: HttpRequest, payload: PackageIn) -> Any:
    result = package.preview(acting=acting(request), data=payload.package)
    return {
        "changes": [{"level": c.level, "text": str(c.text)} for c in result.changes],
        "existing_programme_id": result.existing.pk if result.existing else None,
    }


@router.post(
    "/packages/import",
    response={200: ImportOut, 201: ImportOut, **ERRORS},
    summary="Adopt a package",
)
@needs("package.import")
def package_post(request: HttpRequest, payload: PackageIn) -> Any:
    programme, created = package.package_import(
        acting=acting(request), data=payload.package, name=payload.name
    )
    return Status(201 if created else 200, {"programme_id": programme.pk, "created": created})


# --- subscriptions -------------------------------------------------------------------------


class SubscriptionIn(Schema):
    url: Text = Field(max_length=500)


class SubscriptionOut(Schema):
    id: int
    url: str
    title: str
    last_pulled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str
    practices: int


def _subscription_out(s: Subscription) -> dict[str, Any]:
    return {
        "id": s.pk,
        "url": s.url,
        "title": s.title,
        "last_pulled_at": s.last_pulled_at,
        "last_ok_at": s.last_ok_at,
        "last_error": s.last_error,
        "practices": s.practices.count(),
    }


@router.get(
    "/feed-subscriptions",
    response={200: list[SubscriptionOut], **ERRORS},
    summary="Feeds we follow",
)
@needs("subscription.manage")
def subscription_list(request: HttpRequest) -> Any:
    who = acting(request)
    who.require("subscription.manage")
    return [_subscription_out(s) for s in scoped(Subscription, who)]


@router.post(
    "/feed-subscriptions", response={201: SubscriptionOut, **ERRORS}, summary="Follow a feed"
)
@needs("subscription.manage")
def subscription_post(request: HttpRequest, payload: SubscriptionIn) -> Any:
    return Status(
        201, _subscription_out(services.subscription_add(acting=acting(request), url=payload.url))
    )


@router.post(
    "/feed-subscriptions/{subscription_id}/pull",
    response={200: SubscriptionOut, **ERRORS},
    summary="Pull a feed now",
)
@needs("subscription.manage")
def subscription_pull(request: HttpRequest, subscription_id: Id) -> Any:
    who = acting(request)
    who.require("subscription.manage")
    subscription = get_scoped(Subscription, who, pk=subscription_id)
    feed.subscription_pull_for(acting=who, subscription=subscription)
    return _subscription_out(subscription)
