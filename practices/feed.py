"""The feed between installations: JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with a
`_wijk` extension (docs/practices.md, "The feed"), and pulling other installations' feeds.

Why JSON Feed and not Atom: the live figures and the package address are structured data;
JSON Feed's extension objects (keys starting with "_") carry them without a namespace dance,
and a reader that does not know `_wijk` still sees title, summary, text and date.

Pulling is hostile-input handling first: a byte cap while streaming, timeouts, every
connection (the first and each redirect's) made to the very addresses that were resolved once
and checked against private and loopback ranges (unless WIJK_FEED_PRIVATE_ALLOWED lists the
host), so DNS rebinding gets nowhere; JSON checked for types field by field, every text
sanitised with nh3. A feed
that fails is refused whole with a clear message on the subscription; the practices it gave
before stay in the library.
"""

import hashlib
import http.client
import ipaddress
import json
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from decimal import Decimal
from typing import Any

import nh3
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.models import Language, Programme
from practices import selectors
from practices.models import RemotePractice, Subscription, Theme
from practices.pure import guard

VERSION = "https://jsonfeed.org/version/1.1"
WIJK_EXTENSION = 1
MAX_ITEMS = 500


class FeedRefused(Exception):
    """A feed that is refused whole; the message is for people (translated)."""


def _absolute(base: str, path: str) -> str:
    return urllib.parse.urljoin(base, path)


def build(base_url: str) -> dict[str, Any]:
    """This installation's public, published practices as a JSON Feed."""
    items = []
    practices = (
        selectors.readable(None)
        .prefetch_related("texts", "results")
        .order_by("-updated_at", "pk")[:MAX_ITEMS]
    )
    for practice in practices:
        shown = selectors.text_in(practice, practice.original_language)
        if shown.text is None:
            continue
        text = shown.text
        figures = [f.__dict__ for f in selectors.live_figures(practice)]
        results = [
            {
                "label": p.label,
                "value": p.value,
                "unit": p.unit,
                "suppressed": p.suppressed,
                "source": r.source,
                "measured_on": r.measured_on.isoformat(),
            }
            for r, p in selectors.typed_results(practice)
        ]
        url = _absolute(base_url, reverse("practices:public", args=[practice.pk]))
        item: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": text.title,
            "summary": text.summary,
            "content_text": "\n\n".join(
                part for part in (text.problem, text.approach, text.lessons) if part
            ),
            "date_published": practice.published_at.isoformat() if practice.published_at else None,
            "date_modified": practice.updated_at.isoformat(),
            "language": shown.language,
            "tags": practice.theme_list,
            "authors": [{"name": practice.organisation.name}],
            "_wijk": {
                "version": WIJK_EXTENSION,
                "organisation": practice.organisation.name,
                "country": practice.organisation.country,
                "themes": practice.theme_list,
                "programme_kind": practice.programme_kind,
                "languages": shown.available,
                "figures": [
                    {**f, "value": None if f["value"] is None else str(f["value"])} for f in figures
                ],
                "results": [
                    {**r, "value": None if r["value"] is None else str(r["value"])} for r in results
                ],
                "package_url": (
                    _absolute(base_url, reverse("practices:package", args=[practice.pk]))
                    if practice.programme_id
                    else None
                ),
            },
        }
        items.append(item)
    return {
        "version": VERSION,
        "title": _("Practices on Wijk"),
        "home_page_url": _absolute(base_url, reverse("practices:library")),
        "feed_url": _absolute(base_url, reverse("practices:feed")),
        "language": settings.LANGUAGE_CODE,
        "items": items,
    }


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# --- pulling -------------------------------------------------------------------------------


def _private_allowed(host: str, port: int | None) -> bool:
    allowed = settings.WIJK_FEED_PRIVATE_ALLOWED
    return "*" in allowed or f"{host}:{port}" in allowed or host in allowed


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) with a host. Its addresses are checked when the
    connection is made (resolve_checked), on the very addresses connected to."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedRefused(_("The feed's address must start with http:// or https://."))


def _refused_private(host: str) -> FeedRefused:
    return FeedRefused(
        _(
            "The feed leads to a private or local address (%(host)s); this installation "
            "does not allow that."
        )
        % {"host": host}
    )


def _is_global(address: str) -> bool:
    return ipaddress.ip_address(str(address).split("%")[0]).is_global


