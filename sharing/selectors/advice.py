"""The "use power now" advice of a community (sharing.pure.advice on its PV installations)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from sharing.models import Community, PvInstallation
from sharing.pure.advice import DayAdvice, Panel, best_hours


def advice_for(record: Community, days: int = 3) -> list[DayAdvice]:
    today = timezone.localdate()
    panels = [
        Panel(float(pv.kwp), float(pv.tilt), float(pv.azimuth))
        for pv in PvInstallation.objects.filter(
            participant__community=record, commissioned_on__lte=today
        ).exclude(participant__left_on__lt=today)
    ]
    return best_hours(
        latitude=float(record.latitude),
        longitude=float(record.longitude),
        panels=panels,
        first_day=today + timedelta(days=1),
        days=days,
    )


def sms_text(advice: list[DayAdvice]) -> str:
    if not advice:
        return ""
    first = advice[0]
    return _(
        "Sun in the neighbourhood: tomorrow from %(start)s to %(end)s our panels make the most "
        "power. Run the washing machine or dishwasher then."
    ) % {"start": f"{first.start:%H:%M}", "end": f"{first.end:%H:%M}"}
