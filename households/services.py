"""Writes of the household registry: register, change, consent, notes, enrol, export, erase.

Every function takes the acting user and organisation, checks the role's permission, keeps
the tenancy rule (core.tenancy) and writes an audit event for personal data it touches. The
audit event's channel (web, api, command) comes from `acting.via`; the `via` keyword some
functions still accept is ignored and kept only for callers not yet updated (core/demo.py).
"""

import json
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.eligibility import RulesError, evaluate
from core.models import AuditEvent, Programme
from core.pdf import render_pdf
from core.programmes import Part, registry
from core.services import audit_record
from core.tenancy import Acting, scoped
from core.validators import clean_birth_year, clean_phone, clean_postcode, local_today
from households.counts import enrolment_moved
from households.models import Consent, Enrolment, Household, RestrictedNote

HOUSEHOLD_FIELDS = (
    "first_name",
    "last_name",
    "birth_year",
    "street",
    "house_number",
    "box",
    "postcode",
    "city",
    "country",
    "language",
    "contact_channel",
    "phone",
    "email",
    "size",
    "social_tariff",
    "welfare_client",
    "debt_support",
    "net_monthly_income",
)

Action = AuditEvent.Action


def _duplicate_error() -> ValidationError:
    return ValidationError(
        _("Your organisation already registered a household with this name at this address.")
    )


def _validate_and_save(household: Household) -> None:
    errors: dict[str, Any] = {}
    if household.country and household.postcode:
        try:
            household.postcode = clean_postcode(household.postcode, household.country)
        except ValidationError as exc:
            errors["postcode"] = exc.messages
    if household.contact_channel == "email" and not household.email:
        errors["email"] = [_("Give an e-mail address to be contacted by e-mail.")]
    if household.contact_channel in ("phone", "sms") and not household.phone:
        errors["phone"] = [_("Give a phone number to be contacted by phone or text message.")]
    elif household.phone:
        # Stored as E.164 (+3250123456), so calls, texts and searches need no guessing.
        try:
            household.phone = clean_phone(household.phone, household.country)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    try:
        clean_birth_year(household.birth_year, today=local_today(household.organisation))
    except ValidationError as exc:
        errors["birth_year"] = exc.messages
    try:
        household.full_clean(exclude=list(errors), validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    household.refresh_keys()
    duplicates = Household.objects.active().filter(
        organisation_id=household.organisation_id, duplicate_key=household.duplicate_key
    )
    if household.pk:
        duplicates = duplicates.exclude(pk=household.pk)
    if duplicates.exists():
        raise _duplicate_error()
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError as exc:  # the database constraint, when two requests race
        raise _duplicate_error() from exc


@transaction.atomic
def household_create(
    *, acting: Acting, fields: dict[str, Any], via: str | None = None
) -> Household:
    acting.require("household.change")
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    household = Household(organisation=acting.organisation, **fields)
    _validate_and_save(household)
    audit_record(
        acting=acting,
        action=Action.CREATE,
        household=household,
        subject=f"household {household.reference}",
    )
    return household


@transaction.atomic
def household_update(*, acting: Acting, household: Household, fields: dict[str, Any]) -> Household:
    acting.require("household.change")
    _require_visible(acting, household)
    if household.erased_at:
        raise ValidationError(_("This household was erased and can no longer be changed."))
    changed = []
    for name, value in fields.items():
        if name not in HOUSEHOLD_FIELDS:
            raise ValidationError({name: _("Unknown field.")})
        if getattr(household, name) != value:
            changed.append(name)
            setattr(household, name, value)
    if not changed:
        return household
    household.updated_at = timezone.now()
    _validate_and_save(household)
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: {', '.join(changed)}",
    )
    return household


def _require_visible(acting: Acting, household: Household) -> None:
    if not scoped(Household, acting).filter(pk=household.pk).exists():
        raise PermissionDenied


def _refuse_erased(household: Household) -> None:
    if household.erased_at:
        raise ValidationError(_("This household was erased and can no longer be changed."))


def household_viewed(*, acting: Acting, household: Household) -> None:
    """Record that someone opened a household's personal data."""
    audit_record(
        acting=acting,
        action=Action.VIEW,
        household=household,
        subject=f"household {household.reference}",
    )


@transaction.atomic
def consent_record(
    *, acting: Acting, household: Household, purpose: str, given_on: date
) -> Consent:
    acting.require("household.change")
    _require_visible(acting, household)
    _refuse_erased(household)
    consent = Consent(
        household=household, purpose=purpose, given_on=given_on, recorded_by_id=acting.user_id
    )
    consent.full_clean(exclude=["household", "recorded_by"])
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Consent cannot be given in the future.")})
    consent.save()
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: consent {purpose}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, acting: Acting, consent: Consent, withdrawn_on: date) -> Consent:
    acting.require("household.change")
    _require_visible(acting, consent.household)
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("Consent cannot be withdrawn in the future.")})
    if withdrawn_on < consent.given_on:
        raise ValidationError(
            {"withdrawn_on": _("Consent cannot be withdrawn before it was given.")}
        )
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=consent.household,
        subject=f"household {consent.household.reference}: consent withdrawn",
    )
    return consent


