"""Writes of a programme's rental set-up: the scheme (collector, supplier, limits), offers,
appliance models, units and their moves by hand (stock, repair, refurbishing, recycling).
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.models import Organisation, Programme
from core.tenancy import Acting
from rentals.models import (
    ApplianceModel,
    Application,
    Offer,
    RentalScheme,
    Unit,
    UnitEvent,
    UnitStatus,
)
from rentals.rules import require_unit_manager
from rentals.services import notices
from rentals.services.common import move_unit, require_lead, require_rental


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
    require_lead(acting, programme)
    require_rental(programme)
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
    require_lead(acting, programme)
    require_rental(programme)
    offer = Offer.objects.filter(programme=programme, category=category).first() or Offer(
        programme=programme, category=category
    )
    offer.tenant_fee, offer.subsidy, offer.term_months = tenant_fee, subsidy, term_months
    offer.full_clean(validate_unique=False)
    offer.save()
    return offer


@transaction.atomic
def offer_remove(*, acting: Acting, programme: Programme, category: str) -> None:
    """Stop offering a category (a programme adopted from a package that rents more kinds of
    appliance than this one will). Refused once a household applied for one."""
    require_lead(acting, programme)
    require_rental(programme)
    if Application.objects.filter(programme=programme, category=category).exists():
        raise ValidationError(
            _("Households applied for this appliance: it stays offered for their contracts.")
        )
    Offer.objects.filter(programme=programme, category=category).delete()


@transaction.atomic
def appliance_model_create(
    *, acting: Acting, programme: Programme, **fields: Any
) -> ApplianceModel:
    require_lead(acting, programme)
    require_rental(programme)
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
    if status == UnitStatus.IN_STOCK:
        notices.units_available(
            programme=appliance_model.programme, category=appliance_model.category
        )
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
    moved = move_unit(unit, to, by_id=acting.user_id, note=note)
    if to == UnitStatus.IN_STOCK:
        notices.units_available(programme=unit.programme, category=unit.appliance_model.category)
    return moved
