"""Resident access: the personal link and PIN printed on a household's letters.

The link carries a random key; the PIN is stored only as a password hash. After 5 wrong PINs
the access is locked for 15 minutes; the counters live in the database so the lock holds
across web workers. An unknown key costs the same hash check as a known one, and every
successful opening is written to the audit log of the organisation that registered the
household.

The resident has no organisation and no `Acting`: what they may see is decided by the
household the PIN opened, and nothing else (rentals.selectors.resident_overview).
"""

import secrets
from datetime import datetime, timedelta
from functools import cache

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import AuditEvent
from core.services import audit_record
from core.tenancy import Acting, scoped
from households.models import Household
from rentals.models import Application, ResidentAccess

MAX_FAILED_PINS = 5
LOCK_MINUTES = 15
PIN_DIGITS = 6
MAX_VALID_DAYS = 3 * 365


class ResidentAccessError(Exception):
    """Why a link and PIN did not open the page; `message` is shown to the resident."""

    message: str | Promise = gettext_lazy("This link does not work.")

    def __str__(self) -> str:
        return str(self.message)


class UnknownKey(ResidentAccessError):
    # The same words as a wrong PIN: the page must not tell whether a link exists.
    message = gettext_lazy("This code is not right. Look at your letter and try again.")


class WrongPin(ResidentAccessError):
    message = gettext_lazy("This code is not right. Look at your letter and try again.")


class Expired(ResidentAccessError):
    message = gettext_lazy(
        "This link is too old. Ask your social worker for a new letter with a new code."
    )


class Locked(ResidentAccessError):
    message = gettext_lazy(
        "The code was wrong too many times. For your safety the page is closed for "
        "15 minutes. Try again later."
    )

    def __init__(self, until: datetime) -> None:
        super().__init__()
        self.until = until


@cache
def _dummy_hash() -> str:
    # Made once with the configured hasher, so an unknown key takes as long as a known one.
    return make_password(secrets.token_hex(8))


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


@transaction.atomic
def resident_access_issue(
    *, acting: Acting, household: Household, valid_days: int = 365
) -> tuple[str, str]:
    """Make (or replace) the household's link and PIN; returns (key, pin) once, for the letter.

    Only the PIN's hash is stored, so a lost letter means a new access, never a look-up.
    """
    acting.require("household.change")
    if not scoped(Household, acting).filter(pk=household.pk).exists():
        raise PermissionDenied
    # The registrar, or the lead of a rental programme the household applied to (who see the
    # link, ResidentAccess.tenant_paths); not the lead of another kind of programme.
    if household.organisation_id != acting.organisation.pk and (
        not scoped(Application, acting).filter(household=household).exists()
    ):
        raise PermissionDenied(_("Your organisation runs no rental of this household."))
    if household.erased_at is not None:
        raise ValidationError(_("This household was erased."))
    if not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ValidationError(
            {"valid_days": _("Choose between 1 and %(max)d days.") % {"max": MAX_VALID_DAYS}}
        )
    key = secrets.token_urlsafe(16)
    while ResidentAccess.objects.filter(key=key).exists():  # practically never
        key = secrets.token_urlsafe(16)
    pin = new_pin()
    now = timezone.now()
    ResidentAccess.objects.update_or_create(
        household=household,
        defaults={
            "key": key,
            "pin_hash": make_password(pin),
            "expires_at": now + timedelta(days=valid_days),
            "failed_attempts": 0,
            "locked_until": None,
            "created_at": now,
        },
    )
    audit_record(
        acting=acting,
        action=AuditEvent.Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: resident link and PIN issued",
    )
    return key, pin


def resident_access_check(*, key: str, pin: str, now: datetime | None = None) -> Household:
    """The household whose link `key` the PIN opens, or a ResidentAccessError.

    Order matters: a locked access refuses even the right PIN; an expired one says so only
    after the right PIN, so an old link cannot be told apart from a wrong guess.
    """
    now = now or timezone.now()
    pin = (pin or "").strip()
    error: ResidentAccessError | None = None
    with transaction.atomic():
        # Locked row: two workers checking PINs for one link count every attempt.
        access = (
            ResidentAccess.objects.select_for_update()
            .select_related("household__organisation")
            .filter(key=(key or "")[:40])
            .first()
        )
        if access is None or access.household.erased_at is not None:
            check_password(pin, _dummy_hash())
            raise UnknownKey
        if access.locked_until is not None and access.locked_until > now:
            check_password(pin, _dummy_hash())
            raise Locked(access.locked_until)
        if not check_password(pin, access.pin_hash):
            access.failed_attempts += 1
            if access.failed_attempts >= MAX_FAILED_PINS:
                access.failed_attempts = 0
                access.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                error = Locked(access.locked_until)
            else:
                error = WrongPin()
            access.save(update_fields=["failed_attempts", "locked_until"])
        elif access.expires_at <= now:
            error = Expired()
        else:
            access.failed_attempts = 0
            access.locked_until = None
            access.save(update_fields=["failed_attempts", "locked_until"])
            household = access.household
            # No Acting here: the resident is not a user, the event belongs to the
            # organisation that registered the household.
            AuditEvent.objects.create(
                user=None,
                organisation=household.organisation,
                action=AuditEvent.Action.VIEW,
                household=household,
                subject=f"household {household.reference}: resident page opened",
                via="resident",
            )
    # Raised outside the transaction, so the counter update is kept.
    if error is not None:
        raise error
    return household


def resident_session_household(*, key: str, household_id: object) -> Household | None:
    """The household of a verified session, if its link is still the valid one."""
    if not isinstance(household_id, int):
        return None
    access = (
        ResidentAccess.objects.select_related("household__organisation")
        .filter(key=key, household_id=household_id, expires_at__gt=timezone.now())
        .first()
    )
    if access is None or access.household.erased_at is not None:
        return None
    return access.household
