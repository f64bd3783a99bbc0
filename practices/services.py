"""Writes of the practice exchange: practice sheets, their texts and results, publishing,
exchange requests and their threads (with e-mail to the other side), feed subscriptions.
Keyword-only, typed, atomic; each checks the permission and the organisation's relation."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.models import Language, Programme
from core.permissions import is_lead
from core.tenancy import Acting
from practices.models import (
    ExchangeMessage,
    ExchangeRequest,
    Practice,
    PracticeResult,
    PracticeText,
    Subscription,
    Theme,
)

TEXT_FIELDS = (
    "title",
    "summary",
    "target_group",
    "problem",
    "approach",
    "partners",
    "costs",
    "preconditions",
    "relevance",
    "participation",
    "lessons",
    "success_factors",
    "transfer_notes",
)
SHEET_FIELDS = (
    "visibility",
    "programme_kind",
    "contact_name",
    "contact_email",
    "participatory",
    "measured",
    "transferable",
    "original_language",
)


def _own(acting: Acting, practice: Practice) -> None:
    acting.require("practice.manage")
    if practice.organisation_id != acting.organisation.pk:
        raise PermissionDenied(_("Only the organisation that owns the practice changes it."))


def _themes(themes: list[str]) -> str:
    unknown = [t for t in themes if t not in Theme.values]
    if unknown:
        raise ValidationError({"themes": _("Unknown theme: %(t)s") % {"t": ", ".join(unknown)}})
    ordered = [t for t in Theme.values if t in themes]
    return "," + ",".join(ordered) + "," if ordered else ""


def _programme(acting: Acting, programme: Programme | None) -> Programme | None:
    if programme is not None and not is_lead(acting, programme):
        raise ValidationError(
            {"programme": _("Live figures come only from a programme your organisation leads.")}
        )
    return programme


def _clean_text(values: dict[str, Any]) -> dict[str, str]:
    texts = {k: str(values.get(k) or "").strip() for k in TEXT_FIELDS}
    if not texts["title"]:
        raise ValidationError({"title": _("Give the practice a title.")})
    if not texts["summary"]:
        raise ValidationError({"summary": _("Write a short summary.")})
    return texts


@transaction.atomic
def practice_create(
    *,
    acting: Acting,
    themes: list[str],
    programme: Programme | None = None,
    slug: str = "",
    **values: Any,
) -> Practice:
    """A new draft practice sheet, with its texts in the language it is written in."""
    acting.require("practice.manage")
    texts = _clean_text(values)
    sheet = {k: values[k] for k in SHEET_FIELDS if k in values}
    if sheet.get("original_language", Language.NL) not in Language.values:
        raise ValidationError({"original_language": _("Choose Dutch, French or English.")})
    base = slugify(slug or texts["title"])[:70] or "practice"
    candidate, n = base, 1
    while Practice.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    practice = Practice.objects.create(
        organisation=acting.organisation,
        slug=candidate,
        themes=_themes(themes),
        programme=_programme(acting, programme),
        **sheet,
    )
    PracticeText.objects.create(practice=practice, language=practice.original_language, **texts)
    return practice


@transaction.atomic
def practice_update(
    *, acting: Acting, practice: Practice, themes: list[str] | None = None, **values: Any
) -> Practice:
    """Change the sheet (not its texts: practice_text_set)."""
    _own(acting, practice)
    for key in SHEET_FIELDS:
        if key in values:
            setattr(practice, key, values[key])
    if "programme" in values:
        practice.programme = _programme(acting, values["programme"])
    if themes is not None:
        practice.themes = _themes(themes)
    practice.updated_at = timezone.now()
    practice.full_clean(exclude=["organisation", "programme", "slug"])
    practice.save()
    return practice


@transaction.atomic
def practice_text_set(
    *, acting: Acting, practice: Practice, language: str, **values: Any
) -> PracticeText:
    """The sheet's texts in one language (a translation, or a change of the original)."""
    _own(acting, practice)
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Dutch, French or English.")})
    texts = _clean_text(values)
    text, _created = PracticeText.objects.update_or_create(
        practice=practice, language=language, defaults={**texts, "updated_at": timezone.now()}
    )
    practice.updated_at = timezone.now()
    practice.save(update_fields=["updated_at"])
    return text


@transaction.atomic
def practice_publish(*, acting: Acting, practice: Practice, published: bool = True) -> Practice:
    _own(acting, practice)
    if published:
        practice.status = Practice.Status.PUBLISHED
        practice.published_at = practice.published_at or timezone.now()
    else:
        practice.status = Practice.Status.DRAFT
    practice.updated_at = timezone.now()
    practice.save(update_fields=["status", "published_at", "updated_at"])
    return practice


