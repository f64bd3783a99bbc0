"""Payment references on job invoices, through the shared money rules (money.references):
the Belgian structured communication (+++…+++) for Belgian bureaus, the Dutch
betalingskenmerk otherwise, as for rental contracts. No Django here."""

from __future__ import annotations

from money.references import payment_reference_for

# The job bureau's numbers start at 7,000,000,000, so a job's reference never equals a
# rental contract's (contract numbers stay far below).
PREFIX = 7_000_000_000


def reference_for(country: str, number: int) -> str:
    if number <= 0 or number >= 1_000_000_000:
        raise ValueError("the number must be between 1 and 999,999,999")
    return payment_reference_for(PREFIX + number, country)
