"""The household pages: list and search, register and edit, detail, enrol, export, erase.

Views stay thin: records come through core.tenancy.get_scoped() (another organisation's record
is a 404), permissions through acting.require() (a 403), and every write through a service of
households.services, whose ValidationErrors are shown on the form.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from core.access import REGISTERED, needs
from core.files import JSON, PDF, file_response
from core.forms import add_service_errors
from core.models import Programme
from core.programmes import household_parts
from core.tenancy import Acting, get_scoped, request_acting, scoped
from core.validators import local_today
from households import services
from households.forms import ConsentForm, EnrolForm, EraseForm, HouseholdForm, NoteForm
from households.models import Consent, Enrolment, Household, RestrictedNote
from households.selectors import household_search, programme_consent

PAGE_SIZE = 25
MAX_QUERY_LENGTH = 100


class WijkRequest(HttpRequest):
    """The request as the middleware leaves it, for type checking."""

    htmx: HtmxDetails
    acting: Acting | None


_acting = request_acting


def _household(acting: Acting, household_pk: int) -> Household:
    return get_scoped(Household.objects.select_related("organisation"), acting, pk=household_pk)


def _detail_url(household: Household, anchor: str = "") -> str:
    url = reverse("households:detail", args=[household.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
@needs("household.view")
def household_list(request: WijkRequest) -> HttpResponse:
    acting = _acting(request, "household.view")
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    visible = household_search(acting=acting, text=q).prefetch_related(
        Prefetch(
            "enrolments",
            # Only the enrolments the organisation may see (as on the household page): the
            # lead of one programme does not learn which other programmes a household is in.
            queryset=scoped(Enrolment, acting)
            .filter(status=Enrolment.Status.ENROLLED)
            .select_related("programme"),
            to_attr="current_enrolments",
        )
    )
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"q": q, "page": page}
    # A history restore needs the whole page; every other htmx request only the results.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "households/list.html#results", context)
    return render(request, "households/list.html", context)


def _form_page(
    request: WijkRequest, form: HouseholdForm, household: Household | None = None
) -> HttpResponse:
    return render(request, "households/form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
@needs("household.change")
def household_create(request: WijkRequest) -> HttpResponse:
    acting = _acting(request, "household.change")
    organisation = acting.organisation
    initial = {"country": organisation.country, "language": organisation.language}
    form = HouseholdForm(request.POST or None, initial=initial, country=organisation.country)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(acting=acting, fields=form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Household %(reference)s is registered.") % {"reference": household.reference},
            )
            return redirect(_detail_url(household))
    return _form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
@needs("household.change")
def household_edit(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    household = _household(acting, household_pk)
    if household.erased_at:
        messages.error(request, _("This household was erased and can no longer be changed."))
        return redirect(_detail_url(household))
    form = HouseholdForm(
        request.POST or None,
        initial=HouseholdForm.initial_from(household),
        country=acting.organisation.country,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                acting=acting, household=household, fields=form.service_fields()
            )
        except ValidationError as exc:
            # The service may have set some values on the object before refusing; reload it.
            household.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(_detail_url(household))
    return _form_page(request, form, household)


def _render_detail(
    request: WijkRequest,
    acting: Acting,
    household: Household,
    consent_form: ConsentForm | None = None,
    note_form: NoteForm | None = None,
) -> HttpResponse:
    # Showing the data is a view of personal data, also when a form is shown again.
    services.household_viewed(acting=acting, household=household)
    can_notes = acting.can("household.notes")
    context: dict[str, Any] = {
        "household": household,
        "consents": scoped(Consent, acting).filter(household=household),
        "enrolments": scoped(Enrolment, acting)
        .filter(household=household)
        .select_related("programme", "decided_by"),
        "can_change": acting.can("household.change") and not household.erased_at,
        "can_enrol": acting.can("enrolment.decide") and not household.erased_at,
        "can_export": acting.can("household.export"),
        # The service allows erasure only by the registering organisation; show the button
        # only where it will work.
        "can_erase": acting.can("household.erase")
        and household.organisation_id == acting.organisation.pk
        and not household.erased_at,
        "can_notes": can_notes,
        # What each programme app shows of this household (core.programmes).
        "sections": household_parts(acting, household),
        "consent_form": consent_form or ConsentForm(),
    }
    if can_notes:
        context["notes"] = (
            scoped(RestrictedNote, acting).filter(household=household).select_related("written_by")
        )
        context["note_form"] = note_form or NoteForm()
    return render(request, "households/detail.html", context)


@login_required
@require_GET
@needs("household.view")
def household_detail(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    household = _household(acting, household_pk)
    return _render_detail(request, acting, household)


@login_required
@require_POST
@needs("household.change")
def consent_add(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    household = _household(acting, household_pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(
                acting=acting,
                household=household,
                purpose=form.cleaned_data["purpose"],
                given_on=form.cleaned_data["given_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect(_detail_url(household, "consents"))
    return _render_detail(request, acting, household, consent_form=form)


@login_required
@require_POST
@needs("household.change")
def consent_withdraw(request: WijkRequest, household_pk: int, consent_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    household = _household(acting, household_pk)
    consent = get_scoped(Consent, acting, pk=consent_pk, household=household)
    if consent.withdrawn_on:
        messages.info(request, _("This consent was already withdrawn."))
        return redirect(_detail_url(household, "consents"))
    try:
        services.consent_withdraw(acting=acting, consent=consent, withdrawn_on=timezone.localdate())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The consent is withdrawn."))
    return redirect(_detail_url(household, "consents"))


@login_required
@require_POST
@needs("household.notes")
def note_add(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.notes")
    household = _household(acting, household_pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(acting=acting, household=household, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The note is saved."))
            return redirect(_detail_url(household, "notes"))
    return _render_detail(request, acting, household, note_form=form)


@login_required
@require_http_methods(["GET", "POST"])
@needs("enrolment.decide")
def household_enrol(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "enrolment.decide")
    household = _household(acting, household_pk)
    if household.erased_at:
        messages.error(request, _("This household was erased and can no longer be enrolled."))
        return redirect(_detail_url(household))
    enrolled = Enrolment.objects.filter(household=household, status=Enrolment.Status.ENROLLED)
    programmes = (
        scoped(Programme, acting)
        .filter(active=True)
        .exclude(pk__in=enrolled.values("programme_id"))
        .order_by("name")
    )
    can_override = acting.can("programme.manage")
    form = EnrolForm(request.POST or None, programmes=programmes, can_override=can_override)
    refusal: Enrolment | None = None
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.household_enrol(
                acting=acting,
                household=household,
                programme=form.cleaned_data["programme"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if enrolment.status == Enrolment.Status.ENROLLED:
                messages.success(
                    request,
                    _("The household is enrolled in %(programme)s.")
                    % {"programme": enrolment.programme.name},
                )
                return redirect(_detail_url(household, "enrolments"))
            refusal = enrolment  # stored as "not eligible"; show why, on this page
    context = {
        "household": household,
        "form": form,
        "refusal": refusal,
        "can_override": can_override,
        "has_programmes": programmes.exists(),
        # Shown before enrolling: a programme's contract needs it (households.selectors).
        "consent": programme_consent(household, local_today(acting.organisation)),
        "can_record_consent": acting.can("household.change"),
    }
    return render(request, "households/enrol.html", context)


@login_required
@require_GET
@needs("household.export")
def export_json(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.export")
    household = _household(acting, household_pk)
    content = services.household_export(acting=acting, household=household)
    return file_response(
        content, filename=f"household-{household.reference}.json", content_type=JSON
    )


@login_required
@require_GET
@needs("household.export")
def export_pdf(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.export")
    household = _household(acting, household_pk)
    content = services.household_export_pdf(acting=acting, household=household)
    return file_response(content, filename=f"household-{household.reference}.pdf", content_type=PDF)


@login_required
@require_http_methods(["GET", "POST"])
@needs("household.erase", of=REGISTERED)
def household_erase(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.erase")
    household = _household(acting, household_pk)
    if household.organisation_id != acting.organisation.pk:
        # The service refuses the erasure itself; refuse the confirmation page too, so a
        # partner is not asked to confirm what it cannot do.
        raise PermissionDenied(_("Only the organisation that registered a household can erase it."))
    if household.erased_at:
        messages.info(request, _("This household was already erased."))
        return redirect(_detail_url(household))
    # A programme app may refuse (e.g. a rental contract still runs): say why before the
    # reference is typed, and offer no form.
    refusals = services.household_erasure_refusals(acting=acting, household=household)
    form = EraseForm(request.POST or None, household=household)
    if request.method == "POST" and not refusals and form.is_valid():
        reference = household.reference
        try:
            services.household_erase(acting=acting, household=household)  # PermissionDenied → 403
        except ValidationError as exc:  # refused in between, by a programme app
            refusals = exc.messages
        else:
            messages.success(
                request,
                _("The personal data of household %(reference)s is erased.")
                % {"reference": reference},
            )
            return HttpResponseRedirect(reverse("households:list"))
    context = {
        "household": household,
        "form": form,
        "refusals": refusals,
        "app_removes": services.household_erasure_removes(),
    }
    return render(request, "households/erase.html", context)
