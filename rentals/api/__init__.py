"""API of appliance rental: scheme, offers, catalogue, units, applications, contracts, visits,
tickets, billing, payments, savings, bank statements and direct debits.

Mounted under /api/v1/rentals. Handlers stay thin: records come through core.tenancy (another
organisation's record is a 404), every write goes through rentals.services and every read
through rentals.selectors, and the errors have the shape of core.api.ErrorOut. Amounts are
decimals, sent and answered as strings.

Bank statements are uploaded as multipart/form-data with the file in the field `file`:

    curl -H "Authorization: Bearer $TOKEN" -F file=@statement.xml \
        https://…/api/v1/rentals/bank-imports

One module per area; each adds its operations to the one router of `rentals.api.common`.
The area modules are imported here, in the order the OpenAPI document lists them.
"""

from rentals.api import (  # noqa: F401 (imported for the operations they add to the router)
    applications,
    bank,
    billing,
    catalogue,
    contracts,
    handoff,
    payments,
    tickets,
    visits,
)
from rentals.api.common import router

__all__ = ["router"]
