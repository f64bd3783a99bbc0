"""Writes of appliance rental: catalogue, units, applications, contracts, visits, tickets,
billing, payments and collection. Keyword-only, atomic, permission-checked, audited."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import AuditEvent, Organisation, Programme, ProgrammePartner
from core.services import audit_record
from core.tenancy import Acting, operator_acting, scoped
from core.validators import (
    EARLIEST_DATE,
    VISIT_DAYS_AHEAD,
    VISIT_DAYS_BACK,
    check_date_range,
    local_today,
)
from households.models import Enrolment, Household
from rentals import rules
from rentals.models import (
    UNIT_TRANSITIONS,
    ZERO,
    Allocation,
    ApplianceModel,
    Application,
    ArrearsStep,
    Charge,
    Contract,
    ContractUnit,
    Offer,
    Payment,
    RentalScheme,
    Ticket,
    Unit,
    UnitEvent,
    UnitStatus,
    Visit,
)
from rentals.proration import charge_split
from rentals.references import be_reference_for, nl_reference_for

Action = AuditEvent.Action


# ---------------------------------------------------------------- programme set-up
def _require_lead(acting: Acting, programme: Programme) -> None:
    acting.require("programme.manage")
    if programme.lead_organisation_id != acting.organisation.pk:
        raise PermissionDenied(_("Only the lead organisation can change this programme."))


def _require_rental(programme: Programme) -> None:
    if programme.kind != Programme.Kind.APPLIANCE_RENTAL:
        raise ValidationError({"programme": _("This is not an appliance-rental programme.")})


@transaction.atomic
def rental_scheme_configure(
    *,
    acting: Acting,
    programme: Programme,
    collector: Organisation,
    supplier: Organisation,
    max_appliances: int = 3,
    ticket_reminder_days: int = 10,
) -> RentalScheme:
    _require_lead(acting, programme)
    _require_rental(programme)
    partner_ids = set(programme.partners.values_list("organisation_id", flat=True))
    for name, org in (("collector", collector), ("supplier", supplier)):
        if org.pk not in partner_ids and org.pk != programme.lead_organisation_id:
            raise ValidationError({name: _("Add this organisation as a partner first.")})
    scheme, _created = RentalScheme.objects.update_or_create(
        programme=programme,
        defaults={
            "collector": collector,
            "supplier": supplier,
            "max_appliances": max_appliances,
            "ticket_reminder_days": ticket_reminder_days,
        },
    )
    scheme.full_clean()
    return scheme


@transaction.atomic
def offer_set(
    *,
    acting: Acting,
    programme: Programme,
    category: str,
    tenant_fee: Decimal,
    subsidy: Decimal,
    term_months: int = 120,
) -> Offer:
    """Set what a category costs; contracts already signed keep the fees they were signed at."""
    _require_lead(acting, programme)
    _require_rental(programme)
    offer = Offer.objects.filter(programme=programme, category=category).first() or Offer(
        programme=programme, category=category
    )
    offer.tenant_fee, offer.subsidy, offer.term_months = tenant_fee, subsidy, term_months
    offer.full_clean(validate_unique=False)
    offer.save()
    return offer


@transaction.atomic
def appliance_model_create(
    *, acting: Acting, programme: Programme, **fields: Any
) -> ApplianceModel:
    _require_lead(acting, programme)
    _require_rental(programme)
    model = ApplianceModel(programme=programme, **fields)
    model.full_clean(validate_constraints=False)
    if model.kwh_per_year is None and (
        model.kwh_per_100_cycles is None or model.cycles_per_year is None
    ):
        raise ValidationError(
            {
                "kwh_per_year": _(
                    "Give the kWh a year, or the kWh per 100 cycles and the cycles a year."
                )
            }
        )
    if ApplianceModel.objects.filter(
        programme=programme, brand__iexact=model.brand, model_name__iexact=model.model_name
    ).exists():
        raise ValidationError({"model_name": _("This model is already in the catalogue.")})
    model.save()
    return model


# ---------------------------------------------------------------- units
# unit.manage: the lead's coordinators and the supplier's technicians (rentals/rules.py).
can_manage_units = rules.may_manage_units
require_unit_manager = rules.require_unit_manager


@transaction.atomic
def unit_create(
    *,
    acting: Acting,
    appliance_model: ApplianceModel,
    serial: str,
    refurbished: bool = False,
    status: str = UnitStatus.ORDERED,
) -> Unit:
    require_unit_manager(acting, appliance_model.programme)
    serial = (serial or "").strip()
    if not serial:
        raise ValidationError({"serial": _("Give the serial number.")})
    if status not in (UnitStatus.ORDERED, UnitStatus.IN_STOCK):
        raise ValidationError({"status": _("A new unit is ordered or in stock.")})
    if Unit.objects.filter(appliance_model=appliance_model, serial__iexact=serial).exists():
        raise ValidationError(
            {
                "serial": _("A unit of this model with serial number %(serial)s already exists.")
                % {"serial": serial}
            }
        )
    try:
        with transaction.atomic():
            unit = Unit.objects.create(
                programme=appliance_model.programme,
                appliance_model=appliance_model,
                serial=serial,
                refurbished=refurbished,
                status=status,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "serial": _("A unit of this model with serial number %(serial)s already exists.")
                % {"serial": serial}
            }
        ) from exc
    UnitEvent.objects.create(unit=unit, from_status="", to_status=status, by_id=acting.user_id)
    return unit


def _move_unit(unit: Unit, to: str, *, by_id: int | None, note: str = "") -> Unit:
    """Move a unit along its lifecycle and record it; an illegal move is refused."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if to not in UNIT_TRANSITIONS.get(unit.status, frozenset()):
        raise ValidationError(
            {
                "status": _("A unit that is “%(from)s” cannot become “%(to)s”.")
                % {"from": UnitStatus(unit.status).label, "to": UnitStatus(to).label}
            }
        )
    UnitEvent.objects.create(
        unit=unit, from_status=unit.status, to_status=to, by_id=by_id, note=note[:200]
    )
    unit.status = to
    unit.save(update_fields=["status"])
    return unit


