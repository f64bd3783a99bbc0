"""Money rules every programme shares: plain Python, no Django import (a test checks it).

- `money.references`: payment references (Belgian structured communication, Dutch
  betalingskenmerk, ISO 11649), made and found in a remittance text.
- `money.proration`: the monthly charge with the first and last month prorated by days.
- `money.bankfiles`: reading bank statements (CAMT.053, CSV), validate-first.
- `money.sepa`: writing SEPA direct debits (pain.008.001.02).

Appliance rental uses them for its contracts and collection; the job bureau and energy sharing
use them for their invoices and statements. Problems carry codes and English default texts
marked with ``gettext_noop``; the Django layer translates them.
"""
