"""Validation of identifiers with python-stdnum, with messages in the user's language."""

import re

from django.core.exceptions import ValidationError
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
