"""The notification centre's page: the person's own notifications, open one, mark read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import needs
from core.notifications import (
    inbox,
    notification_mark_read,
    notification_open,
    notification_text,
    unread_count,
)
from core.tenancy import request_acting

PAGE_SIZE = 50


def _id(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@login_required
@needs("notification.view")
def notification_list(request: HttpRequest) -> HttpResponse:
    """GET: the list. POST open=<id>: mark it read and go to its page; read=<id>|all: mark."""
    acting = request_acting(request, "notification.view")
    if request.method == "POST":
        if "open" in request.POST:
            url = notification_open(acting=acting, notification_id=_id(request.POST["open"]) or 0)
            if url is None:
                messages.error(request, _("That notification is not in your list."))
            elif url:
                return redirect(url)
        elif request.POST.get("read") == "all":
            notification_mark_read(acting=acting, everything=True)
            messages.success(request, _("All your notifications are marked read."))
        else:
            one = _id(request.POST.get("read"))
            if one is None or not notification_mark_read(acting=acting, ids=[one]):
                messages.error(request, _("That notification is not in your list, or was read."))
        return redirect("notification_list")
    page = Paginator(inbox(acting), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, notification_text(n)) for n in page.object_list]
    return render(
        request,
        "core/notifications.html",
        {"page": page, "rows": rows, "unread": unread_count(acting)},
    )
