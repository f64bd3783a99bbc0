"""Forms of the rental pages. They only parse input; rentals.services validates and decides."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Organisation, Programme
from core.validators import clean_iban, local_today
from rentals.models import (
    AgeBand,
    ApplianceModel,
    Category,
    Contract,
    LabelScale,
    PaymentMethod,
    Ticket,
    Unit,
    UnitStatus,
    Visit,
)
from rentals.rules import technicians_of as _technicians

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET)


def _decimal_field(
    label: Any, max_digits: int, decimal_places: int, required: bool = True, **kwargs: Any
) -> forms.DecimalField:
    # Localised, so "7,50" (nl, fr) and "7.50" both work; a text input because a number
    # input refuses the decimal comma in some browsers.
    return forms.DecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=decimal_places,
        min_value=0,
        required=required,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


def _with_empty(choices: list[tuple[str, Any]], label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


# ---------------------------------------------------------------- programme set-up
class SchemeForm(forms.Form):
    collector = forms.ModelChoiceField(
        label=_("Collecting organisation"), queryset=Organisation.objects.none()
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Organisation.objects.none())
    max_appliances = forms.IntegerField(
        label=_("Maximum appliances per household"), min_value=1, max_value=20, initial=3
    )
    ticket_reminder_days = forms.IntegerField(
        label=_("Remind when a ticket is open longer than (days)"),
        min_value=1,
        max_value=365,
        initial=10,
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The lead and its partners: the service refuses any other organisation.
        organisations = Organisation.objects.filter(
            pk__in=[
                programme.lead_organisation_id,
                *programme.partners.values_list("organisation_id", flat=True),
            ]
        ).order_by("name")
        for name in ("collector", "supplier"):
            field = self.fields[name]
            if not isinstance(field, forms.ModelChoiceField):
                raise TypeError("field is not a ModelChoiceField")
            field.queryset = organisations


class OfferForm(forms.Form):
    category = forms.ChoiceField(label=_("Appliance"), choices=Category.choices)
    tenant_fee = _decimal_field(_("Tenant fee per month (EUR)"), 7, 2, max_value=500)
    subsidy = _decimal_field(_("Subsidy per month (EUR)"), 7, 2, max_value=500)
    term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=1, max_value=600, initial=120
    )


class ApplianceModelForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    brand = forms.CharField(label=_("Brand"), max_length=60)
    model_name = forms.CharField(label=_("Model"), max_length=100)
    eprel_number = forms.CharField(label=_("EPREL number"), max_length=20, required=False)
    energy_class = forms.CharField(
        label=_("Energy class"),
        max_length=4,
        help_text=_("As on the label, for example B or A++."),
    )
    label_scale = forms.ChoiceField(
        label=_("Label scale"), choices=LabelScale.choices, initial=LabelScale.EU_2021
    )
    kwh_per_year = _decimal_field(_("Declared kWh a year"), 7, 1, required=False)
    kwh_per_100_cycles = _decimal_field(_("kWh per 100 cycles"), 7, 1, required=False)
    cycles_per_year = forms.IntegerField(
        label=_("Cycles a year"), min_value=1, max_value=2000, required=False
    )
    water_litres_per_cycle = _decimal_field(_("Water litres per cycle"), 6, 1, required=False)
    capacity = forms.CharField(
        label=_("Capacity"),
        max_length=30,
        required=False,
        help_text=_("For example 8 kg or 300 l."),
    )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["energy_class"] = data["energy_class"].strip().upper()
        return data


# ---------------------------------------------------------------- units
class UnitForm(forms.Form):
    appliance_model = forms.ModelChoiceField(
        label=_("Model"), queryset=ApplianceModel.objects.none()
    )
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    refurbished = forms.BooleanField(label=_("Refurbished"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (UnitStatus.IN_STOCK.value, UnitStatus.IN_STOCK.label),
            (UnitStatus.ORDERED.value, UnitStatus.ORDERED.label),
        ],
        widget=forms.RadioSelect,
        initial=UnitStatus.IN_STOCK,
    )

    def __init__(self, *args: Any, models: QuerySet[ApplianceModel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["appliance_model"]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError("field is not a ModelChoiceField")
        field.queryset = models


class UnitFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_empty(UnitStatus.choices, _("All")), required=False
    )
    category = forms.ChoiceField(
        label=_("Appliance"), choices=_with_empty(Category.choices, _("All")), required=False
    )
    q = forms.CharField(label=_("Serial number"), max_length=60, required=False)


class UnitTransitionForm(forms.Form):
    # Every status is accepted here; the service refuses a move the lifecycle does not allow.
    to = forms.ChoiceField(label=_("New status"), choices=UnitStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


# ---------------------------------------------------------------- applications
class ApplicationForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    category = forms.ChoiceField(label=_("Appliance"), choices=Category.choices)
    has_old_appliance = forms.BooleanField(
        label=_("The household has an old appliance to replace"), required=False, initial=True
    )
    old_age_band = forms.ChoiceField(
        label=_("Age of the old appliance"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN
    )
    old_label = forms.CharField(
        label=_("Energy label of the old appliance"),
        max_length=4,
        required=False,
        help_text=_("Only if known, for example A+ or E."),
    )
    old_label_scale = forms.ChoiceField(
        label=_("Label scale of the old appliance"),
        choices=_with_empty(LabelScale.choices, _("Not known")),
        required=False,
    )
    old_measured_kwh = _decimal_field(
        _("Measured kWh a year (plug meter)"),
        7,
        1,
        required=False,
        help_text=_("Only if a plug meter was used."),
    )

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError("field is not a ModelChoiceField")
        field.queryset = programmes
        if len(programmes) == 1:
            field.initial = programmes[0].pk


class PriorityForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for priority"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# ---------------------------------------------------------------- contracts
class SignForm(forms.Form):
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=PaymentMethod.choices, widget=forms.RadioSelect
    )
    debtor_iban = forms.CharField(
        label=_("IBAN for direct debit"),
        max_length=50,
        required=False,
        help_text=_("Only for direct debit."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    installation_on = _date_field(_("Installation date"))

    def clean_debtor_iban(self) -> str:
        value = self.cleaned_data["debtor_iban"].strip()
        # Checked here too, so a wrong IBAN is marked on its own field.
        return clean_iban(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("payment_method") == PaymentMethod.DIRECT_DEBIT
            and not data.get("debtor_iban")
            and "debtor_iban" not in self.errors
        ):
            self.add_error("debtor_iban", _("Direct debit needs the household's IBAN."))
        return data


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Contract.EndReason.choices)
    on = _date_field(_("Ends on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    """Why a draft or signed contract is cancelled (kept on the contract)."""

    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_with_empty(Contract.Status.choices, _("All")),
        required=False,
    )


# ---------------------------------------------------------------- visits and tickets
def technicians_of(organisation: Organisation) -> QuerySet[Any]:
    return _technicians(organisation).order_by("first_name", "last_name", "username")


class TechnicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class AssignForm(forms.Form):
    technician = TechnicianChoiceField(
        label=_("Technician"), queryset=get_user_model().objects.none()
    )
    planned_on = _date_field(_("Date"))
    window = forms.CharField(
        label=_("Time window"),
        max_length=20,
        required=False,
        help_text=_("For example 9:00–12:00."),
    )

    def __init__(self, *args: Any, supplier: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["technician"]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError("field is not a ModelChoiceField")
        field.queryset = technicians_of(supplier)


class VisitPlanForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of visit"),
        choices=[
            (Visit.Kind.REPAIR.value, Visit.Kind.REPAIR.label),
            (Visit.Kind.SWAP.value, Visit.Kind.SWAP.label),
        ],
        widget=forms.RadioSelect,
        initial=Visit.Kind.REPAIR,
    )
    planned_on = _date_field(_("Date"))
    window = forms.CharField(label=_("Time window"), max_length=20, required=False)
    technician = TechnicianChoiceField(
        label=_("Technician"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args: Any, supplier: Organisation | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["technician"]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError("field is not a ModelChoiceField")
        if supplier is not None:
            field.queryset = technicians_of(supplier)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.serial} · {obj.appliance_model}"


class VisitDoneForm(forms.Form):
    disposal = forms.ChoiceField(
        label=_("Old appliance"),
        choices=Visit.Disposal.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    replacement = UnitChoiceField(
        label=_("Replacement unit"), queryset=Unit.objects.none(), required=False
    )
    report = forms.CharField(
        label=_("Short report"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    early = forms.BooleanField(
        label=_("Yes, it was done before the planned day"),
        help_text=_("The visit is planned for a later day: confirm that it is done already."),
        required=False,
    )

    def __init__(
        self, *args: Any, visit: Visit, replacements: QuerySet[Unit] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Asked only when the visit is planned for a later day (services.visit_complete).
        if visit.planned_on <= local_today(visit.technician_organisation):
            del self.fields["early"]
        # Only what this kind of visit needs.
        if visit.kind != Visit.Kind.INSTALLATION:
            del self.fields["disposal"]
        if visit.kind == Visit.Kind.SWAP:
            field = self.fields["replacement"]
            if not isinstance(field, forms.ModelChoiceField):
                raise TypeError("field is not a ModelChoiceField")
            field.queryset = replacements if replacements is not None else Unit.objects.none()
            field.required = True
        else:
            del self.fields["replacement"]


class TicketForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Reported"),
        choices=[
            (Ticket.Channel.PHONE.value, Ticket.Channel.PHONE.label),
            (Ticket.Channel.DESK.value, Ticket.Channel.DESK.label),
        ],
        widget=forms.RadioSelect,
        initial=Ticket.Channel.PHONE,
    )
    description = forms.CharField(
        label=_("What is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
