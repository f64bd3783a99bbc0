"""Reads of collection: who collects for a household, the programmes and contracts an
organisation collects for, open charges, balances and the suggested arrears step.

What a page and the API both show comes from here, so the two cannot disagree; each read of a
household's data by a collector is audited (core.services.audit_record).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from core.models import Organisation, Programme, ProgrammePartner
from core.tenancy import Acting
from households.models import Household
from money.proration import month_start
from rentals import rules
from rentals.models import (
    ZERO,
    ArrearsStep,
    Charge,
    Contract,
    Payment,
)
from rentals.selectors.catalogue import scheme_for


# ---------------------------------------------------------------- contracts
def collector_for(household: Household, programme: Programme) -> Organisation:
    """Who collects a household's fees: the welfare office that registered the household when
    it is a collecting partner of the programme (it knows the household and its budget);
    otherwise the scheme's collector."""
    if ProgrammePartner.objects.filter(
        programme=programme,
        organisation_id=household.organisation_id,
        role=ProgrammePartner.Role.COLLECTOR,
    ).exists():
        return household.organisation
    return scheme_for(programme).collector


def collected_programmes(organisation: Organisation) -> QuerySet[Programme]:
    """Rental programmes in which the organisation collects fees."""
    return Programme.objects.filter(
        Q(rental_scheme__collector=organisation)
        | Q(
            rental_scheme__isnull=False,
            partners__organisation=organisation,
            partners__role=ProgrammePartner.Role.COLLECTOR,
        )
    ).distinct()


# ---------------------------------------------------------------- payments and collection
def open_charges(household: Household, collector: Organisation | None = None) -> QuerySet[Charge]:
    qs = Charge.objects.filter(contract__household=household, settled__lt=F("tenant_amount"))
    if collector is not None:
        qs = qs.filter(contract__collector=collector)
    return qs.order_by("month", "contract_id", "pk")


@dataclass(frozen=True)
class Balance:
    charged: Decimal
    paid: Decimal
    credit: Decimal
    arrears: Decimal  # what is open for charges of months before the current one
    months_behind: int

    @property
    def due(self) -> Decimal:
        return self.charged - (self.paid - self.credit)


def household_balance(
    household: Household, *, collector: Organisation | None, today: date | None = None
) -> Balance:
    """What the household owes one collector (the contracts it collects for, the payments
    it received); `collector=None` only for the resident's own page, which shows all."""
    today = today or timezone.localdate()
    charges = Charge.objects.filter(contract__household=household)
    payments = Payment.objects.filter(household=household)
    if collector is not None:
        charges = charges.filter(contract__collector=collector)
        payments = payments.filter(collector=collector)
    charged = charges.aggregate(s=Sum("tenant_amount"))["s"] or ZERO
    paid = payments.aggregate(s=Sum("amount"))["s"] or ZERO
    settled = charges.aggregate(s=Sum("settled"))["s"] or ZERO
    overdue = charges.filter(month__lt=month_start(today), settled__lt=F("tenant_amount"))
    arrears = overdue.aggregate(s=Sum(F("tenant_amount") - F("settled")))["s"] or ZERO
    months = overdue.values("month").distinct().count()
    cent = Decimal("0.01")
    return Balance(
        charged=Decimal(charged).quantize(cent),
        paid=Decimal(paid).quantize(cent),
        credit=Decimal(paid - settled).quantize(cent),
        arrears=Decimal(arrears).quantize(cent),
        months_behind=months,
    )


def arrears_next_step(
    household: Household, *, collector: Organisation | None, today: date | None = None
) -> int | None:
    """The gentle next step: a letter after 1 month behind, contact after 2, review after 3.

    Only a suggestion for a person to take; nothing is terminated automatically.
    """
    balance = household_balance(household, collector=collector, today=today)
    if balance.arrears <= 0:
        return None
    steps = ArrearsStep.objects.filter(household=household)
    if collector is not None:  # the steps this collector took
        steps = steps.filter(collector=collector)
    taken = steps.order_by("-level").first()
    last = taken.level if taken else 0
    wanted = min(balance.months_behind, 3)
    return last + 1 if wanted > last else None


def collected_contracts(organisation: Organisation) -> QuerySet[Contract]:
    """The contracts whose fees this organisation collects."""
    return Contract.objects.filter(collector=organisation)


# ---------------------------------------------------------------- a household's money
def collection_balance(
    acting: Acting, household: Household, today: date | None = None
) -> tuple[Balance, int | None]:
    """The household's balance with the acting collector and the suggested arrears step:
    collection.view for an organisation that collects for the household. Page and API."""
    rules.require_collection_view(acting, household)
    balance = household_balance(household, collector=acting.organisation, today=today)
    step = arrears_next_step(household, collector=acting.organisation, today=today)
    return balance, step


def arrears_letter(acting: Acting, household: Household, step_id: int | None = None) -> ArrearsStep:
    """A reminder letter kept on an arrears step of the household (the latest, or step_id):
    collection.view for an organisation that collects for the household. Http404 without."""
    from django.http import Http404

    rules.require_collection_view(acting, household)
    steps = ArrearsStep.objects.filter(household=household, collector=acting.organisation).exclude(
        letter=b""
    )
    if step_id is not None:
        steps = steps.filter(pk=step_id)
    step = steps.order_by("-taken_on", "-pk").first()
    if step is None:
        raise Http404
    return step
