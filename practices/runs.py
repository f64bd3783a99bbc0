"""Pulling the organisation's practice feeds as a background run (core.runs): the scheduled
form of `manage.py practices_pull`, started from the feeds page or the API."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.runs import Progress, run_kind
from core.tenancy import scoped
from practices.feed import subscription_pull_for
from practices.models import Subscription


@run_kind(
    "practices.feed_pull",
    label=gettext_lazy("Pulling practice feeds"),
    permission="subscription.manage",
)
def feed_pull(progress: Progress) -> dict[str, Any]:
    """Pull every feed the organisation follows; a refused feed keeps what it gave before."""
    subscriptions = list(scoped(Subscription, progress.acting).order_by("pk"))
    refused = 0
    for done, subscription in enumerate(subscriptions):
        progress.step(done, len(subscriptions), _("Pulling the feeds"))
        subscription_pull_for(acting=progress.acting, subscription=subscription)
        refused += bool(subscription.last_error)
    progress.step(len(subscriptions), len(subscriptions), _("Feeds pulled"))
    return {
        "pulled": len(subscriptions),
        "refused": refused,
        "summary": ngettext(
            "%(count)s feed pulled, %(refused)s refused.",
            "%(count)s feeds pulled, %(refused)s refused.",
            len(subscriptions),
        )
        % {"count": len(subscriptions), "refused": refused},
        "link": "/practices/subscriptions/",
    }
