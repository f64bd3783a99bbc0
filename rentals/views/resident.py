"""The resident page: a personal link and PIN open a simple page without an account.

/r/<key>/ shows only the PIN form — the same for a known and an unknown key, so keys cannot
be probed. The right PIN marks the session as verified for this household for 30 minutes.
Wrong PINs lock the link itself (rentals.services.resident); besides, core.ratelimit keeps a wide
safety net per client address. Only wrong PINs count, so one resident's mistakes or an
attacker's guesses never close the page for another resident with the right PIN.
"""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.access import public
from core.forms import add_service_errors
from core.http import WijkRequest
from households.models import Household
from rentals import letters, selectors, services
from rentals.models import Contract
from rentals.services.tickets import ticket_open_by_resident

SESSION_HOUSEHOLD = "resident_household_id"
SESSION_KEY = "resident_key"
SESSION_UNTIL = "resident_until"
SESSION_LANGUAGE = "resident_language"
SESSION_TICKET_SENT = "resident_ticket_sent"
SESSION_MINUTES = 30


# ---------------------------------------------------------------- forms
class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("Your code (6 digits)"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "maxlength": "20",
                "spellcheck": "false",
                "class": "pin-input",
            }
        ),
    )

    def clean_pin(self) -> str:
        pin = "".join(self.cleaned_data["pin"].split())  # "123 456" as printed works too
        if len(pin) != services.PIN_DIGITS or not pin.isdigit():
            raise ValidationError(_("The code has 6 digits. Look at your letter."))
        return pin


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_category_display()} — {obj.unit.appliance_model}"


