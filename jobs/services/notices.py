"""What the job bureau tells its planners (core.notifications): a rental visit handed to the
bureau (core/handoffs.py) moved to another day or window, or was cancelled by the rental
programme. Who hears it: the members of the bureau's lead organisation who plan
(`job.plan`: job coaches, coordinators, org admins). Params hold references and dates only,
never names (the audit log's rule)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.notifications import notification_send
from core.permissions import PERMISSIONS
from core.programmes import NoticeKind
from jobs.models import JobRequest

HANDOFF_MOVED = "jobs.handoff_moved"
HANDOFF_UNPLANNED = "jobs.handoff_unplanned"
HANDOFF_CANCELLED = "jobs.handoff_cancelled"

NOTICE_KINDS = (
    NoticeKind(
        HANDOFF_MOVED,
        _(
            "The rental visit of request %(request)s moved to %(day_on)s, %(window)s: plan "
            "it on its new day."
        ),
    ),
    NoticeKind(
        HANDOFF_UNPLANNED,
        _(
            "The rental visit of request %(request)s moved to %(day_on)s, %(window)s: it is "
            "taken out of the plan of %(was_on)s, and its crew is free. Plan it on its new day."
        ),
    ),
    NoticeKind(
        HANDOFF_CANCELLED,
        _(
            "Request %(request)s of %(day_on)s was cancelled by the rental programme: its "
            "visit is cancelled. It is taken out of any plan."
        ),
    ),
)


def _send(request: JobRequest, kind: str, params: dict[str, str], key: str = "") -> None:
    notification_send(
        organisation=request.programme.lead_organisation,
        roles=PERMISSIONS["job.plan"],
        kind=kind,
        params={"request": request.reference, **params},
        url=reverse("jobs:request", args=[request.pk]),
        key=key,
    )


def handoff_moved(request: JobRequest, *, was_on: str | None) -> None:
    """The request follows its rental visit to a new day or window; `was_on` (an ISO day)
    when it was taken out of that day's plan."""
    window = f"{request.window_start:%H:%M}–{request.window_end:%H:%M}"
    day = request.preferred_day.isoformat()
    params = {"day_on": day, "window": window}
    if was_on is not None:
        params["was_on"] = was_on
    _send(
        request,
        HANDOFF_UNPLANNED if was_on is not None else HANDOFF_MOVED,
        params,  # no key: every move is news, also back to a day it had before
    )


def handoff_cancelled(request: JobRequest) -> None:
    _send(
        request,
        HANDOFF_CANCELLED,
        {"day_on": request.preferred_day.isoformat()},
        key=f"handoff-cancelled:{request.pk}",
    )