@transaction.atomic
def unit_transition(*, acting: Acting, unit: Unit, to: str, note: str = "") -> Unit:
    """A manual move (stock, repair shop, refurbishing, recycling). Rental moves (reserved,
    installed) happen through contracts and visits."""
    require_unit_manager(acting, unit.programme)
    if to in (UnitStatus.RESERVED, UnitStatus.INSTALLED) or unit.status in (
        UnitStatus.RESERVED,
        UnitStatus.INSTALLED,
    ):
        raise ValidationError(
            {
                "status": _(
                    "Reserving, installing and collecting a unit go through its contract "
                    "and visits."
                )
            }
        )
    if to not in UnitStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    return _move_unit(unit, to, by_id=acting.user_id, note=note)


# ---------------------------------------------------------------- applications
def _scheme(programme: Programme) -> RentalScheme:
    scheme = RentalScheme.objects.filter(programme=programme).first()
    if scheme is None:
        raise ValidationError(
            {"programme": _("This programme has no rental set-up yet (collector, supplier).")}
        )
    return scheme


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


@transaction.atomic
def application_create(
    *,
    acting: Acting,
    household: Household,
    programme: Programme,
    category: str,
    has_old_appliance: bool = True,
    old_age_band: str = "unknown",
    old_label: str = "",
    old_label_scale: str = "",
    old_measured_kwh: Decimal | None = None,
) -> Application:
    acting.require("household.change")
    if not scoped(Household, acting).filter(pk=household.pk).exists():
        raise PermissionDenied
    _require_rental(programme)
    scheme = _scheme(programme)
    if not Enrolment.objects.filter(
        household=household, programme=programme, status=Enrolment.Status.ENROLLED
    ).exists():
        raise ValidationError(
            {"household": _("Enrol the household in the programme before it applies.")}
        )
    if not Offer.objects.filter(programme=programme, category=category).exists():
        raise ValidationError({"category": _("The programme does not rent this appliance.")})
    Household.objects.select_for_update().filter(pk=household.pk).first()  # serialise per household
    if appliances_in_use(household, programme) >= scheme.max_appliances:
        raise ValidationError(
            {
                "category": _("This household already has the maximum of %(max)s appliances.")
                % {"max": scheme.max_appliances}
            }
        )
    _check_old_label(old_label, old_label_scale)
    application = Application(
        household=household,
        programme=programme,
        category=category,
        has_old_appliance=has_old_appliance,
        old_age_band=old_age_band,
        old_label=(old_label or "").strip().upper(),
        old_label_scale=old_label_scale,
        old_measured_kwh=old_measured_kwh,
        created_by_id=acting.user_id,
    )
    application.full_clean()
    application.save()
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: applied for {category}",
    )
    return application


