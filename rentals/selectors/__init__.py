"""Reads of appliance rental, one module per area: typed, returning dataclasses or
querysets, scoped through `core.tenancy` where an acting organisation reads. Pages, the API,
commands and documents read through them; selectors never write (except the audit of a view,
`households_viewed`).

- `catalogue`: the programme's rental scheme
- `applications`: the waiting list, free units, appliances counted towards the maximum
- `collection`: who collects, balances, open charges, arrears steps, per-collector views
- `remittance`: the yearly remittance statement's figures
- `visits`: visits as a technician may see them (`VisitForTechnician`)
- `tickets`: overdue tickets
- `resident`: the resident's own page
- `dashboard`: the programme dashboard's figures and its Excel workbook
- `impact`: savings per contract, household and programme

The names are re-exported here, so callers write `selectors.household_balance(...)`.
"""

from rentals.selectors.applications import (
    appliances_in_use,
    free_units,
    waiting_list,
)
from rentals.selectors.catalogue import (
    scheme_for,
)
from rentals.selectors.collection import (
    Balance,
    arrears_next_step,
    collected_contracts,
    collected_programmes,
    collection_balance,
    collector_for,
    household_balance,
    open_charges,
)
from rentals.selectors.handoff import (
    handoff_bureaus,
    handoff_states,
    may_hand_off,
)
from rentals.selectors.remittance import (
    Remittance,
    remittance_data,
)
from rentals.selectors.resident import (
    Appliance,
    Overview,
    active_contracts,
    resident_overview,
)
from rentals.selectors.tickets import (
    tickets_overdue,
)
from rentals.selectors.visits import (
    VISIT_RELATED,
    VisitForTechnician,
    households_viewed,
    phone_for_visit,
    visible_visits,
    visit_card,
    visit_cards,
    visit_for,
)

__all__ = [
    "Appliance",
    "Balance",
    "Overview",
    "VISIT_RELATED",
    "VisitForTechnician",
    "active_contracts",
    "appliances_in_use",
    "arrears_next_step",
    "collected_contracts",
    "collected_programmes",
    "collection_balance",
    "collector_for",
    "free_units",
    "handoff_bureaus",
    "handoff_states",
    "household_balance",
    "households_viewed",
    "may_hand_off",
    "open_charges",
    "phone_for_visit",
    "Remittance",
    "remittance_data",
    "resident_overview",
    "scheme_for",
    "tickets_overdue",
    "visible_visits",
    "visit_card",
    "visit_cards",
    "visit_for",
    "waiting_list",
]
