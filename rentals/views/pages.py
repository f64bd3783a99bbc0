"""The rental operations pages: programme set-up, catalogue, units, waiting list, contracts,
visits (with the technician's page) and service tickets.

Views stay thin: records come through core.tenancy.get_scoped() (another organisation's record
is a 404), permissions through acting.require() (a 403), and every write through a service of
rentals.services, whose ValidationErrors are shown on the form or as a message.
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.access import ASSIGNED, LEAD, SUPPLIER, needs
from core.files import PDF, file_response
from core.forms import add_service_errors
from core.http import WijkRequest
from core.models import Programme
from core.tenancy import Acting, get_scoped, request_acting, scoped
from households.models import Enrolment, Household
from households.services import household_viewed
from rentals import rules, selectors, services
from rentals.documents import contract_pdf as render_contract_pdf
from rentals.documents import unit_label_pdf
from rentals.forms import (
    ApplianceModelForm,
    ApplicationForm,
    AssignForm,
    CancelForm,
    ContractFilterForm,
    EndForm,
    OfferForm,
    PriorityForm,
    SchemeForm,
    SignForm,
    TicketForm,
    UnitFilterForm,
    UnitForm,
    UnitTransitionForm,
    VisitDoneForm,
    VisitPlanForm,
)
from rentals.models import (
    UNIT_TRANSITIONS,
    ApplianceModel,
    Application,
    Category,
    Charge,
    Contract,
    ContractUnit,
    Offer,
    RentalScheme,
    ResidentAccess,
    Ticket,
    Unit,
    UnitEvent,
    UnitStatus,
    Visit,
)
from rentals.services.resident import resident_access_issue

PAGE_SIZE = 50
MAX_LABELS = 500  # one PDF; a larger selection is narrowed with the filters
TECHNICIAN_DAYS_AHEAD = 14
# Moves that happen through contracts and visits, never by hand (see unit_transition).
RENTAL_STATUSES = frozenset({UnitStatus.RESERVED, UnitStatus.INSTALLED})


# ---------------------------------------------------------------- helpers
_acting = request_acting


def _programme(acting: Acting, programme_pk: int) -> Programme:
    return get_scoped(
        Programme.objects.select_related("lead_organisation"),
        acting,
        pk=programme_pk,
        kind=Programme.Kind.APPLIANCE_RENTAL,
    )


def _scheme(programme: Programme) -> RentalScheme | None:
    return (
        RentalScheme.objects.filter(programme=programme)
        .select_related("collector", "supplier")
        .first()
    )


def _is_lead_manager(acting: Acting, programme: Programme) -> bool:
    return (
        acting.can("programme.manage") and programme.lead_organisation_id == acting.organisation.pk
    )


def _require_lead_manager(acting: Acting, programme: Programme) -> None:
    # The services check this too; checking first refuses the form itself, not only the save.
    if not _is_lead_manager(acting, programme):
        raise PermissionDenied(_("Only the lead organisation can change this programme."))


_handles_units = services.can_manage_units


def _require_unit_access(acting: Acting, programme: Programme) -> None:
    # Partners read the stock; the supplier's technicians, who have no programme.view, too.
    if not (acting.can("programme.view") or _handles_units(acting, programme)):
        raise PermissionDenied


def _plans_visits(acting: Acting, programme: Programme, scheme: RentalScheme | None) -> bool:
    """The lead's coordinators and the supplier's planners assign technicians (the service
    checks the same rule, rentals.rules.plans_visits)."""
    return scheme is not None and rules.plans_visits(acting, programme)


def _show_errors(request: WijkRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _done(request: WijkRequest, url: str) -> HttpResponse:
    """After a successful form: a normal redirect, or a full-page one for an HTMX request."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _next_or(request: WijkRequest, fallback: str) -> str:
    url = request.POST.get("next", "") or request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


def _pdf(content: bytes, filename: str) -> HttpResponse:
    """Shown in the browser, to print (labels) or read (a contract)."""
    return file_response(content, filename=filename, content_type=PDF, inline=True)


