"""The neighbourhood worker's phone pages: today's jobs in route order, one job with its
address, and registering the hours."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.access import needs
from core.forms import add_service_errors
from core.tenancy import get_scoped
from core.validators import local_today
from jobs import services
from jobs.bureau import zone
from jobs.forms import HoursForm
from jobs.models import Assignment
from jobs.selectors.workers import my_workers
from jobs.views.common import acting_of


@login_required
@require_GET
@needs("job.do")
def today(request: HttpRequest) -> HttpResponse:
    acting = acting_of(request)
    acting.require("job.do")
    day = local_today(acting.organisation)
    workers = list(my_workers(acting))
    mine = (
        Assignment.objects.filter(
            worker__in=workers,
            request__preferred_day__gte=day,
            request__preferred_day__lte=day + timedelta(days=6),
            request__status__in=("planned", "done"),
        )
        .select_related("request__service", "worker")
        .order_by("starts_at")
    )
    context = {
        "day": day,
        "todays": [a for a in mine if a.request.preferred_day == day],
        "later": [a for a in mine if a.request.preferred_day > day],
        "workers": workers,
    }
    return render(request, "jobs/today.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@needs("job.do", methods=("GET",))
@needs("job.hours", methods=("POST",))
def today_job(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    acting = acting_of(request)
    acting.require("job.do" if request.method == "GET" else "job.hours")
    queryset = Assignment.objects.select_related("request__service", "request__programme", "worker")
    if not acting.can("job.approve"):
        queryset = queryset.filter(worker__in=my_workers(acting))
    assignment = get_scoped(queryset, acting, pk=assignment_pk)
    services.require_lead(acting, assignment.request.programme, "job.hours")
    job = assignment.request
    crew = job.assignments.select_related("worker").order_by("place")
    form = HoursForm(
        initial={
            "start": assignment.starts_at.astimezone(zone(job.programme)).time(),
            "end": assignment.ends_at.astimezone(zone(job.programme)).time(),
            "km": 0,
        }
    )
    status = 200
    if request.method == "POST":
        form = HoursForm(request.POST)
        if form.is_valid():
            tz = zone(job.programme)
            try:
                services.hours_register(
                    acting=acting,
                    assignment=assignment,
                    starts_at=datetime.combine(
                        job.preferred_day, form.cleaned_data["start"], tzinfo=tz
                    ),
                    ends_at=datetime.combine(
                        job.preferred_day, form.cleaned_data["end"], tzinfo=tz
                    ),
                    km=form.cleaned_data["km"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied:
                raise
            else:
                messages.success(request, _("Your hours are registered. Thank you!"))
                return redirect(reverse("jobs:today"))
        status = 400
    context = {
        "assignment": assignment,
        "job": job,
        "crew": crew,
        "form": form,
        "hours": job.hours.filter(worker=assignment.worker).first(),
    }
    return render(request, "jobs/today_job.html", context, status=status)
