"""Workers and their trajectory: the list, one worker's page (skills, availability, goals,
assessments with a chart, coaching notes for coaches, outcome, follow-up), the calendar link
and the monthly allowance statement."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import LEAD, needs
from core.forms import add_service_errors
from core.services import audit_record
from core.validators import local_today
from jobs import charts, services
from jobs.documents import statement_document
from jobs.forms import (
    AssessmentForm,
    AvailabilityForm,
    ExceptionForm,
    NoteForm,
    SkillForm,
    TrajectoryForm,
    WorkerForm,
)
from jobs.models import Assessment, Worker
from jobs.selectors.access import bureau_for, record_for
from jobs.selectors.money import allowance_statement
from jobs.selectors.workers import coaching_notes, trajectory_of, used_minutes, windows_on
from jobs.views.common import acting_of


@login_required
@require_http_methods(["GET", "POST"])
@needs("worker.view", of=LEAD, methods=("GET",))
@needs("worker.manage", of=LEAD, methods=("POST",))
def worker_list(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "worker.view")
    form = WorkerForm()
    status = 200
    if request.method == "POST":
        form = WorkerForm(request.POST)
        if form.is_valid():
            try:
                worker = services.worker_create(
                    acting=acting, programme=programme, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": worker})
                return redirect(reverse("jobs:worker", args=[worker.pk]))
        status = 400
    today = local_today(programme.lead_organisation)
    workers = Worker.objects.filter(programme=programme).select_related("coach", "referred_by")
    context = {
        "programme": programme,
        "workers": workers,
        "today": today,
        "form": form if acting.can("worker.manage") else None,
    }
    return render(request, "jobs/workers.html", context, status=status)


def _worker_context(acting: Any, worker: Worker) -> dict[str, Any]:
    programme = worker.programme
    today = local_today(programme.lead_organisation)
    trajectory = trajectory_of(worker)
    assessments = list(trajectory.assessments.order_by("on"))
    series: dict[str, list[Any]] = defaultdict(list)
    labels = dict(Assessment.Competence.choices)
    for a in assessments:
        series[str(labels[a.competence])].append((a.on, a.score))
    month, year = used_minutes(worker, today)
    rules = services.rules_of(programme)
    return {
        "programme": programme,
        "worker": worker,
        "trajectory": trajectory,
        "assessments": assessments,
        "chart": mark_safe(charts.score_lines(series, title=_("Assessments over time"))),  # noqa: S308 - escaped in charts
        "notes": coaching_notes(acting, worker),
        "skills": worker.skills.all(),
        "availability": worker.availability.all(),
        "exceptions": worker.exceptions.filter(day__gte=today),
        "today_windows": windows_on(worker, today),
        "month_hours": round(month / 60, 1),
        "year_hours": round(year / 60, 1),
        "rules": rules,
        "can_manage": acting.can("worker.manage") and not worker.erased_at,
        "skill_form": SkillForm(),
        "availability_form": AvailabilityForm(),
        "exception_form": ExceptionForm(),
        "trajectory_form": TrajectoryForm(
            initial={
                "goals": trajectory.goals,
                "outcome": trajectory.outcome,
                "outcome_on": trajectory.outcome_on,
                "followup_6": trajectory.followup_6,
                "followup_12": trajectory.followup_12,
            }
        ),
        "assessment_form": AssessmentForm(initial={"on": today}),
        "note_form": NoteForm() if acting.can("worker.coach") and not worker.erased_at else None,
        "month": today.strftime("%Y-%m"),
    }


@login_required
@require_GET
@needs("worker.view")
def worker_detail(request: HttpRequest, worker_pk: int) -> HttpResponse:
    acting = acting_of(request)
    worker = record_for(
        acting,
        Worker.objects.select_related("programme"),
        worker_pk,
        "worker.view",
        via="programme",
    )
    audit_record(acting=acting, action="view", subject=f"job worker {worker.pk}")
    return render(request, "jobs/worker.html", _worker_context(acting, worker))


FORMS = {
    "skill": (SkillForm, "worker.manage"),
    "availability": (AvailabilityForm, "worker.manage"),
    "exception": (ExceptionForm, "worker.manage"),
    "trajectory": (TrajectoryForm, "worker.manage"),
    "assessment": (AssessmentForm, "worker.manage"),
    "note": (NoteForm, "worker.coach"),
}


def _save(acting: Any, worker: Worker, what: str, data: dict[str, Any]) -> None:
    if what == "skill":
        services.worker_skill_set(acting=acting, worker=worker, **data)
    elif what == "availability":
        services.availability_add(acting=acting, worker=worker, **data)
    elif what == "exception":
        services.availability_exception_add(acting=acting, worker=worker, **data)
    elif what == "trajectory":
        services.trajectory_update(acting=acting, worker=worker, **data)
    elif what == "assessment":
        services.assessment_add(acting=acting, worker=worker, **data)
    else:
        services.coaching_note_add(acting=acting, worker=worker, **data)


def _worker_post(request: HttpRequest, worker_pk: int, what: str) -> HttpResponse:
    acting = acting_of(request)
    form_class, permission = FORMS[what]
    worker = record_for(
        acting, Worker.objects.select_related("programme"), worker_pk, permission, via="programme"
    )
    form = form_class(request.POST)
    if form.is_valid():
        try:
            _save(acting, worker, what, dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("jobs:worker", args=[worker.pk]) + f"#{what}")
    context = _worker_context(acting, worker)
    context[f"{what}_form"] = form
    return render(request, "jobs/worker.html", context, status=400)


@login_required
@require_POST
@needs("worker.manage")
def worker_skill(request: HttpRequest, worker_pk: int) -> HttpResponse:
    return _worker_post(request, worker_pk, "skill")


@login_required
@require_POST
@needs("worker.manage")
def worker_availability(request: HttpRequest, worker_pk: int) -> HttpResponse:
    return _worker_post(request, worker_pk, "availability")


@login_required
@require_POST
@needs("worker.manage")
def worker_exception(request: HttpRequest, worker_pk: int) -> HttpResponse:
    return _worker_post(request, worker_pk, "exception")


@login_required
@require_POST
@needs("worker.manage")
def worker_trajectory(request: HttpRequest, worker_pk: int) -> HttpResponse:
    return _worker_post(request, worker_pk, "trajectory")


@login_required
@require_POST
@needs("worker.manage")
def worker_assessment(request: HttpRequest, worker_pk: int) -> HttpResponse:
    return _worker_post(request, worker_pk, "assessment")


@login_required
@require_POST
@needs("worker.coach")
def worker_note(request: HttpRequest, worker_pk: int) -> HttpResponse:
    return _worker_post(request, worker_pk, "note")


@login_required
@require_POST
@needs("worker.manage")
@needs("job.do")
def worker_feed(request: HttpRequest, worker_pk: int) -> HttpResponse:
    """A new secret calendar link (shown once), or, with revoke, none at all."""
    acting = acting_of(request)
    permission = "worker.manage" if acting.can("worker.manage") else "job.do"
    worker = record_for(
        acting, Worker.objects.select_related("programme"), worker_pk, permission, via="programme"
    )
    if request.POST.get("revoke"):
        services.worker_feed_revoke(acting=acting, worker=worker)
        return render(request, "jobs/feed_link.html", {"worker": worker, "url": None})
    key = services.worker_feed_renew(acting=acting, worker=worker)
    url = request.build_absolute_uri(reverse("jobs_public:feed", args=[key]))
    return render(request, "jobs/feed_link.html", {"worker": worker, "url": url})


@login_required
@require_GET
@needs("job.approve")
def statement_pdf(request: HttpRequest, worker_pk: int, month: str) -> HttpResponse:
    acting = acting_of(request)
    worker = record_for(
        acting,
        Worker.objects.select_related("programme__lead_organisation"),
        worker_pk,
        "job.approve",
        via="programme",
    )
    try:
        first, pdf = statement_document(acting=acting, worker=worker, month=month)
    except ValidationError as exc:
        return render(
            request,
            "jobs/message.html",
            {"message": " ".join(exc.messages), "back": reverse("jobs:worker", args=[worker.pk])},
            status=400,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="allowance-{worker.pk}-{first:%Y-%m}.pdf"'
    return response


__all__ = ["allowance_statement"]
