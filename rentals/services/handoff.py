"""Handing a delivery, installation, collection or return visit to a job bureau through the
seam (core/handoffs.py); rentals never imports the bureau. A coordinator or org admin of the
programme's lead organisation hands off (`visit.handoff`); the bureau's status comes back as
a notice to them, and on the visit's pages (`rentals.selectors.handoff_states`). Recording the
visit done stays a person's act (`visit.record_done`): it starts or ends the contract.

Once handed, the visit's changes follow it to the bureau (core.handoffs.changed / withdrawn),
inside the same transaction: a new day or window (`visit_assign`) moves the bureau's open
request (out of its plan if it was planned), a cancelled contract (`contract_cancel`)
cancels it. A visit the bureau reported done is neither moved nor cancelled: the change is
refused in words (record the visit done). A request the bureau closed (cancelled, nobody
home) is left as it is, and the visit changes freely. The bureau reports none of these back
(no ping-pong); a notice about a visit already cancelled here is not sent either."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import handoffs
from core.permissions import is_lead
from core.services import audit_record
from core.tenancy import Acting, scoped
from rentals.models import Visit
from rentals.selectors.handoff import SOURCE, describe, may_hand_off, visit_facts
from rentals.services import notices


@transaction.atomic
def visit_hand_off(*, acting: Acting, visit: Visit, bureau_id: int) -> handoffs.HandoffState:
    if not scoped(Visit, acting).filter(pk=visit.pk).exists():
        raise PermissionDenied
    acting.require("visit.handoff")
    visit = (
        Visit.objects.select_for_update()
        .select_related("contract__household", "contract__programme")
        .get(pk=visit.pk)
    )
    if not is_lead(acting, visit.contract.programme):
        raise PermissionDenied("visit.handoff")
    if not may_hand_off(visit):
        raise ValidationError(
            _("Only a planned delivery and installation or collection visit can be handed off.")
        )
    state = handoffs.hand_off(acting, bureau_id, visit_facts(visit))
    audit_record(
        acting=acting,
        action="change",
        subject=f"visit {visit.pk} handed to job bureau as {state.reference}",
        household=visit.contract.household,
    )
    return state


def _refuse_done(state: handoffs.HandoffState | None, message: str) -> None:
    if state is not None and state.status == "done":
        raise ValidationError(
            message
            % {
                "bureau": state.bureau_name,
                "reference": state.reference,
                "done": date_format(state.done_on or state.day, "DATE_FORMAT"),
            }
        )


def visit_follow(*, acting: Acting, visit: Visit) -> handoffs.HandoffState | None:
    """The visit has a new day or window (the caller checked who may change it, and holds
    the transaction): the bureau it was handed to follows, and audits it on its request
    (who, the channel). None: never handed."""
    state = handoffs.changed(acting, visit_facts(visit))
    _refuse_done(
        state,
        _(
            "%(bureau)s reported this visit done on %(done)s (request %(reference)s): record "
            "the visit done instead of moving it."
        ),
    )
    return state


def visit_withdraw(*, acting: Acting, visit: Visit) -> handoffs.HandoffState | None:
    """The visit is cancelled here (the caller holds the transaction): the bureau's open
    request is cancelled too, and audited there. None: never handed."""
    state = handoffs.withdrawn(acting, SOURCE, visit.pk, _("the rental contract is cancelled"))
    _refuse_done(
        state,
        _(
            "%(bureau)s reported this visit done on %(done)s (request %(reference)s): the "
            "appliance is there. Record the visit done, and end the contract if it must stop."
        ),
    )
    return state


def status_changed(visit_id: int, state: handoffs.HandoffState) -> None:
    """The provider's hook: the bureau's status changed; its coordinators hear it. A visit
    cancelled here is no news (the bureau's request was cancelled because of it)."""
    visit = Visit.objects.select_related("contract__programme", "contract__household").get(
        pk=visit_id
    )
    if visit.status == Visit.Status.CANCELLED:
        return
    notices.visit_handoff_changed(visit, state)


PROVIDER = handoffs.VisitHandoff(
    source=SOURCE,
    programme_kind="appliance_rental",
    describe=describe,
    status_changed=status_changed,
)