def _check_old_label(label: str, scale: str) -> None:
    """A label is only useful with its scale: A to D exist on both."""
    from rentals.savings import LABEL_CLASSES

    label = (label or "").strip().upper()
    if not label:
        return
    if scale not in LABEL_CLASSES:
        raise ValidationError({"old_label_scale": _("Say which label scale the label is on.")})
    if label not in LABEL_CLASSES[scale]:
        raise ValidationError(
            {"old_label": _("“%(label)s” is not a class of this label scale.") % {"label": label}}
        )


@transaction.atomic
def application_prioritise(*, acting: Acting, application: Application, reason: str) -> Application:
    """A coordinator moves an application to the front of the waiting list, with a reason."""
    _require_lead(acting, application.programme)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the priority.")})
    application.priority = True
    application.priority_reason = reason
    application.priority_by_id = acting.user_id
    application.save(update_fields=["priority", "priority_reason", "priority_by"])
    return application


@transaction.atomic
def application_cancel(*, acting: Acting, application: Application) -> Application:
    acting.require("household.change")
    if not scoped(Application, acting).filter(pk=application.pk).exists():
        raise PermissionDenied
    if application.status != Application.Status.WAITING:
        raise ValidationError(_("Only a waiting application can be cancelled."))
    application.status = Application.Status.CANCELLED
    application.save(update_fields=["status"])
    return application


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
    return _scheme(programme).collector


def collected_programmes(organisation: Organisation):  # type: ignore[no-untyped-def]
    """Rental programmes in which the organisation collects fees."""
    return Programme.objects.filter(
        Q(rental_scheme__collector=organisation)
        | Q(
            rental_scheme__isnull=False,
            partners__organisation=organisation,
            partners__role=ProgrammePartner.Role.COLLECTOR,
        )
    ).distinct()


def payment_reference_for(contract_number: int, country: str) -> str:
    return (
        be_reference_for(contract_number) if country == "BE" else nl_reference_for(contract_number)
    )


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
    _move_unit(unit, UnitStatus.RESERVED, by_id=acting.user_id, note="contract draft")
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
    from core.validators import clean_iban

    acting.require("household.change")
    if not scoped(Contract, acting).filter(pk=contract.pk).exists():
        raise PermissionDenied
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError(_("Only a draft contract can be signed."))
    today = local_today(acting.organisation)
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
    scheme = _scheme(contract.programme)
    Visit.objects.create(
        contract=contract,
        kind=Visit.Kind.INSTALLATION,
        planned_on=installation_on,
        technician_organisation=scheme.supplier,
    )
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
    Visit.objects.create(
        contract=contract,
        kind=Visit.Kind.RETURN,
        planned_on=collection_on or on,
        technician_organisation=_scheme(contract.programme).supplier,
    )
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=contract.household,
        subject=f"household {contract.household.reference}: contract {contract.pk} ended",
    )
    return contract


# ---------------------------------------------------------------- visits and tickets
def check_visit_day(value: date | None, *, field: str, today: date) -> None:
    """A visit is planned at most a year ahead, and recorded as planned at most five years
    back (core.validators)."""
    check_date_range(
        value,
        field=field,
        earliest=today - timedelta(days=VISIT_DAYS_BACK),
        latest=today + timedelta(days=VISIT_DAYS_AHEAD),
    )


def _require_visit_access(acting: Acting, visit: Visit) -> None:
    if scoped(Visit, acting).filter(pk=visit.pk).exists():
        return
    raise PermissionDenied


@transaction.atomic
def visit_plan(
    *,
    acting: Acting,
    contract: Contract,
    kind: str,
    planned_on: date,
    window: str = "",
    technician: Any = None,
    ticket: Ticket | None = None,
) -> Visit:
    rules.require_visit_plan(acting, contract)
    if kind not in Visit.Kind.values or kind == Visit.Kind.INSTALLATION:
        raise ValidationError({"kind": _("Plan a repair, swap or return visit.")})
    check_visit_day(planned_on, field="planned_on", today=local_today(acting.organisation))
    scheme = _scheme(contract.programme)
    if technician is not None:
        # Who plans a new visit may name the supplier's technician at once; moving an
        # existing visit to someone else is visit.assign (visit_assign).
        _check_technician(technician, scheme.supplier)
    visit = Visit.objects.create(
        contract=contract,
        kind=kind,
        planned_on=planned_on,
        window=window,
        technician_organisation=scheme.supplier,
        technician=technician,
        ticket=ticket,
    )
    if ticket is not None and ticket.status == Ticket.Status.OPEN:
        ticket.status = Ticket.Status.PLANNED
        ticket.save(update_fields=["status"])
    return visit


