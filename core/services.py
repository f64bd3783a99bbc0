"""Writes of the core domain: organisations, memberships, programmes, partners, tariffs, audit."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.eligibility import RulesError, validate_config
from core.models import (
    AuditEvent,
    Membership,
    Organisation,
    Programme,
    ProgrammePartner,
    Role,
    Tariff,
)
from core.tenancy import Acting
from core.validators import (
    clean_enterprise_number,
    clean_iban,
    clean_postcode,
    clean_sepa_creditor_id,
)


def audit_record(
    *,
    acting: Acting,
    action: str,
    subject: str,
    household: Any = None,
) -> AuditEvent:
    """The one way to write the audit log: who (the acting user, or none for the operator),
    for which organisation, through which channel (`acting.via`: web, api, command). The
    subject names what was touched without personal data ("household H7K2M9QX: …")."""
    return AuditEvent.objects.create(
        user_id=acting.user_id,
        organisation=acting.organisation,
        action=action,
        household=household,
        subject=subject[:200],
        via=acting.via,
    )


def _clean_organisation(org: Organisation) -> None:
    errors: dict[str, list[ValidationError]] = {}
    for name, check in (
        ("iban", lambda v: clean_iban(v)),
        ("enterprise_number", lambda v: clean_enterprise_number(v, org.country)),
        ("postcode", lambda v: clean_postcode(v, org.country)),
        ("sepa_creditor_id", clean_sepa_creditor_id),
    ):
        value = getattr(org, name)
        if value:
            try:
                setattr(org, name, check(value))
            except ValidationError as exc:
                errors[name] = [exc]
    try:
        org.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(ValidationError(m) for m in messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(*, fields: dict[str, Any]) -> Organisation:
    """Create an organisation (an installation admin's act, from the shell or demo data)."""
    org = Organisation(**fields)
    _clean_organisation(org)
    org.save()
    return org


ORGANISATION_EDITABLE = (
    "name",
    "language",
    "time_zone",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "iban",
    "enterprise_number",
    "sepa_creditor_id",
)


@transaction.atomic
def organisation_update(
    *, acting: Acting, organisation: Organisation, fields: dict[str, Any]
) -> Organisation:
    acting.require("organisation.manage")
    if organisation.pk != acting.organisation.pk:
        raise PermissionDenied
    for name, value in fields.items():
        if name not in ORGANISATION_EDITABLE:
            raise ValidationError({name: _("This field cannot be changed.")})
        setattr(organisation, name, value)
    _clean_organisation(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def membership_add(*, organisation: Organisation, user: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    return membership


def _check_rules(rules: Any) -> None:
    try:
        validate_config(rules or {})
    except RulesError as exc:
        raise ValidationError(
            {
                "eligibility_rules": _("The eligibility rules are not valid: %(error)s")
                % {"error": exc}
            }
        ) from exc


@transaction.atomic
def programme_create(
    *,
    acting: Acting,
    name: str,
    slug: str,
    kind: str,
    description: str = "",
    eligibility_rules: dict[str, Any] | None = None,
) -> Programme:
    """A programme led by the acting organisation."""
    acting.require("programme.manage")
    _check_rules(eligibility_rules)
    programme = Programme(
        name=name,
        slug=slug,
        kind=kind,
        lead_organisation=acting.organisation,
        description=description,
        eligibility_rules=eligibility_rules or {},
    )
    programme.full_clean()
    programme.save()
    return programme


def _require_lead(acting: Acting, programme: Programme) -> None:
    acting.require("programme.manage")
    if programme.lead_organisation_id != acting.organisation.pk:
        raise PermissionDenied(_("Only the lead organisation can change this programme."))


@transaction.atomic
def programme_update(*, acting: Acting, programme: Programme, fields: dict[str, Any]) -> Programme:
    _require_lead(acting, programme)
    for name, value in fields.items():
        if name not in ("name", "description", "eligibility_rules", "active"):
            raise ValidationError({name: _("This field cannot be changed.")})
        if value is None:
            # null clears the description; the other fields must have a value.
            if name != "description":
                raise ValidationError({name: _("This field is required.")})
            value = ""
        setattr(programme, name, value)
    _check_rules(programme.eligibility_rules)
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_partner_add(
    *, acting: Acting, programme: Programme, organisation: Organisation, role: str
) -> ProgrammePartner:
    _require_lead(acting, programme)
    if role not in ProgrammePartner.Role.values:
        raise ValidationError({"role": _("Unknown partner role “%(role)s”.") % {"role": role}})
    if organisation.pk == programme.lead_organisation_id:
        raise ValidationError(
            {"organisation": _("The lead organisation cannot be its own partner.")}
        )
    if ProgrammePartner.objects.filter(
        programme=programme, organisation=organisation, role=role
    ).exists():
        raise ValidationError(
            {"organisation": _("This organisation is already a partner in this role.")}
        )
    return ProgrammePartner.objects.create(
        programme=programme, organisation=organisation, role=role
    )


@transaction.atomic
def programme_partner_remove(*, acting: Acting, partner: ProgrammePartner) -> None:
    _require_lead(acting, partner.programme)
    partner.delete()


@transaction.atomic
def tariff_create(
    *,
    acting: Acting,
    programme: Programme,
    valid_from: date,
    electricity_standard: Decimal,
    electricity_social: Decimal,
    water: Decimal,
    co2: Decimal,
) -> Tariff:
    _require_lead(acting, programme)
    tariff = Tariff(
        programme=programme,
        valid_from=valid_from,
        electricity_standard=electricity_standard,
        electricity_social=electricity_social,
        water=water,
        co2=co2,
    )
    if Tariff.objects.filter(programme=programme, valid_from=valid_from).exists():
        raise ValidationError(
            {"valid_from": _("A tariff already starts on this date; change that one instead.")}
        )
    tariff.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            tariff.save()
    except IntegrityError as exc:  # a concurrent request won the race
        raise ValidationError(
            {"valid_from": _("A tariff already starts on this date; change that one instead.")}
        ) from exc
    return tariff


def user_create(
    *, username: str, password: str, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    User = get_user_model()
    return User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