class BreakdownForm(forms.Form):
    contract = ContractChoiceField(
        label=_("Which appliance does not work well?"),
        queryset=Contract.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the appliance."),
            "invalid_choice": _("Choose one of your own appliances."),
        },
    )
    description = forms.CharField(
        label=_("What is wrong? A few words are enough."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say in a few words what is wrong.")},
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this household's installed appliances: another contract id is not a choice.
        contracts = selectors.active_contracts(household)
        field = self.fields["contract"]
        if not isinstance(field, ContractChoiceField):
            raise TypeError("field is not a ContractChoiceField")
        field.queryset = contracts
        if len(contracts) == 1:
            field.initial = contracts[0].pk


# ---------------------------------------------------------------- helpers
def _languages(request: WijkRequest) -> list[dict[str, str]]:
    """Links to see the page in another language; plain links, so no JavaScript is needed."""
    current = translation.get_language()
    return [
        {
            "code": code,
            "name": translation.get_language_info(code)["name_local"],
            "url": f"{request.path}?lang={code}",
            "current": "true" if code == current else "",
        }
        for code, _name in settings.LANGUAGES
    ]


def _activate_language(request: WijkRequest, household: Household | None = None) -> None:
    """The resident's own choice, else the household's language, else the browser's."""
    chosen = request.GET.get("lang", "")
    if chosen in dict(settings.LANGUAGES):
        request.session[SESSION_LANGUAGE] = chosen
    language = request.session.get(SESSION_LANGUAGE) or (household and household.language)
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _verified_household(request: WijkRequest, key: str) -> Household | None:
    session = request.session
    if session.get(SESSION_KEY) != key:
        return None
    until = session.get(SESSION_UNTIL)
    if not isinstance(until, int | float) or until < time.time():
        return None
    return services.resident_session_household(key=key, household_id=session.get(SESSION_HOUSEHOLD))


def _forget(request: WijkRequest) -> None:
    for name in (
        SESSION_HOUSEHOLD,
        SESSION_KEY,
        SESSION_UNTIL,
        SESSION_LANGUAGE,
        SESSION_TICKET_SENT,
    ):
        request.session.pop(name, None)


def _pin_url(key: str) -> str:
    return reverse("resident:pin", kwargs={"key": key})


def _render(
    request: WijkRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"languages": _languages(request), **context}
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------- pages
@never_cache
@require_http_methods(["GET", "POST"])
@public
def pin(request: WijkRequest, key: str) -> HttpResponse:
    _activate_language(request)
    if request.method == "GET":
        if _verified_household(request, key) is not None:
            return redirect("resident:home", key=key)
        return _render(request, "rentals/resident/pin.html", {"form": PinForm(), "key": key})

    form = PinForm(request.POST)
    context: dict[str, Any] = {"form": form, "key": key}
    address = ratelimit.address_key(ratelimit.client_address(request))
    if ratelimit.attempts_blocked(ratelimit.RESIDENT_PIN_PER_ADDRESS, address):
        context["error"] = _(
            "You tried many times. For your safety you have to wait 15 minutes. Then try again."
        )
        return _render(request, "rentals/resident/pin.html", context, status=429)
    if not form.is_valid():
        return _render(request, "rentals/resident/pin.html", context, status=400)
    try:
        household = services.resident_access_check(key=key, pin=form.cleaned_data["pin"])
    except services.ResidentAccessError as exc:
        if not isinstance(exc, services.Expired):  # an expired link was opened with its PIN
            ratelimit.attempt_failed(ratelimit.RESIDENT_PIN_PER_ADDRESS, address)
        context["form"] = PinForm()  # never echo a PIN back
        context["error"] = exc.message
        status = 429 if isinstance(exc, services.Locked) else 403
        return _render(request, "rentals/resident/pin.html", context, status=status)

    _forget(request)
    request.session.cycle_key()  # a new session id once the PIN is right
    request.session[SESSION_HOUSEHOLD] = household.pk
    request.session[SESSION_KEY] = key
    request.session[SESSION_UNTIL] = time.time() + SESSION_MINUTES * 60
    request.session[SESSION_LANGUAGE] = household.language
    if not request.user.is_authenticated:
        # A staff member's own session keeps its length; the resident's lasts 30 minutes.
        request.session.set_expiry(SESSION_MINUTES * 60)
    return redirect("resident:home", key=key)


@never_cache
@require_GET
@public
def home(request: WijkRequest, key: str) -> HttpResponse:
    household = _verified_household(request, key)
    if household is None:
        return redirect(_pin_url(key))
    _activate_language(request, household)
    overview = selectors.resident_overview(household)
    pay = letters.resident_payment(household=household, amount=overview.to_pay)
    return _render(
        request,
        "rentals/resident/home.html",
        {"key": key, "overview": overview, "pay": pay, "verified": True},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@public
def breakdown(request: WijkRequest, key: str) -> HttpResponse:
    household = _verified_household(request, key)
    if household is None:
        return redirect(_pin_url(key))
    _activate_language(request, household)
    form = BreakdownForm(request.POST if request.method == "POST" else None, household=household)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                ticket_open_by_resident(
                    household=household,
                    contract=form.cleaned_data["contract"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[SESSION_TICKET_SENT] = True
                return redirect("resident:breakdown_sent", key=key)
        status = 400
    has_appliances = bool(form.fields["contract"].queryset)  # type: ignore[attr-defined]
    return _render(
        request,
        "rentals/resident/breakdown.html",
        {
            "key": key,
            "form": form,
            "has_appliances": has_appliances,
            "verified": True,
            "organisation": household.organisation,
        },
        status=status,
    )


@never_cache
@require_GET
@public
def breakdown_sent(request: WijkRequest, key: str) -> HttpResponse:
    household = _verified_household(request, key)
    if household is None:
        return redirect(_pin_url(key))
    _activate_language(request, household)
    if not request.session.pop(SESSION_TICKET_SENT, False):
        return redirect("resident:home", key=key)
    return _render(
        request,
        "rentals/resident/breakdown_sent.html",
        {"key": key, "verified": True, "organisation": household.organisation},
    )


@require_POST
@public
def logout(request: WijkRequest, key: str) -> HttpResponse:
    _forget(request)
    request.session.cycle_key()
    return redirect(_pin_url(key))
