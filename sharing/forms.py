"""Forms of the energy-sharing pages. They only parse input; the services decide and validate."""

import re
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Language, Programme
from core.tenancy import Acting, scoped
from households.models import Enrolment, Household
from sharing.models import KeyPreset, Participant
from sharing.pure.allocation import Weighting


def _decimal(label: Any, places: int = 4, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        decimal_places=places,
        max_digits=places + 4,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


class DateInput(forms.DateInput):
    input_type = "date"


class SettingsForm(forms.Form):
    sharing_price = _decimal(_("Sharing price (EUR/kWh)"), min_value=0)
    supplier_price = _decimal(_("Supplier price (EUR/kWh)"), min_value=0)
    latitude = _decimal(_("Latitude"), places=5, min_value=-90, max_value=90)
    longitude = _decimal(_("Longitude"), places=5, min_value=-180, max_value=180)


class CommunityCreateForm(SettingsForm):
    def __init__(self, *args: Any, acting: Acting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "programme": forms.ModelChoiceField(
                label=_("Programme"),
                queryset=scoped(Programme, acting).filter(
                    kind=Programme.Kind.ENERGY_SHARING,
                    lead_organisation=acting.organisation,
                    sharing_community__isnull=True,
                ),
            ),
            **self.fields,
        }


class KeyForm(forms.Form):
    preset = forms.ChoiceField(label=_("Key"), choices=KeyPreset.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    social_cap = _decimal(
        _("Social priority: first share of a vulnerable participant's consumption"),
        places=3,
        min_value=0,
        max_value=1,
        initial=Decimal("0.5"),
        required=False,
    )


class ParticipantForm(forms.Form):
    household = forms.ModelChoiceField(
        label=_("Household"),
        queryset=Household.objects.none(),
        required=False,
        help_text=_("Leave empty for an organisation (a school, a shop)."),
    )
    name = forms.CharField(label=_("Organisation's name"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language of its statements"), choices=Language.choices, initial="nl"
    )
    ean = forms.CharField(label=_("EAN"), max_length=30)
    role = forms.ChoiceField(label=_("Role"), choices=Participant.ParticipantRole.choices)
    vulnerable = forms.BooleanField(label=_("Vulnerable (e.g. social tariff)"), required=False)
    key_percentage = _decimal(_("Key percentage"), places=2, min_value=0, max_value=100, initial=0)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput)

    def __init__(self, *args: Any, acting: Acting, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        household = cast(forms.ModelChoiceField, self.fields["household"])
        household.queryset = (
            scoped(Household.objects.active(), acting)
            .filter(
                enrolments__programme=programme,
                enrolments__status=Enrolment.Status.ENROLLED,
            )
            .exclude(sharing_participations__community__programme=programme)
            .order_by("last_name", "first_name")
        )


class ParticipantEditForm(forms.Form):
    ean = forms.CharField(label=_("EAN"), max_length=30)
    role = forms.ChoiceField(label=_("Role"), choices=Participant.ParticipantRole.choices)
    vulnerable = forms.BooleanField(label=_("Vulnerable (e.g. social tariff)"), required=False)
    key_percentage = _decimal(_("Key percentage"), places=2, min_value=0, max_value=100)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput)


class EndForm(forms.Form):
    on = forms.DateField(label=_("Last day"), widget=DateInput)


class PvForm(forms.Form):
    kwp = _decimal(_("Peak power (kWp)"), places=2, min_value=Decimal("0.01"))
    azimuth = forms.IntegerField(
        label=_("Orientation (degrees; 180 is south)"), min_value=0, max_value=359, initial=180
    )
    tilt = forms.IntegerField(label=_("Tilt (degrees)"), min_value=0, max_value=90, initial=30)
    commissioned_on = forms.DateField(label=_("In service since"), widget=DateInput)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Meter-data file (CSV)"),
        help_text=_(
            "The quarter-hour export of the grid operator (Fluvius), or a plain CSV with "
            "timestamp, ean, offtake_kwh, injection_kwh."
        ),
    )


def parse_month(value: str) -> date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        return None
    return date(int(match[1]), int(match[2]), 1)


class MonthField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Month"))
        kwargs.setdefault("help_text", _("As YYYY-MM, for example 2026-05."))
        super().__init__(max_length=7, widget=forms.TextInput(attrs={"type": "month"}), **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM, for example 2026-05."))
        return month


class RunForm(forms.Form):
    month = MonthField()


WEIGHTINGS = [
    ("", _("(no round)")),
    (Weighting.FIXED.value, _("Fixed percentages")),
    (Weighting.PRO_RATA.value, _("Pro rata to consumption")),
    (Weighting.EQUAL.value, _("Equal shares")),
]


class SimulatorForm(forms.Form):
    month = MonthField()
    social_cap = _decimal(
        _("Social priority: first share of a vulnerable participant's consumption"),
        places=3,
        min_value=0,
        max_value=1,
        initial=Decimal("0.5"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in (1, 2, 3):
            self.fields[f"round{number}"] = forms.ChoiceField(
                label=_("Your own key, round %(n)s") % {"n": number},
                choices=WEIGHTINGS,
                required=False,
            )
            self.fields[f"round{number}_vulnerable"] = forms.BooleanField(
                label=_("Round %(n)s only for vulnerable participants") % {"n": number},
                required=False,
            )
            self.fields[f"round{number}_cap"] = _decimal(
                _("Round %(n)s: at most this share of the demand") % {"n": number},
                places=3,
                min_value=0,
                max_value=1,
                required=False,
            )
