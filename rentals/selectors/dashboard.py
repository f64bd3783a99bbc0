"""Read-only figures of an appliance-rental programme for its coordinator: the dashboard page
and its Excel export.

Every selector reads a few rows that the writes keep — the monthly totals and open households
(rentals/services/totals.py), the counts of units, contracts and households with an appliance
(rentals/services/counts.py), the enrolled households (households/counts.py) — or makes one
aggregate query over a small, indexed set (the waiting list, open tickets). None counts the
200,000 contracts of a national programme. The savings figures are the exception — they need
the savings model per contract — and are loaded separately (see `savings_summary`).

The figures are counts and sums only: no names, addresses or references of households.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from core.models import Programme
from households.counts import enrolled_count
from rentals.models import (
    ZERO,
    Allocation,
    Application,
    Category,
    Charge,
    Contract,
    KeptCount,
    MonthTotal,
    OpenHousehold,
    RentalScheme,
    Ticket,
    UnitStatus,
)
from rentals.selectors import impact

MONTHS_SHOWN = 12
OPEN_TICKET = (Ticket.Status.OPEN, Ticket.Status.PLANNED)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before, when negative) `month`."""
    index = month.year * 12 + (month.month - 1) + count
    return date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- billing per month
@dataclass(frozen=True)
class MonthFigures:
    month: date
    charges: int
    billed: Decimal  # the tenants' part
    subsidy: Decimal
    collected: Decimal  # what has been paid of this month's charges

    @property
    def open(self) -> Decimal:
        return self.billed - self.collected

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


def _month_rows(programme: Programme, first: date | None = None) -> dict[date, MonthFigures]:
    """The billed months from the monthly totals that billing and payments keep
    (rentals/services/totals.py): a few dozen rows, not a sum over every charge."""
    rows = MonthTotal.objects.filter(programme=programme, charges__gt=0)
    if first is not None:
        rows = rows.filter(month__gte=first)
    return {
        row.month: MonthFigures(
            month=row.month,
            charges=row.charges,
            billed=row.billed,
            subsidy=row.subsidy,
            collected=row.collected,
        )
        for row in rows.order_by("month")
    }


def billing_months(programme: Programme) -> list[MonthFigures]:
    """Every billed month of the programme, newest first."""
    rows = _month_rows(programme)
    return sorted(rows.values(), key=lambda row: row.month, reverse=True)


def monthly(programme: Programme, today: date | None = None) -> list[MonthFigures]:
    """The last twelve months (oldest first), months without charges included as zero."""
    current = (today or timezone.localdate()).replace(day=1)
    first = add_months(current, -(MONTHS_SHOWN - 1))
    rows = _month_rows(programme, first)
    months = [add_months(first, i) for i in range(MONTHS_SHOWN)]
    return [rows.get(m) or MonthFigures(m, 0, ZERO, ZERO, ZERO) for m in months]


@dataclass(frozen=True)
class Money:
    """Billed, collected and open per month since the start, from one GROUP BY month query.

    Since a charge is never settled beyond its tenant part (a database constraint), what is
    open in the months before the current one is the arrears: no second pass over the charges.
    """

    months: list[MonthFigures]  # every billed month, oldest first
    current: date
    households_in_arrears: int

    @property
    def billed_total(self) -> Decimal:
        return sum((m.billed for m in self.months), ZERO)

    @property
    def collected_total(self) -> Decimal:
        return sum((m.collected for m in self.months), ZERO)

    @property
    def arrears(self) -> Decimal:
        return sum((m.open for m in self.months if m.month < self.current), ZERO)

    def last_months(self, count: int = MONTHS_SHOWN) -> list[MonthFigures]:
        """The last `count` months up to the current one, months without charges as zero."""
        first = add_months(self.current, -(count - 1))
        by_month = {m.month: m for m in self.months}
        wanted = [add_months(first, i) for i in range(count)]
        return [by_month.get(m) or MonthFigures(m, 0, ZERO, ZERO, ZERO) for m in wanted]


def money(programme: Programme, today: date | None = None) -> Money:
    current = (today or timezone.localdate()).replace(day=1)
    rows = _month_rows(programme)
    # Kept with the totals: each household with an unpaid charge and the month of its oldest.
    households = OpenHousehold.objects.filter(
        programme=programme, oldest_open_month__lt=current
    ).count()
    return Money(
        months=sorted(rows.values(), key=lambda m: m.month),
        current=current,
        households_in_arrears=households,
    )


# ---------------------------------------------------------------- households and units
@dataclass(frozen=True)
class Summary:
    households_enrolled: int
    households_with_appliance: int
    active_contracts: int
    units: int
    waiting: int
    open_tickets: int
    overdue_tickets: int
    billed_total: Decimal  # since the start
    collected_total: Decimal
    arrears: Decimal
    households_in_arrears: int


