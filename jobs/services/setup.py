"""The bureau's set-up: its rules (from a preset, then edited) and its service catalogue."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Programme
from core.tenancy import Acting
from jobs import rules as pure
from jobs.bureau import require_lead, rules_of
from jobs.models import Category, Preset, ProgrammeRules, Service, Skill

RULE_FIELDS = (
    "max_hours_month",
    "max_hours_year",
    "max_trajectory_months",
    "pricing",
    "price_per_hour",
    "registration_fee",
    "cheque_validity_months",
    "allowance_per_hour",
    "km_allowance",
    "km_threshold",
    "allowance_cap_month",
    "allowance_cap_year",
    "allowed_categories",
    "depot_lat",
    "depot_lon",
    "served_radius_km",
    "cargo_bikes",
    "cargo_bike_capacity",
    "vans",
    "van_capacity",
)


def _check_rules(rules: ProgrammeRules) -> None:
    errors: dict[str, str] = {}
    if rules.preset == Preset.WIJK_WERKEN and not (
        pure.WIJK_WERKEN_PRICE_MIN <= rules.price_per_hour <= pure.WIJK_WERKEN_PRICE_MAX
    ):
        errors["price_per_hour"] = _(
            "Under wijk-werken a cheque costs between %(low)s and %(high)s EUR."
        ) % {"low": pure.WIJK_WERKEN_PRICE_MIN, "high": pure.WIJK_WERKEN_PRICE_MAX}
    unknown = [c for c in rules.allowed_categories if c not in Category.values]
    if unknown or not rules.allowed_categories:
        errors["allowed_categories"] = _("Choose at least one activity category of the list.")
    if not (-90 <= rules.depot_lat <= 90 and -180 <= rules.depot_lon <= 180):
        errors["depot_lat"] = _("These are not coordinates on earth.")
    for name in ("max_hours_month", "max_hours_year"):
        value = getattr(rules, name)
        if value is not None and not 1 <= value <= 2000:
            errors[name] = _("Give a number of hours between 1 and 2000.")
    if rules.served_radius_km is None or Decimal(rules.served_radius_km) <= 0:
        errors["served_radius_km"] = _("The served area must be larger than 0 km.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rules_apply_preset(*, acting: Acting, programme: Programme, preset: str) -> ProgrammeRules:
    """Set every rule to a preset's values (the coordinator edits them afterwards)."""
    require_lead(acting, programme, "job.rules")
    if preset not in pure.PRESETS:
        raise ValidationError({"preset": _("Choose one of the presets.")})
    rules = rules_of(programme)
    rules.preset = preset
    for name, value in pure.PRESETS[preset].items():
        setattr(rules, name, value)
    rules.updated_at = timezone.now()
    _check_rules(rules)
    rules.save()
    return rules


@transaction.atomic
def rules_update(*, acting: Acting, programme: Programme, values: dict[str, Any]) -> ProgrammeRules:
    require_lead(acting, programme, "job.rules")
    rules = rules_of(programme)
    for name, value in values.items():
        if name not in RULE_FIELDS:
            raise ValidationError({name: _("This rule does not exist.")})
        setattr(rules, name, value)
    if "preset" not in values and rules.pk and values:
        rules.preset = rules.preset  # edited values stay under the preset's name
    rules.updated_at = timezone.now()
    _check_rules(rules)
    rules.save()
    return rules


@transaction.atomic
def service_create(
    *,
    acting: Acting,
    programme: Programme,
    name: str,
    category: str,
    description: str = "",
    fixed_price: Decimal | None = None,
    required_skills: dict[str, int] | None = None,
    crew_size: int = 1,
    duration_minutes: int = 60,
    needs: str = "",
    load: int = 0,
) -> Service:
    require_lead(acting, programme, "job.rules")
    rules = rules_of(programme)
    errors: dict[str, str] = {}
    if category not in rules.allowed_categories:
        errors["category"] = _(
            "This activity is not allowed in this programme; the coordinator chooses the "
            "allowed activities on the rules page."
        )
    skills = required_skills or {}
    if any(s not in Skill.values or not 1 <= int(level) <= 3 for s, level in skills.items()):
        errors["required_skills"] = _("Skills must be of the list, at level 1 to 3.")
    if not 1 <= crew_size <= 6:
        errors["crew_size"] = _("A crew has 1 to 6 people.")
    if not 15 <= duration_minutes <= 600:
        errors["duration_minutes"] = _("A job takes 15 minutes to 10 hours.")
    if needs not in Service.Needs.values:
        errors["needs"] = _("Choose a cargo bike, a van or nothing.")
    if rules.pricing == "fixed" and fixed_price is None:
        errors["fixed_price"] = _("This programme charges a fixed price per service: give it.")
    if fixed_price is not None and fixed_price < 0:
        errors["fixed_price"] = _("A price cannot be negative.")
    if Service.objects.filter(programme=programme, name=name.strip()).exists():
        errors["name"] = _("The catalogue already has a service of that name.")
    if not name.strip():
        errors["name"] = _("Give the service a name.")
    if errors:
        raise ValidationError(errors)
    return Service.objects.create(
        programme=programme,
        name=name.strip(),
        description=description,
        category=category,
        fixed_price=fixed_price,
        required_skills={s: int(v) for s, v in skills.items()},
        crew_size=crew_size,
        duration_minutes=duration_minutes,
        needs=needs,
        load=load,
    )


@transaction.atomic
def service_offer(*, acting: Acting, service: Service, offered: bool) -> Service:
    """Withdraw a service from the catalogue (no new requests for it; requests already taken
    stay) or offer it again."""
    require_lead(acting, service.programme, "job.rules")
    service.active = offered
    service.save(update_fields=["active"])
    return service
