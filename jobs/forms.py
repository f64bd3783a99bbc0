"""Forms of the job bureau's pages: they read and type the input; the rules are the
services' (jobs/services/), whose messages the views put next to the fields."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Language, Programme
from jobs import rules as pure
from jobs.models import (
    Assessment,
    Category,
    ChequeHolder,
    Feedback,
    Outcome,
    Preset,
    ProgrammeRules,
    Service,
    Skill,
    Worker,
)
from jobs.services.setup import RULE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class PresetForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Start again from a preset"),
        choices=[(k, v) for k, v in Preset.choices if k in pure.PRESETS],
    )


class RulesForm(forms.ModelForm):
    allowed_categories = forms.MultipleChoiceField(
        label=_("Allowed activity categories"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProgrammeRules
        fields = list(RULE_FIELDS)
        localized_fields = "__all__"


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    category = forms.ChoiceField(label=_("Activity category"), choices=Category.choices)
    fixed_price = forms.DecimalField(
        label=_("Fixed price (EUR)"), required=False, localize=True, max_digits=7, decimal_places=2
    )
    skills = forms.MultipleChoiceField(
        label=_("Required skills"),
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    skill_level = forms.IntegerField(
        label=_("At least at level"), min_value=1, max_value=3, initial=1
    )
    crew_size = forms.IntegerField(label=_("Crew size"), min_value=1, max_value=6, initial=1)
    duration_minutes = forms.IntegerField(
        label=_("Expected duration (minutes)"), min_value=15, max_value=600, initial=60
    )
    needs = forms.ChoiceField(label=_("Needs"), choices=Service.Needs.choices, required=False)
    load = forms.IntegerField(label=_("Load"), min_value=0, max_value=10000, initial=0)


class RequestForm(forms.Form):
    """What staff take down by phone or at the desk."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="nl")
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    dropoff_street = forms.CharField(
        label=_("Take things to: street and number"), max_length=200, required=False
    )
    dropoff_postcode = forms.CharField(
        label=_("Take things to: postcode"), max_length=10, required=False
    )
    preferred_day = forms.DateField(label=_("Day"), widget=DATE)
    window_start = forms.TimeField(label=_("From"), widget=TIME)
    window_end = forms.TimeField(label=_("Until"), widget=TIME)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea, required=False, max_length=2000
    )

    # Optional: typed, or picked on the map where it is on and online (jobs/static/jobs/
    # map_picker.js); without them the postcode's centre is used (jobs/geo.py). docs/jobs.md,
    # "Coordinates: the map picker".
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Leave empty to use the centre of the postcode."),
    )
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    dropoff_lat = forms.FloatField(
        label=_("Take things to: latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Leave empty to use the centre of the postcode."),
    )
    dropoff_lon = forms.FloatField(
        label=_("Take things to: longitude"),
        required=False,
        min_value=-180,
        max_value=180,
    )

    # Each address with its coordinates (and the map picker after them, request_new.html).
    field_order = [
        "service",
        "name",
        "phone",
        "email",
        "language",
        "street",
        "postcode",
        "city",
        "lat",
        "lon",
        "dropoff_street",
        "dropoff_postcode",
        "dropoff_lat",
        "dropoff_lon",
    ]

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = Service.objects.filter(
            programme=programme, active=True
        )


class PublicRequestForm(RequestForm):
    """The resident's form: plain words, and a field people never see (bots fill it).
    Residents give an address, never coordinates."""

    lat = None  # type: ignore[assignment]
    lon = None  # type: ignore[assignment]
    dropoff_lat = None  # type: ignore[assignment]
    dropoff_lon = None  # type: ignore[assignment]

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].label = _("What do you need help with?")
        self.fields["name"].label = _("Your name")
        self.fields["phone"].label = _("Your phone number")
        self.fields["email"].label = _("Your e-mail (if you have one)")
        self.fields["street"].label = _("Your street and house number")
        self.fields["postcode"].label = _("Your postcode")
        self.fields["preferred_day"].label = _("Which day suits you?")
        self.fields["window_start"].label = _("From what time?")
        self.fields["window_end"].label = _("Until what time?")
        self.fields["notes"].label = _("Anything we should know?")
        self.fields["language"].label = _("Which language do you speak?")


class WorkerForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="nl")
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    agreement_start = forms.DateField(label=_("Agreement starts"), widget=DATE)
    agreement_end = forms.DateField(label=_("Agreement ends"), widget=DATE)
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea, required=False)


class SkillForm(forms.Form):
    skill = forms.ChoiceField(label=_("Skill"), choices=Skill.choices)
    level = forms.IntegerField(
        label=_("Level (0 takes it away)"), min_value=0, max_value=3, initial=1
    )


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day of the week"), choices=WEEKDAYS, coerce=int)
    start = forms.TimeField(label=_("From"), widget=TIME)
    end = forms.TimeField(label=_("Until"), widget=TIME)


class ExceptionForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    start = forms.TimeField(label=_("From (empty: a day off)"), widget=TIME, required=False)
    end = forms.TimeField(label=_("Until"), widget=TIME, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TrajectoryForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False
    )
    outcome_on = forms.DateField(label=_("Ended on"), widget=DATE, required=False)
    followup_6 = forms.ChoiceField(
        label=_("After 6 months"), choices=[("", "—"), *Outcome.choices], required=False
    )
    followup_12 = forms.ChoiceField(
        label=_("After 12 months"), choices=[("", "—"), *Outcome.choices], required=False
    )


class AssessmentForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    competence = forms.ChoiceField(label=_("Competence"), choices=Assessment.Competence.choices)
    score = forms.IntegerField(label=_("Score (1 to 5)"), min_value=1, max_value=5)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=5000)


class HoursForm(forms.Form):
    start = forms.TimeField(label=_("I started at"), widget=TIME)
    end = forms.TimeField(label=_("I stopped at"), widget=TIME)
    km = forms.DecimalField(
        label=_("Kilometres, there and back"),
        min_value=0,
        max_value=500,
        decimal_places=1,
        initial=0,
        localize=True,
    )


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)


class MoveForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Give to"), queryset=Worker.objects.none())

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["worker"]).queryset = Worker.objects.filter(
            programme=programme, erased_at__isnull=True
        )


class FeedbackForm(forms.Form):
    smiley = forms.TypedChoiceField(
        label=_("How was it?"),
        choices=Feedback.Smiley.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )


class ChequeHolderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who"), choices=ChequeHolder.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)


class ChequePurchaseForm(forms.Form):
    quantity = forms.IntegerField(label=_("Number of cheques"), min_value=1, max_value=500)
    bought_on = forms.DateField(
        label=_("Bought on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RequestChequesForm(forms.Form):
    cheque_holder = forms.ModelChoiceField(
        label=_("Pays with the cheques of"),
        queryset=ChequeHolder.objects.none(),
        required=False,
        empty_label=_("The household's cheque user, if any"),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["cheque_holder"])
        field.queryset = ChequeHolder.objects.filter(programme=programme, anonymised=False)


class WorkerEraseForm(forms.Form):
    """The coordinator confirms an erasure (it cannot be undone)."""

    confirm = forms.BooleanField(
        label=_("Yes, erase this worker's personal data for good"),
        required=True,
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