@transaction.atomic
def practice_result_add(
    *,
    acting: Acting,
    practice: Practice,
    label: str,
    value: Decimal,
    unit: str,
    source: str,
    measured_on: date,
    about: int | None = None,
) -> PracticeResult:
    """A result typed in, with its source and date."""
    _own(acting, practice)
    today = timezone.localdate()
    if measured_on > today or measured_on.year < 1990:
        raise ValidationError({"measured_on": _("Give the date the result was measured.")})
    if not label.strip() or not source.strip():
        raise ValidationError(
            {"source": _("Say what was measured and where the figure comes from.")}
        )
    result = PracticeResult(
        practice=practice,
        label=label.strip(),
        value=value,
        unit=unit.strip(),
        source=source.strip(),
        measured_on=measured_on,
        about=about,
    )
    result.full_clean(exclude=["practice"])
    result.save()
    return result


# --- exchange requests ---------------------------------------------------------------------


def _notify(request: ExchangeRequest, to_owner: bool, text: str) -> None:
    """An e-mail to the other side of the thread (Django's mail backend)."""
    practice = request.practice
    if to_owner:
        recipient = practice.contact_email or practice.organisation.email
        language = practice.organisation.language
    else:
        recipient = request.requester.email
        language = request.requester.language
    if not recipient:
        return
    with override(language):
        title = practice_title(practice, language)
        subject = _("Practice exchange: %(title)s") % {"title": title}
        body = _(
            "%(organisation)s wrote about the practice “%(title)s”:\n\n%(text)s\n\n"
            "Open the thread in Wijk to answer."
        ) % {
            "organisation": (request.requester if to_owner else practice.organisation).name,
            "title": title,
            "text": text,
        }
    # After the commit, and a mail server that is down loses no message: the thread is in Wijk.
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient], fail_silently=True))


def practice_title(practice: Practice, language: str) -> str:
    texts = {t.language: t for t in practice.texts.all()}
    text = (
        texts.get(language)
        or texts.get(practice.original_language)
        or next(iter(texts.values()), None)
    )
    return text.title if text else practice.slug


@transaction.atomic
def exchange_request_create(
    *,
    acting: Acting,
    practice: Practice,
    kind: str,
    message: str,
    proposed_dates: str = "",
    meeting_link: str = "",
) -> ExchangeRequest:
    """Ask the practice's owner for a conversation, a visit or documents."""
    acting.require("exchange.request")
    if practice.status != Practice.Status.PUBLISHED:
        raise ValidationError(_("This practice is not published."))
    if practice.organisation_id == acting.organisation.pk:
        raise ValidationError(_("This is your own organisation's practice."))
    if kind not in ExchangeRequest.Kind.values:
        raise ValidationError({"kind": _("Choose a conversation, a visit or documents.")})
    if not message.strip():
        raise ValidationError({"message": _("Write a message to the organisation.")})
    request = ExchangeRequest(
        practice=practice,
        requester=acting.organisation,
        requested_by_id=acting.user_id,
        kind=kind,
        proposed_dates=proposed_dates.strip(),
        meeting_link=meeting_link.strip(),
    )
    request.full_clean(exclude=["practice", "requester", "requested_by"])
    request.save()
    ExchangeMessage.objects.create(
        request=request,
        organisation=acting.organisation,
        author_id=acting.user_id,
        text=message.strip(),
    )
    _notify(request, to_owner=True, text=message.strip())
    return request


@transaction.atomic
def exchange_reply(
    *, acting: Acting, request: ExchangeRequest, text: str, close: bool = False
) -> ExchangeMessage:
    """A message in the thread, from either side; the owner's first answer marks it answered."""
    owner = request.practice.organisation_id == acting.organisation.pk
    if owner:
        acting.require("exchange.answer")
    elif request.requester_id == acting.organisation.pk:
        acting.require("exchange.request")
    else:
        raise PermissionDenied(_("Only the two organisations of the thread write in it."))
    if request.status == ExchangeRequest.Status.CLOSED:
        raise ValidationError(_("This exchange is closed."))
    if not text.strip():
        raise ValidationError({"text": _("Write a message.")})
    message = ExchangeMessage.objects.create(
        request=request,
        organisation=acting.organisation,
        author_id=acting.user_id,
        text=text.strip(),
    )
    if close:
        request.status = ExchangeRequest.Status.CLOSED
    elif owner:
        request.status = ExchangeRequest.Status.ANSWERED
    request.save(update_fields=["status"])
    _notify(request, to_owner=not owner, text=text.strip())
    return message


# --- subscriptions -------------------------------------------------------------------------


def subscription_add(*, acting: Acting, url: str) -> Subscription:
    acting.require("subscription.manage")
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise ValidationError({"url": _("Give the feed's web address (http:// or https://).")})
    try:
        with transaction.atomic():
            return Subscription.objects.create(organisation=acting.organisation, url=url)
    except IntegrityError as exc:
        raise ValidationError({"url": _("Your organisation follows this feed already.")}) from exc


def subscription_remove(*, acting: Acting, subscription: Subscription) -> None:
    acting.require("subscription.manage")
    if subscription.organisation_id != acting.organisation.pk:
        raise PermissionDenied
    subscription.delete()
