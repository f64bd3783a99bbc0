"""Writes of money received: payments by hand (the oldest open charge first, beyond it credit),
credit applied to new charges, and the arrears steps a person takes.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Organisation
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
) -> Payment:
    """Record money received and settle the household's oldest open charges first.

    What is paid beyond what is owed stays on the payment as credit for later charges.
    """
    rules.require_payment_record(acting, household)
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
    allocate_credit(household=household, collector=acting.organisation)
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: payment {payment.pk} recorded",
    )
    return payment


def allocate_credit(*, household: Household, collector: Organisation) -> None:
    """Apply what payments have not used yet to the oldest open charges first.

    Runs after a payment and after a billing run, so money paid in advance settles new charges.
    """
    payments = list(
        Payment.objects.select_for_update()
        .filter(household=household, collector=collector, unallocated__gt=0)
        .order_by("received_on", "pk")
    )
    if not payments:
        return
    charges = list(open_charges(household, collector).select_for_update())
    settled: list[tuple[int, date, Decimal]] = []  # (contract, month, amount)
    for payment in payments:
        for charge in charges:
            if payment.unallocated <= 0:
                break
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
        programme_of = dict(
            Contract.objects.filter(pk__in={c for c, _m, _a in settled}).values_list(
                "pk", "programme_id"
            )
        )
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
    *, acting: Acting, household: Household, level: int, note: str = ""
) -> ArrearsStep:
    acting.require("arrears.step")
    if not scoped(Household, acting).filter(pk=household.pk).exists():
        raise PermissionDenied
    rules.require_collection_view(acting, household)
    if level not in ArrearsStep.Level.values:
        raise ValidationError({"level": _("Unknown step.")})
    step = ArrearsStep.objects.create(
        household=household,
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