@transaction.atomic
def visit_assign(
    *,
    acting: Acting,
    visit: Visit,
    technician: Any,
    planned_on: date | None = None,
    window: str | None = None,
) -> Visit:
    """Give the visit to a technician of the supplier (visit.assign), and optionally move it
    to another day or window (visit.reschedule): the lead's coordinators and the supplier's
    planners only."""
    _require_visit_access(acting, visit)
    rules.require_visit_planner(acting, visit.contract.programme)
    _check_technician(technician, visit.technician_organisation)
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError(_("This visit is already done or cancelled."))
    visit.technician = technician
    if planned_on and planned_on != visit.planned_on:
        acting.require("visit.reschedule")
        check_visit_day(planned_on, field="planned_on", today=local_today(acting.organisation))
        visit.planned_on = planned_on
    if window is not None:
        visit.window = window
    visit.save()
    return visit


def _check_technician(technician: Any, supplier: Organisation) -> None:
    """The visit goes to a technician of the supplier."""
    if not rules.technicians_of(supplier).filter(pk=technician.pk).exists():
        raise ValidationError({"technician": _("Choose a technician of the supplier.")})


@transaction.atomic
def visit_complete(
    *,
    acting: Acting,
    visit: Visit,
    done_on: date | None = None,
    disposal: str = "",
    report: str = "",
    replacement: Unit | None = None,
) -> Visit:
    """Record a visit as done and move contract, units and ticket along with it.

    installation: the reserved unit is installed, the contract becomes active from that day,
        and what happened to the old appliance is recorded;
    repair: the unit works again and the ticket is resolved as repaired;
    swap: the broken unit goes to repair, the replacement is installed, the contract keeps
        running with the new unit and the ticket is resolved as replaced;
    return: the unit comes back.
    """
    _require_visit_access(acting, visit)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    rules.require_visit_complete(acting, visit)
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError(_("This visit is already done or cancelled."))
    today = local_today(acting.organisation)
    check_date_range(done_on, field="done_on", earliest=EARLIEST_DATE, latest=today)
    if disposal not in Visit.Disposal.values:
        raise ValidationError({"disposal": _("Choose what happened to the old appliance.")})
    contract = Contract.objects.select_for_update().get(pk=visit.contract_id)
    done_on = done_on or today
    by = acting.user_id
    if visit.kind == Visit.Kind.INSTALLATION:
        if contract.status != Contract.Status.SIGNED:
            raise ValidationError(_("Only a signed contract can be installed."))
        if contract.application.has_old_appliance and not disposal:
            raise ValidationError({"disposal": _("Record what happened to the old appliance.")})
        _move_unit(contract.unit, UnitStatus.INSTALLED, by_id=by, note="installation")
        contract.status = Contract.Status.ACTIVE
        contract.start_date = done_on
        contract.save(update_fields=["status", "start_date"])
        ContractUnit.objects.create(contract=contract, unit=contract.unit, installed_on=done_on)
    elif visit.kind == Visit.Kind.REPAIR:
        if contract.unit.status == UnitStatus.IN_REPAIR:
            _move_unit(contract.unit, UnitStatus.INSTALLED, by_id=by, note="repaired")
        _resolve_ticket(visit.ticket, Ticket.Resolution.REPAIRED)
    elif visit.kind == Visit.Kind.SWAP:
        if replacement is None:
            raise ValidationError({"replacement": _("Choose the replacement unit.")})
        if (
            replacement.programme_id != contract.programme_id
            or replacement.appliance_model.category != contract.category
            or replacement.status != UnitStatus.IN_STOCK
        ):
            raise ValidationError(
                {"replacement": _("The replacement must be a free unit of the same kind.")}
            )
        old = contract.unit
        if old.status == UnitStatus.INSTALLED:
            _move_unit(old, UnitStatus.IN_REPAIR, by_id=by, note="swapped out")
        _move_unit(replacement, UnitStatus.RESERVED, by_id=by, note="swap")
        _move_unit(replacement, UnitStatus.INSTALLED, by_id=by, note="swapped in")
        ContractUnit.objects.filter(contract=contract, removed_on__isnull=True).update(
            removed_on=done_on
        )
        ContractUnit.objects.create(contract=contract, unit=replacement, installed_on=done_on)
        contract.unit = replacement
        contract.save(update_fields=["unit"])
        _resolve_ticket(visit.ticket, Ticket.Resolution.REPLACED)
    elif visit.kind == Visit.Kind.RETURN:
        if contract.unit.status in (UnitStatus.INSTALLED, UnitStatus.IN_REPAIR):
            _move_unit(contract.unit, UnitStatus.RETURNED, by_id=by, note="collected")
        ContractUnit.objects.filter(contract=contract, removed_on__isnull=True).update(
            removed_on=done_on
        )
    visit.status = Visit.Status.DONE
    visit.done_at = timezone.now()
    visit.disposal = disposal
    visit.report = report
    visit.save()
    return visit


