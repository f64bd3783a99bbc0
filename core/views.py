"""Pages of the core domain: home, organisation, programmes, audit log, switching organisation.

Views stay thin: objects come through core.tenancy (404 for another organisation's), every
write goes through core.services, permissions through acting.require (403).
"""

from collections import defaultdict
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from stdnum import iban as stdnum_iban

from core import ratelimit, services
from core.access import LEAD, login_only, needs
from core.eligibility import RulesError, income_limit, validate_config
from core.forms import (
    ApiTokenForm,
    AuditFilterForm,
    OrganisationForm,
    PartnerForm,
    TariffForm,
    add_service_errors,
)
from core.middleware import SESSION_KEY
from core.models import (
    AuditEvent,
    Membership,
    Organisation,
    Programme,
    ProgrammePartner,
    Role,
    Tariff,
)
from core.programmes import home_parts, programme_parts
from core.templatetags.wijk_tags import money
from core.tenancy import Acting, get_scoped, request_acting, scoped
from core.tokens import api_token_issue, api_token_revoke, api_tokens_of
from core.words import country_of, word

AUDIT_PAGE_SIZE = 50


_acting = request_acting


def _require_lead(acting: Acting, programme: Programme) -> None:
    # The services check this too; checking first refuses the form itself, not only the save.
    acting.require("programme.manage")
    if programme.lead_organisation_id != acting.organisation.pk:
        raise PermissionDenied(_("Only the lead organisation can change this programme."))


def _own_organisation(acting: Acting) -> Organisation:
    # A fresh copy, so a refused edit cannot change the instance the header shows.
    return get_scoped(Organisation, acting, pk=acting.organisation.pk)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful form: a normal redirect, or a full-page one for an HTMX request."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _template(request: HttpRequest, name: str, partial: str) -> str:
    """The whole page, or only its partial when HTMX asks for a fragment."""
    return f"{name}#{partial}" if getattr(request, "htmx", False) else name


# Home and organisation switching


@login_required
@login_only
def home(request: HttpRequest) -> HttpResponse:
    acting: Acting | None = getattr(request, "acting", None)
    context: dict[str, Any] = {"acting": acting}
    if acting is not None:
        context["role_names"] = [Role(r).label for r in sorted(acting.roles)]
        # Households, and each programme app, add their panels through core.programmes.
        context["work_panels"], context["glance_panels"] = home_parts(acting)
        if acting.can("programme.view"):
            context["programme_count"] = scoped(Programme, acting).filter(active=True).count()
        context["field_work"] = acting.can("home.field_work")
    return render(request, "core/home.html", context)


@login_required
@require_POST
@login_only
def organisation_switch(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0  # matches no organisation
    membership = (
        Membership.objects.filter(user_id=request.user.pk or 0, organisation_id=organisation_id)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        messages.error(
            request, _("You are not a member of that organisation, so you cannot act for it.")
        )
    else:
        request.session[SESSION_KEY] = membership.organisation_id
        messages.success(
            request,
            _("You now act for %(organisation)s.") % {"organisation": membership.organisation},
        )
    return redirect("home")


# Organisation


@login_required
@needs("organisation.view")
def organisation_detail(request: HttpRequest) -> HttpResponse:
    acting = _acting(request)
    acting.require("organisation.view")
    organisation = _own_organisation(acting)

    members: list[tuple[Any, list[str]]] = []
    if acting.can("membership.view"):
        by_user: dict[Any, list[str]] = defaultdict(list)
        for m in (
            scoped(Membership, acting)
            .filter(organisation=organisation)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__username", "role")
        ):
            by_user[m.user].append(m.get_role_display())
        members = list(by_user.items())

    led = scoped(Programme, acting).filter(lead_organisation=organisation).order_by("name")
    partner_roles: dict[Programme, list[str]] = defaultdict(list)
    for p in (
        scoped(ProgrammePartner, acting)
        .filter(organisation=organisation)
        .select_related("programme", "programme__lead_organisation")
        .order_by("programme__name", "role")
    ):
        partner_roles[p.programme].append(p.get_role_display())

    iban = organisation.iban
    if iban and stdnum_iban.is_valid(iban):
        iban = stdnum_iban.format(iban)
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "iban": iban,
            "members": members,
            "led_programmes": list(led),
            "partnered_programmes": list(partner_roles.items()),
        },
    )


@login_required
@needs("organisation.manage")
def organisation_edit(request: HttpRequest) -> HttpResponse:
    acting = _acting(request)
    acting.require("organisation.manage")
    organisation = _own_organisation(acting)
    initial = {name: getattr(organisation, name) for name in services.ORGANISATION_EDITABLE}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                acting=acting, organisation=organisation, fields=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation details were saved."))
            return _done(request, reverse("organisation_detail"))
    return render(
        request,
        _template(request, "core/organisation_form.html", "form"),
        {"form": form, "organisation": acting.organisation},
    )