def kept_counts(programme: Programme) -> dict[tuple[str, str, str], int]:
    """(kind, category, status) → count, from the rows the unit and contract writes keep
    (rentals/services/counts.py); zero rows left out."""
    return {
        (row.kind, row.category, row.status): row.n
        for row in KeptCount.objects.filter(programme=programme, n__gt=0)
    }


def households_enrolled(programme: Programme) -> int:
    return enrolled_count(programme)


def households_with_appliance(programme: Programme) -> int:
    row = KeptCount.objects.filter(
        programme=programme, kind=KeptCount.Kind.HOUSEHOLDS_WITH_APPLIANCE
    ).first()
    return row.n if row else 0


def _category_label(value: str) -> str:
    return str(Category(value).label) if value in Category.values else value


def _status_label(value: str) -> str:
    return str(UnitStatus(value).label) if value in UnitStatus.values else value


def units_by_status(
    programme: Programme, categories: "list[CategoryRow] | None" = None
) -> list[tuple[str, str, int]]:
    """(status, label, count) in lifecycle order, every status listed; from the rows of
    by_category() when given (no extra query)."""
    if categories is None:
        counts: dict[str, int] = {}
        for (kind, _category, status), n in kept_counts(programme).items():
            if kind == KeptCount.Kind.UNITS:
                counts[status] = counts.get(status, 0) + n
    else:
        counts = {
            s.value: sum(row.by_status.get(s.value, 0) for row in categories) for s in UnitStatus
        }
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in UnitStatus]


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    by_status: dict[str, int]
    active_contracts: int
    waiting: int
    waiting_priority: int

    @property
    def units(self) -> int:
        return sum(self.by_status.values())

    @property
    def status_counts(self) -> list[int]:
        """Units per status, in lifecycle order."""
        return [self.by_status.get(s.value, 0) for s in UnitStatus]

    @property
    def in_stock(self) -> int:
        return self.by_status.get(UnitStatus.IN_STOCK, 0)


def by_category(programme: Programme) -> list[CategoryRow]:
    """Units per status, active contracts and the waiting list, per appliance category.

    Only categories the programme has units, contracts or waiting applications for are listed.
    """
    units: dict[str, dict[str, int]] = {}
    contracts: dict[str, int] = {}
    for (kind, category, status), n in kept_counts(programme).items():
        if kind == KeptCount.Kind.UNITS:
            units.setdefault(category, {})[status] = n
        elif kind == KeptCount.Kind.CONTRACTS and status == Contract.Status.ACTIVE:
            contracts[category] = n
    waiting = {
        row["category"]: (row["n"], row["priority"])
        for row in Application.objects.filter(
            programme=programme, status=Application.Status.WAITING
        )
        .values("category")
        .annotate(n=Count("pk"), priority=Count("pk", filter=Q(priority=True)))
    }
    present = set(units) | set(contracts) | set(waiting)
    order = [c for c in Category.values if c in present] + sorted(present - set(Category.values))
    return [
        CategoryRow(
            category=c,
            label=_category_label(c),
            by_status=units.get(c, {}),
            active_contracts=contracts.get(c, 0),
            waiting=waiting.get(c, (0, 0))[0],
            waiting_priority=waiting.get(c, (0, 0))[1],
        )
        for c in order
    ]


# ---------------------------------------------------------------- tickets
# (label, youngest age in days, oldest age in days or None); the age is in whole days.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    (">30", 31, None),
)


@dataclass(frozen=True)
class TicketFigures:
    bands: list[tuple[str, int]]  # (band, open tickets of that age)
    overdue: int
    reminder_days: int | None
    resolved_last_90_days: int
    average_days_to_resolve: Decimal | None

    @property
    def open(self) -> int:
        return sum(n for _band, n in self.bands)


def _band_q(now: datetime, youngest: int, oldest: int | None) -> Q:
    # Age in whole days d means now - (d+1) days < opened_at <= now - d days.
    q = Q(opened_at__lte=now - timedelta(days=youngest))
    if oldest is not None:
        q &= Q(opened_at__gt=now - timedelta(days=oldest + 1))
    return q