def _resolve_ticket(ticket: Ticket | None, resolution: str) -> None:
    if ticket is None or ticket.status == Ticket.Status.RESOLVED:
        return
    ticket.status = Ticket.Status.RESOLVED
    ticket.resolution = resolution
    ticket.resolved_at = timezone.now()
    ticket.save(update_fields=["status", "resolution", "resolved_at"])


@transaction.atomic
def ticket_open(*, acting: Acting, contract: Contract, channel: str, description: str) -> Ticket:
    """Report a breakdown for a household (by phone or at the desk): ticket.open."""
    rules.require_ticket_open(acting, contract)
    return _ticket_create(
        contract=contract, channel=channel, description=description, by_id=acting.user_id
    )


@transaction.atomic
def ticket_open_by_resident(
    *, household: Household, contract: Contract, description: str
) -> Ticket:
    """A resident reports a breakdown on their own page (opened with their link and PIN):
    only for a contract of the household the PIN opened."""
    if contract.household_id != household.pk:
        raise PermissionDenied
    return _ticket_create(
        contract=contract, channel=Ticket.Channel.RESIDENT, description=description, by_id=None
    )


def _ticket_create(
    *, contract: Contract, channel: str, description: str, by_id: int | None
) -> Ticket:
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say in a few words what is wrong.")})
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("Only an installed appliance can be reported broken."))
    if channel not in Ticket.Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    ticket = Ticket(contract=contract, channel=channel, description=description[:2000])
    ticket.full_clean()
    ticket.save()
    if contract.unit.status == UnitStatus.INSTALLED:
        _move_unit(contract.unit, UnitStatus.IN_REPAIR, by_id=by_id, note=f"ticket {ticket.pk}")
    return ticket


def tickets_overdue(programme: Programme, today: date | None = None):  # type: ignore[no-untyped-def]
    """Open tickets older than the scheme's reminder limit."""
    scheme = _scheme(programme)
    now = (
        timezone.now()
        if today is None
        else timezone.make_aware(datetime.combine(today, datetime.min.time()))
    )
    limit = now - timedelta(days=scheme.ticket_reminder_days)
    return Ticket.objects.filter(
        contract__programme=programme,
        status__in=[Ticket.Status.OPEN, Ticket.Status.PLANNED],
        opened_at__lt=limit,
    )


@transaction.atomic
def ticket_reminders_send(*, programme: Programme) -> int:
    """Mark overdue tickets as reminded (shown on the dashboard); returns how many."""
    overdue = tickets_overdue(programme).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=timezone.now() - timedelta(days=7))
    )
    return overdue.update(reminded_at=timezone.now())


# ---------------------------------------------------------------- billing
def month_start(value: date) -> date:
    return value.replace(day=1)


def month_end(value: date) -> date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


@dataclass(frozen=True)
class BillingResult:
    created: int
    contracts: int


def check_billing_month(month: date, *, today: date) -> date:
    """The first day of a month that may be billed: from 2000 on, at most one month ahead
    (billing further would charge for months nobody has had yet)."""
    first = month_start(month)
    next_month = month_end(today) + timedelta(days=1)
    if first < EARLIEST_DATE:
        raise ValidationError({"month": _("This month is too long ago.")})
    if first > next_month:
        raise ValidationError({"month": _("You can bill at most one month ahead.")})
    return first