# Programmes


def rules_in_words(rules: Any, country: str | None = None) -> dict[str, Any]:
    """A programme's eligibility rules as plain sentences in the user's language, in the
    words of the reader's country (core.words)."""
    try:
        validate_config(rules or {})
    except RulesError:
        return {"unreadable": True}
    rules = rules or {}
    postcodes = ", ".join(str(p) for p in rules.get("postcodes") or [])
    words = {
        "social_tariff": word("rule.social_tariff", country),
        "welfare_client": word("rule.welfare_client", country),
        "debt_support": word("rule.debt_support", country),
        "income_below": _("The net monthly income is below the limit for the household size."),
        "postcode_served": _("The household lives in one of these postcodes: %(postcodes)s.")
        % {"postcodes": postcodes},
    }
    names = [*(rules.get("any_of") or []), *(rules.get("all_of") or [])]
    limits: list[str] = []
    if "income_below" in names:
        sizes = sorted(int(k) for k in (rules.get("income_limits") or {}) if k != "extra_person")
        for size in sizes:
            limits.append(
                ngettext(
                    "%(count)s person: %(amount)s a month",
                    "%(count)s persons: %(amount)s a month",
                    size,
                )
                % {"count": size, "amount": money(income_limit(rules, size))}
            )
        extra = (rules.get("income_limits") or {}).get("extra_person")
        if extra:
            limits.append(_("Each further person: %(amount)s more") % {"amount": money(extra)})
    return {
        "any_of": [words[n] for n in rules.get("any_of") or []],
        "all_of": [words[n] for n in rules.get("all_of") or []],
        "income_limits": limits,
    }


@login_required
@needs("programme.view")
def programme_list(request: HttpRequest) -> HttpResponse:
    acting = _acting(request)
    acting.require("programme.view")
    programmes = scoped(Programme, acting).select_related("lead_organisation").order_by("name")
    my_roles: dict[int, list[str]] = defaultdict(list)
    for p in scoped(ProgrammePartner, acting).filter(organisation=acting.organisation):
        my_roles[p.programme_id].append(p.get_role_display())
    rows = [
        {
            "programme": p,
            "is_lead": p.lead_organisation_id == acting.organisation.pk,
            "partner_roles": my_roles.get(p.pk, []),
        }
        for p in programmes
    ]
    return render(request, "core/programme_list.html", {"rows": rows})


@login_required
@needs("programme.view")
def programme_detail(request: HttpRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request)
    acting.require("programme.view")
    programme = get_scoped(
        Programme.objects.select_related("lead_organisation"), acting, pk=programme_pk
    )
    is_lead = programme.lead_organisation_id == acting.organisation.pk
    today = timezone.localdate()
    tariffs = list(scoped(Tariff, acting).filter(programme=programme).order_by("-valid_from"))
    # The one valid today (Programme.tariff_on), taken from the list instead of a query.
    current = next((t for t in tariffs if t.valid_from <= today), None)
    return render(
        request,
        "core/programme_detail.html",
        {
            "programme": programme,
            "is_lead": is_lead,
            "can_manage": is_lead and acting.can("programme.manage"),
            "partners": scoped(ProgrammePartner, acting)
            .filter(programme=programme)
            .select_related("organisation")
            .order_by("organisation__name", "role"),
            "tariffs": tariffs,
            "current_tariff_pk": current.pk if current else None,
            "rules": rules_in_words(programme.eligibility_rules, country_of(acting.organisation)),
            # The enrolled households (households) and the programme's own pages (its app).
            "sections": programme_parts(acting, programme),
        },
    )


@login_required
@needs("programme.manage", of=LEAD)
def programme_partner_add(request: HttpRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request)
    acting.require("programme.manage")
    programme = get_scoped(Programme, acting, pk=programme_pk)
    _require_lead(acting, programme)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.programme_partner_add(
                acting=acting,
                programme=programme,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(organisation)s is now a partner of %(programme)s.")
                % {"organisation": partner.organisation, "programme": programme},
            )
            return _done(request, reverse("programme_detail", args=[programme.pk]))
    return render(
        request,
        _template(request, "core/programme_partner_form.html", "form"),
        {"form": form, "programme": programme},
    )


