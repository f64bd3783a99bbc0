"""Writes of appliance rental, one module per area. Each write is a keyword-only
`<thing>_<action>` function: atomic, permission-checked (`acting.require` plus the relation
of `rentals.rules`), audited. Services may read through `rentals.selectors`; selectors never
write.

- `catalogue`: the programme's rental set-up, offers, appliance models, units and their moves
- `applications`: applying, priority, cancelling
- `contracts`: draft, sign, end, cancel
- `visits`: plan, assign, complete (installation, repair, swap, collection)
- `tickets`: faults reported by staff or by the resident, reminders
- `billing`: the monthly billing run
- `payments`: payments by hand, credit, arrears steps
- `bank`: bank statement imports, their lines, SEPA direct-debit files
- `resident`: the resident link and PIN
- `erasure`: what rentals refuses and erases when a household is erased
- `common`: what several areas share (the lead check, moving a unit, visit dates)

The names are re-exported here, so callers write `services.contract_sign(...)`.
"""

from rentals.services.applications import (
    application_cancel,
    application_create,
    application_prioritise,
)
from rentals.services.bank import (
    ImportReport,
    ReportMessage,
    bank_line_ignore,
    bank_line_resolve,
    bank_statement_import,
    sepa_direct_debit_export,
)
from rentals.services.billing import (
    BillingResult,
    SkippedMonth,
    billing_run,
    check_billing_month,
)
from rentals.services.catalogue import (
    appliance_model_create,
    offer_remove,
    offer_set,
    rental_scheme_configure,
    unit_create,
    unit_transition,
)
from rentals.services.common import (
    can_manage_units,
    check_visit_day,
    move_unit,
    require_lead,
    require_rental,
)
from rentals.services.contracts import (
    contract_cancel,
    contract_draft,
    contract_end,
    contract_sign,
)
from rentals.services.erasure import (
    ERASED,
    RUNNING,
    erase,
    erasure_refusals,
)
from rentals.services.handoff import visit_hand_off
from rentals.services.payments import (
    allocate_credit,
    arrears_letter_keep,
    arrears_step_take,
    payment_record,
)
from rentals.services.resident import (
    LOCK_MINUTES,
    MAX_FAILED_PINS,
    MAX_VALID_DAYS,
    PIN_DIGITS,
    Expired,
    Locked,
    ResidentAccessError,
    UnknownKey,
    WrongPin,
    new_pin,
    resident_access_check,
    resident_access_issue,
    resident_session_household,
)
from rentals.services.tickets import (
    ticket_open,
    ticket_open_by_resident,
    ticket_reminders_send,
)
from rentals.services.visits import (
    visit_assign,
    visit_complete,
    visit_plan,
)

__all__ = [
    "BillingResult",
    "SkippedMonth",
    "ERASED",
    "Expired",
    "ImportReport",
    "LOCK_MINUTES",
    "Locked",
    "MAX_FAILED_PINS",
    "MAX_VALID_DAYS",
    "PIN_DIGITS",
    "RUNNING",
    "ReportMessage",
    "ResidentAccessError",
    "UnknownKey",
    "WrongPin",
    "allocate_credit",
    "appliance_model_create",
    "application_cancel",
    "application_create",
    "application_prioritise",
    "arrears_letter_keep",
    "arrears_step_take",
    "bank_line_ignore",
    "bank_line_resolve",
    "bank_statement_import",
    "billing_run",
    "can_manage_units",
    "check_billing_month",
    "check_visit_day",
    "contract_cancel",
    "contract_draft",
    "contract_end",
    "contract_sign",
    "erase",
    "erasure_refusals",
    "move_unit",
    "new_pin",
    "offer_remove",
    "offer_set",
    "payment_record",
    "rental_scheme_configure",
    "require_lead",
    "require_rental",
    "resident_access_check",
    "resident_access_issue",
    "resident_session_household",
    "sepa_direct_debit_export",
    "ticket_open",
    "ticket_open_by_resident",
    "ticket_reminders_send",
    "unit_create",
    "unit_transition",
    "visit_assign",
    "visit_hand_off",
    "visit_complete",
    "visit_plan",
]