def billing_run(
    *, programme: Programme, month: date, acting: Acting | None = None
) -> BillingResult:
    """One charge per contract active in the month, split in tenant part and subsidy part.

    Safe to run again: the unique constraint (contract, month) makes a second run add nothing.
    billing.run: the lead's coordinators, or the operator from the command line
    (core.tenancy.operator_acting; `acting=None` is the operator too, for scripts and the
    benchmark); at most one month ahead for everyone.

    Contracts active the whole month are charged their fees as they are, so one
    INSERT … SELECT writes them in the database (nearly all charges of a month); the few that
    start or end within the month are prorated (rentals/proration.py) and written in bulk.
    """
    if acting is None:
        acting = operator_acting(programme.lead_organisation)
    rules.require_billing(acting, programme)
    first = check_billing_month(month, today=local_today(programme.lead_organisation))
    last = month_end(first)
    now = timezone.now()
    ops = connection.ops
    charge, contract = (
        ops.quote_name(Charge._meta.db_table),
        ops.quote_name(Contract._meta.db_table),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {charge} "  # noqa: S608 -- table names from the ORM, values bound
            "(contract_id, month, tenant_amount, subsidy_amount, settled, created_at) "
            f"SELECT c.id, %s, c.tenant_fee, c.subsidy, %s, %s FROM {contract} c "
            "WHERE c.programme_id = %s AND c.start_date <= %s "
            "AND (c.end_date IS NULL OR c.end_date >= %s) "
            "AND (c.tenant_fee > 0 OR c.subsidy > 0) "
            f"AND NOT EXISTS (SELECT 1 FROM {charge} x WHERE x.contract_id = c.id "
            "AND x.month = %s) "
            # A charge made meanwhile by a concurrent run stays; ours is dropped.
            "ON CONFLICT (contract_id, month) DO NOTHING",
            [
                ops.adapt_datefield_value(first),
                ops.adapt_decimalfield_value(ZERO, 8, 2),
                ops.adapt_datetimefield_value(now),
                programme.pk,
                ops.adapt_datefield_value(first),
                ops.adapt_datefield_value(last),
                ops.adapt_datefield_value(first),
            ],
        )
        whole = max(cursor.rowcount, 0)
    partial = (
        Contract.objects.filter(programme=programme, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .filter(Q(start_date__gt=first) | Q(end_date__lt=last))
        .exclude(charges__month=first)
        .values_list("pk", "tenant_fee", "subsidy", "start_date", "end_date")
    )
    batch: list[Charge] = []
    for pk, tenant_fee, subsidy, start, end in partial:
        if start is None:
            raise RuntimeError("the query asks for installed contracts only")
        tenant, sub = charge_split(
            tenant_fee=tenant_fee, subsidy=subsidy, start=start, end=end, month=first
        )
        if tenant == ZERO and sub == ZERO:
            continue
        batch.append(
            Charge(
                contract_id=pk,
                month=first,
                tenant_amount=tenant,
                subsidy_amount=sub,
                created_at=now,
            )
        )
    created = whole + _insert_charges(batch, programme)
    _apply_credit_after_billing(programme, first)
    if created:  # a run again adds nothing, not even to the log
        audit_record(
            acting=acting,
            action=Action.CREATE,
            subject=f"programme {programme.slug}: billed {first:%Y-%m}, {created} charges",
        )
    return BillingResult(created=created, contracts=whole + len(batch))


def _apply_credit_after_billing(programme: Programme, month: date) -> None:
    """Households that paid in advance: settle the new charges from their credit.

    Only households with an unused payment are touched (a partial index keeps this cheap).
    """
    with_credit = (
        Payment.objects.filter(
            unallocated__gt=0,
            household__rental_contracts__charges__month=month,
            household__rental_contracts__programme=programme,
        )
        .values_list("household_id", "collector_id")
        .distinct()
    )
    for household_id, collector_id in list(with_credit):
        with transaction.atomic():
            allocate_credit(
                household=Household.objects.get(pk=household_id),
                collector=Organisation.objects.get(pk=collector_id),
            )


def _insert_charges(batch: list[Charge], programme: Programme) -> int:
    if not batch:
        return 0
    month_charges = Charge.objects.filter(month=batch[0].month, contract__programme=programme)
    with transaction.atomic():
        before = month_charges.count()
        # ignore_conflicts: a charge made by a concurrent run stays, ours is dropped.
        Charge.objects.bulk_create(batch, ignore_conflicts=True, batch_size=2000)
        return month_charges.count() - before


# ---------------------------------------------------------------- payments and collection
def open_charges(household: Household, collector: Organisation | None = None):  # type: ignore[no-untyped-def]
    qs = Charge.objects.filter(contract__household=household, settled__lt=F("tenant_amount"))
    if collector is not None:
        qs = qs.filter(contract__collector=collector)
    return qs.order_by("month", "contract_id", "pk")


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
            payment.unallocated -= part
        payment.save(update_fields=["unallocated"])


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
    taken = ArrearsStep.objects.filter(household=household).order_by("-level").first()
    last = taken.level if taken else 0
    wanted = min(balance.months_behind, 3)
    return last + 1 if wanted > last else None


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
