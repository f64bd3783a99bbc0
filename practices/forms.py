from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import Country, Language, Programme
from practices.models import ExchangeRequest, Practice, PracticeText, Theme

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class PracticeTextForm(forms.ModelForm):
    class Meta:
        model = PracticeText
        fields = [
            "title",
            "summary",
            "target_group",
            "problem",
            "approach",
            "partners",
            "costs",
            "preconditions",
            "relevance",
            "participation",
            "lessons",
            "success_factors",
            "transfer_notes",
        ]
        widgets = {name: TEXTAREA for name in fields if name != "title"}
        help_texts = {"approach": _("One step a line.")}


class PracticeForm(forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Practice
        fields = [
            "original_language",
            "visibility",
            "programme_kind",
            "programme",
            "contact_name",
            "contact_email",
            "participatory",
            "measured",
            "transferable",
        ]

    def __init__(
        self, *args: Any, programmes: "QuerySet[Any] | None" = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = programmes if programmes is not None else Programme.objects.none()
        if self.instance.pk:
            self.initial["themes"] = self.instance.theme_list


class ResultForm(forms.Form):
    label = forms.CharField(label=_("What was measured"), max_length=200)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    about = forms.IntegerField(
        label=_("Households or persons it is about"),
        min_value=0,
        required=False,
        help_text=_("Fewer than 5 is never shown outside your organisation."),
    )
    source = forms.CharField(label=_("Source"), max_length=300)
    measured_on = forms.DateField(
        label=_("Measured on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ExchangeForm(forms.Form):
    practice = forms.ModelChoiceField(label=_("Practice"), queryset=Practice.objects.none())
    kind = forms.ChoiceField(label=_("What you ask for"), choices=ExchangeRequest.Kind.choices)
    message = forms.CharField(label=_("Message"), widget=TEXTAREA, max_length=5000)
    proposed_dates = forms.CharField(label=_("Proposed dates"), max_length=300, required=False)
    meeting_link = forms.URLField(
        label=_("Online meeting link"), required=False, max_length=200, assume_scheme="https"
    )

    def __init__(self, *args: Any, practices: "QuerySet[Any] | None" = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practice"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = practices


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your message"), widget=TEXTAREA, max_length=5000)
    close = forms.BooleanField(label=_("Close the exchange"), required=False)


class LibraryFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    theme = forms.ChoiceField(
        label=_("Theme"), choices=[("", _("Any"))] + Theme.choices, required=False
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=[("", _("Any"))] + Country.choices, required=False
    )
    kind = forms.ChoiceField(
        label=_("Programme kind"), choices=[("", _("Any"))] + Programme.Kind.choices, required=False
    )
    language = forms.ChoiceField(
        label=_("Written in"), choices=[("", _("Any"))] + Language.choices, required=False
    )


class SubscriptionForm(forms.Form):
    url = forms.URLField(label=_("Feed address"), max_length=500, assume_scheme="https")


class PackageForm(forms.Form):
    package = forms.CharField(
        label=_("Programme package (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=1024 * 1024,
    )
    file = forms.FileField(label=_("or a package file"), required=False)
    name = forms.CharField(label=_("Name of the new programme"), max_length=200, required=False)
