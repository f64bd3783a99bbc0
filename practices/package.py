"""Programme packages: a programme's set-up as a versioned, documented JSON document that
another organisation adopts as a new programme (docs/practices.md, "Programme packages").

The core part (kind, name, description, eligibility rules, tariffs, the partner roles it needs)
is made here; each programme app adds its own part through the registry
(core.programmes.PackagePart). Nothing personal: the package is checked by practices.pure.guard
on the way out and on the way in, and refused whole when anything looks personal or like code.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.eligibility import RulesError, validate_config
from core.models import Country, Organisation, Programme, ProgrammePartner, Tariff
from core.permissions import is_lead
from core.programmes import PackageChange, registry
from core.tenancy import Acting
from practices.models import PackageImport
from practices.pure import guard

FORMAT = "wijk-programme-package"
VERSION = 1
MAX_PACKAGE_BYTES = 1024 * 1024
TARIFF_FIELDS = ("electricity_standard", "electricity_social", "water", "co2")

REASONS = {
    guard.PERSONAL_KEY: gettext_lazy("a field for personal data"),
    guard.PERSONAL_VALUE: gettext_lazy("something that looks like personal data"),
    guard.CODE_VALUE: gettext_lazy("something that looks like code"),
    guard.WRONG_TYPE: gettext_lazy("a value of a type a package never holds"),
    guard.TOO_DEEP: gettext_lazy("nesting deeper than a package needs"),
    guard.TOO_BIG: gettext_lazy("more than a package holds"),
}


def refuse_problems(data: Any) -> None:
    """Raise a ValidationError naming every place a package may not hold."""
    problems = guard.package_problems(data)
    if problems:
        raise ValidationError(
            [
                _("Refused at “%(where)s”: %(reason)s.")
                % {"where": where or "/", "reason": REASONS[reason]}
                for where, reason in problems[:20]
            ]
        )


def export_package(*, acting: Acting, programme: Programme) -> dict[str, Any]:
    """The programme's set-up as a package; for its lead organisation's managers."""
    acting.require("package.export")
    if not is_lead(acting, programme):
        raise PermissionDenied(_("Only the programme's lead organisation exports its package."))
    return build_package(programme)


def build_package(programme: Programme) -> dict[str, Any]:
    lead = programme.lead_organisation
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "kind": programme.kind,
        "name": programme.name,
        "description": programme.description,
        "source": {
            "organisation": lead.name,
            "country": lead.country,
            "currency": "EUR",
            "exported_at": timezone.now().isoformat(timespec="seconds"),
        },
        "eligibility_rules": programme.eligibility_rules or {},
        "tariffs": [
            {"valid_from": t.valid_from.isoformat()}
            | {name: str(getattr(t, name)) for name in TARIFF_FIELDS}
            for t in programme.tariffs.order_by("valid_from")
        ],
        "partner_roles": sorted(
            {
                (p.role, p.organisation.kind)
                for p in programme.partners.select_related("organisation")
            }
        ),
        "parts": {
            part.key: {"version": part.version, **part.export(programme)}
            for part in registry.package_parts(programme.kind)
        },
    }
    data["partner_roles"] = [{"role": r, "organisation_kind": k} for r, k in data["partner_roles"]]
    refuse_problems(data)  # a bug in a part must never let personal data out
    return data


def digest(data: dict[str, Any]) -> str:
    """The package's identity: the same set-up exported twice has the same digest."""
    stable = {
        **data,
        "source": {k: v for k, v in data.get("source", {}).items() if k != "exported_at"},
    }
    text = json.dumps(stable, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def parse(text: str | bytes) -> dict[str, Any]:
    """A package from JSON text, checked for shape, personal data and code."""
    if len(text) > MAX_PACKAGE_BYTES:
        raise ValidationError(_("The package is larger than 1 MB."))
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(_("This is not a valid JSON package.")) from exc
    check(data)
    if not isinstance(data, dict):  # check() refused it already; this tells the type
        raise ValidationError(_("This is not a Wijk programme package."))
    return data


def check(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(_("This is not a Wijk programme package."))
    if data.get("version") != VERSION:
        raise ValidationError(
            _("This package has version %(version)s; this installation reads version %(ours)s.")
            % {"version": data.get("version"), "ours": VERSION}
        )
    if data.get("kind") not in Programme.Kind.values:
        raise ValidationError(
            _("The package is for a programme kind this installation does not run.")
        )
    refuse_problems(data)
    for key in ("name", "description"):
        if not isinstance(data.get(key, ""), str):
            raise ValidationError(_("The package's %(field)s must be text.") % {"field": key})
    if not isinstance(data.get("tariffs", []), list) or not isinstance(data.get("parts", {}), dict):
        raise ValidationError(_("The package's tariffs or parts have the wrong shape."))
    try:
        validate_config(data.get("eligibility_rules") or {})
    except RulesError as exc:
        raise ValidationError(
            _("The package's eligibility rules are not valid: %(e)s") % {"e": exc}
        ) from exc
    for tariff in data.get("tariffs", []):
        _tariff_values(tariff)


def _tariff_values(tariff: Any) -> dict[str, Any]:
    if not isinstance(tariff, dict):
        raise ValidationError(_("A tariff in the package has the wrong shape."))
    try:
        values: dict[str, Any] = {"valid_from": date.fromisoformat(str(tariff["valid_from"]))}
        for name in TARIFF_FIELDS:
            amount = Decimal(str(tariff[name]))
            if not amount.is_finite() or amount < 0 or amount > 1000:
                raise ValidationError(_("A tariff in the package is out of range."))
            values[name] = amount
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise ValidationError(_("A tariff in the package has a missing or wrong value.")) from exc
    return values


@dataclass
class Preview:
    changes: list[PackageChange] = field(default_factory=list)
    existing: Programme | None = None  # adopted before: importing again gives this one

    def of(self, level: str) -> list[PackageChange]:
        return [c for c in self.changes if c.level == level]


def _label(choices: list[tuple[str, str]], value: Any) -> str:
    return str(dict(choices).get(str(value), str(value or "")))


def preview(*, acting: Acting, data: dict[str, Any]) -> Preview:
    """What adopting the package would create, and what must be adapted."""
    acting.require("package.import")
    check(data)
    organisation = acting.organisation
    result = Preview()
    found = PackageImport.objects.filter(organisation=organisation, digest=digest(data)).first()
    if found:
        result.existing = found.programme
        result.changes.append(
            PackageChange(
                "warning",
                _(
                    "Your organisation adopted this package before, as “%(name)s”; adopting it "
                    "again creates nothing new."
                )
                % {"name": found.programme.name},
            )
        )
    kind_label = Programme.Kind(data["kind"]).label
    result.changes.append(
        PackageChange(
            "create",
            _("A new programme “%(name)s” (%(kind)s) led by %(organisation)s.")
            % {"name": data.get("name", ""), "kind": kind_label, "organisation": organisation.name},
        )
    )
    source: dict[str, Any] = data["source"] if isinstance(data.get("source"), dict) else {}
    country = str(source.get("country", ""))
    foreign = country and country != organisation.country
    country_label = dict(Country.choices).get(country, country)
    rules = data.get("eligibility_rules") or {}
    if rules:
        result.changes.append(PackageChange("create", _("The eligibility rules of the package.")))
        if foreign:
            result.changes.append(
                PackageChange(
                    "adapt",
                    _(
                        "The eligibility rules were written for %(country)s (income limits, social "
                        "tariff): check them against your own country's rules."
                    )
                    % {"country": country_label},
                )
            )
    tariffs = data.get("tariffs", [])
    if tariffs:
        result.changes.append(
            PackageChange(
                "create",
                ngettext(
                    "%(count)s tariff (energy and water prices, CO₂ factor).",
                    "%(count)s tariffs (energy and water prices, CO₂ factor).",
                    len(tariffs),
                )
                % {"count": len(tariffs)},
            )
        )
        if foreign:
            result.changes.append(
                PackageChange(
                    "adapt",
                    _(
                        "The tariffs are prices in %(country)s: set your own energy and water "
                        "prices."
                    )
                    % {"country": country_label},
                )
            )
    currency = str(source.get("currency", "EUR"))
    if currency != "EUR":
        result.changes.append(
            PackageChange(
                "adapt",
                _("The package counts in %(currency)s; Wijk counts in euro: convert every amount.")
                % {"currency": currency},
            )
        )
    for role in data.get("partner_roles", []):
        if isinstance(role, dict):
            result.changes.append(
                PackageChange(
                    "adapt",
                    _("Add your own partner as %(role)s (in the package: %(kind)s).")
                    % {
                        "role": dict(ProgrammePartner.Role.choices).get(
                            str(role.get("role")), str(role.get("role", ""))
                        ),
                        "kind": dict(Organisation.Kind.choices).get(
                            str(role.get("organisation_kind")),
                            str(role.get("organisation_kind", "")),
                        ),
                    },
                )
            )
    parts = {p.key: p for p in registry.package_parts(data["kind"])}
    for key, part_data in data.get("parts", {}).items():
        part = parts.get(key)
        if part is None or not isinstance(part_data, dict):
            result.changes.append(
                PackageChange(
                    "warning",
                    _("The part “%(key)s” is not known here and is left out.") % {"key": key},
                )
            )
            continue
        result.changes.extend(part.preview(part_data, organisation))
    return result


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "programme"
    slug, n = base, 1
    while Programme.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def package_import(
    *, acting: Acting, data: dict[str, Any], name: str = "", source: str = ""
) -> tuple[Programme, bool]:
    """Adopt a package as a new programme led by the acting organisation; (programme, created).
    The same package adopted again gives the programme made the first time."""
    acting.require("package.import")
    check(data)
    key = digest(data)
    organisation: Organisation = acting.organisation
    found = PackageImport.objects.filter(organisation=organisation, digest=key).first()
    if found:
        return found.programme, False
    name = (name or str(data.get("name", ""))).strip()[:200]
    if not name:
        raise ValidationError({"name": _("Give the new programme a name.")})
    parts = {p.key: p for p in registry.package_parts(data["kind"])}
    try:
        with transaction.atomic():
            programme = Programme.objects.create(
                name=name,
                slug=_free_slug(name),
                kind=data["kind"],
                lead_organisation=organisation,
                description=str(data.get("description", ""))[:5000],
                eligibility_rules=data.get("eligibility_rules") or {},
            )
            for tariff in data.get("tariffs", []):
                Tariff.objects.create(programme=programme, **_tariff_values(tariff))
            for part_key, part_data in data.get("parts", {}).items():
                if part_key in parts and isinstance(part_data, dict):
                    parts[part_key].load(part_data, programme)
            PackageImport.objects.create(
                organisation=organisation,
                digest=key,
                programme=programme,
                source=source[:300],
                imported_by_id=acting.user_id,
            )
    except IntegrityError:
        # Adopted at the same moment by another request: that one's programme stands.
        found = PackageImport.objects.filter(organisation=organisation, digest=key).first()
        if found is None:
            raise
        return found.programme, False
    return programme, True
