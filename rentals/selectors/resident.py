from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from households.models import Household
from rentals.models import ZERO, Contract, Visit
from rentals.pure import savings
from rentals.selectors import impact
from rentals.selectors.collection import Balance, household_balance


# ---------------------------------------------------------------- what the resident sees
@dataclass(frozen=True)
class Appliance:
    contract_id: int
    category_code: str
    category: str
    model: str
    since: date | None  # None: signed, not installed yet


@dataclass(frozen=True)
class Overview:
    appliances: list[Appliance]
    saved_this_year: impact.PeriodSavings
    saved_total: impact.PeriodSavings
    next_visit: Visit | None
    balance: Balance
    organisation_name: str
    organisation_phone: str
    year: int

    @property
    def to_pay(self) -> Decimal:
        """What is still open, net of money paid but not yet set against a charge."""
        return max(self.balance.charged - self.balance.paid, ZERO)

    @property
    def paid_ahead(self) -> Decimal:
        return max(self.balance.paid - self.balance.charged, ZERO)


def active_contracts(household: Household):  # type: ignore[no-untyped-def]
    """The household's installed appliances: the only ones a breakdown can be reported for."""
    return Contract.objects.filter(
        household=household, status=Contract.Status.ACTIVE
    ).select_related("unit__appliance_model")


def resident_overview(household: Household, today: date | None = None) -> Overview:
    """Only what the resident page shows: appliances, savings, next visit, balance.

    Every query is limited to this one household; no name, address, income or notes.
    """
    today = today or timezone.localdate()
    contracts = (
        Contract.objects.filter(
            household=household, status__in=[Contract.Status.SIGNED, Contract.Status.ACTIVE]
        )
        .select_related("unit__appliance_model")
        .order_by("start_date", "pk")
    )
    appliances = [
        Appliance(
            contract_id=c.pk,
            category_code=c.category,
            category=c.get_category_display(),
            model=str(c.unit.appliance_model),
            since=c.start_date if c.status == Contract.Status.ACTIVE else None,
        )
        for c in contracts
    ]
    try:
        yearly = impact.household_yearly(household, until=today)
    except savings.SavingsError:
        # A figure the model cannot compute must not close the resident's page.
        yearly = {}
    next_visit = (
        Visit.objects.filter(
            contract__household=household,
            status=Visit.Status.PLANNED,
            planned_on__gte=today,
        )
        .order_by("planned_on", "window", "pk")
        .first()
    )
    organisation = household.organisation
    return Overview(
        appliances=appliances,
        saved_this_year=yearly.get(today.year, impact.PeriodSavings()),
        saved_total=impact.total(yearly),
        next_visit=next_visit,
        balance=household_balance(household, collector=None, today=today),
        organisation_name=organisation.name,
        organisation_phone=organisation.phone,
        year=today.year,
    )
