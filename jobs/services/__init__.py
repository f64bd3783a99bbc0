"""The job bureau's writes: typed, keyword-only `<thing>_<action>` functions, each checking
the permission (core/permissions.py) and that the acting organisation leads the bureau.
Pages, the API and commands all call these."""

from jobs.bureau import bureau_get, bureaus, require_lead, rules_of
from jobs.services.cheques import (
    cheque_holder_create,
    cheques_buy,
    request_cheque_holder_set,
)
from jobs.services.handoff import (
    appliance_service,
    source_candidates,
    visit_source_add,
    visit_source_remove,
)
from jobs.services.hours import hours_approve, hours_register
from jobs.services.plans import (
    PlanOutcome,
    assignment_lock,
    assignment_move,
    plan_run,
    planning_input,
    unassigned_message,
)
from jobs.services.privacy import (
    worker_erase,
    worker_erasure_keeps,
    worker_erasure_refusals,
    worker_erasure_removes,
    worker_export,
    worker_export_content,
    worker_export_html,
    worker_export_pdf,
)
from jobs.services.requests import (
    feedback_give,
    feedback_record,
    price_estimate,
    request_cancel,
    request_create,
    request_no_show,
    request_preview_public,
    request_submit_public,
)
from jobs.services.setup import rules_apply_preset, rules_update, service_create, service_offer
from jobs.services.workers import (
    assessment_add,
    availability_add,
    availability_exception_add,
    coaching_note_add,
    trajectory_update,
    worker_create,
    worker_feed_renew,
    worker_feed_revoke,
    worker_skill_set,
)

__all__ = [
    "PlanOutcome",
    "appliance_service",
    "cheque_holder_create",
    "cheques_buy",
    "request_cheque_holder_set",
    "source_candidates",
    "visit_source_add",
    "visit_source_remove",
    "assessment_add",
    "assignment_lock",
    "assignment_move",
    "availability_add",
    "availability_exception_add",
    "bureau_get",
    "bureaus",
    "coaching_note_add",
    "feedback_give",
    "feedback_record",
    "hours_approve",
    "hours_register",
    "plan_run",
    "planning_input",
    "price_estimate",
    "request_cancel",
    "request_create",
    "request_no_show",
    "request_preview_public",
    "request_submit_public",
    "require_lead",
    "rules_apply_preset",
    "rules_of",
    "rules_update",
    "service_create",
    "service_offer",
    "trajectory_update",
    "unassigned_message",
    "worker_create",
    "worker_erase",
    "worker_erasure_keeps",
    "worker_erasure_refusals",
    "worker_erasure_removes",
    "worker_export",
    "worker_export_content",
    "worker_export_html",
    "worker_export_pdf",
    "worker_feed_renew",
    "worker_feed_revoke",
    "worker_skill_set",
]