@transaction.atomic
def note_add(*, acting: Acting, household: Household, text: str) -> RestrictedNote:
    acting.require("household.notes")
    _require_visible(acting, household)
    _refuse_erased(household)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a note first.")})
    note = RestrictedNote(
        household=household,
        organisation=acting.organisation,
        text=text,
        written_by_id=acting.user_id,
    )
    note.full_clean()
    note.save()
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: note",
    )
    return note


@transaction.atomic
def household_enrol(
    *,
    acting: Acting,
    household: Household,
    programme: Programme,
    override_reason: str = "",
    via: str | None = None,
) -> Enrolment:
    """Decide on a household's eligibility for a programme and store the result of each rule.

    An eligible household is enrolled. A household that fails the rules is recorded as not
    eligible, unless a coordinator gives a reason to enrol it anyway (override).
    """
    acting.require("enrolment.decide")
    _require_visible(acting, household)
    if household.erased_at:
        raise ValidationError(_("This household was erased and can no longer be enrolled."))
    if not scoped(Programme, acting).filter(pk=programme.pk).exists():
        raise ValidationError(
            {"programme": _("Your organisation does not take part in this programme.")}
        )
    if not programme.active:
        raise ValidationError({"programme": _("This programme does not accept households now.")})
    # Locked: two decisions at once must not both move the count from the same status.
    existing = (
        Enrolment.objects.select_for_update()
        .filter(household=household, programme=programme)
        .first()
    )
    if existing and existing.status == Enrolment.Status.ENROLLED:
        raise ValidationError(
            {"programme": _("This household is already enrolled in this programme.")}
        )
    try:
        decision = evaluate(programme.eligibility_rules or {}, household.facts())
    except RulesError as exc:
        raise ValidationError(
            {
                "programme": _("The programme's eligibility rules are not valid: %(error)s")
                % {"error": exc}
            }
        ) from exc
    override_reason = (override_reason or "").strip()
    if override_reason and not acting.can("enrolment.override"):
        raise ValidationError(
            {"override_reason": _("Only a coordinator can enrol a household that is not eligible.")}
        )
    status = (
        Enrolment.Status.ENROLLED
        if decision.eligible or override_reason
        else Enrolment.Status.REFUSED
    )
    enrolment = existing or Enrolment(household=household, programme=programme)
    was = existing.status if existing else None
    enrolment.status = status
    enrolment.rule_results = [r.as_dict() for r in decision.results]
    enrolment.override_reason = override_reason if not decision.eligible else ""
    enrolment.decided_at = timezone.now()
    enrolment.decided_by_id = acting.user_id
    enrolment.ended_at = None
    enrolment.save()
    enrolment_moved(programme_id=programme.pk, from_status=was, to_status=status)
    audit_record(
        acting=acting,
        action=Action.ENROL,
        household=household,
        subject=f"household {household.reference}: {programme.slug} {status}",
    )
    return enrolment


@transaction.atomic
def enrolment_end(*, acting: Acting, enrolment: Enrolment) -> Enrolment:
    acting.require("enrolment.decide")
    _require_visible(acting, enrolment.household)
    # Locked and read again: the count moves from the status the row has now.
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    was = enrolment.status
    enrolment.status = Enrolment.Status.ENDED
    enrolment.ended_at = timezone.now()
    enrolment.save(update_fields=["status", "ended_at"])
    enrolment_moved(
        programme_id=enrolment.programme_id, from_status=was, to_status=enrolment.status
    )
    audit_record(
        acting=acting,
        action=Action.ENROL,
        household=enrolment.household,
        subject=f"household {enrolment.household.reference}: {enrolment.programme.slug} ended",
    )
    return enrolment


