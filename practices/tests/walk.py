"""The practice exchange's share of the route walk (core/tests/walk.py).

World: the lead publishes one practice (bound to `rental`) and keeps one draft (the record
of every `<practice_pk>` route: a stranger must not find it, also on the public page); ocmw
asked the published one for a visit (the thread); the lead follows a feed on a loopback
address (pulling it is refused without a request: no setting allows private addresses) and
has one remote practice from it."""

import json
from datetime import date
from typing import Any

from core.tests.walk import WalkPart
from practices import package, services
from practices.models import RemotePractice, Subscription

DRAFT_TITLE = "Ontwerp: stille huurregeling Brugge"
THREAD_TEXT = "Vertrouwelijk: onze begroting voor 2027"
REMOTE_TITLE = "Gevolgde praktijk van de leider"


def world(cls: Any) -> dict[str, Any]:
    cora = cls.acting_of(cls.cora)
    published = services.practice_create(
        acting=cora,
        themes=["energy_poverty"],
        programme=cls.rental,
        title="Toestellen huren in West-Vlaanderen",
        summary="Een zuinig toestel voor een klein bedrag.",
        contact_email="praktijk@example.org",
    )
    services.practice_publish(acting=cora, practice=published)
    draft = services.practice_create(
        acting=cora, themes=["work"], title=DRAFT_TITLE, summary="Nog niet klaar."
    )
    thread = services.exchange_request_create(
        acting=cls.acting_of(cls.ada), practice=published, kind="visit", message=THREAD_TEXT
    )
    subscription = Subscription.objects.create(
        organisation=cls.lead, url="http://127.0.0.1:9/practices/feed.json"
    )
    remote = RemotePractice.objects.create(
        subscription=subscription,
        remote_id="https://elders.example/p/1/",
        url="https://elders.example/p/1/",
        title=REMOTE_TITLE,
    )
    cls.walk_published_practice = published
    return {
        "practice": draft,
        "exchange": thread,
        "subscription": subscription,
        "remote_practice": remote,
    }


def _package(t: Any) -> dict[str, Any]:
    # The programme's name is one of the walk's secrets; the stranger adopts it renamed.
    return {**package.build_package(t.rental), "name": "Overgenomen programma"}


PAGE_REQUESTS: dict[str, dict[str, Any]] = {
    "practices:library": {"GET": None},
    "practices:feed": {"GET": None},
    "practices:new": {
        "GET": None,
        "POST": {
            "original_language": "nl",
            "visibility": "public",
            "themes": ["work"],
            "title": "Nieuwe praktijk",
            "summary": "Kort verhaal.",
        },
    },
    "practices:edit": {
        "GET": None,
        "POST": {"original_language": "nl", "visibility": "members", "themes": ["energy"]},
    },
    "practices:text": {
        "GET": None,
        "POST": {"language": "fr", "title": "Nouvelle pratique", "summary": "En bref."},
    },
    "practices:publish": {"POST": {"publish": "1"}},
    "practices:result_add": {
        "POST": {
            "label": "Gezinnen",
            "value": "12",
            "unit": "households",
            "about": "12",
            "source": "Jaarverslag",
            "measured_on": "2025-12-31",
        }
    },
    "practices:exchange_new": {
        "GET": None,
        "POST": lambda t: {
            "practice": t.walk_published_practice.pk,
            "kind": "conversation",
            "message": "Mogen we bellen?",
        },
    },
    "practices:exchange": {"GET": None, "POST": {"text": "Graag, volgende week."}},
    "practices:adopt": {"GET": None, "POST": lambda t: {"package": json.dumps(_package(t))}},
    "practices:subscriptions": {
        "GET": None,
        "POST": {"url": "https://feeds.example.org/practices/feed.json"},
    },
    "practices:subscription_pull": {"POST": {}},
    "practices:subscription_delete": {"POST": {}},
}

TEXT = {"language": "fr", "title": "Pratique", "summary": "En bref."}

API_BODIES: dict[str, Any] = {
    "POST /practices": {"text": {**TEXT, "language": "nl"}, "themes": ["work"]},
    "PATCH /practices/{practice_id}": {"visibility": "members"},
    "POST /practices/{practice_id}/texts": TEXT,
    "POST /practices/{practice_id}/results": {
        "label": "Gezinnen",
        "value": "12",
        "unit": "households",
        "about": 12,
        "source": "Jaarverslag",
        "measured_on": date(2025, 12, 31).isoformat(),
    },
    "POST /exchanges": lambda t: {
        "practice_id": t.walk_published_practice.pk,
        "kind": "visit",
        "message": "Mogen we komen kijken?",
    },
    "POST /exchanges/{exchange_id}/messages": {"text": "Graag."},
    "POST /packages/preview": lambda t: {"package": _package(t)},
    "POST /packages/import": lambda t: {"package": _package(t), "name": "Overgenomen"},
    "POST /feed-subscriptions": {"url": "https://feeds.example.org/practices/feed.json"},
    "POST /feed-subscriptions/{subscription_id}/pull": {},
}


def secrets(case: Any) -> tuple[str, ...]:
    return (DRAFT_TITLE, THREAD_TEXT, REMOTE_TITLE)


PART = WalkPart(world=world, page_requests=PAGE_REQUESTS, api_bodies=API_BODIES, secrets=secrets)
