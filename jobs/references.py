"""Payment references on job invoices, with no Django: the Belgian structured communication
(+++…+++) for Belgian bureaus, an ISO 11649 creditor reference (RF…, which Dutch banks take)
for the others.

The same schemes as rentals' references; once the shared pure package `money/` exists on
main (issue 7), this module delegates to `money.references` (see docs/jobs.md).
"""

from __future__ import annotations

from stdnum import iso11649
from stdnum.be import ogm_vcs
from stdnum.iso7064 import mod_97_10

# The job bureau's references start with 7, so they never equal a rental contract's.
PREFIX = 7_000_000_000


def reference_for(country: str, number: int) -> str:
    if number <= 0 or number >= 1_000_000_000:
        raise ValueError("the number must be between 1 and 999,999,999")
    base = PREFIX + number
    if country == "BE":
        digits = f"{base:010d}{ogm_vcs.calc_check_digits(f'{base:010d}')}"
        return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
    body = f"{base}"
    check = mod_97_10.calc_check_digits(body + "RF")
    return str(iso11649.format(f"RF{check}{body}"))
