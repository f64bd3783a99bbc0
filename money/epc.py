"""Pay with a phone: the EPC QR code ("girocode") of a SEPA credit transfer, EPC069-12.

A resident scans the code on a letter or on their page with any Belgian or Dutch banking app;
the app fills in the account, the amount and the payment reference, so nobody types a
12-digit structured communication by hand. Pure Python (no Django).

The payload is the standard's lines, in this order, separated by a line feed:

    1 service tag         "BCD"
    2 version             "002" (the BIC may be left out inside the EEA)
    3 character set       "1" (UTF-8)
    4 identification      "SCT" (SEPA credit transfer)
    5 BIC                 8 or 11 characters, or empty
    6 name                of the beneficiary, at most 70 characters
    7 IBAN                of the beneficiary
    8 amount              "EUR" and the amount with two decimals, 0.01 to 999999999.99
    9 purpose             four letters, or empty (left empty here)
   10 structured reference, at most 35 characters        ┐ one of the two,
   11 unstructured remittance text, at most 140 characters ┘ never both
   12 information for the payer, at most 70 (left out here)

Trailing empty lines are left out, and the whole payload is at most 331 bytes. The QR code
uses error correction level M, as the standard asks.

The payment reference goes into the structured field in its compact form: the Belgian
structured communication as its 12 digits (+++123/4567/89002+++ → 123456789002), the Dutch
betalingskenmerk as its 16 digits, an ISO 11649 reference without spaces.
"""

from __future__ import annotations

import re
from decimal import Decimal

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

MAX_BYTES = 331
MAX_NAME = 70
MAX_REFERENCE = 35
MAX_TEXT = 140
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")


class EpcError(ValueError):
    """The transfer cannot be put in an EPC QR code; the message says which field."""


def compact_reference(reference: str) -> str:
    """A payment reference as banking apps take it: no +++, slashes or spaces."""
    text = reference.strip()
    if text.upper().startswith("RF"):
        return re.sub(r"\s+", "", text).upper()
    if re.fullmatch(r"[+*]{3}\s*\d{3}/?\d{4}/?\d{5}\s*[+*]{3}|[\d\s./-]+", text):
        return re.sub(r"\D", "", text)
    return re.sub(r"\s+", "", text)


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal | None,
    reference: str = "",
    text: str = "",
    bic: str = "",
) -> str:
    """The EPC069-12 payload of a credit transfer to `iban` (see the module's docstring).

    `amount` None leaves the amount for the payer to fill in."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise EpcError(f"name: 1 to {MAX_NAME} characters")
    try:
        iban = stdnum_iban.validate(iban)
    except StdnumError as exc:
        raise EpcError("iban: not a valid IBAN") from exc
    bic = bic.replace(" ", "").upper()
    if bic:
        try:
            bic = stdnum_bic.validate(bic)
        except StdnumError as exc:
            raise EpcError("bic: not a valid BIC") from exc
    if amount is None:
        amount_field = ""
    else:
        if amount != amount.quantize(Decimal("0.01")):
            raise EpcError("amount: at most two decimals")
        if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
            raise EpcError(f"amount: from {MIN_AMOUNT} to {MAX_AMOUNT}")
        amount_field = f"EUR{amount:.2f}"
    reference = compact_reference(reference) if reference else ""
    text = " ".join(text.split())
    if reference and text:
        raise EpcError("reference and text: one of the two, never both")
    if len(reference) > MAX_REFERENCE:
        raise EpcError(f"reference: at most {MAX_REFERENCE} characters")
    if len(text) > MAX_TEXT:
        raise EpcError(f"text: at most {MAX_TEXT} characters")
    lines = ["BCD", "002", "1", "SCT", bic, name, iban, amount_field, "", reference, text]
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode()) > MAX_BYTES:
        raise EpcError(f"payload: at most {MAX_BYTES} bytes")
    return payload


def epc_qr_svg(payload: str, *, scale: int = 4, title: str = "") -> str:
    """The payload as an inline SVG QR code (error correction M, as EPC069-12 asks)."""
    import segno

    qr = segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    if isinstance(qr.version, int) and qr.version > 13:
        raise EpcError("payload: too long for a QR code of version 13")
    svg: str = qr.svg_inline(scale=scale, title=title or None, border=4)
    return svg
