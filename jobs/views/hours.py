"""Hours waiting for the coach's approval, and approving them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.access import LEAD, needs
from jobs import services
from jobs.models import Hours
from jobs.selectors.access import bureau_for, record_for
from jobs.views.common import acting_of


@login_required
@require_GET
@needs("job.approve", of=LEAD)
def hours_list(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.approve")
    hours = Hours.objects.filter(worker__programme=programme).select_related(
        "worker", "request__service", "approved_by"
    )
    context = {
        "programme": programme,
        "pending": hours.filter(approved_at__isnull=True).order_by("starts_at"),
        "approved": hours.filter(approved_at__isnull=False).order_by("-starts_at")[:50],
    }
    return render(request, "jobs/hours.html", context)


@login_required
@require_POST
@needs("job.approve")
def hours_approve(request: HttpRequest, hours_pk: int) -> HttpResponse:
    acting = acting_of(request)
    hours = record_for(
        acting,
        Hours.objects.select_related("worker__programme"),
        hours_pk,
        "job.approve",
        via="worker.programme",
    )
    try:
        services.hours_approve(acting=acting, hours=hours)
    except ValidationError as exc:
        return render(
            request,
            "jobs/message.html",
            {
                "message": " ".join(exc.messages),
                "back": reverse("jobs:hours", args=[hours.worker.programme_id]),
            },
            status=409,
        )
    messages.success(request, _("The hours of %(worker)s are approved.") % {"worker": hours.worker})
    return redirect(reverse("jobs:hours", args=[hours.worker.programme_id]))
