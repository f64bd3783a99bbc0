"""Reads of the practice exchange, shared by pages, API and feed: who may read which practice,
the library with its filters (local and remote practices), a practice's texts in a language
with the mark of a missing translation, its live figures (small groups suppressed)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from core.models import Language
from core.tenancy import Acting, scoped
from impact import figures as impact_figures
from impact.pure.suppression import Published, publish
from practices.models import ExchangeRequest, Practice, PracticeText, RemotePractice


def readable(acting: Acting | None) -> "QuerySet[Practice]":
    """Published practices this reader may open: public ones for everyone, members-only ones
    for logged-in organisations; an organisation also reads its own drafts."""
    published = Q(status=Practice.Status.PUBLISHED)
    if acting is None:
        q = published & Q(visibility=Practice.Visibility.PUBLIC)
    else:
        q = published | Q(organisation=acting.organisation)
    return Practice.objects.filter(q).select_related("organisation", "programme")


def practice_for_reader(acting: Acting | None, **lookup: Any) -> Practice:
    try:
        return readable(acting).prefetch_related("texts", "results").get(**lookup)
    except (Practice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class TextIn:
    text: PracticeText | None
    language: str  # the language of `text`
    missing: bool  # the wanted language is missing: the text shown is another one
    available: list[str]


def text_in(practice: Practice, language: str) -> TextIn:
    texts = {t.language: t for t in practice.texts.all()}
    available = [code for code in Language.values if code in texts]
    if language in texts:
        return TextIn(texts[language], language, False, available)
    fallback = practice.original_language if practice.original_language in texts else None
    fallback = fallback or (available[0] if available else None)
    return TextIn(texts.get(fallback) if fallback else None, fallback or "", True, available)


def live_figures(practice: Practice) -> list[Published]:
    """The bound programme's figures as they may leave the organisation."""
    if practice.programme is None:
        return []
    return impact_figures.published_figures(practice.programme)


def typed_results(practice: Practice) -> list[tuple[Any, Published]]:
    return [
        (r, publish(str(r.pk), r.label, r.value, r.unit, r.about if r.about is not None else 5))
        # A typed-in result without a base is taken as the organisation's own word about a
        # group it judged big enough; one with a base under 5 is suppressed.
        for r in practice.results.all()
    ]


@dataclass(frozen=True)
class LibraryItem:
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
    source: str = ""
    missing_translation: bool = False


def library(
    acting: Acting | None,
    *,
    language: str,
    q: str = "",
    theme: str = "",
    country: str = "",
    kind: str = "",
    in_language: str = "",
) -> list[LibraryItem]:
    """The practices a reader finds in the library, local ones first, then remote ones."""
    from django.urls import reverse

    local = readable(acting).filter(status=Practice.Status.PUBLISHED).prefetch_related("texts")
    if theme:
        local = local.filter(themes__contains=f",{theme},")
    if country:
        local = local.filter(organisation__country=country)
    if kind:
        local = local.filter(programme_kind=kind)
    if in_language:
        local = local.filter(texts__language=in_language)
    if q:
        local = local.filter(
            Q(texts__title__icontains=q)
            | Q(texts__summary__icontains=q)
            | Q(organisation__name__icontains=q)
        )
    items = []
    for practice in local.distinct()[:200]:
        shown = text_in(practice, language)
        if shown.text is None:
            continue
        items.append(
            LibraryItem(
                title=shown.text.title,
                summary=shown.text.summary,
                organisation=practice.organisation.name,
                country=practice.organisation.country,
                themes=practice.theme_labels(),
                programme_kind=practice.get_programme_kind_display(),
                languages=shown.available,
                updated=practice.updated_at,
                url=reverse("practices:public", args=[practice.pk]),
                remote=False,
                missing_translation=shown.missing,
            )
        )
    # Remote practices are in the library of the organisations that follow their feed.
    remote = (
        scoped(RemotePractice, acting).select_related("subscription")
        if acting is not None
        else RemotePractice.objects.none()
    )
    if theme:
        remote = remote.filter(themes__contains=f",{theme},")
    if country:
        remote = remote.filter(country=country)
    if kind:
        remote = remote.filter(programme_kind=kind)
    if in_language:
        remote = remote.filter(languages__contains=f",{in_language},")
    if q:
        remote = remote.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(organisation_name__icontains=q)
        )
    seen: set[str] = set()
    for item in remote[:200]:
        if item.url in seen:  # several organisations follow the same feed
            continue
        seen.add(item.url)
        items.append(
            LibraryItem(
                title=item.title,
                summary=item.summary,
                organisation=item.organisation_name,
                country=item.country,
                themes=item.theme_labels(),
                programme_kind=item.programme_kind,
                languages=[c for c in item.languages.split(",") if c],
                updated=item.remote_updated,
                url=reverse("practices:remote", args=[item.pk]),
                remote=True,
                source=item.subscription.title or item.subscription.url,
            )
        )
    return items


def threads(acting: Acting) -> "QuerySet[ExchangeRequest]":
    acting.require("exchange.view")
    return scoped(ExchangeRequest, acting).select_related("practice__organisation", "requester")


def own_practices(acting: Acting) -> "QuerySet[Practice]":
    acting.require("practice.manage")
    return scoped(Practice, acting).prefetch_related("texts")