def tickets(programme: Programme, now: datetime | None = None) -> TicketFigures:
    now = now or timezone.now()
    scheme = RentalScheme.objects.filter(programme=programme).first()
    reminder_days = scheme.ticket_reminder_days if scheme else None
    aggregates: dict[str, Any] = {
        f"band{i}": Count("pk", filter=_band_q(now, youngest, oldest))
        for i, (_label, youngest, oldest) in enumerate(AGE_BANDS)
    }
    if reminder_days is not None:
        aggregates["overdue"] = Count(
            "pk", filter=Q(opened_at__lt=now - timedelta(days=reminder_days))
        )
    open_figures = Ticket.objects.filter(
        contract__programme=programme, status__in=OPEN_TICKET
    ).aggregate(**aggregates)
    # Tickets opened "in the future" by a skewed clock still count as young.
    future = Ticket.objects.filter(
        contract__programme=programme, status__in=OPEN_TICKET, opened_at__gt=now
    ).count()
    bands = [
        (label, open_figures[f"band{i}"] + (future if i == 0 else 0))
        for i, (label, _y, _o) in enumerate(AGE_BANDS)
    ]
    resolved = Ticket.objects.filter(
        contract__programme=programme,
        status=Ticket.Status.RESOLVED,
        resolved_at__gte=now - timedelta(days=90),
    ).aggregate(n=Count("pk"), total=Sum(F("resolved_at") - F("opened_at")))
    average = None
    if resolved["n"] and resolved["total"] is not None:
        total = resolved["total"]
        seconds = total.total_seconds() if isinstance(total, timedelta) else float(total) / 1e6
        average = Decimal(seconds / 86400 / resolved["n"]).quantize(Decimal("0.1"))
    return TicketFigures(
        bands=bands,
        overdue=open_figures.get("overdue", 0),
        reminder_days=reminder_days,
        resolved_last_90_days=resolved["n"],
        average_days_to_resolve=average,
    )


def summary(
    programme: Programme,
    today: date | None = None,
    *,
    money_figures: Money | None = None,
    categories: list[CategoryRow] | None = None,
    ticket_figures: TicketFigures | None = None,
) -> Summary:
    """The headline figures; parts already fetched for the page can be passed in."""
    money_figures = money_figures or money(programme, today)
    categories = categories if categories is not None else by_category(programme)
    ticket_figures = ticket_figures or tickets(programme)
    return Summary(
        households_enrolled=households_enrolled(programme),
        households_with_appliance=households_with_appliance(programme),
        active_contracts=sum(row.active_contracts for row in categories),
        units=sum(row.units for row in categories),
        waiting=sum(row.waiting for row in categories),
        open_tickets=ticket_figures.open,
        overdue_tickets=ticket_figures.overdue,
        billed_total=money_figures.billed_total,
        collected_total=money_figures.collected_total,
        arrears=money_figures.arrears,
        households_in_arrears=money_figures.households_in_arrears,
    )


# ---------------------------------------------------------------- the page's figures, cached
CACHE_SECONDS = 60


@dataclass(frozen=True)
class Figures:
    made_at: datetime
    summary: Summary
    categories: list[CategoryRow]
    units: list[tuple[str, str, int]]
    tickets: TicketFigures
    monthly: list[MonthFigures]


def figures(programme: Programme, today: date | None = None) -> Figures:
    """Everything the dashboard page shows (without the savings): about ten aggregate queries."""
    today = today or timezone.localdate()
    money_figures = money(programme, today)
    categories = by_category(programme)
    ticket_figures = tickets(programme)
    return Figures(
        made_at=timezone.now(),
        summary=summary(
            programme,
            today,
            money_figures=money_figures,
            categories=categories,
            ticket_figures=ticket_figures,
        ),
        categories=categories,
        units=units_by_status(programme, categories),
        tickets=ticket_figures,
        monthly=money_figures.last_months(),
    )


def _money_version() -> str:
    """Changes whenever a charge is made or a payment settles one: the newest row of each,
    with its time (ids alone can be reused after a rollback on SQLite)."""
    charge = Charge.objects.order_by("-pk").values_list("pk", "created_at").first()
    allocation = (
        Allocation.objects.order_by("-pk").values_list("pk", "payment__recorded_at").first()
    )
    return repr((charge, allocation))


def cached_figures(programme: Programme, today: date | None = None) -> Figures:
    """figures(), kept for at most a minute in the cache, and made again at once when a
    charge or a payment was added. At national scale (200,000 contracts, 6 million charges)
    figures() takes about two seconds on PostgreSQL; the page must answer in 200 ms."""
    today = today or timezone.localdate()
    version = hashlib.sha1(_money_version().encode(), usedforsecurity=False).hexdigest()
    key = f"rentals-dashboard:{programme.pk}:{today.isoformat()}:{version}"
    found = cache.get(key)
    if found is None:
        found = figures(programme, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


# ---------------------------------------------------------------- savings (slow)
@dataclass(frozen=True)
class SavingsSummary:
    year: int
    this_year: Any  # rentals.pure.savings.PeriodSavings
    since_start: Any
    by_year: list[tuple[int, Any]]


def savings_summary(programme: Programme, today: date | None = None) -> SavingsSummary:
    """Savings this year and since the start. This runs the savings model for every contract,
    which is why the page loads it separately (an HTMX partial, or a link without JS)."""

    today = today or timezone.localdate()
    yearly = impact.programme_yearly(programme, until=today)
    return SavingsSummary(
        year=today.year,
        this_year=yearly.get(today.year, impact.PeriodSavings()),
        since_start=impact.total(yearly),
        by_year=sorted(yearly.items()),
    )
