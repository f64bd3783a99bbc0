from core.models import Programme
from households.models import Household
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


def waiting_list(programme: Programme, category: str | None = None):  # type: ignore[no-untyped-def]
    """Waiting applications, first come first served, priorities first."""
    qs = Application.objects.filter(programme=programme, status=Application.Status.WAITING)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-priority", "applied_at", "pk").select_related("household")


def free_units(programme: Programme, category: str):  # type: ignore[no-untyped-def]
    return Unit.objects.filter(
        programme=programme, appliance_model__category=category, status=UnitStatus.IN_STOCK
    ).order_by("-refurbished", "created_at", "pk")
