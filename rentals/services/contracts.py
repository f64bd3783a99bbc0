"""Writes of contracts: draft (a unit is reserved), sign (fees fixed, installation planned),
end (with a return visit), cancel (a draft or signed contract never installed). Who collects
and the payment reference are fixed on the draft.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import audit_record
from core.tenancy import Acting, scoped
from core.validators import (
    EARLIEST_DATE,
    check_date_range,
    clean_iban,
    local_today,
)
from money.references import payment_reference_for
from rentals.models import (
    Application,
    Charge,
    Contract,
    Offer,
    Unit,
    UnitStatus,
    Visit,
)
from rentals.selectors.applications import (
    consent_refusal,
    free_units,
    has_programme_consent,
    waiting_list,
)
from rentals.selectors.catalogue import scheme_for
from rentals.selectors.collection import collector_for
from rentals.services import counts, notices
from rentals.services.common import Action, check_visit_day, move_unit
from rentals.services.handoff import visit_withdraw


@transaction.atomic
def contract_draft(
    *, acting: Acting, application: Application, unit: Unit | None = None
) -> Contract:
    """Reserve a free unit for the application at the front of the waiting list.

    First come first served: an application can only get a unit when no waiting application
    ahead of it would be left without one.
    """
    acting.require("household.change")
    if not scoped(Application, acting).filter(pk=application.pk).exists():
        raise PermissionDenied
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.WAITING:
        raise ValidationError(_("This application already has a contract or was cancelled."))
    if not has_programme_consent(application.household, local_today(acting.organisation)):
        raise consent_refusal()
    queue = list(
        waiting_list(application.programme, application.category).values_list("pk", flat=True)
    )
    position = queue.index(application.pk) + 1
    available = list(free_units(application.programme, application.category)[:position])
    if len(available) < position:
        raise ValidationError(
            _(
                "No unit is free for this application yet: it is number %(position)s on the "
                "waiting list."
            )
            % {"position": position}
        )
    if unit is None:
        unit = available[0]
    elif unit.pk not in {u.pk for u in available} or unit.status != UnitStatus.IN_STOCK:
        raise ValidationError({"unit": _("This unit is not free.")})
    offer = Offer.objects.get(programme=application.programme, category=application.category)
    move_unit(unit, UnitStatus.RESERVED, by_id=acting.user_id, note="contract draft")
    contract = Contract(
        application=application,
        household=application.household,
        programme=application.programme,
        unit=unit,
        collector=collector_for(application.household, application.programme),
        category=application.category,
        tenant_fee=offer.tenant_fee,
        subsidy=offer.subsidy,
        term_months=offer.term_months,
        # The reference is made from the contract number, known only once it is saved.
        payment_reference=f"pending-{application.pk}",
    )
    contract.save()
    counts.contract_moved(contract=contract, from_status=None, to_status=contract.status)
    contract.payment_reference = payment_reference_for(
        contract.pk, application.programme.lead_organisation.country
    )
    contract.save(update_fields=["payment_reference"])
    application.status = Application.Status.CONTRACTED
    application.save(update_fields=["status"])
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=application.household,
        subject=f"household {application.household.reference}: contract {contract.pk} drafted",
    )
    return contract


@transaction.atomic
def contract_sign(
    *,
    acting: Acting,
    contract: Contract,
    payment_method: str,
    installation_on: date,
    debtor_iban: str = "",
    mandate_signed_on: date | None = None,
) -> Contract:
    """Sign: the fees of the offer are fixed now, and the installation visit is planned."""

    acting.require("household.change")
    if not scoped(Contract, acting).filter(pk=contract.pk).exists():
        raise PermissionDenied
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError(_("Only a draft contract can be signed."))
    today = local_today(acting.organisation)
    if not has_programme_consent(contract.household, today):
        raise consent_refusal()  # withdrawn since the draft
    check_visit_day(installation_on, field="installation_on", today=today)
    # A mandate is signed on paper before it is entered: never in the future.
    check_date_range(
        mandate_signed_on, field="mandate_signed_on", earliest=EARLIEST_DATE, latest=today
    )
    if payment_method == "direct_debit":
        if not debtor_iban:
            raise ValidationError({"debtor_iban": _("Direct debit needs the household's IBAN.")})
        try:
            contract.debtor_iban = clean_iban(debtor_iban)
        except ValidationError as exc:
            raise ValidationError({"debtor_iban": exc.messages}) from exc
        contract.mandate_id = f"WIJK-{contract.pk}"
        contract.mandate_signed_on = mandate_signed_on or today
    offer = Offer.objects.get(programme=contract.programme, category=contract.category)
    contract.tenant_fee, contract.subsidy, contract.term_months = (
        offer.tenant_fee,
        offer.subsidy,
        offer.term_months,
    )
    contract.payment_method = payment_method
    contract.full_clean(exclude=["application", "unit", "household", "programme"])
    contract.status = Contract.Status.SIGNED
    contract.signed_at = timezone.now()
    contract.signed_by_id = acting.user_id
    contract.save()
    counts.contract_moved(
        contract=contract, from_status=Contract.Status.DRAFT, to_status=contract.status
    )
    scheme = scheme_for(contract.programme)
    installation = Visit.objects.create(
        contract=contract,
        kind=Visit.Kind.INSTALLATION,
        planned_on=installation_on,
        technician_organisation=scheme.supplier,
    )
    # Planned, but nobody is assigned yet: the planners hear it and see it on their to-do.
    notices.visit_needs_technician(installation)
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=contract.household,
        subject=f"household {contract.household.reference}: contract {contract.pk} signed",
    )
    return contract


@transaction.atomic
def contract_end(
    *, acting: Acting, contract: Contract, reason: str, on: date, collection_on: date | None = None
) -> Contract:
    """End a contract on a date and plan the collection of the unit."""
    acting.require("household.change")
    if not scoped(Contract, acting).filter(pk=contract.pk).exists():
        raise PermissionDenied
    # Locked and read again: two ends at once must not both take the contract off the count.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("Only an active contract can be ended."))
    if reason not in Contract.EndReason.values:
        raise ValidationError({"reason": _("Choose why the contract ends.")})
    if contract.start_date and on < contract.start_date:
        raise ValidationError({"on": _("A contract cannot end before it started.")})
    contract.status = Contract.Status.ENDED
    contract.end_date = on
    contract.end_reason = reason
    contract.save(update_fields=["status", "end_date", "end_reason"])
    counts.contract_moved(
        contract=contract, from_status=Contract.Status.ACTIVE, to_status=contract.status
    )
    collection = Visit.objects.create(
        contract=contract,
        kind=Visit.Kind.RETURN,
        planned_on=collection_on or on,
        technician_organisation=scheme_for(contract.programme).supplier,
    )
    notices.visit_needs_technician(collection)
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=contract.household,
        subject=f"household {contract.household.reference}: contract {contract.pk} ended",
    )
    return contract


@transaction.atomic
def contract_cancel(*, acting: Acting, contract: Contract, reason: str) -> Contract:
    """Cancel a draft or signed contract that was never installed (it has no charges): the
    reserved unit goes back in stock, the open visits are cancelled, the application is
    cancelled, and the record stays (status cancelled, with the reason). An installed contract
    is ended instead (`contract_end`), with the collection of the appliance."""
    acting.require("household.change")
    if not scoped(Contract, acting).filter(pk=contract.pk).exists():
        raise PermissionDenied
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    reason = (reason or "").strip()
    if contract.status not in (Contract.Status.DRAFT, Contract.Status.SIGNED):
        if contract.status == Contract.Status.ACTIVE:
            raise ValidationError(
                _("This contract is installed: end it instead, with the collection visit.")
            )
        raise ValidationError(_("Only a draft or signed contract can be cancelled."))
    if contract.start_date is not None or Charge.objects.filter(contract=contract).exists():
        raise ValidationError(
            _("This contract is installed: end it instead, with the collection visit.")
        )
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    open_visits = list(
        # Only the visits are locked: PostgreSQL cannot lock the nullable side of the
        # technician join.
        Visit.objects.select_for_update(of=("self",))
        .filter(contract=contract, status=Visit.Status.PLANNED)
        .select_related("technician", "contract__household", "contract__programme")
    )
    Visit.objects.filter(pk__in=[v.pk for v in open_visits]).update(status=Visit.Status.CANCELLED)
    unit = contract.unit
    if unit.status == UnitStatus.RESERVED:
        move_unit(unit, UnitStatus.IN_STOCK, by_id=acting.user_id, note="contract cancelled")
    was = contract.status
    contract.status = Contract.Status.CANCELLED
    contract.cancelled_at = timezone.now()
    contract.cancel_reason = reason
    contract.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    counts.contract_moved(contract=contract, from_status=was, to_status=contract.status)
    Application.objects.filter(pk=contract.application_id).update(
        status=Application.Status.CANCELLED
    )
    for visit in open_visits:
        visit.status = Visit.Status.CANCELLED
        # A visit handed to a job bureau: its open request is cancelled too (refused when
        # the bureau reported it done: the appliance is there).
        visit_withdraw(acting=acting, visit=visit)
        notices.visit_cancelled(visit)
    # The unit is free again: the waiting applications it can serve are announced.
    notices.units_available(programme=contract.programme, category=contract.category)
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=contract.household,
        subject=f"household {contract.household.reference}: contract {contract.pk} cancelled",
    )
    return contract
