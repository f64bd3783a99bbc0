"""Pages of a community's set-up: the list of communities, settings and key, participants.

Views stay thin: records through core.tenancy (another organisation's record is a 404),
permissions through the services and sharing.rules (a 403), every write through a service.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import LEAD, REGISTERED, needs
from core.forms import add_service_errors
from core.models import AuditEvent
from core.services import audit_record
from core.tenancy import Acting, get_scoped, request_acting, scoped
from sharing import rules, services
from sharing.forms import (
    CommunityCreateForm,
    EndForm,
    KeyForm,
    ParticipantEditForm,
    ParticipantForm,
    PvForm,
    SettingsForm,
)
from sharing.models import AllocationRun, Community, MeterImport, Participant
from sharing.selectors.reports import statements_of


def community_of(acting: Acting, community_pk: int) -> Community:
    return get_scoped(
        Community.objects.select_related("programme__lead_organisation"), acting, pk=community_pk
    )


def participant_of(acting: Acting, participant_pk: int) -> Participant:
    participant = get_scoped(
        Participant.objects.select_related("community__programme", "household"),
        acting,
        pk=participant_pk,
    )
    rules.require_participant(acting, participant)
    return participant


@login_required
@require_http_methods(["GET", "POST"])
@needs("sharing.view", methods=("GET",))
@needs("sharing.manage", methods=("POST",))
def index(request: HttpRequest) -> HttpResponse:
    """The communities the organisation leads; the lead sets one up for a programme."""
    acting = request_acting(request, "sharing.view")
    form = None
    if acting.can("sharing.manage"):
        form = CommunityCreateForm(request.POST or None, acting=acting)
    if request.method == "POST":
        acting.require("sharing.manage")
        if form is not None and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                community = services.community_configure(acting=acting, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The energy community is set up."))
                return redirect("sharing:community", community_pk=community.pk)
    communities = (
        scoped(Community, acting)
        .filter(programme__lead_organisation=acting.organisation)
        .select_related("programme")
        .order_by("programme__name")
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "sharing/index.html",
        {"communities": communities, "form": form},
        status=status,
    )


def _community_page(
    request: HttpRequest,
    acting: Acting,
    community: Community,
    settings_form: SettingsForm | None = None,
    key_form: KeyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    leads = rules.leads(acting, community)
    if not leads:
        raise PermissionDenied
    can_manage = acting.can("sharing.manage")
    context: dict[str, Any] = {
        "community": community,
        "programme": community.programme,
        "keys": community.keys.all(),
        "participants": community.participants.select_related("household").prefetch_related(
            "pv_installations"
        ),
        "runs": AllocationRun.objects.filter(community=community)[:12],
        "imports": MeterImport.objects.filter(community=community)[:5],
        "can_manage": can_manage,
        "can_import": acting.can("sharing.import"),
        "can_run": acting.can("sharing.run"),
    }
    if can_manage:
        context["settings_form"] = settings_form or SettingsForm(
            initial={
                "sharing_price": community.sharing_price,
                "supplier_price": community.supplier_price,
                "latitude": community.latitude,
                "longitude": community.longitude,
            }
        )
        context["key_form"] = key_form or KeyForm()
    return render(request, "sharing/community.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@needs("sharing.view", of=LEAD, methods=("GET",))
@needs("sharing.manage", of=LEAD, methods=("POST",))
def community(request: HttpRequest, community_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.view")
    record = community_of(acting, community_pk)
    if request.method == "GET":
        return _community_page(request, acting, record)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.community_configure(
                acting=acting, programme=record.programme, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("sharing:community", community_pk=record.pk)
    rules.require_lead(acting, record, "sharing.manage")
    return _community_page(request, acting, record, settings_form=form, status=400)


@login_required
@require_POST
@needs("sharing.manage", of=LEAD)
def key_choose(request: HttpRequest, community_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.manage")
    record = community_of(acting, community_pk)
    rules.require_lead(acting, record, "sharing.manage")
    form = KeyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.key_choose(
                acting=acting,
                community=record,
                preset=data["preset"],
                valid_from=data["valid_from"],
                social_cap=data["social_cap"] if data["social_cap"] is not None else Decimal("0.5"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The key is saved."))
            return redirect(reverse("sharing:community", args=[record.pk]) + "#keys")
    return _community_page(request, acting, record, key_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@needs("sharing.manage", of=LEAD)
def participant_add(request: HttpRequest, community_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.manage")
    record = community_of(acting, community_pk)
    rules.require_lead(acting, record, "sharing.manage")
    form = ParticipantForm(request.POST or None, acting=acting, programme=record.programme)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_add(
                acting=acting, community=record, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The participant is added."))
            return redirect("sharing:participant", participant_pk=participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "sharing/participant_add.html", {"community": record, "form": form}, status=status
    )


def _participant_page(
    request: HttpRequest,
    acting: Acting,
    participant: Participant,
    form: ParticipantEditForm | None = None,
    pv_form: PvForm | None = None,
    end_form: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = acting.can("sharing.manage") and rules.leads(acting, participant.community)
    if participant.household is not None:
        audit_record(
            acting=acting,
            action=AuditEvent.Action.VIEW,
            household=participant.household,
            subject=f"household {participant.household.reference}: energy sharing",
        )
    context: dict[str, Any] = {
        "participant": participant,
        "community": participant.community,
        "installations": participant.pv_installations.all(),
        "months": statements_of(acting, participant),
        "meter_days": participant.meter_days.count(),
        "can_manage": can_manage,
    }
    if can_manage:
        context["form"] = form or ParticipantEditForm(
            initial={
                name: getattr(participant, name)
                for name in ("ean", "role", "vulnerable", "key_percentage", "joined_on")
            }
        )
        context["pv_form"] = pv_form or PvForm()
        context["end_form"] = end_form or EndForm()
    return render(request, "sharing/participant.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@needs("sharing.view", of=LEAD, methods=("GET",))
@needs("sharing.view", of=REGISTERED, methods=("GET",))
@needs("sharing.manage", of=LEAD, methods=("POST",))
def participant(request: HttpRequest, participant_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.view")
    record = participant_of(acting, participant_pk)
    if request.method == "GET":
        return _participant_page(request, acting, record)
    rules.require_lead(acting, record.community, "sharing.manage")
    form = ParticipantEditForm(request.POST)
    if form.is_valid():
        try:
            services.participant_update(
                acting=acting, participant=record, fields=dict(form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The participant is saved."))
            return redirect("sharing:participant", participant_pk=record.pk)
    record.refresh_from_db()
    return _participant_page(request, acting, record, form=form, status=400)


@login_required
@require_POST
@needs("sharing.manage", of=LEAD)
def pv_add(request: HttpRequest, participant_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.manage")
    record = participant_of(acting, participant_pk)
    rules.require_lead(acting, record.community, "sharing.manage")
    form = PvForm(request.POST)
    if form.is_valid():
        try:
            services.pv_add(acting=acting, participant=record, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The PV installation is added."))
            return redirect("sharing:participant", participant_pk=record.pk)
    return _participant_page(request, acting, record, pv_form=form, status=400)


@login_required
@require_POST
@needs("sharing.manage", of=LEAD)
def participant_end(request: HttpRequest, participant_pk: int) -> HttpResponse:
    acting = request_acting(request, "sharing.manage")
    record = participant_of(acting, participant_pk)
    rules.require_lead(acting, record.community, "sharing.manage")
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.participant_end(acting=acting, participant=record, on=form.cleaned_data["on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The participation ends on that day."))
            return redirect("sharing:participant", participant_pk=record.pk)
    return _participant_page(request, acting, record, end_form=form, status=400)
