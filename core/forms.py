"""Forms of the core pages. They only parse input; the services decide and validate."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent, Organisation, ProgrammePartner, Tariff
from core.services import ORGANISATION_EDITABLE


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to the field it names, else on top.

    Services may name fields the form does not show (e.g. a model field); those messages
    go to the top of the form rather than being lost or raising.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        if field == NON_FIELD_ERRORS:
            target = None
        form.add_error(target, ValidationError(errors))


def _decimal_field(model_field: Any) -> forms.DecimalField:
    # Localised, so "0,33" (nl, fr) and "0.33" both work; a text input because a number
    # input rejects the decimal comma in some browsers.
    return forms.DecimalField(
        label=model_field.verbose_name,
        max_digits=model_field.max_digits,
        decimal_places=model_field.decimal_places,
        min_value=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class OrganisationForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Organisation, fields=ORGANISATION_EDITABLE))
        # Room for numbers typed with spaces and dots; the service stores them compact.
        for name, length in (("iban", 50), ("enterprise_number", 30)):
            self.fields[name] = forms.CharField(
                label=self.fields[name].label,
                max_length=length,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(autocomplete="tel")
        self.fields["postcode"].widget.attrs.update(autocomplete="postal-code")


class PartnerForm(forms.Form):
    # Organisations are not personal data, so every organisation may be chosen; the service
    # refuses the lead organisation itself and duplicates.
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.order_by("name")
    )
    role = forms.ChoiceField(label=_("Partner role"), choices=ProgrammePartner.Role.choices)


class TariffForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("electricity_standard", "electricity_social", "water", "co2"):
            self.fields[name] = _decimal_field(Tariff._meta.get_field(name))


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *AuditEvent.Action.choices],
        required=False,
    )
    household = forms.CharField(
        label=_("Household reference"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ApiTokenForm(forms.Form):
    """A new API token of one's own, for the organisation one acts for (core.tokens)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, to tell your tokens apart (e.g. “reporting script”)."),
    )
    days = forms.IntegerField(
        label=_("Works for (days)"),
        min_value=1,
        max_value=3660,
        required=False,
        help_text=_("Empty: the installation's default lifetime."),
    )