def household_export_data(*, acting: Acting, household: Household) -> dict[str, Any]:
    """Everything this organisation holds on a household, for a subject access request.

    Only what the acting organisation may see: its own view of the enrolments (a lead sees its
    programmes' enrolments, not another lead's), its own notes and its own access-log events.
    Each programme app adds its part under its key (core.programmes.ExportPart).
    """
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "exported_by_organisation": acting.organisation.name,
        "household": {
            "reference": household.reference,
            "registered_by": household.organisation.name,
            "registered_at": household.created_at.isoformat(),
            **{name: getattr(household, name) for name in HOUSEHOLD_FIELDS},
        },
        "consents": [
            {
                "purpose": c.purpose,
                "given_on": c.given_on,
                "withdrawn_on": c.withdrawn_on,
            }
            for c in scoped(Consent, acting).filter(household=household)
        ],
        "enrolments": [
            {
                "programme": e.programme.name,
                "status": e.status,
                "decided_at": e.decided_at.isoformat(),
                "rule_results": e.rule_results,
                "override_reason": e.override_reason,
            }
            for e in scoped(Enrolment, acting)
            .filter(household=household)
            .select_related("programme")
        ],
        "notes": [
            {"written_at": n.written_at.isoformat(), "text": n.text}
            for n in scoped(RestrictedNote, acting).filter(household=household)
        ],
        "access_log": [
            {
                "at": a.at.isoformat(),
                "organisation": a.organisation.name,
                "action": a.action,
                "subject": a.subject,
            }
            for a in scoped(AuditEvent, acting)
            .filter(household=household)
            .select_related("organisation")
            .order_by("at", "pk")
        ],
    }
    for part in registry.export_parts():
        data[part.key] = part.data(acting, household)
    return data


def household_export(*, acting: Acting, household: Household, via: str | None = None) -> str:
    """The export as JSON text; audited."""
    acting.require("household.export")
    _require_visible(acting, household)
    data = household_export_data(acting=acting, household=household)
    audit_record(
        acting=acting,
        action=Action.EXPORT,
        household=household,
        subject=f"household {household.reference}: JSON",
    )
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def household_export_pdf(*, acting: Acting, household: Household, via: str | None = None) -> bytes:
    """The export as a PDF in the household's language; audited."""
    acting.require("household.export")
    _require_visible(acting, household)
    data = household_export_data(acting=acting, household=household)
    parts = [Part(p.pdf_template, {"part": data[p.key]}) for p in registry.export_parts()]
    with translation.override(household.language):
        html = render_to_string(
            "households/export_pdf.html",
            {
                "household": household,
                "data": data,
                "parts": parts,
                "word_country": acting.organisation.country,  # core.words
            },
        )
    audit_record(
        acting=acting,
        action=Action.EXPORT,
        household=household,
        subject=f"household {household.reference}: PDF",
    )
    return render_pdf(html)


def household_erasure_refusals(*, acting: Acting, household: Household) -> list[str]:
    """Why the household cannot be erased now, one translated sentence per reason, from each
    programme app (e.g. a rental contract still running); empty when it can."""
    return [
        reason
        for handler in registry.erasure_handlers()
        for reason in handler.refusals(acting, household)
    ]


def household_erasure_removes() -> list[Any]:
    """What the programme apps remove at erasure, in words for the confirmation page."""
    return [line for handler in registry.erasure_handlers() for line in handler.removes]


@transaction.atomic
def household_erase(*, acting: Acting, household: Household, via: str | None = None) -> Household:
    """Erase a household's personal data (right to erasure).

    The record stays, anonymised, so that programme counts and financial amounts linked to it
    remain correct; name, address details, contact data, birth year, income, consents and notes
    are removed. The postcode and city stay for aggregate figures of at least 5 households.
    Only the organisation that registered the household can erase it. Each programme app
    may refuse (a ValidationError with its reasons; nothing changes) and then removes or
    anonymises what it holds (core.programmes.ErasureHandler).
    """
    acting.require("household.erase")
    if household.organisation_id != acting.organisation.pk:
        raise PermissionDenied(_("Only the organisation that registered a household can erase it."))
    if household.erased_at:
        return household
    refusals = household_erasure_refusals(acting=acting, household=household)
    if refusals:
        raise ValidationError(refusals)
    household.first_name = ""
    household.last_name = ""
    household.street = ""
    household.house_number = ""
    household.box = ""
    household.phone = ""
    household.email = ""
    household.birth_year = None
    household.net_monthly_income = None
    household.contact_channel = "letter"
    household.net_monthly_income = None
    household.debt_support = "none"
    household.erased_at = timezone.now()
    household.search_text = ""
    household.duplicate_key = f"erased|{household.reference}"
    household.save()
    household.consents.all().delete()
    household.notes.all().delete()
    # Decisions stay explainable (rule, passed, limit) without the personal figures.
    for enrolment in household.enrolments.all():
        for result in enrolment.rule_results:
            if "income" in result.get("detail", {}):
                result["detail"]["income"] = None
        enrolment.override_reason = ""
        enrolment.save(update_fields=["rule_results", "override_reason"])
    for handler in registry.erasure_handlers():
        handler.erase(acting, household)
    audit_record(
        acting=acting,
        action=Action.ERASE,
        household=household,
        subject=f"household {household.reference}",
    )
    return household
