"""Writes of money received: payments by hand (the oldest open charge first, beyond it credit),
credit applied to new charges, and the arrears steps a person takes.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Organisation, Programme
from core.services import audit_record
from core.tenancy import Acting, scoped
from core.validators import (
    EARLIEST_DATE,
    check_date_range,
    local_today,
)
from households.models import Household
from rentals import rules
from rentals.models import (
    Allocation,
    ArrearsStep,
    Contract,
    Payment,
)
from rentals.selectors.collection import household_balance, open_charges
from rentals.services import totals
from rentals.services.common import Action


@transaction.atomic
def payment_record(
    *,
    acting: Acting,
    household: Household,
    amount: Decimal,
    received_on: date,
    method: str,
    reference: str = "",
    bank_line: Any = None,
    programme: Programme | None = None,
) -> Payment:
    """Record money received for one rental programme and settle the household's oldest open
    charges of that programme first.

    What is paid beyond what is owed stays on the payment as credit for later charges of the
    programme. Without `programme`, the payment is for the programme the household owes the
    acting collector the longest (`money_programme`).
    """
    rules.require_payment_record(acting, household)
    programme = money_programme(
        household=household, collector=acting.organisation, programme=programme
    )
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount > Decimal("100000"):
        raise ValidationError({"amount": _("This amount is not plausible for a rental fee.")})
    today = local_today(acting.organisation)
    if received_on > today + timedelta(days=1):  # a day's margin: a bank books ahead
        raise ValidationError({"received_on": _("A payment cannot be received in the future.")})
    check_date_range(received_on, field="received_on", earliest=EARLIEST_DATE)
    payment = Payment(
        household=household,
        collector=acting.organisation,
        programme=programme,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference[:140],
        bank_line=bank_line,
        recorded_by_id=acting.user_id,
        unallocated=amount,
    )
    payment.full_clean(exclude=["bank_line"], validate_constraints=False)
    payment.save()
    allocate_credit(household=household, collector=acting.organisation, programme=programme)
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: payment {payment.pk} recorded",
    )
    return payment


def money_programme(
    *, household: Household, collector: Organisation, programme: Programme | None = None
) -> Programme:
    """The rental programme money of the household received by `collector` is for: the given
    one, which must have a contract of the household collected by `collector`; else the
    programme of its oldest open charge with the collector; else that of its most recent
    contract with the collector. A ValidationError when the collector collects nothing of the
    household (there is no programme to book it on)."""
    contracts = Contract.objects.filter(household=household, collector=collector)
    if programme is not None:
        if not contracts.filter(programme=programme).exists():
            raise ValidationError(
                {"programme": _("Your organisation collects no contract of this programme.")}
            )
        return programme
    oldest = open_charges(household, collector).select_related("contract__programme").first()
    if oldest is not None:
        return oldest.contract.programme
    latest = contracts.select_related("programme").order_by("-created_at", "-pk").first()
    if latest is None:
        raise ValidationError(_("Your organisation does not collect for this household."))
    return latest.programme


def allocate_credit(
    *, household: Household, collector: Organisation, programme: Programme | None = None
) -> None:
    """Apply what payments have not used yet to the oldest open charges of their own
    programme first (all of the household's programmes with the collector, or `programme`).

    Runs after a payment and after a billing run, so money paid in advance settles new charges.
    """
    found = Payment.objects.select_for_update().filter(
        household=household, collector=collector, unallocated__gt=0
    )
    if programme is not None:
        found = found.filter(programme=programme)
    payments = list(found.order_by("received_on", "pk"))
    if not payments:
        return
    charges = list(open_charges(household, collector).select_for_update())
    programme_of = dict(
        Contract.objects.filter(pk__in={c.contract_id for c in charges}).values_list(
            "pk", "programme_id"
        )
    )
    settled: list[tuple[int, date, Decimal]] = []  # (contract, month, amount)
    for payment in payments:
        for charge in charges:
            if payment.unallocated <= 0:
                break
            # A payment of no programme (recorded before they had one) settles any.
            if payment.programme_id not in (None, programme_of[charge.contract_id]):
                continue
            part = min(charge.tenant_amount - charge.settled, payment.unallocated)
            if part <= 0:
                continue
            Allocation.objects.create(payment=payment, charge=charge, amount=part)
            charge.settled += part
            charge.save(update_fields=["settled"])
            settled.append((charge.contract_id, charge.month, part))
            payment.unallocated -= part
        payment.save(update_fields=["unallocated"])
    if settled:  # the monthly totals, in this same transaction
        totals.month_totals_settled(
            household_id=household.pk,
            settled=[(programme_of[c], month, amount) for c, month, amount in settled],
        )


def arrears_letter_keep(*, acting: Acting, step: ArrearsStep, letter: bytes) -> ArrearsStep:
    """Keep the letter made for a step (rentals.letters makes it) on the step."""
    acting.require("arrears.step")
    rules.require_collection_view(acting, step.household)
    step.letter = letter
    step.save(update_fields=["letter"])
    return step


@transaction.atomic
def arrears_step_take(
    *,
    acting: Acting,
    household: Household,
    level: int,
    note: str = "",
    programme: Programme | None = None,
) -> ArrearsStep:
    """The acting collector takes a step for the household's arrears in a rental programme
    (`money_programme`: the given one, else the one it owes the longest)."""
    acting.require("arrears.step")
    if not scoped(Household, acting).filter(pk=household.pk).exists():
        raise PermissionDenied
    rules.require_collection_view(acting, household)
    if level not in ArrearsStep.Level.values:
        raise ValidationError({"level": _("Unknown step.")})
    programme = money_programme(
        household=household, collector=acting.organisation, programme=programme
    )
    step = ArrearsStep.objects.create(
        household=household,
        programme=programme,
        collector=acting.organisation,
        level=level,
        arrears=household_balance(household, collector=acting.organisation).arrears,
        by_id=acting.user_id,
        note=note,
    )
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: arrears step {level}",
    )
    return step
