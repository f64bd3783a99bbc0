"""Pure rules of appliance rental: plain Python, no Django import (a test checks it).

`savings` estimates what a household saves with a more efficient appliance; `charts` draws
the SVG charts of the pages and PDFs. The money rules every programme shares (payment
references, proration, bank files, SEPA) are in the top-level package `money`.
"""
