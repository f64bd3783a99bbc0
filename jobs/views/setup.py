"""The bureau's own pages: the list of bureaus, a bureau's overview, its rules and catalogue."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import LEAD, needs
from core.forms import add_service_errors
from core.models import Programme
from core.validators import local_today
from jobs import services
from jobs.forms import PresetForm, RulesForm, ServiceForm
from jobs.models import JobRequest, Service, VisitSource
from jobs.selectors.access import bureau_for, record_for
from jobs.selectors.dashboard import followups_due
from jobs.selectors.handoff import own_sources, visit_sources
from jobs.views.common import acting_of


@login_required
@require_GET
@needs("job.view")
def index(request: HttpRequest) -> HttpResponse:
    acting = acting_of(request)
    acting.require("job.view")
    bureaus = list(services.bureaus(acting))
    if len(bureaus) == 1:
        return redirect(reverse("jobs:bureau", args=[bureaus[0].pk]))
    return render(request, "jobs/index.html", {"bureaus": bureaus})


@login_required
@require_GET
@needs("job.view", of=LEAD)
def bureau(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.view")
    today = local_today(programme.lead_organisation)
    requests = JobRequest.objects.filter(programme=programme)
    context = {
        "programme": programme,
        "rules": services.rules_of(programme),
        "new_count": requests.filter(status=JobRequest.Status.NEW).count(),
        "today_count": requests.filter(preferred_day=today)
        .exclude(status=JobRequest.Status.CANCELLED)
        .count(),
        "followups": followups_due(programme, today) if acting.can("worker.view") else [],
        "today": today,
    }
    return render(request, "jobs/bureau.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@needs("job.view", of=LEAD, methods=("GET",))
@needs("job.rules", of=LEAD, methods=("POST",))
def rules(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.view")
    current = services.rules_of(programme)
    form = RulesForm(instance=current)
    preset_form = PresetForm(initial={"preset": current.preset})
    status = 200
    if request.method == "POST":
        if "preset" in request.POST:
            preset_form = PresetForm(request.POST)
            if preset_form.is_valid():
                try:
                    services.rules_apply_preset(
                        acting=acting,
                        programme=programme,
                        preset=preset_form.cleaned_data["preset"],
                    )
                except ValidationError as exc:
                    add_service_errors(preset_form, exc)
                else:
                    messages.success(request, _("The preset's rules are set."))
                    return redirect(reverse("jobs:rules", args=[programme.pk]))
        else:
            form = RulesForm(request.POST, instance=services.rules_of(programme))
            if form.is_valid():
                values = {name: form.cleaned_data[name] for name in services.setup.RULE_FIELDS}
                try:
                    services.rules_update(acting=acting, programme=programme, values=values)
                except ValidationError as exc:
                    add_service_errors(cast(Any, form), exc)
                else:
                    messages.success(request, _("The rules are saved."))
                    return redirect(reverse("jobs:rules", args=[programme.pk]))
        status = 400
    context = {
        **_rules_context(acting, programme),
        "rules": current,
        "form": form if acting.can("job.rules") else None,
        "preset_form": preset_form if acting.can("job.rules") else None,
    }
    return render(request, "jobs/rules.html", context, status=status)


def _rules_context(acting: Any, programme: Any) -> dict[str, Any]:
    """The rules page's context without its forms' state; with the visit handoff."""
    may = acting.can("job.rules")
    return {
        "programme": programme,
        "rules": services.rules_of(programme),
        "form": RulesForm(instance=services.rules_of(programme)) if may else None,
        "preset_form": PresetForm(initial={"preset": services.rules_of(programme).preset})
        if may
        else None,
        "own_sources": own_sources(programme),
        "visit_sources": visit_sources(programme),
        "source_candidates": services.source_candidates(programme) if may else [],
        "appliance_service": services.appliance_service(programme),
    }


@login_required
@require_http_methods(["GET", "POST"])
@needs("job.view", of=LEAD, methods=("GET",))
@needs("job.rules", of=LEAD, methods=("POST",))
def catalogue(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.view")
    form = ServiceForm()
    status = 200
    if request.method == "POST":
        form = ServiceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service = services.service_create(
                    acting=acting,
                    programme=programme,
                    name=data["name"],
                    description=data["description"],
                    category=data["category"],
                    fixed_price=data["fixed_price"],
                    required_skills={s: data["skill_level"] for s in data["skills"]},
                    crew_size=data["crew_size"],
                    duration_minutes=data["duration_minutes"],
                    needs=data["needs"] or "",
                    load=data["load"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": service.name})
                return redirect(reverse("jobs:catalogue", args=[programme.pk]))
        status = 400
    rules_ = services.rules_of(programme)
    items = [
        (s, services.price_estimate(rules=rules_, service=s))
        for s in Service.objects.filter(programme=programme)
    ]
    context = {
        "programme": programme,
        "items": items,
        "form": form if acting.can("job.rules") else None,
    }
    return render(request, "jobs/catalogue.html", context, status=status)


@login_required
@require_POST
@needs("job.rules")
def service_offer(request: HttpRequest, service_pk: int) -> HttpResponse:
    """Withdraw a service from the catalogue, or offer it again."""
    acting = acting_of(request)
    service = record_for(
        acting,
        Service.objects.select_related("programme"),
        service_pk,
        "job.rules",
        via="programme",
    )
    offered = request.POST.get("offered") == "1"
    services.service_offer(acting=acting, service=service, offered=offered)
    if offered:
        messages.success(request, _("%(name)s is offered again.") % {"name": service.name})
    else:
        messages.success(request, _("%(name)s is withdrawn.") % {"name": service.name})
    return redirect(reverse("jobs:catalogue", args=[service.programme_id]))


__all__ = ["bureau", "catalogue", "index", "require_POST", "rules", "service_offer"]


@login_required
@require_POST
@needs("job.rules", of=LEAD)
def visit_source_add(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    """The bureau agrees to take the visits of a partner's programme."""
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.rules")
    chosen = request.POST.get("source", "")
    source = Programme.objects.filter(pk=int(chosen) if chosen.isdigit() else 0).first()
    try:
        services.visit_source_add(acting=acting, programme=programme, source=source)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return render(request, "jobs/rules.html", _rules_context(acting, programme), status=400)
    messages.success(request, _("The bureau takes this programme's visits from now on."))
    return redirect(reverse("jobs:rules", args=[programme.pk]) + "#visit-sources")


@login_required
@require_POST
@needs("job.rules", of=LEAD)
def visit_source_remove(request: HttpRequest, visit_source_pk: int) -> HttpResponse:
    acting = acting_of(request)
    link = record_for(
        acting,
        VisitSource.objects.select_related("programme"),
        visit_source_pk,
        "job.rules",
        via="programme",
    )
    services.visit_source_remove(acting=acting, link=link)
    messages.success(request, _("The bureau takes no new visits of this programme."))
    return redirect(reverse("jobs:rules", args=[link.programme_id]) + "#visit-sources")
