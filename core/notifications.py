"""The notification centre: what a person should know or do, in the app and by e-mail.

    notification_send(organisation=lead, roles={"coordinator"}, kind="rentals.ticket_opened",
                      params={"reference": "H7K2M9QX"}, url="/rentals/tickets/3/",
                      key="ticket:3")

A notification stores a *kind* and its *params*, never translated text: the kind is
registered by an app (`core.programmes.NoticeKind`, in its `ProgrammeApp.notice_kinds`) with
a lazily translated text, which is filled in the language of whoever reads it (the page's
language in the app, the organisation's language in an e-mail). `key` makes sending the same
thing twice one notification (a scan for overdue visits may run every day);
`notification_resolve` marks a key read for everyone once someone has taken care of it.

E-mail goes through Django's mail backend (`EMAIL_BACKEND`, the console by default), after
the transaction commits, so a refused write sends nothing. Reads are the person's own: the
organisation they act for (core.tenancy) and themselves as the recipient.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.models import Membership, Notification, Organisation
from core.programmes import HomePanel, ProgrammeApp, registry
from core.tenancy import Acting, scoped

logger = logging.getLogger("wijk.notifications")

Params = Mapping[str, Any]  # JSON values: strings and numbers


class UnknownKind(ValueError):
    """A notification kind no app registered: a bug in the caller."""


def _recipients(
    organisation: Organisation, recipients: Iterable[Any], roles: Iterable[str]
) -> list[Any]:
    users: dict[int, Any] = {u.pk: u for u in recipients if u is not None and u.pk}
    wanted = set(roles)
    if wanted:
        for membership in Membership.objects.filter(
            organisation=organisation, role__in=wanted
        ).select_related("user"):
            if membership.user.is_active:
                users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def notification_send(
    *,
    organisation: Organisation,
    kind: str,
    params: Params | None = None,
    url: str = "",
    recipients: Iterable[Any] = (),
    roles: Iterable[str] = (),
    key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify `recipients` (users) and/or every member of `organisation` holding one of
    `roles`, for that organisation. Returns the notifications made (none for a recipient who
    already has one with this `key`)."""
    if registry.notice_kind(kind) is None:
        raise UnknownKind(kind)
    params = dict(params or {})
    made: list[Notification] = []
    for user in _recipients(organisation, recipients, roles):
        if key:
            notification, created = Notification.objects.get_or_create(
                recipient=user,
                organisation=organisation,
                key=key,
                defaults={"kind": kind, "params": params, "url": url[:300]},
            )
            if not created:
                continue
        else:
            notification = Notification.objects.create(
                recipient=user, organisation=organisation, kind=kind, params=params, url=url[:300]
            )
        made.append(notification)
    if email and made:
        ids = [n.pk for n in made]
        transaction.on_commit(lambda: notification_email(ids=ids))
    return made


def notification_resolve(*, organisation: Organisation, key: str) -> int:
    """Someone took care of it (the visit got a technician): mark it read for everyone."""
    return Notification.objects.filter(
        organisation=organisation, key=key, read_at__isnull=True
    ).update(read_at=timezone.now())


def _readable(name: str, value: Any) -> Any:
    # Params named "…_on" hold ISO dates: shown as the reader's language writes a date.
    if name.endswith("_on") and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value


def notification_text(notification: Notification) -> str:
    """The notification's text in the active language."""
    kind = registry.notice_kind(notification.kind)
    if kind is None:  # the app that made it is gone
        return _("A notification of a kind this installation no longer knows.")
    params = {name: _readable(name, value) for name, value in dict(notification.params).items()}
    try:
        return str(kind.text) % params
    except (KeyError, TypeError, ValueError):
        logger.warning("notification %s: params do not fit its text", notification.pk)
        return str(kind.text)


def _absolute(url: str) -> str:
    # The site's address is known only when the installation states it.
    base = str(getattr(settings, "WIJK_SITE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") else url


def notification_email(*, ids: Iterable[int]) -> int:
    """E-mail the notifications not e-mailed yet to recipients with an address, each in its
    organisation's language. A failing mail server is logged, never fatal to the work."""
    sent = 0
    for notification in Notification.objects.filter(
        pk__in=list(ids), emailed_at__isnull=True
    ).select_related("recipient", "organisation"):
        address = getattr(notification.recipient, "email", "")
        if not address:
            continue
        with translation.override(notification.organisation.language):
            text = notification_text(notification)
            subject = _("Wijk: %(text)s") % {"text": text}
            lines = [text]
            if notification.url:
                lines.append(_("Open it in Wijk: %(url)s") % {"url": _absolute(notification.url)})
            lines.append(
                _("You get this e-mail because you work for %(organisation)s in Wijk.")
                % {"organisation": notification.organisation.name}
            )
        try:
            send_mail(
                subject.splitlines()[0][:150],
                "\n\n".join(lines),
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
        except Exception:  # a mail server down must not undo the work that notified
            logger.exception("notification %s: e-mail failed", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


# --- the person's own inbox ---------------------------------------------------------------


def inbox(acting: Acting) -> "QuerySet[Notification]":
    """The acting person's notifications for the organisation they act for, newest first."""
    acting.require("notification.view")
    user_id = acting.user_id
    if user_id is None:  # the operator has no inbox
        return Notification.objects.none()
    return scoped(Notification, acting).filter(recipient_id=user_id)


def unread_count(acting: Acting) -> int:
    if acting.user_id is None or not acting.can("notification.view"):
        return 0
    return inbox(acting).filter(read_at__isnull=True).count()


def notification_mark_read(
    *, acting: Acting, ids: Iterable[int] = (), everything: bool = False
) -> int:
    """Mark the person's own notifications read (ids of others' are not theirs: ignored)."""
    unread = inbox(acting).filter(read_at__isnull=True)
    if not everything:
        unread = unread.filter(pk__in=[i for i in ids if isinstance(i, int)])
    return unread.update(read_at=timezone.now())


def notification_open(*, acting: Acting, notification_id: int) -> str | None:
    """Mark one notification read and give its link (a local path only); None when it is not
    the person's."""
    notification = inbox(acting).filter(pk=notification_id).first()
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/"):
        return url
    return ""


def members_with(organisation: Organisation, roles: Iterable[str]) -> list[Any]:
    """Active users of the organisation with any of the roles (for apps choosing recipients)."""
    return _recipients(organisation, (), roles)


# --- the "To do" panel of the home page ------------------------------------------------------


def todo_panel(acting: Acting) -> dict[str, Any] | None:
    """The home page's "To do" panel: what the apps' TodoProviders list for this person, and
    their unread notifications; None (no panel) when nothing waits."""
    items = registry.todo_items(acting)
    unread = unread_count(acting)
    if not items and not unread:
        return None
    return {"todo_items": items, "unread": unread}


def register() -> None:
    """Core's own part of the home page (called from CoreConfig.ready)."""
    registry.register(
        ProgrammeApp(
            label="notifications",
            home_panels=(
                HomePanel(
                    "core/notifications_todo.html",
                    todo_panel,
                    permission="notification.view",
                    place="work",
                ),
            ),
        )
    )
