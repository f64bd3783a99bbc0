"""Validation of what people type, with messages in the user's language: identifiers
(python-stdnum), phone numbers (python-phonenumbers) and plausible dates."""

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.be import vat as be_vat
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import postcode as nl_postcode

KVK_RE = re.compile(r"^\d{8}$")
BE_POSTCODE_RE = re.compile(r"^[1-9]\d{3}$")


def clean_iban(value: str) -> str:
    """Return the IBAN in compact form, or raise a ValidationError that says what is wrong."""
    try:
        return str(stdnum_iban.validate(value))
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid IBAN: check the country code, length and check digits."),
            code="invalid_iban",
            params={"value": value},
        ) from exc


def clean_enterprise_number(value: str, country: str) -> str:
    """A Belgian enterprise number (KBO/BCE) or a Dutch KvK number, compact."""
    compact = re.sub(r"[\s.\-]", "", value or "")
    if country == "BE":
        try:
            return str(be_vat.validate(compact))
        except StdnumError as exc:
            raise ValidationError(
                _(
                    "“%(value)s” is not a valid Belgian enterprise number (10 digits, e.g. "
                    "0123.456.749)."
                ),
                code="invalid_enterprise_number",
                params={"value": value},
            ) from exc
    # python-stdnum has no KvK module: a KvK number is 8 digits without a check digit.
    if not KVK_RE.match(compact):
        raise ValidationError(
            _("“%(value)s” is not a valid KvK number (8 digits)."),
            code="invalid_kvk",
            params={"value": value},
        )
    return compact


def clean_postcode(value: str, country: str) -> str:
    """Belgian postcodes have 4 digits (1000–9999); Dutch ones 4 digits and 2 letters."""
    raw = (value or "").strip().upper()
    if country == "NL":
        try:
            return str(nl_postcode.validate(raw))
        except StdnumError as exc:
            raise ValidationError(
                _("“%(value)s” is not a valid Dutch postcode (e.g. 6811 AB)."),
                code="invalid_postcode",
                params={"value": value},
            ) from exc
    if not BE_POSTCODE_RE.match(raw):
        raise ValidationError(
            _("“%(value)s” is not a valid Belgian postcode (4 digits, e.g. 8400)."),
            code="invalid_postcode",
            params={"value": value},
        )
    return raw


def clean_sepa_creditor_id(value: str) -> str:
    """A SEPA creditor identifier (e.g. BE69ZZZ050D000000008), compact."""
    compact = str(at_02.compact(value or ""))
    if not at_02.is_valid(compact):
        raise ValidationError(
            _("“%(value)s” is not a valid SEPA creditor identifier (e.g. BE69ZZZ050D000000008)."),
            code="invalid_creditor_id",
            params={"value": value},
        )
    return compact


# ---------------------------------------------------------------- phone numbers
PHONE_REGIONS = ("BE", "NL")
PHONE_COUNTRY_CODES = (32, 31)


def clean_phone(value: str, country: str = "BE") -> str:
    """A Belgian or Dutch phone number in E.164 form (+3250123456), or a ValidationError.

    Written nationally ("050 12 34 56") it is read as a number of `country`; with a country
    code (+31 …, 0031 …) as that country's. Numbers of other countries are refused: the
    programmes call and text households in Belgium and the Netherlands.
    """
    import phonenumbers

    text = (value or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    region = country if country in PHONE_REGIONS else "BE"
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    # "Possible" (the right length for the country) rather than "valid" (an allocated
    # range): the library's range tables lag behind the operators', and a real new mobile
    # number must not be refused.
    if (
        number is None
        or number.country_code not in PHONE_COUNTRY_CODES
        or not phonenumbers.is_possible_number(number)
    ):
        raise ValidationError(
            _(
                "“%(value)s” is not a Belgian or Dutch phone number. Write it like "
                "050 12 34 56, 0470 12 34 56 or +31 20 123 4567."
            ),
            code="invalid_phone",
            params={"value": value},
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


# ---------------------------------------------------------------- plausible dates
EARLIEST_DATE = date(2000, 1, 1)
"""No record of Wijk's programmes is older: a date before it is a typing error."""
EARLIEST_BIRTH_YEAR = 1900
ADULT_AGE = 18
"""The contact person signs contracts and mandates: they are of age. A birth year up to
this year minus 18 is accepted (someone born then is 17 or 18 now: nobody of age is refused)."""
VISIT_DAYS_BACK = 5 * 366
"""A visit may be recorded as planned in the past (history entered when an organisation
starts with Wijk), not longer ago than five years."""
VISIT_DAYS_AHEAD = 366
"""A visit is planned at most a year ahead."""


def local_today(organisation: Any = None) -> date:
    """Today in the organisation's time zone (Europe/Brussels or Europe/Amsterdam), else in
    the installation's."""
    zone = getattr(organisation, "time_zone", "") or None
    if zone:
        return timezone.localdate(timezone=ZoneInfo(zone))
    return timezone.localdate()


def check_date_range(
    value: date | None,
    *,
    field: str,
    earliest: date | None = None,
    latest: date | None = None,
) -> None:
    """Refuse a date outside [earliest, latest] with a message for that field."""
    if value is None:
        return
    if earliest is not None and value < earliest:
        raise ValidationError(
            {
                field: _("%(value)s is too long ago: give a date from %(earliest)s on.")
                % {"value": value.isoformat(), "earliest": earliest.isoformat()}
            }
        )
    if latest is not None and value > latest:
        raise ValidationError(
            {
                field: _("%(value)s is too far ahead: give a date up to %(latest)s.")
                % {"value": value.isoformat(), "latest": latest.isoformat()}
            }
        )


def clean_birth_year(value: int | None, *, today: date) -> int | None:
    """A contact person's birth year: from 1900, and of age (see ADULT_AGE)."""
    if value is None:
        return None
    latest = today.year - ADULT_AGE
    if not EARLIEST_BIRTH_YEAR <= value <= latest:
        raise ValidationError(
            _(
                "Give the contact person's birth year, between %(earliest)s and %(latest)s: "
                "the contact person is an adult."
            )
            % {"earliest": EARLIEST_BIRTH_YEAR, "latest": latest},
            code="birth_year",
        )
    return value
