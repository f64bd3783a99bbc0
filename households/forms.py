"""Forms of the household pages. They only parse input; the services validate and decide."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.models import Programme
from core.validators import ADULT_AGE, EARLIEST_BIRTH_YEAR
from core.words import word
from households.models import Consent, ContactChannel, DebtSupport, Household
from households.services import HOUSEHOLD_FIELDS

# The form's sections, in the order an intake conversation goes.
FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_("Person"), ("first_name", "last_name", "birth_year", "language")),
    (_("Address"), ("street", "house_number", "box", "postcode", "city", "country")),
    (_("Contact"), ("contact_channel", "phone", "email")),
    (
        _("Situation"),
        ("size", "social_tariff", "welfare_client", "debt_support", "net_monthly_income"),
    ),
)

AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "street": "address-line1",
    "postcode": "postal-code",
    "city": "address-level2",
    "phone": "tel",
    "email": "email",
    "birth_year": "off",
    "net_monthly_income": "off",
}


class HouseholdForm(forms.Form):
    """The household's registry data; a plain Form so that editing never touches the record
    before household_update() compares old and new values."""

    def __init__(self, *args: Any, country: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                Household,
                fields=HOUSEHOLD_FIELDS,
                widgets={"contact_channel": forms.RadioSelect},
            )
        )
        # The situation in the words of the organisation's country (core.words).
        for name in ("social_tariff", "welfare_client", "debt_support"):
            self.fields[name].label = capfirst(word(f"{name}_field", country))
        debt = self.fields["debt_support"]
        if isinstance(debt, forms.ChoiceField):
            debt.choices = [
                (value, word(f"debt_support.{value}", country) if value != "none" else label)
                for value, label in DebtSupport.choices
            ]
        # A radio group needs no empty "---------" choice.
        channel = self.fields["contact_channel"]
        if not isinstance(channel, forms.ChoiceField):
            raise TypeError("channel is not a ChoiceField")
        channel.choices = ContactChannel.choices
        # Localised, so "1250,50" works in Dutch and French; a text input because a number
        # input refuses the decimal comma in some browsers.
        self.fields["net_monthly_income"].localize = True
        self.fields["net_monthly_income"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        # The model's limits, so the browser can say so before the form is sent.
        self.fields["birth_year"].widget.attrs.update(
            inputmode="numeric",
            min=EARLIEST_BIRTH_YEAR,
            max=timezone.localdate().year - ADULT_AGE,  # the service checks it too
        )
        self.fields["size"].widget.attrs.update(min=1, max=30)
        for name, value in AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = value

    def fieldsets(self) -> Iterator[tuple[Any, list[forms.BoundField]]]:
        for legend, names in FIELDSETS:
            yield legend, [self[name] for name in names]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values, keyed by the service's field names."""
        return {name: self.cleaned_data[name] for name in HOUSEHOLD_FIELDS}

    @staticmethod
    def initial_from(household: Household) -> dict[str, Any]:
        return {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    given_on = forms.DateField(
        label=_("Given on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("New note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only your organisation can read notes."),
    )


class EnrolForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    override_reason = forms.CharField(
        label=_("Enrol anyway, because"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only if the household does not meet the rules: explain why it should take part."
        ),
    )

    def __init__(
        self, *args: Any, programmes: QuerySet[Programme], can_override: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        programme = self.fields["programme"]
        if not isinstance(programme, forms.ModelChoiceField):
            raise TypeError("programme is not a ModelChoiceField")
        programme.queryset = programmes
        if not can_override:
            del self.fields["override_reason"]


class EraseForm(forms.Form):
    reference = forms.CharField(
        label=_("Type the household's reference to confirm"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household = household

    def clean_reference(self) -> str:
        typed = self.cleaned_data["reference"].strip().upper()
        if typed != self.household.reference:
            raise forms.ValidationError(
                _("This is not the reference of this household. Nothing was erased.")
            )
        return typed
