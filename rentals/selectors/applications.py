"""Reads of applications: the waiting list in its order, the free units, and what counts
towards the maximum per household.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.models import Programme
from households.models import Household
from households.selectors import programme_consent
from rentals.models import (
    Application,
    Contract,
    Unit,
    UnitStatus,
)


def appliances_in_use(household: Household, programme: Programme) -> int:
    """Waiting applications and contracts not ended: what counts towards the maximum."""
    waiting = Application.objects.filter(
        household=household, programme=programme, status=Application.Status.WAITING
    ).count()
    running = Contract.objects.filter(
        household=household,
        programme=programme,
        status__in=[Contract.Status.DRAFT, Contract.Status.SIGNED, Contract.Status.ACTIVE],
    ).count()
    return waiting + running


def waiting_list(programme: Programme, category: str | None = None) -> QuerySet[Application]:
    """Waiting applications, first come first served, priorities first."""
    qs = Application.objects.filter(programme=programme, status=Application.Status.WAITING)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-priority", "applied_at", "pk").select_related("household")


def free_units(programme: Programme, category: str) -> QuerySet[Unit]:
    return Unit.objects.filter(
        programme=programme, appliance_model__category=category, status=UnitStatus.IN_STOCK
    ).order_by("-refurbished", "created_at", "pk")


def has_programme_consent(household: Household, today: date) -> bool:
    """The household consented to take part in a programme and has not withdrawn it: what a
    rental contract needs (docs/architecture.md, "Consent in the flow")."""
    return programme_consent(household, today) is not None


def consent_refusal() -> ValidationError:
    return ValidationError(
        _(
            "No contract without consent: the household has not given its consent to take "
            "part in the programme, or withdrew it. Record the consent on the household page "
            "first."
        ),
        code="consent",
    )
