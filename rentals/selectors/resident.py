"""What the resident's own page shows: their appliances, balance, next visit and savings, for
the household the PIN opened (rentals.services.resident).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from households.models import Household
from rentals.models import ZERO, Contract, Ticket, Visit
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
class OpenReport:
    """A breakdown the household reported that is not repaired yet, and its visit."""

    appliance: str
    reported_on: date
    visit_on: date | None
    visit_window: str


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
    open_reports: list[OpenReport] = field(default_factory=list)

    @property
    def to_pay(self) -> Decimal:
        """What is still open, net of money paid but not yet set against a charge."""
        return max(self.balance.charged - self.balance.paid, ZERO)

    @property
    def paid_ahead(self) -> Decimal:
        return max(self.balance.paid - self.balance.charged, ZERO)


def active_contracts(household: Household) -> QuerySet[Contract]:
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
    open_reports = []
    for ticket in (
        Ticket.objects.filter(contract__household=household, status__in=Ticket.OPEN_STATUSES)
        .select_related("contract")
        .order_by("opened_at", "pk")
    ):
        visit = (
            ticket.visits.filter(status=Visit.Status.PLANNED).order_by("planned_on", "pk").first()
        )
        open_reports.append(
            OpenReport(
                appliance=ticket.contract.get_category_display(),
                reported_on=timezone.localdate(ticket.opened_at),
                visit_on=visit.planned_on if visit else None,
                visit_window=visit.window if visit else "",
            )
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
        open_reports=open_reports,
    )
