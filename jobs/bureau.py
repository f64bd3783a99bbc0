"""The bureau itself, below services and selectors: finding it, the lead check (both halves
of a permission), its rules, its time zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from core.models import Programme
from core.permissions import is_lead
from core.tenancy import Acting, get_scoped, scoped
from jobs import geo
from jobs import rules as pure
from jobs.models import Preset, ProgrammeRules

KIND = Programme.Kind.JOB_BUREAU


def bureaus(acting: Acting) -> "QuerySet[Programme]":
    """The job-bureau programmes the acting organisation leads."""
    return scoped(Programme, acting).filter(kind=KIND, lead_organisation=acting.organisation)


def bureau_get(acting: Acting, pk: int) -> Programme:
    """A job-bureau programme the acting organisation sees (else 404)."""
    return get_scoped(Programme.objects.filter(kind=KIND), acting, pk=pk)


def require_lead(acting: Acting, programme: Programme, permission: str) -> None:
    """Both halves: the role holds the permission and the organisation leads the bureau."""
    acting.require(permission)
    if not (acting.operator or is_lead(acting, programme)):
        raise PermissionDenied(permission)


def default_preset(programme: Programme) -> str:
    return (
        Preset.WIJK_WERKEN if programme.lead_organisation.country == "BE" else Preset.NL_VOLUNTEER
    )


def rules_of(programme: Programme) -> ProgrammeRules:
    """The programme's rules; before the coordinator saved any, the preset of its country
    (not saved: reading never writes)."""
    found = ProgrammeRules.objects.filter(programme=programme).first()
    if found is not None:
        return found
    org = programme.lead_organisation
    preset = default_preset(programme)
    centre = geo.postcode_centre(org.country, org.postcode) or (
        (51.2194, 2.9196) if org.country == "BE" else (51.9855, 5.9235)
    )
    return ProgrammeRules(
        programme=programme,
        preset=preset,
        depot_lat=centre[0],
        depot_lon=centre[1],
        **dict(pure.PRESETS[preset]),
    )


def zone(programme: Programme) -> ZoneInfo:
    return ZoneInfo(programme.lead_organisation.time_zone or "Europe/Brussels")


def at(programme: Programme, day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone(programme))


def minutes_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute
