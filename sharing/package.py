"""Energy sharing's part of a programme package (practices/package.py, through
core.programmes.PackagePart): the community's rules — the sharing price and the supplier price
it compares with — and its allocation keys (preset, the social-priority cap, the date each
starts, and the rounds the preset runs, for the reader).

Set-up only: no participant, EAN, meter data, PV installation, allocation result or flow ever
goes in, and neither do the participants' key percentages (they belong to participants). The
community's place, the one setting of the "use power now" advice, is left out too: it can be a
producer's roof. The adopter starts at the centre of its own country and sets its place.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Country, Organisation, Programme
from core.programmes import PackageChange, PackagePart
from sharing.models import Community, KeyChoice, KeyPreset, key_for

VERSION = 1
MAX_KEYS = 100
MAX_PRICE = Decimal("100")
# Where a community of a country starts before the adopter sets its place (for the advice).
COUNTRY_CENTRE = {
    "BE": (Decimal("50.85034"), Decimal("4.35171")),
    "NL": (Decimal("52.09074"), Decimal("5.12142")),
}
# Presets whose rounds give each participant its own fixed percentage.
FIXED_PRESETS = frozenset({KeyPreset.FIXED, KeyPreset.RELATIVE, KeyPreset.OPTIMAL})


def _rounds(preset: str, social_cap: Decimal) -> list[dict[str, Any]]:
    """The rounds a preset runs, without any participant's percentage."""
    key = key_for(preset, [0.0], float(social_cap))  # one placeholder share, never exported
    return [
        {
            "weighting": str(r.weighting),
            "only_vulnerable": r.only_vulnerable,
            "demand_cap": str(Decimal(str(r.demand_cap)).quantize(Decimal("0.001"))),
            "renormalise": r.renormalise,
        }
        for r in key.rounds
    ]


def export(programme: Programme) -> dict[str, Any]:
    community = Community.objects.filter(programme=programme).first()
    if community is None:
        return {"country": programme.lead_organisation.country, "community": None, "keys": []}
    return {
        "country": programme.lead_organisation.country,
        "community": {
            "sharing_price": str(community.sharing_price),
            "supplier_price": str(community.supplier_price),
        },
        "keys": [
            {
                "valid_from": k.valid_from.isoformat(),
                "preset": k.preset,
                "social_cap": str(k.social_cap),
                "rounds": _rounds(k.preset, k.social_cap),
            }
            for k in KeyChoice.objects.filter(community=community).order_by("valid_from")
        ],
    }


def _wrong() -> ValidationError:
    return ValidationError(
        _("The energy-sharing part of the package has a missing or wrong value.")
    )


def _amount(value: Any, high: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _wrong()
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise _wrong() from exc
    if not amount.is_finite() or amount < 0 or amount > high:
        raise _wrong()
    return amount.quantize(Decimal("0.0001") if high == MAX_PRICE else Decimal("0.001"))


def _community(data: dict[str, Any]) -> dict[str, Decimal] | None:
    community = data.get("community")
    if community is None:
        return None
    if not isinstance(community, dict):
        raise _wrong()
    return {
        "sharing_price": _amount(community.get("sharing_price"), MAX_PRICE),
        "supplier_price": _amount(community.get("supplier_price"), MAX_PRICE),
    }


def _keys(data: dict[str, Any]) -> list[dict[str, Any]]:
    keys = data.get("keys") or []
    if not isinstance(keys, list) or len(keys) > MAX_KEYS:
        raise _wrong()
    result, days = [], set()
    for item in keys:
        if not isinstance(item, dict) or item.get("preset") not in KeyPreset.values:
            raise _wrong()
        try:
            valid_from = date.fromisoformat(str(item.get("valid_from")))
        except ValueError as exc:
            raise _wrong() from exc
        if valid_from in days or valid_from.year < 2000:
            raise _wrong()
        days.add(valid_from)
        cap = _amount(item.get("social_cap", "0.5"), Decimal("1"))
        result.append({"valid_from": valid_from, "preset": item["preset"], "social_cap": cap})
    return result


def preview(data: dict[str, Any], organisation: Organisation) -> list[PackageChange]:
    community = _community(data)
    keys = _keys(data)
    if community is None and keys:
        raise _wrong()  # keys without a community: load() could not place them
    countries = dict(Country.choices)
    changes: list[PackageChange] = []
    if community is not None:
        changes.append(
            PackageChange(
                "create",
                _(
                    "The energy community: a sharing price of %(sharing)s EUR per kWh, compared "
                    "with a supplier price of %(supplier)s EUR per kWh."
                )
                % {
                    "sharing": community["sharing_price"],
                    "supplier": community["supplier_price"],
                },
            )
        )
        changes.append(
            PackageChange(
                "adapt",
                _(
                    "The prices per kWh are the source's: agree your own sharing price with the "
                    "producers and set what your participants pay their supplier."
                ),
            )
        )
        changes.append(
            PackageChange(
                "adapt",
                _(
                    "The community starts at the centre of your country: set its place on the "
                    "settings page, so the “use power now” advice follows your sun."
                ),
            )
        )
    if keys:
        labels = [str(KeyPreset(k["preset"]).label) for k in keys]
        changes.append(
            PackageChange(
                "create",
                _("%(count)s allocation keys, each from its date on: %(keys)s.")
                % {"count": len(keys), "keys": "; ".join(labels)},
            )
        )
        changes.append(
            PackageChange(
                "adapt",
                _(
                    "The keys start on the source's dates (the first on %(first)s): choose the "
                    "date your community starts sharing."
                )
                % {"first": keys[0]["valid_from"].isoformat()},
            )
        )
        if any(k["preset"] in FIXED_PRESETS for k in keys):
            changes.append(
                PackageChange(
                    "adapt",
                    _(
                        "A key gives each participant a fixed percentage; the package holds no "
                        "participant, so give each one its percentage as it joins."
                    ),
                )
            )
    source = data.get("country")
    if community is not None and source in countries and source != organisation.country:
        changes.append(
            PackageChange(
                "adapt",
                _(
                    "Energy sharing was set up under the rules of %(country)s: check what the law "
                    "and the grid operator of %(ours)s allow (sharing between neighbours, the "
                    "allocation keys the operator applies, the meter data it supplies)."
                )
                % {
                    "country": countries[source],
                    "ours": countries.get(organisation.country, organisation.country),
                },
            )
        )
    return changes


def load(data: dict[str, Any], programme: Programme) -> None:
    """Create the community (at the centre of the adopter's country) and its keys."""
    if data.get("version") != VERSION:
        raise ValidationError(
            _(
                "The energy-sharing part of the package has a version this installation does not "
                "read."
            )
        )
    values = _community(data)
    keys = _keys(data)
    if values is None:
        if keys:
            raise _wrong()
        return
    latitude, longitude = COUNTRY_CENTRE.get(
        programme.lead_organisation.country, COUNTRY_CENTRE["BE"]
    )
    community = Community(programme=programme, latitude=latitude, longitude=longitude, **values)
    community.full_clean(exclude=["programme"], validate_constraints=False)
    community.save()
    for item in keys:
        choice = KeyChoice(community=community, **item)
        choice.full_clean(exclude=["community", "chosen_by"], validate_constraints=False)
        choice.save()


PART = PackagePart(key="sharing", version=VERSION, export=export, preview=preview, load=load)