# ---------------------------------------------------------------- programme set-up
def _render_setup(
    request: WijkRequest,
    acting: Acting,
    programme: Programme,
    scheme_form: SchemeForm | None = None,
    offer_form: OfferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    scheme = _scheme(programme)
    can_manage = _is_lead_manager(acting, programme)
    context: dict[str, Any] = {
        "programme": programme,
        "scheme": scheme,
        "offers": scoped(Offer, acting).filter(programme=programme),
        "can_manage": can_manage,
    }
    if can_manage:
        initial = (
            {
                "collector": scheme.collector_id,
                "supplier": scheme.supplier_id,
                "max_appliances": scheme.max_appliances,
                "ticket_reminder_days": scheme.ticket_reminder_days,
            }
            if scheme
            else None
        )
        context["scheme_form"] = scheme_form or SchemeForm(programme=programme, initial=initial)
        context["offer_form"] = offer_form or OfferForm()
    return render(request, "rentals/programme.html", context, status=status)


@login_required
@require_GET
@needs("programme.view")
def programme_setup(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.view")
    return _render_setup(request, acting, _programme(acting, programme_pk))


@login_required
@require_POST
@needs("programme.manage", of=LEAD)
def scheme_configure(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.manage")
    programme = _programme(acting, programme_pk)
    _require_lead_manager(acting, programme)
    form = SchemeForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            services.rental_scheme_configure(
                acting=acting, programme=programme, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rental set-up is saved."))
            return redirect(reverse("rentals:programme", args=[programme.pk]))
    return _render_setup(request, acting, programme, scheme_form=form, status=400)


@login_required
@require_POST
@needs("programme.manage", of=LEAD)
def offer_save(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.manage")
    programme = _programme(acting, programme_pk)
    _require_lead_manager(acting, programme)
    form = OfferForm(request.POST)
    if form.is_valid():
        try:
            offer = services.offer_set(acting=acting, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The offer for %(category)s is saved.")
                % {"category": offer.get_category_display()},
            )
            return redirect(reverse("rentals:programme", args=[programme.pk]) + "#offers")
    return _render_setup(request, acting, programme, offer_form=form, status=400)


# ---------------------------------------------------------------- catalogue
@login_required
@require_http_methods(["GET", "POST"])
@needs("programme.view", methods=("GET",))
@needs("programme.manage", of=LEAD, methods=("POST",))
def catalogue(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.view")
    programme = _programme(acting, programme_pk)
    can_manage = _is_lead_manager(acting, programme)
    form = None
    if can_manage:
        form = ApplianceModelForm(request.POST or None)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            model = services.appliance_model_create(
                acting=acting, programme=programme, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(model)s is added to the catalogue.") % {"model": model})
            return redirect(reverse("rentals:catalogue", args=[programme.pk]))
    context = {
        "programme": programme,
        "models": scoped(ApplianceModel, acting).filter(programme=programme),
        "form": form,
        "can_manage": can_manage,
    }
    return render(
        request, "rentals/catalogue.html", context, status=400 if form and form.errors else 200
    )


# ---------------------------------------------------------------- units
def _filtered_units(acting: Acting, programme: Programme, form: UnitFilterForm) -> QuerySet[Unit]:
    units = scoped(Unit, acting).filter(programme=programme).select_related("appliance_model")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            units = units.filter(status=data["status"])
        if data["category"]:
            units = units.filter(appliance_model__category=data["category"])
        if data["q"].strip():
            units = units.filter(serial__icontains=data["q"].strip())
    return units.order_by("appliance_model__category", "serial", "pk")


@login_required
@require_GET
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def unit_list(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request)
    programme = _programme(acting, programme_pk)
    _require_unit_access(acting, programme)
    form = UnitFilterForm(request.GET)
    units = _filtered_units(acting, programme, form)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {  # the pagination links keep the filters (templates/partials/pagination.html)
        "programme": programme,
        "form": form,
        "page": page,
        "can_handle": _handles_units(acting, programme),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "rentals/units.html#results", context)
    return render(request, "rentals/units.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@needs("programme.manage", of=LEAD)
@needs("unit.manage", of=SUPPLIER)
def unit_create(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request)
    programme = _programme(acting, programme_pk)
    if not _handles_units(acting, programme):
        raise PermissionDenied
    models = scoped(ApplianceModel, acting).filter(programme=programme)
    form = UnitForm(request.POST or None, models=models)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(acting=acting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit %(serial)s is added.") % {"serial": unit.serial})
            return redirect(reverse("rentals:unit_detail", args=[unit.pk]))
    return render(
        request,
        "rentals/unit_form.html",
        {"programme": programme, "form": form, "has_models": models.exists()},
        status=400 if form.errors else 200,
    )


def _unit(acting: Acting, unit_pk: int) -> Unit:
    unit = get_scoped(
        Unit.objects.select_related("appliance_model", "programme"), acting, pk=unit_pk
    )
    _require_unit_access(acting, unit.programme)
    return unit


@login_required
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def unit_scan(request: WijkRequest, label_code: str) -> HttpResponse:
    """Where the QR code on a unit's label leads: the unit, for those allowed to see it."""
    acting = _acting(request)
    unit = get_scoped(Unit, acting, label_code=label_code.upper())
    _require_unit_access(acting, unit.programme)
    return redirect("rentals:unit_detail", unit_pk=unit.pk)


def _manual_next_statuses(unit: Unit) -> list[UnitStatus]:
    """The statuses a person may move the unit to by hand (the rest go through contracts)."""
    if unit.status in RENTAL_STATUSES:
        return []
    return [
        UnitStatus(s)
        for s in UnitStatus.values
        if s in UNIT_TRANSITIONS[unit.status] and s not in RENTAL_STATUSES
    ]


@login_required
@require_GET
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def unit_detail(request: WijkRequest, unit_pk: int) -> HttpResponse:
    acting = _acting(request)
    unit = _unit(acting, unit_pk)
    can_handle = _handles_units(acting, unit.programme)
    context = {
        "unit": unit,
        "programme": unit.programme,
        "events": scoped(UnitEvent, acting).filter(unit=unit).select_related("by"),
        "next_statuses": _manual_next_statuses(unit) if can_handle else [],
        "can_handle": can_handle,
        "rental_status": unit.status in RENTAL_STATUSES,
    }
    return render(request, "rentals/unit_detail.html", context)


@login_required
@require_POST
@needs("programme.manage", of=LEAD)
@needs("unit.manage", of=SUPPLIER)
def unit_transition(request: WijkRequest, unit_pk: int) -> HttpResponse:
    acting = _acting(request)
    unit = _unit(acting, unit_pk)
    if not _handles_units(acting, unit.programme):
        raise PermissionDenied
    form = UnitTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status the unit can move to."))
    else:
        try:
            unit = services.unit_transition(
                acting=acting,
                unit=unit,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(
                request,
                _("Unit %(serial)s is now “%(status)s”.")
                % {"serial": unit.serial, "status": unit.get_status_display()},
            )
    return _done(request, reverse("rentals:unit_detail", args=[unit.pk]))


@login_required
@require_GET
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def unit_label(request: WijkRequest, unit_pk: int) -> HttpResponse:
    acting = _acting(request)
    unit = _unit(acting, unit_pk)
    return _pdf(unit_label_pdf(units=[unit]), f"label-{unit.label_code}.pdf")


@login_required
@require_GET
@needs("programme.view")
@needs("unit.view", of=SUPPLIER)
def unit_labels(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request)
    programme = _programme(acting, programme_pk)
    _require_unit_access(acting, programme)
    units = list(_filtered_units(acting, programme, UnitFilterForm(request.GET))[: MAX_LABELS + 1])
    if not units or len(units) > MAX_LABELS:
        if units:
            messages.error(
                request,
                _("Choose at most %(max)s units for one labels file: narrow the filters.")
                % {"max": MAX_LABELS},
            )
        else:
            messages.error(request, _("No unit matches the filters: there is nothing to print."))
        query = request.GET.urlencode()
        return redirect(
            reverse("rentals:units", args=[programme.pk]) + (f"?{query}" if query else "")
        )
    return _pdf(unit_label_pdf(units=units), "labels.pdf")


# ---------------------------------------------------------------- households and applications
def _household(acting: Acting, household_pk: int) -> Household:
    return get_scoped(Household.objects.select_related("organisation"), acting, pk=household_pk)


def _application_programmes(acting: Acting, household: Household) -> QuerySet[Programme]:
    enrolled = Enrolment.objects.filter(household=household, status=Enrolment.Status.ENROLLED)
    return (
        scoped(Programme, acting)
        .filter(
            kind=Programme.Kind.APPLIANCE_RENTAL,
            active=True,
            pk__in=enrolled.values("programme_id"),
        )
        .order_by("name")
    )


@login_required
@require_GET
@needs("household.view")
def household_rentals(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    return _render_household(request, acting, _household(acting, household_pk))


def _render_household(
    request: WijkRequest,
    acting: Acting,
    household: Household,
    issued: dict[str, str] | None = None,
) -> HttpResponse:
    household_viewed(acting=acting, household=household)
    access = scoped(ResidentAccess, acting).filter(household=household).first()
    contracts = (
        scoped(Contract, acting)
        .filter(household=household)
        .select_related("programme", "unit__appliance_model")
    )
    context = {
        "household": household,
        "applications": scoped(Application, acting)
        .filter(household=household)
        .select_related("programme")
        .order_by("-applied_at", "-pk"),
        "contracts": contracts,
        "visits": scoped(Visit, acting)
        .filter(contract__household=household)
        .select_related("contract", "technician")
        .order_by("-planned_on", "-pk"),
        "tickets": scoped(Ticket, acting)
        .filter(contract__household=household)
        .select_related("contract")
        .order_by("-opened_at", "-pk"),
        "can_apply": acting.can("household.change")
        and not household.erased_at
        and _application_programmes(acting, household).exists(),
        "can_change": acting.can("household.change"),
        "resident_access": access,
        "resident_expired": access is not None and access.expires_at <= timezone.now(),
        "issued": issued,
    }
    return render(request, "rentals/household.html", context)


@login_required
@require_POST
@needs("household.change")
def resident_link(request: WijkRequest, household_pk: int) -> HttpResponse:
    """Make a new resident link and PIN and show them once, in this response.

    No redirect: the PIN is stored only as a hash, so this page is the only place it is ever
    shown; it is not put in a message, the session or a log either.
    """

    acting = _acting(request, "household.change")
    household = _household(acting, household_pk)
    try:
        key, pin = resident_access_issue(acting=acting, household=household)
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect(reverse("rentals:household", args=[household.pk]) + "#resident")
    issued = {
        "url": request.build_absolute_uri(reverse("resident:pin", kwargs={"key": key})),
        "pin": pin,
    }
    response = _render_household(request, acting, household, issued=issued)
    response["Cache-Control"] = "no-store"  # the PIN must not stay in any cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
@needs("household.change")
def application_create(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    household = _household(acting, household_pk)
    programmes = _application_programmes(acting, household)
    form = ApplicationForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_create(
                acting=acting,
                household=household,
                programme=data["programme"],
                category=data["category"],
                has_old_appliance=data["has_old_appliance"],
                old_age_band=data["old_age_band"],
                old_label=data["old_label"],
                old_label_scale=data["old_label_scale"],
                old_measured_kwh=data["old_measured_kwh"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The application is on the waiting list: %(category)s.")
                % {"category": application.get_category_display()},
            )
            return redirect(reverse("rentals:household", args=[household.pk]))
    return render(
        request,
        "rentals/apply.html",
        {"household": household, "form": form, "has_programmes": programmes.exists()},
        status=400 if form.errors else 200,
    )


def _waiting_url(application: Application) -> str:
    url = reverse("rentals:waiting", args=[application.programme_id])
    return f"{url}?category={application.category}"


@login_required
@require_GET
@needs("household.view")
def waiting(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    programme = _programme(acting, programme_pk)
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    # Positions count every waiting application, also those of other partners, which this
    # organisation does not see: only their number in the queue is used.
    positions: dict[int, int] = {}
    seen: dict[str, int] = {}
    for pk, cat in selectors.waiting_list(programme, category or None).values_list(
        "pk", "category"
    ):
        seen[cat] = seen.get(cat, 0) + 1
        positions[pk] = seen[cat]
    free = {cat: selectors.free_units(programme, cat).count() for cat in Category.values}
    can_contract = acting.can("household.change")
    rows: list[dict[str, Any]] = []
    for application in scoped(selectors.waiting_list(programme, category or None), acting):
        position = positions[application.pk]
        rows.append(
            {
                "application": application,
                "position": position,
                "unit_free": position <= free[application.category],
            }
        )
    # Positions count per appliance: one list per appliance reads 1, 2, 3 from the top.
    groups = [
        {"category": value, "label": label, "rows": members}
        for value, label in Category.choices
        if (members := [r for r in rows if r["application"].category == value])
    ]
    context = {
        "programme": programme,
        "rows": rows,
        "groups": groups,
        "category": category,
        "categories": Category.choices,
        "free": [(label, free[value]) for value, label in Category.choices if free[value]],
        "can_prioritise": _is_lead_manager(acting, programme),
        "can_contract": can_contract,
        "priority_form": PriorityForm(),
    }
    return render(request, "rentals/waiting.html", context)


def _application(acting: Acting, application_pk: int) -> Application:
    return get_scoped(
        Application.objects.select_related("programme", "household"), acting, pk=application_pk
    )


@login_required
@require_http_methods(["GET", "POST"])
@needs("programme.manage", of=LEAD)
def application_prioritise(request: WijkRequest, application_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.manage")
    application = _application(acting, application_pk)
    _require_lead_manager(acting, application.programme)
    form = PriorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_prioritise(
                acting=acting, application=application, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The application has priority now."))
            return _done(request, _waiting_url(application))
    return render(
        request,
        "rentals/prioritise.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@needs("household.change")
def application_contract(request: WijkRequest, application_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    application = _application(acting, application_pk)
    try:
        contract = services.contract_draft(acting=acting, application=application)
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect(_waiting_url(application))
    messages.success(
        request,
        _("Unit %(serial)s is reserved. Sign the contract with the household.")
        % {"serial": contract.unit.serial},
    )
    return redirect(reverse("rentals:contract", args=[contract.pk]))


def _confirm(request: WijkRequest, **context: Any) -> HttpResponse:
    """The "Are you sure?" page of a destructive action (works without JavaScript)."""
    return render(request, "rentals/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@needs("household.change")
def application_cancel(request: WijkRequest, application_pk: int) -> HttpResponse:
    """GET asks "Are you sure?"; POST (the button on that page) cancels."""
    acting = _acting(request, "household.change")
    application = _application(acting, application_pk)
    back = _next_or(request, reverse("rentals:household", args=[application.household_id]))
    if request.method == "GET":
        if application.status != Application.Status.WAITING:
            messages.error(request, _("Only a waiting application can be cancelled."))
            return redirect(back)
        appliance = application.get_category_display()
        return _confirm(
            request,
            title=_("Cancel the application"),
            question=_(
                "Are you sure you want to cancel the application for a %(appliance)s of "
                "household %(reference)s?"
            )
            % {"appliance": appliance, "reference": application.household.reference},
            consequences=[
                _("The household loses its place on the waiting list."),
                _("To get an appliance later, it applies again and waits at the end."),
            ],
            action_url=request.path,
            hidden=[("next", back)],
            button=_("Yes, cancel the application"),
            back_url=back,
        )
    try:
        services.application_cancel(acting=acting, application=application)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("The application is cancelled."))
    return redirect(
        _next_or(request, reverse("rentals:household", args=[application.household_id]))
    )


# ---------------------------------------------------------------- contracts
def _contract(acting: Acting, contract_pk: int) -> Contract:
    return get_scoped(
        Contract.objects.select_related(
            "household", "programme", "unit__appliance_model", "application", "signed_by"
        ),
        acting,
        pk=contract_pk,
    )


def _render_contract(
    request: WijkRequest,
    acting: Acting,
    contract: Contract,
    sign_form: SignForm | None = None,
    end_form: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_change = acting.can("household.change")
    context: dict[str, Any] = {
        "contract": contract,
        "household": contract.household,
        "unit_history": scoped(ContractUnit, acting)
        .filter(contract=contract)
        .select_related("unit__appliance_model"),
        "visits": scoped(Visit, acting).filter(contract=contract).select_related("technician"),
        "tickets": scoped(Ticket, acting).filter(contract=contract).order_by("-opened_at"),
        "charges": scoped(Charge, acting).filter(contract=contract).order_by("-month"),
        "can_change": can_change,
    }
    if can_change and contract.status == Contract.Status.DRAFT:
        context["sign_form"] = sign_form or SignForm(
            initial={"payment_method": contract.payment_method}
        )
    if can_change and contract.status == Contract.Status.ACTIVE:
        context["end_form"] = end_form or EndForm()
    return render(request, "rentals/contract_detail.html", context, status=status)


@login_required
@require_GET
@needs("household.view")
def contract_detail(request: WijkRequest, contract_pk: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    return _render_contract(request, acting, _contract(acting, contract_pk))


@login_required
@require_POST
@needs("household.change")
def contract_sign(request: WijkRequest, contract_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    contract = _contract(acting, contract_pk)
    form = SignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_sign(
                acting=acting,
                contract=contract,
                payment_method=data["payment_method"],
                installation_on=data["installation_on"],
                debtor_iban=data["debtor_iban"].strip()
                if data["payment_method"] == "direct_debit"
                else "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The contract is signed and the installation visit is planned.")
            )
            return redirect(reverse("rentals:contract", args=[contract.pk]))
    contract.refresh_from_db()
    return _render_contract(request, acting, contract, sign_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@needs("household.change")
def contract_cancel(request: WijkRequest, contract_pk: int) -> HttpResponse:
    """A draft or signed contract never installed: GET asks "Are you sure?" with the reason
    to give; POST (the button on that page) cancels (services.contract_cancel)."""
    acting = _acting(request, "household.change")
    contract = _contract(acting, contract_pk)
    back = reverse("rentals:contract", args=[contract.pk])
    if contract.status not in (Contract.Status.DRAFT, Contract.Status.SIGNED):
        messages.error(
            request,
            _("This contract is installed: end it instead, with the collection visit.")
            if contract.status == Contract.Status.ACTIVE
            else _("Only a draft or signed contract can be cancelled."),
        )
        return redirect(back)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contract_cancel(
                    acting=acting, contract=contract, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The contract is cancelled and the unit is back in stock.")
                )
                return redirect(back)
        status = 400
    response = _confirm(
        request,
        title=_("Cancel the contract"),
        question=_(
            "Are you sure you want to cancel the contract for the %(appliance)s of household "
            "%(reference)s?"
        )
        % {"appliance": contract.get_category_display(), "reference": contract.household.reference},
        consequences=[
            _("The reserved unit goes back in stock for the next household on the waiting list."),
            _("Planned visits of this contract are cancelled."),
            _("The application is closed; to rent later, the household applies again."),
            _("The contract is kept, marked cancelled, with the reason."),
        ],
        form=form,
        action_url=request.path,
        button=_("Yes, cancel the contract"),
        back_url=back,
    )
    response.status_code = status
    return response


@login_required
@require_POST
@needs("household.change")
def contract_end(request: WijkRequest, contract_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    contract = _contract(acting, contract_pk)
    form = EndForm(request.POST)
    if form.is_valid() and request.POST.get("confirm") != "yes":
        # The service's own checks first (a dry run, rolled back): a wrong date is shown on
        # the form, not asked to be confirmed.
        try:
            with transaction.atomic():
                services.contract_end(
                    acting=acting,
                    contract=contract,
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["on"],
                )
                transaction.set_rollback(True)
        except ValidationError as exc:
            add_service_errors(form, exc)
            contract.refresh_from_db()
            return _render_contract(request, acting, contract, end_form=form, status=400)
        contract.refresh_from_db()
        # Are you sure? The same fields go along with the confirmation.
        back = reverse("rentals:contract", args=[contract.pk])
        return _confirm(
            request,
            title=_("End the contract"),
            question=_(
                "Are you sure you want to end the contract for the %(appliance)s of household "
                "%(reference)s on %(date)s?"
            )
            % {
                "appliance": contract.get_category_display(),
                "reference": contract.household.reference,
                "date": date_format(form.cleaned_data["on"], "DATE_FORMAT"),
            },
            consequences=[
                _("A visit to collect the appliance is planned for that day."),
                _("The household pays no rent after that day."),
            ],
            action_url=request.path,
            hidden=[("reason", form.cleaned_data["reason"]), ("on", request.POST.get("on", ""))],
            button=_("Yes, end the contract"),
            back_url=back,
        )
    if form.is_valid():
        try:
            services.contract_end(
                acting=acting,
                contract=contract,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The contract is ended and the collection visit is planned.")
            )
            return redirect(reverse("rentals:contract", args=[contract.pk]))
    contract.refresh_from_db()
    return _render_contract(request, acting, contract, end_form=form, status=400)


@login_required
@require_GET
@needs("household.view")
def contract_pdf(request: WijkRequest, contract_pk: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    contract = _contract(acting, contract_pk)
    household_viewed(acting=acting, household=contract.household)
    return _pdf(render_contract_pdf(contract=contract), f"contract-{contract.pk}.pdf")


@login_required
@require_GET
@needs("household.view")
def contract_list(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    programme = _programme(acting, programme_pk)
    form = ContractFilterForm(request.GET)
    contracts = (
        scoped(Contract, acting)
        .filter(programme=programme)
        .select_related("household", "unit")
        .order_by("-created_at", "-pk")
    )
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status:
        contracts = contracts.filter(status=status)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"programme": programme, "form": form, "page": page, "status": status}
    return render(request, "rentals/contracts.html", context)


# ---------------------------------------------------------------- visits
@login_required
@require_GET
@needs("visit.view")
def visit_list(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "visit.view")
    programme = _programme(acting, programme_pk)
    scheme = _scheme(programme)
    visits = (
        scoped(Visit, acting)
        .filter(contract__programme=programme, status=Visit.Status.PLANNED)
        .select_related("contract__household", "contract__unit", "technician")
        .order_by("planned_on", "window", "pk")
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    # The list shows names and addresses: each household on the page is a read of its data.
    selectors.households_viewed(acting, [v.contract.household for v in page], "visits")
    context = {
        "programme": programme,
        "page": page,
        "can_plan": _plans_visits(acting, programme, scheme),
    }
    return render(request, "rentals/visits.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@needs("visit.assign", of=(LEAD, SUPPLIER))
def visit_assign(request: WijkRequest, visit_pk: int) -> HttpResponse:
    acting = _acting(request)
    visit = get_scoped(
        Visit.objects.select_related("contract__programme", "contract__household", "technician"),
        acting,
        pk=visit_pk,
    )
    programme = visit.contract.programme
    if not _plans_visits(acting, programme, _scheme(programme)):
        raise PermissionDenied
    if visit.status != Visit.Status.PLANNED:
        messages.error(request, _("This visit is already done or cancelled."))
        return _done(request, reverse("rentals:visits", args=[programme.pk]))
    form = AssignForm(
        request.POST or None,
        supplier=visit.technician_organisation,
        auto_id=f"assign{visit.pk}_%s",  # several of these forms may be open on one page
        initial={
            "technician": visit.technician_id,
            "planned_on": visit.planned_on,
            "window": visit.window,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_assign(acting=acting, visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The technician is assigned."))
            return _done(request, reverse("rentals:visits", args=[programme.pk]))
    template = "rentals/visit_assign.html"
    if request.htmx:
        template += "#form"
    return render(
        request,
        template,
        {
            "visit": visit,
            "programme": programme,
            "form": form,
            # Handed to a job bureau and open there: a new day or window moves its request.
            "handoff": selectors.handoff_states([visit]).get(visit.pk),
        },
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- the technician's page
def _my_visits(request: WijkRequest, acting: Acting) -> QuerySet[Visit]:
    # Only visits assigned to this user, and only through the tenancy rules.
    return rules.technician_visits(acting)


@login_required
@require_GET
@needs("visit.view_assigned")
def today(request: WijkRequest) -> HttpResponse:
    acting = _acting(request, "visit.view_assigned")
    day = timezone.localdate()
    visits = (
        _my_visits(request, acting)
        .filter(status=Visit.Status.PLANNED, planned_on__lte=day + timedelta(TECHNICIAN_DAYS_AHEAD))
        .order_by("planned_on", "window", "pk")
    )
    cards = selectors.visit_cards(acting, visits)
    context = {
        "today": day,
        "earlier": [c for c in cards if c.planned_on < day],
        "todays": [c for c in cards if c.planned_on == day],
        "later": [c for c in cards if c.planned_on > day],
    }
    return render(request, "rentals/today.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@needs("visit.view_assigned", of=ASSIGNED, methods=("GET",))
@needs("visit.complete", of=ASSIGNED, methods=("POST",))
def today_visit(request: WijkRequest, visit_pk: int) -> HttpResponse:
    acting = _acting(request)
    visit = get_scoped(
        _my_visits(request, acting).select_related(
            "contract__household",
            "contract__unit__appliance_model",
            "contract__application",
            "contract__programme",
            "ticket",
        ),
        acting,
        pk=visit_pk,
    )
    replacements = None
    if visit.kind == Visit.Kind.SWAP:
        replacements = scoped(
            selectors.free_units(visit.contract.programme, visit.contract.category), acting
        ).select_related("appliance_model")
    form = VisitDoneForm(request.POST or None, visit=visit, replacements=replacements)
    if request.method == "POST":
        if visit.status != Visit.Status.PLANNED:
            messages.info(request, _("This visit is already done."))
            return redirect(reverse("rentals:today"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.visit_complete(
                    acting=acting,
                    visit=visit,
                    disposal=data.get("disposal") or "",
                    report=data["report"],
                    replacement=data.get("replacement"),
                    early_confirmed=bool(data.get("early")),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The visit is recorded as done. Thank you."))
                return redirect(reverse("rentals:today"))
    else:
        household_viewed(acting=acting, household=visit.contract.household)
    return render(
        request,
        "rentals/today_visit.html",
        {"card": selectors.visit_card(visit), "form": form},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- tickets
@login_required
@require_http_methods(["GET", "POST"])
@needs("ticket.open")
def ticket_open(request: WijkRequest, contract_pk: int) -> HttpResponse:
    acting = _acting(request, "ticket.open")
    contract = _contract(acting, contract_pk)
    form = TicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(acting=acting, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The breakdown is recorded. Plan a visit now."))
            return redirect(reverse("rentals:ticket", args=[ticket.pk]))
    return render(
        request,
        "rentals/ticket_form.html",
        {"contract": contract, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
@needs("ticket.view")
def ticket_list(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    programme = _programme(acting, programme_pk)
    open_tickets = (
        scoped(Ticket, acting)
        .filter(
            contract__programme=programme,
            status__in=[Ticket.Status.OPEN, Ticket.Status.PLANNED],
        )
        .select_related("contract__household")
        .order_by("opened_at", "pk")
    )
    overdue: set[int] = set()
    if _scheme(programme) is not None:
        overdue = set(selectors.tickets_overdue(programme).values_list("pk", flat=True))
    now = timezone.now()
    rows = [
        {"ticket": t, "age": (now - t.opened_at).days, "overdue": t.pk in overdue}
        for t in open_tickets
    ]
    context = {
        "programme": programme,
        "rows": rows,
        "overdue_count": len([r for r in rows if r["overdue"]]),
    }
    return render(request, "rentals/tickets.html", context)


def _ticket(acting: Acting, ticket_pk: int) -> Ticket:
    return get_scoped(
        Ticket.objects.select_related(
            "contract__household", "contract__programme", "contract__unit__appliance_model"
        ),
        acting,
        pk=ticket_pk,
    )


def _render_ticket(
    request: WijkRequest,
    acting: Acting,
    ticket: Ticket,
    plan_form: VisitPlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_plan = (
        rules.may_plan_visit(acting, ticket.contract) and ticket.status != Ticket.Status.RESOLVED
    )
    scheme = _scheme(ticket.contract.programme)
    resolution_time = ticket.resolved_at - ticket.opened_at if ticket.resolved_at else None
    context: dict[str, Any] = {
        "ticket": ticket,
        "contract": ticket.contract,
        "visits": scoped(Visit, acting).filter(ticket=ticket).select_related("technician"),
        "resolution_days": resolution_time.days if resolution_time is not None else None,
        "resolution_hours": int(resolution_time.total_seconds() // 3600)
        if resolution_time is not None
        else None,
        "can_plan": can_plan,
    }
    if can_plan:
        context["plan_form"] = plan_form or VisitPlanForm(
            supplier=scheme.supplier if scheme else None
        )
    return render(request, "rentals/ticket_detail.html", context, status=status)


@login_required
@require_GET
@needs("ticket.view")
def ticket_detail(request: WijkRequest, ticket_pk: int) -> HttpResponse:
    acting = _acting(request, "ticket.view")
    return _render_ticket(request, acting, _ticket(acting, ticket_pk))


@login_required
@require_POST
@needs("visit.plan")
def ticket_plan_visit(request: WijkRequest, ticket_pk: int) -> HttpResponse:
    acting = _acting(request, "visit.plan")
    ticket = _ticket(acting, ticket_pk)
    if ticket.status == Ticket.Status.RESOLVED:
        messages.info(request, _("This ticket is already resolved."))
        return redirect(reverse("rentals:ticket", args=[ticket.pk]))
    scheme = _scheme(ticket.contract.programme)
    form = VisitPlanForm(request.POST, supplier=scheme.supplier if scheme else None)
    if form.is_valid():
        try:
            services.visit_plan(
                acting=acting, contract=ticket.contract, ticket=ticket, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The visit is planned."))
            return redirect(reverse("rentals:ticket", args=[ticket.pk]))
    return _render_ticket(request, acting, ticket, plan_form=form, status=400)
