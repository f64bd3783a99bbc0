"""Payment references that households put on a bank transfer, so a payment finds its contract.

Pure Python (no Django), so the bank-file parser and the tests can use it anywhere.

Three schemes, each mapping a positive whole number (for example a contract number) to a
reference and back:

* ``be`` — Belgian structured communication (OGM/VCS), ``+++123/4567/89002+++``: a 10-digit
  base and 2 check digits, base modulo 97 (97 when the remainder is 0). The check itself is
  python-stdnum's ``stdnum.be.ogm_vcs``.
* ``nl`` — Dutch payment reference (betalingskenmerk) of 16 digits: one check digit followed
  by 15 digits, weighted modulo 11 as specified by the Betaalvereniging Nederland (python-stdnum
  has no module for it, so it is implemented here, see ``nl_check_digit``).
* ``rf`` — ISO 11649 creditor reference, ``RF18 5390 0754 7034``, an international alternative
  Dutch banks accept as well. The check is python-stdnum's ``stdnum.iso11649`` (ISO 7064
  mod 97-10).

The ``parse_*`` functions look for a reference anywhere in a free remittance text, because
people type the reference into the free-text field as often as into the structured one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum import iso11649
from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_97_10

BE_MAX = 9_999_999_999  # 10-digit base
NL_MAX = 999_999_999_999_999  # 15 digits after the check digit
# 20 digits keep the formatted reference ("RF18 5390 …") within 30 characters, the size of
# the contract's payment-reference field; longer RF references from elsewhere still parse.
RF_MAX = 10**20 - 1

# Weights of the Dutch betalingskenmerk, from the rightmost digit to the left, repeating.
NL_WEIGHTS = (2, 4, 8, 5, 10, 9, 7, 3, 6, 1)


class Scheme(StrEnum):
    BE = "be"
    NL = "nl"
    RF = "rf"


@dataclass(frozen=True)
class FoundReference:
    """A valid reference found in a text: its scheme and the number it stands for."""

    scheme: Scheme
    number: int

    @property
    def canonical(self) -> str:
        """The reference exactly as ``reference_for`` writes it (the form to store and match)."""
        return reference_for(self.scheme, self.number)


def _check_range(number: int, maximum: int) -> None:
    # bool is an int subclass; True as a contract number is always a bug.
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"number must be an int, not {type(number).__name__}")
    if not 1 <= number <= maximum:
        raise ValueError(f"number must be between 1 and {maximum}, not {number}")


# --- Belgium: OGM/VCS --------------------------------------------------------------------------


def be_reference_for(number: int) -> str:
    """``+++ddd/dddd/ddddd+++`` for a number of at most 10 digits."""
    _check_range(number, BE_MAX)
    base = f"{number:010d}"
    digits = base + ogm_vcs.calc_check_digits(base)
    return f"+++{ogm_vcs.format(digits)}+++"


# 3-4-5 digits with an optional separator between the groups; the +++ or *** around it do not
# matter because they are not digits. A lookahead so that overlapping candidates are all tried.
_BE_RE = re.compile(r"(?<!\d)(?=(\d{3}\s?[/.\-]?\s?\d{4}\s?[/.\-]?\s?\d{5})(?!\d))")


def parse_be_reference(text: str) -> int | None:
    """The number behind the first valid Belgian structured reference in ``text``, or None."""
    for match in _BE_RE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group(1))
        try:
            ogm_vcs.validate(digits)
        except StdnumError:
            continue
        return int(digits[:10])
    return None


# --- The Netherlands: betalingskenmerk ---------------------------------------------------------


def nl_check_digit(payload: str) -> str:
    """The check digit of a Dutch payment reference for the digits that follow it.

    Weighted modulo 11 (Betaalvereniging Nederland, "Specificaties betalingskenmerk"):
    the digits get the weights 2, 4, 8, 5, 10, 9, 7, 3, 6, 1 from the rightmost digit to the
    left, repeating after ten; A is the sum of digit × weight and the check digit is
    11 − (A mod 11), where 10 becomes 1 and 11 becomes 0. Example: 000056789012345 gives
    A = 215, 215 mod 11 = 6, check digit 5, so the reference is 5000056789012345.

    Because 10 and 1 both give check digit 1, a changed digit that moves the remainder between
    1 and 10 is not detected; every other single changed digit is.
    """
    if not payload.isdigit() or not payload.isascii():
        raise ValueError("payload must be digits")
    total = sum(
        int(digit) * NL_WEIGHTS[position % len(NL_WEIGHTS)]
        for position, digit in enumerate(reversed(payload))
    )
    check = 11 - total % 11
    return {10: "1", 11: "0"}.get(check, str(check))


def nl_reference_for(number: int) -> str:
    """The 16-digit Dutch payment reference (no spaces) for a number of at most 15 digits."""
    _check_range(number, NL_MAX)
    payload = f"{number:015d}"
    return nl_check_digit(payload) + payload


def format_nl_reference(reference: str) -> str:
    """Groups of four for letters and screens: ``5000 0567 8901 2345``."""
    digits = re.sub(r"\D", "", reference)
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def is_valid_nl_reference(reference: str) -> bool:
    """True for a 16-digit payment reference whose check digit is right (spaces/dots allowed)."""
    digits = re.sub(r"[\s.]", "", reference or "")
    if len(digits) != 16 or not digits.isdigit() or not digits.isascii():
        return False
    return int(digits) > 0 and nl_check_digit(digits[1:]) == digits[0]


_NL_RE = re.compile(r"(?<!\d)(?=(\d{4}(?:[ .]?\d{4}){3})(?!\d))")


def parse_nl_reference(text: str) -> int | None:
    """The number behind the first valid 16-digit Dutch payment reference in ``text``."""
    for match in _NL_RE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group(1))
        if is_valid_nl_reference(digits):
            return int(digits[1:])
    return None


# --- ISO 11649 creditor reference --------------------------------------------------------------


def rf_reference_for(number: int) -> str:
    """``RFcc nnnn nnnn …`` for a number; the check digits are ISO 7064 mod 97-10."""
    _check_range(number, RF_MAX)
    body = str(number)
    check = mod_97_10.calc_check_digits(body + "RF")
    return str(iso11649.format(f"RF{check}{body}"))


_RF_RE = re.compile(r"(?<![A-Za-z0-9])RF(\d{2})((?:\s?\d)+)", re.IGNORECASE)


def parse_rf_reference(text: str) -> int | None:
    """The number behind the first valid numeric RF creditor reference in ``text``.

    Digits typed after the reference (a date, an invoice number) may run on, so the longest
    valid prefix, cut at a space, wins.
    """
    for match in _RF_RE.finditer(text or ""):
        tokens = match.group(2).split()
        for end in range(len(tokens), 0, -1):
            body = "".join(tokens[:end])
            if len(body) > 21:
                continue
            if iso11649.is_valid(f"RF{match.group(1)}{body}") and int(body) > 0:
                return int(body)
    return None


# --- All schemes -------------------------------------------------------------------------------

_MAKERS = {Scheme.BE: be_reference_for, Scheme.NL: nl_reference_for, Scheme.RF: rf_reference_for}
_PARSERS = {
    Scheme.BE: parse_be_reference,
    Scheme.NL: parse_nl_reference,
    Scheme.RF: parse_rf_reference,
}


def reference_for(scheme: Scheme | str, number: int) -> str:
    """The reference for ``number`` in ``scheme`` ("be", "nl" or "rf")."""
    return _MAKERS[Scheme(scheme)](number)


def find_reference(
    text: str, schemes: tuple[Scheme, ...] = (Scheme.BE, Scheme.RF, Scheme.NL)
) -> FoundReference | None:
    """The first valid reference in ``text``, trying the schemes in the given order.

    The Belgian form is tried before the Dutch one: 12 digits cannot be read as 16, but the RF
    form starts with letters and is unambiguous, so the order only matters for texts that
    contain several references.
    """
    for scheme in schemes:
        number = _PARSERS[Scheme(scheme)](text)
        if number is not None:
            return FoundReference(Scheme(scheme), number)
    return None


def payment_reference_for(number: int, country: str) -> str:
    """The reference households put on their transfers for ``number`` (e.g. a contract
    number): the Belgian structured communication for a Belgian organisation, the Dutch
    betalingskenmerk otherwise."""
    return be_reference_for(number) if country == "BE" else nl_reference_for(number)
