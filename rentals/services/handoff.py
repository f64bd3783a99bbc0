"""Handing a delivery, installation, collection or return visit to a job bureau through the
seam (core/handoffs.py); rentals never imports the bureau. A coordinator or org admin of the
programme's lead organisation hands off (`visit.handoff`); the bureau's status comes back as
a notice to them, and on the visit's pages (`rentals.selectors.handoff_states`). Recording the
visit done stays a person's act (`visit.record_done`): it starts or ends the contract."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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


def status_changed(visit_id: int, state: handoffs.HandoffState) -> None:
    """The provider's hook: the bureau's status changed; its coordinators hear it."""
    visit = Visit.objects.select_related("contract__programme", "contract__household").get(
        pk=visit_id
    )
    notices.visit_handoff_changed(visit, state)


PROVIDER = handoffs.VisitHandoff(
    source=SOURCE,
    programme_kind="appliance_rental",
    describe=describe,
    status_changed=status_changed,
)
