"""The job bureau's part of a programme package (practices/package.py, through
core.programmes.PackagePart): the programme rules (hour limits, price per started hour or
fixed, registration fee, cheque validity, allowances and their caps, the allowed activity
categories, the bikes and vans) and the service catalogue.

Set-up only: no worker, request, hour, trajectory, assignment or feedback ever goes in. The
bureau's own place (its latitude and longitude) is left out: the adopter starts at its own
postcode and sets its place on the rules page. The bureau's letters (invoice, statement) are
the installation's templates, not per programme, so the package carries none.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Country, Organisation, Programme
from core.programmes import PackageChange, PackagePart
from jobs import rules as pure
from jobs.bureau import rules_of
from jobs.models import Category, Preset, Pricing, ProgrammeRules, Service, Skill
from jobs.services import setup
from jobs.services.setup import _check_rules

VERSION = 1
# Rules that travel with the package: the coordinator's rule fields but the bureau's place.
PLACE_FIELDS = ("depot_lat", "depot_lon")
RULE_FIELDS = tuple(f for f in setup.RULE_FIELDS if f not in PLACE_FIELDS)
DECIMALS = frozenset(
    {
        "price_per_hour",
        "registration_fee",
        "allowance_per_hour",
        "km_allowance",
        "allowance_cap_month",
        "allowance_cap_year",
        "served_radius_km",
    }
)
NUMBERS = frozenset(
    {
        "max_hours_month",
        "max_hours_year",
        "max_trajectory_months",
        "cheque_validity_months",
        "km_threshold",
        "cargo_bikes",
        "cargo_bike_capacity",
        "vans",
        "van_capacity",
    }
)
NULLABLE = frozenset(
    {
        "max_hours_month",
        "max_hours_year",
        "max_trajectory_months",
        "cheque_validity_months",
        "allowance_cap_month",
        "allowance_cap_year",
    }
)
MAX_AMOUNT = Decimal("100000")
# The country whose law a preset follows.
PRESET_COUNTRY = {Preset.WIJK_WERKEN: "BE", Preset.NL_VOLUNTEER: "NL"}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def export(programme: Programme) -> dict[str, Any]:
    saved = ProgrammeRules.objects.filter(programme=programme).first()
    rules = (
        {"preset": saved.preset} | {name: _plain(getattr(saved, name)) for name in RULE_FIELDS}
        if saved
        else None
    )
    return {
        "country": programme.lead_organisation.country,
        "rules": rules,
        "services": [
            {
                "name": s.name,
                "description": s.description,
                "category": s.category,
                "fixed_price": _plain(s.fixed_price),
                "required_skills": dict(sorted(s.required_skills.items())),
                "crew_size": s.crew_size,
                "duration_minutes": s.duration_minutes,
                "needs": s.needs,
                "load": s.load,
                "active": s.active,
            }
            for s in Service.objects.filter(programme=programme).order_by("name")
        ],
    }


def _wrong() -> ValidationError:
    return ValidationError(_("The job bureau part of the package has a missing or wrong value."))


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _wrong()
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise _wrong() from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise _wrong()
    return amount


def _number(value: Any, high: int = 100_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise _wrong()
    return value


def _rules(data: dict[str, Any]) -> dict[str, Any] | None:
    """The rules of the package as model values; ValidationError when any is off."""
    rules = data.get("rules")
    if rules is None:
        return None
    if not isinstance(rules, dict) or rules.get("preset") not in Preset.values:
        raise _wrong()
    values: dict[str, Any] = {"preset": rules["preset"]}
    for name in RULE_FIELDS:
        value = rules.get(name)
        if name == "pricing":
            if value not in Pricing.values:
                raise _wrong()
        elif name == "allowed_categories":
            if not isinstance(value, list) or not all(v in Category.values for v in value):
                raise _wrong()
            value = list(dict.fromkeys(value))
        elif value is None:
            if name not in NULLABLE:
                raise _wrong()
        elif name in DECIMALS:
            value = _amount(value)
        elif name in NUMBERS:
            value = _number(value)
        values[name] = value
    return values


def _services(data: dict[str, Any]) -> list[dict[str, Any]]:
    items = data.get("services") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _wrong()
    result = []
    for item in items:
        name = item.get("name")
        skills = item.get("required_skills") or {}
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > 120
            or not isinstance(item.get("description", ""), str)
            or item.get("category") not in Category.values
            or item.get("needs", "") not in Service.Needs.values
            or not isinstance(skills, dict)
            or any(
                s not in Skill.values or isinstance(v, bool) or v not in (1, 2, 3)
                for s, v in skills.items()
            )
        ):
            raise _wrong()
        price = item.get("fixed_price")
        result.append(
            {
                "name": name.strip(),
                "description": item.get("description", "")[:5000],
                "category": item["category"],
                "fixed_price": None if price is None else _amount(price),
                "required_skills": dict(skills),
                "crew_size": _number(item.get("crew_size", 1), 6),
                "duration_minutes": _number(item.get("duration_minutes", 60), 600),
                "needs": item.get("needs", ""),
                "load": _number(item.get("load", 0), 10_000),
                "active": item.get("active", True) is not False,
            }
        )
    return result


def preview(data: dict[str, Any], organisation: Organisation) -> list[PackageChange]:
    rules = _rules(data)
    services = _services(data)
    changes: list[PackageChange] = []
    countries = dict(Country.choices)
    ours = str(countries.get(organisation.country, organisation.country))
    if rules is not None:
        preset = Preset(rules["preset"])
        changes.append(
            PackageChange(
                "create",
                _(
                    "The job bureau's rules (%(preset)s): hour limits, prices, registration fee, "
                    "allowances and the allowed activities."
                )
                % {"preset": preset.label},
            )
        )
        law = PRESET_COUNTRY.get(preset)
        if law and law != organisation.country:
            changes.append(
                PackageChange(
                    "adapt",
                    _(
                        "The rules follow “%(preset)s”, a law of another country (%(country)s): "
                        "its cheques, hour limits and allowance do not hold where your "
                        "organisation works (%(ours)s). Choose your own country's preset on the "
                        "rules page before the bureau starts."
                    )
                    % {
                        "preset": preset.label,
                        "country": countries.get(law, law),
                        "ours": ours,
                    },
                )
            )
        elif law is None and data.get("country") not in (None, organisation.country):
            changes.append(
                PackageChange(
                    "adapt",
                    _(
                        "The hour limits, prices and allowances were set in %(country)s: check "
                        "them against the rules of %(ours)s."
                    )
                    % {"country": countries.get(str(data.get("country")), ""), "ours": ours},
                )
            )
        if rules["pricing"] == Pricing.PER_STARTED_HOUR:
            price_text = _("%(price)s EUR per started hour") % {"price": rules["price_per_hour"]}
        else:
            price_text = _("a fixed price per service")
        changes.append(
            PackageChange(
                "adapt",
                _(
                    "Prices and allowances are the source's (%(price)s, registration fee "
                    "%(fee)s EUR, allowance %(allowance)s EUR an hour): set your own."
                )
                % {
                    "price": price_text,
                    "fee": rules["registration_fee"],
                    "allowance": rules["allowance_per_hour"],
                },
            )
        )
        changes.append(
            PackageChange(
                "adapt",
                _(
                    "The bureau starts at your organisation's postcode with the served area of "
                    "the package (%(radius)s km): set your bureau's place."
                )
                % {"radius": rules["served_radius_km"]},
            )
        )
    changes.append(
        PackageChange(
            "create",
            _("%(count)s services in the job bureau's catalogue.") % {"count": len(services)},
        )
    )
    allowed = rules["allowed_categories"] if rules else list(pure.ALL_CATEGORIES)
    outside = [s["name"] for s in services if s["category"] not in allowed]
    if outside:
        changes.append(
            PackageChange(
                "warning",
                _("Services of an activity the rules do not allow are left out: %(names)s.")
                % {"names": ", ".join(outside)},
            )
        )
    return changes


def load(data: dict[str, Any], programme: Programme) -> None:
    """Create the rules (at the adopter's postcode) and the catalogue."""
    if data.get("version") != VERSION:
        raise ValidationError(
            _("The job bureau part of the package has a version this installation does not read.")
        )
    values = _rules(data)
    rules = rules_of(programme)  # the adopter's preset and place, not saved yet
    if values is not None:
        for name, value in values.items():
            setattr(rules, name, value)
    _check_rules(rules)
    rules.full_clean(
        exclude=["programme", "max_hours_month", "max_hours_year"], validate_constraints=False
    )
    rules.save()
    for item in _services(data):
        if item["category"] not in rules.allowed_categories:
            continue  # left out, as the preview said
        if rules.pricing == Pricing.FIXED and item["fixed_price"] is None:
            raise ValidationError(
                _("The service “%(name)s” has no price, and the rules ask a fixed price.")
                % {"name": item["name"]}
            )
        if Service.objects.filter(programme=programme, name=item["name"]).exists():
            raise ValidationError(
                _("The package has two services named “%(name)s”.") % {"name": item["name"]}
            )
        service = Service(programme=programme, **item)
        service.full_clean(exclude=["programme"], validate_constraints=False)
        service.save()


PART = PackagePart(key="jobs", version=VERSION, export=export, preview=preview, load=load)