def resolve_checked(host: str, port: int) -> list[tuple[Any, ...]]:
    """The host's addresses, resolved once; FeedRefused when any of them is private, loopback
    or link-local (unless the installation allows the host). The caller connects to exactly
    these addresses, so a DNS answer that changes after the check (DNS rebinding) is never
    used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FeedRefused(_("The feed's host %(host)s is not known.") % {"host": host}) from exc
    if not infos:
        raise FeedRefused(_("The feed's host %(host)s is not known.") % {"host": host})
    if not _private_allowed(host, port) and not all(_is_global(str(i[4][0])) for i in infos):
        raise _refused_private(host)
    return list(infos)


_DEFAULT_TIMEOUT: Any = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


def _pinned_connection(
    address: tuple[str, int], timeout: Any = _DEFAULT_TIMEOUT, source: Any = None
) -> socket.socket:
    """socket.create_connection, but to the addresses resolve_checked let through, and with the
    connected peer checked once more. http.client keeps the host name for the Host header
    and, for HTTPS, for SNI and the certificate check."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve_checked(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not _DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source:
                sock.bind(source)
            sock.connect(sockaddr)
            peer = sock.getpeername()[0]
            if peer != sockaddr[0] or (not _private_allowed(host, port) and not _is_global(peer)):
                raise _refused_private(host)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
        except FeedRefused:
            sock.close()
            raise
    raise error or OSError(f"no address for {host}")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_connection


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_connection


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        return self.do_open(_PinnedHTTPConnection, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        super().__init__(context=context)
        self.pinned_context = context  # None: http.client's default, verifying certificates

    def https_open(self, req: Any) -> Any:
        return self.do_open(_PinnedHTTPSConnection, req, context=self.pinned_context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Each hop must be http(s); its host is checked when its connection is made."""

    max_redirections = 3

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # No proxy from the environment: the connection must go to the checked address itself.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _PinnedHTTPHandler(),
        _PinnedHTTPSHandler(),
        _CheckedRedirects(),
    )


def fetch(url: str, etag: str = "") -> tuple[int, bytes, str]:
    """(status, body, etag): 304 with an empty body when the feed did not change."""
    check_url(url)
    opener = _opener()
    request = urllib.request.Request(  # noqa: S310  # the scheme is checked above  # nosec
        url,
        headers={
            "Accept": "application/feed+json, application/json",
            "User-Agent": "Wijk feed reader",
        },
    )
    if etag:
        request.add_header("If-None-Match", etag)
    cap = settings.WIJK_FEED_MAX_BYTES
    try:
        with opener.open(request, timeout=settings.WIJK_FEED_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > cap:
                raise FeedRefused(_("The feed is larger than this installation accepts."))
            chunks, size = [], 0
            while True:
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise FeedRefused(_("The feed is larger than this installation accepts."))
                chunks.append(chunk)
            return response.status, b"".join(chunks), response.headers.get("ETag", "")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", etag
        raise FeedRefused(_("The feed answered with error %(code)s.") % {"code": exc.code}) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, FeedRefused):
            raise reason from exc
        raise FeedRefused(
            _("The feed could not be reached (%(reason)s).") % {"reason": reason}
        ) from exc


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FeedRefused(_("The feed has a text field that is not text."))
    # No markup survives: remote text is shown as text.
    return nh3.clean(value, tags=set(), attributes={})[:limit]


def _url(value: Any) -> str:
    if value in (None, ""):
        return ""
    if (
        not isinstance(value, str)
        or not value.startswith(("http://", "https://"))
        or len(value) > 500
    ):
        raise FeedRefused(_("The feed has an address that is not a web address."))
    return value


def _codes(value: Any, allowed: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FeedRefused(_("The feed has a list of the wrong type."))
    return [v for v in value if v in allowed]


def _figure(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FeedRefused(_("The feed has a figure of the wrong type."))
    number = value.get("value")
    suppressed = value.get("suppressed") is True or number is None
    parsed: str | None = None
    if not suppressed:
        try:
            amount = Decimal(str(number))
        except ArithmeticError as exc:
            raise FeedRefused(_("The feed has a figure that is not a number.")) from exc
        if isinstance(number, bool) or not amount.is_finite():
            raise FeedRefused(_("The feed has a figure that is not a number."))
        parsed = str(amount)
    return {
        "label": _text(value.get("label"), 200),
        "value": parsed,
        "unit": _text(value.get("unit"), 30),
        "suppressed": suppressed,
    }


def parse_items(body: bytes) -> list[dict[str, Any]]:
    """The feed's items as the fields of RemotePractice; FeedRefused for anything off."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedRefused(_("The feed is not valid JSON.")) from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/1"
    ):
        raise FeedRefused(_("This is not a JSON Feed."))
    items = data.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise FeedRefused(_("The feed's items are missing or too many."))
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise FeedRefused(_("The feed has an item of the wrong type."))
        wijk = item.get("_wijk") or {}
        if not isinstance(wijk, dict):
            raise FeedRefused(_("The feed's _wijk extension has the wrong type."))
        problems = guard.package_problems(
            {"figures": wijk.get("figures") or [], "results": wijk.get("results") or []}
        )
        if any(
            reason in (guard.PERSONAL_KEY, guard.CODE_VALUE, guard.PERSONAL_VALUE)
            for _w, reason in problems
        ):
            raise FeedRefused(_("The feed's figures hold personal data or code."))
        remote_id = item.get("id")
        if not isinstance(remote_id, str) or not remote_id or len(remote_id) > 500:
            raise FeedRefused(_("The feed has an item without an id."))
        modified = item.get("date_modified") or item.get("date_published")
        updated: datetime | None = None
        if modified is not None:
            if not isinstance(modified, str):
                raise FeedRefused(_("The feed has a date of the wrong type."))
            updated = parse_datetime(modified)
        title = _text(item.get("title"), 200)
        if not title:
            raise FeedRefused(_("The feed has an item without a title."))
        language = item.get("language") if item.get("language") in Language.values else ""
        parsed.append(
            {
                "remote_id": remote_id,
                "url": _url(item.get("url")) or _url(remote_id),
                "title": title,
                "summary": _text(item.get("summary"), 2000),
                "content_html": _text(item.get("content_text"), 20000),
                "language": language,
                "languages": "," + ",".join(_codes(wijk.get("languages"), Language.values)) + ",",
                "themes": "," + ",".join(_codes(wijk.get("themes"), Theme.values)) + ",",
                "country": wijk.get("country") if wijk.get("country") in ("BE", "NL") else "",
                "programme_kind": (
                    wijk.get("programme_kind")
                    if wijk.get("programme_kind") in Programme.Kind.values
                    else ""
                ),
                "organisation_name": _text(wijk.get("organisation"), 200),
                "figures": [_figure(f) for f in (wijk.get("figures") or [])][:50]
                + [_figure(f) for f in (wijk.get("results") or [])][:50],
                "package_url": _url(wijk.get("package_url")),
                "remote_updated": updated,
            }
        )
    return parsed


def subscription_pull(*, subscription: Subscription) -> int:
    """Pull one feed; the number of practices it holds now. A refused feed keeps what it gave
    before and records the reason on the subscription."""
    subscription.last_pulled_at = timezone.now()
    try:
        status, body, etag = fetch(subscription.url, subscription.etag)
        if status == 304:
            subscription.last_error = ""
            subscription.last_ok_at = timezone.now()
            subscription.save()
            return subscription.practices.count()
        items = parse_items(body)
    except FeedRefused as exc:
        subscription.last_error = str(exc)[:500]
        subscription.save()
        return subscription.practices.count()
    with transaction.atomic():
        keep = []
        for fields in items:
            remote_id = fields.pop("remote_id")
            RemotePractice.objects.update_or_create(
                subscription=subscription,
                remote_id=remote_id,
                defaults={**fields, "fetched_at": timezone.now()},
            )
            keep.append(remote_id)
        subscription.practices.exclude(remote_id__in=keep).delete()
        subscription.etag = etag[:200]
        subscription.last_error = ""
        subscription.last_ok_at = timezone.now()
        try:
            data = json.loads(body)
            subscription.title = _text(data.get("title"), 200)
        except ValueError:
            pass
        subscription.save()
    return len(keep)


def subscription_pull_for(*, acting: Any, subscription: Subscription) -> int:
    acting.require("subscription.manage")
    if subscription.organisation_id != acting.organisation.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return subscription_pull(subscription=subscription)


def pull_all() -> dict[str, int]:
    """Every subscription of the installation (the management command and the task)."""
    return {s.url: subscription_pull(subscription=s) for s in Subscription.objects.order_by("pk")}


def remote_package(remote: RemotePractice) -> dict[str, Any]:
    """Fetch the package a remote practice offers, checked like any package."""
    from django.core.exceptions import ValidationError

    from practices import package

    if not remote.package_url:
        raise ValidationError(_("This practice offers no programme package."))
    try:
        _status, body, _etag = fetch(remote.package_url)
    except FeedRefused as exc:
        raise ValidationError(str(exc)) from exc
    return package.parse(body)