@login_required
@require_POST
@needs("programme.manage", of=LEAD)
def programme_partner_remove(
    request: HttpRequest, programme_pk: int, partner_pk: int
) -> HttpResponse:
    acting = _acting(request)
    acting.require("programme.manage")
    programme = get_scoped(Programme, acting, pk=programme_pk)
    partner = get_scoped(
        ProgrammePartner.objects.select_related("organisation", "programme"),
        acting,
        pk=partner_pk,
        programme=programme,
    )
    _require_lead(acting, programme)
    services.programme_partner_remove(acting=acting, partner=partner)
    messages.success(
        request,
        _("%(organisation)s is no longer a partner of %(programme)s as %(role)s.")
        % {
            "organisation": partner.organisation,
            "role": partner.get_role_display(),
            "programme": programme,
        },
    )
    return redirect("programme_detail", programme_pk=programme.pk)


@login_required
@needs("programme.manage", of=LEAD)
def programme_tariff_add(request: HttpRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request)
    acting.require("programme.manage")
    programme = get_scoped(Programme, acting, pk=programme_pk)
    _require_lead(acting, programme)
    form = TariffForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            tariff = services.tariff_create(acting=acting, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The tariff valid from %(date)s was added.")
                % {"date": date_format(tariff.valid_from, "SHORT_DATE_FORMAT")},
            )
            return _done(request, reverse("programme_detail", args=[programme.pk]))
    return render(
        request,
        _template(request, "core/programme_tariff_form.html", "form"),
        {"form": form, "programme": programme},
    )


# Audit log


@login_required
@needs("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    acting = _acting(request)
    acting.require("audit.view")
    form = AuditFilterForm(request.GET or None)
    events = scoped(AuditEvent, acting).select_related("user", "household").order_by("-at", "-pk")
    if form.is_bound:
        if form.is_valid():
            if form.cleaned_data["action"]:
                events = events.filter(action=form.cleaned_data["action"])
            reference = form.cleaned_data["household"].strip()
            if reference:
                events = events.filter(household__reference__iexact=reference)
        else:
            events = events.none()
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        _template(request, "core/audit_log.html", "results"),
        {"form": form, "page": page},
    )


class ThrottledLoginView(auth_views.LoginView):
    """Django's login with the password limits of core.ratelimit: wrong passwords lock the
    user name for 15 minutes (from any address), a right one resets its count, and many
    user names tried from one address meet a wider limit. Guessing a social worker's
    password must not be possible, nor locking out a colleague."""

    def _username(self) -> str:
        return str(self.request.POST.get("username") or "")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = ratelimit.client_address(request)
        if ratelimit.password_attempt_blocked(username=self._username(), address=address):
            form = self.get_form()
            form.add_error(
                None,
                _("Too many wrong passwords. Wait 15 minutes, or ask your organisation's admin."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        ratelimit.password_attempt_record(
            username=self._username(), address=ratelimit.client_address(self.request), success=True
        )
        return super().form_valid(form)

    def form_invalid(self, form: Any) -> HttpResponse:
        if self.request.POST.get("password"):  # an empty form is no guess
            ratelimit.password_attempt_record(
                username=self._username(),
                address=ratelimit.client_address(self.request),
                success=False,
            )
        return super().form_invalid(form)


# Account: one's own API tokens (core.tokens, the same services as the API and the command)


def _own_tokens_page(
    request: HttpRequest, form: ApiTokenForm, new_key: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "tokens": api_tokens_of(user=cast(User, request.user)),
        "form": form,
        "new_key": new_key,
        "now": timezone.now(),
    }
    return render(request, "core/account_tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@login_only
def account_tokens(request: HttpRequest) -> HttpResponse:
    """GET lists the person's own tokens; POST makes one for the organisation they act for,
    shown once on the answer."""
    if request.method == "GET":
        return _own_tokens_page(request, ApiTokenForm())
    acting = request_acting(request)
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            issued = api_token_issue(
                user=cast(User, request.user),
                organisation=acting.organisation,
                days=form.cleaned_data["days"],
                name=form.cleaned_data["name"],
                via=acting.via,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _own_tokens_page(request, ApiTokenForm(), new_key=issued.key)
    return _own_tokens_page(request, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@login_only
def account_token_revoke(request: HttpRequest) -> HttpResponse:
    """GET (?token=ID) asks "Are you sure?"; POST (the button on that page) revokes. Only
    one's own tokens: another's id is not found, and the list says so."""
    back = reverse("account_tokens")
    raw = request.POST.get("token") if request.method == "POST" else request.GET.get("token")
    token = (
        api_tokens_of(user=cast(User, request.user)).filter(pk=int(raw)).first()
        if raw and raw.isdigit()
        else None
    )
    if token is None:
        messages.error(request, _("That token is not one of yours."))
        return redirect(back)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return render(request, "core/account_token_revoke.html", {"token": token, "back": back})
    acting = getattr(request, "acting", None)
    api_token_revoke(user=cast(User, request.user), token=token, via=acting.via if acting else None)
    messages.success(request, _("The token is revoked; it no longer works."))
    return redirect(back)
