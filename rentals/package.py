"""Appliance rental's part of a programme package (practices/package.py, through
core.programmes.PackagePart): the scheme's limits, the offers (fees, subsidy, term per
category) and the catalogue of appliance models. Set-up only: no unit, serial number,
contract, household or payment ever goes in; the scheme's collector and supplier are
organisations of the source and are left out (the adopter chooses its own)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Organisation, Programme
from core.programmes import PackageChange, PackagePart
from rentals.models import ApplianceModel, Offer, RentalScheme

VERSION = 1
MODEL_FIELDS = (
    "category",
    "brand",
    "model_name",
    "eprel_number",
    "energy_class",
    "label_scale",
    "kwh_per_year",
    "kwh_per_100_cycles",
    "cycles_per_year",
    "water_litres_per_cycle",
    "capacity",
)
DECIMALS = ("kwh_per_year", "kwh_per_100_cycles", "water_litres_per_cycle")


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def export(programme: Programme) -> dict[str, Any]:
    scheme = RentalScheme.objects.filter(programme=programme).first()
    return {
        "scheme": (
            {
                "max_appliances": scheme.max_appliances,
                "ticket_reminder_days": scheme.ticket_reminder_days,
            }
            if scheme
            else None
        ),
        "offers": [
            {
                "category": o.category,
                "tenant_fee": str(o.tenant_fee),
                "subsidy": str(o.subsidy),
                "term_months": o.term_months,
            }
            for o in Offer.objects.filter(programme=programme).order_by("category")
        ],
        "catalogue": [
            {name: _plain(getattr(m, name)) for name in MODEL_FIELDS}
            for m in ApplianceModel.objects.filter(programme=programme).order_by(
                "category", "brand", "model_name"
            )
        ],
    }


def _list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValidationError(
            _("The rental part of the package has a wrong %(key)s.") % {"key": key}
        )
    return value


def preview(data: dict[str, Any], organisation: Organisation) -> list[PackageChange]:
    offers = _list(data, "offers")
    catalogue = _list(data, "catalogue")
    changes = [
        PackageChange(
            "create",
            _("%(count)s rental offers (tenant fee, subsidy and term per appliance).")
            % {"count": len(offers)},
        ),
        PackageChange(
            "create", _("%(count)s appliance models in the catalogue.") % {"count": len(catalogue)}
        ),
        PackageChange(
            "adapt",
            _(
                "The subsidy per appliance is the source's government support: set what your "
                "government or funder adds."
            ),
        ),
    ]
    if isinstance(data.get("scheme"), dict):
        changes.append(
            PackageChange(
                "adapt",
                _(
                    "The fees are collected and the appliances supplied by your own organisation "
                    "until you choose a collecting partner and a supplier."
                ),
            )
        )
    return changes


def _offer(item: dict[str, Any], programme: Programme) -> Offer:
    try:
        offer = Offer(
            programme=programme,
            category=str(item["category"]),
            tenant_fee=Decimal(str(item["tenant_fee"])),
            subsidy=Decimal(str(item["subsidy"])),
            term_months=int(item.get("term_months", 120)),
        )
    except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
        raise ValidationError(
            _("A rental offer in the package has a missing or wrong value.")
        ) from exc
    offer.full_clean(exclude=["programme"])
    return offer


def _model(item: dict[str, Any], programme: Programme) -> ApplianceModel:
    values: dict[str, Any] = {}
    try:
        for name in MODEL_FIELDS:
            value = item.get(name)
            if name in DECIMALS and value is not None:
                value = Decimal(str(value))
            elif name == "cycles_per_year" and value is not None:
                value = int(value)
            elif value is None:
                value = "" if name in ("eprel_number", "capacity") else None
            values[name] = value
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise ValidationError(_("An appliance model in the package has a wrong value.")) from exc
    if values.get("label_scale") is None:
        values.pop("label_scale")
    model = ApplianceModel(programme=programme, **values)
    model.full_clean(exclude=["programme"], validate_constraints=False)
    return model


def load(data: dict[str, Any], programme: Programme) -> None:
    """Create the offers, the catalogue and a scheme with the lead as collector and supplier."""
    if data.get("version") != VERSION:
        raise ValidationError(
            _("The rental part of the package has a version this installation does not read.")
        )
    scheme = data.get("scheme")
    if isinstance(scheme, dict):
        lead = programme.lead_organisation
        try:
            made = RentalScheme(
                programme=programme,
                collector=lead,
                supplier=lead,
                max_appliances=int(scheme.get("max_appliances", 3)),
                ticket_reminder_days=int(scheme.get("ticket_reminder_days", 10)),
            )
        except (ValueError, TypeError) as exc:
            raise ValidationError(_("The rental scheme in the package has a wrong value.")) from exc
        made.full_clean(exclude=["programme", "collector", "supplier"])
        made.save()
    for item in _list(data, "offers"):
        _offer(item, programme).save()
    for item in _list(data, "catalogue"):
        _model(item, programme).save()


PART = PackagePart(key="rentals", version=VERSION, export=export, preview=preview, load=load)
