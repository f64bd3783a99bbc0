"""The day plan: plan or re-plan a day, lock or move an assignment; every request that is
left out says why, in words."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import LEAD, needs
from jobs import services
from jobs.forms import DayForm, MoveForm
from jobs.models import Assignment, JobRequest, Worker
from jobs.selectors.access import bureau_for, record_for
from jobs.views.common import acting_of, day_param


def _plan_context(programme: Any, day: Any, acting: Any) -> dict[str, Any]:
    assignments = (
        Assignment.objects.filter(request__programme=programme, request__preferred_day=day)
        .select_related("request__service", "worker")
        .order_by("worker__first_name", "starts_at")
    )
    routes: dict[Worker, list[Assignment]] = defaultdict(list)
    for a in assignments:
        routes[a.worker].append(a)
    left_out = [
        (r, services.unassigned_message(r))
        for r in JobRequest.objects.filter(
            programme=programme, preferred_day=day, status=JobRequest.Status.NEW
        ).select_related("service")
    ]
    return {
        "programme": programme,
        "day": day,
        "day_form": DayForm(initial={"day": day}),
        "routes": sorted(routes.items(), key=lambda item: str(item[0])),
        "left_out": left_out,
        "can_plan": acting.can("job.plan"),
        "move_form": MoveForm(programme=programme),
    }


@login_required
@require_http_methods(["GET", "POST"])
@needs("job.view", of=LEAD, methods=("GET",))
@needs("job.plan", of=LEAD, methods=("POST",))
def plan(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.view")
    if request.method == "POST":
        form = DayForm(request.POST)
        if not form.is_valid():
            context = _plan_context(
                programme, day_param(request, programme.lead_organisation), acting
            )
            context["day_form"] = form
            return render(request, "jobs/plan.html", context, status=400)
        day = form.cleaned_data["day"]
        try:
            outcome = services.plan_run(acting=acting, programme=programme, day=day)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Planned: %(planned)s jobs; left out: %(left)s; %(travel)s minutes of riding.")
                % {
                    "planned": outcome.planned,
                    "left": outcome.unassigned,
                    "travel": outcome.travel_minutes,
                },
            )
        return redirect(reverse("jobs:plan", args=[programme.pk]) + f"?day={day.isoformat()}")
    day = day_param(request, programme.lead_organisation)
    context = _plan_context(programme, day, acting)
    if getattr(request, "htmx", False):
        return render(request, "jobs/plan.html#routes", context)
    return render(request, "jobs/plan.html", context)


@login_required
@require_POST
@needs("job.plan")
def assignment_move(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    acting = acting_of(request)
    assignment = record_for(
        acting,
        Assignment.objects.select_related("request__programme"),
        assignment_pk,
        "job.plan",
        via="request.programme",
    )
    programme = assignment.request.programme
    form = MoveForm(request.POST, programme=programme)
    day = assignment.request.preferred_day
    back = reverse("jobs:plan", args=[programme.pk]) + f"?day={day.isoformat()}"
    if not form.is_valid():
        messages.error(request, _("Choose a worker of this bureau."))
        return redirect(back)
    try:
        services.assignment_move(
            acting=acting, assignment=assignment, worker=form.cleaned_data["worker"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The job is given to %(worker)s and the day is planned again.")
            % {"worker": form.cleaned_data["worker"]},
        )
    return redirect(back)


@login_required
@require_POST
@needs("job.plan")
def assignment_lock(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    acting = acting_of(request)
    assignment = record_for(
        acting,
        Assignment.objects.select_related("request__programme"),
        assignment_pk,
        "job.plan",
        via="request.programme",
    )
    services.assignment_lock(acting=acting, assignment=assignment, locked=not assignment.locked)
    day = assignment.request.preferred_day
    return redirect(
        reverse("jobs:plan", args=[assignment.request.programme.pk]) + f"?day={day.isoformat()}"
    )


__all__ = ["require_GET"]
