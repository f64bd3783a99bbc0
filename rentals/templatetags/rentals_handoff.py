"""`{% visit_handoff visit as state %}`: where a visit handed to a job bureau stands
(rentals.selectors.handoff_states; None for a visit never handed). One read per visit: for
the few visits of a contract or a household."""

from typing import Any

from django import template

from rentals.selectors.handoff import handoff_states

register = template.Library()


@register.simple_tag
def visit_handoff(visit: Any) -> Any:
    return handoff_states([visit]).get(visit.pk)
