"""The state of a request handed over by another programme (core/handoffs.py), and telling
that programme when it changes. Below the other service modules: they call `report_back`
after every change of a request's status."""

from core import handoffs
from jobs.models import JobRequest
from jobs.selectors.handoff import external_ref, split_ref

__all__ = ["external_ref", "report_back", "split_ref", "state_of"]


def state_of(request: JobRequest) -> handoffs.HandoffState:
    first = request.assignments.order_by("starts_at").first()
    closed = request.closed_at.date() if request.closed_at else None
    done = request.status == JobRequest.Status.DONE
    return handoffs.HandoffState(
        bureau_id=request.programme_id,
        bureau_name=request.programme.name,
        reference=request.reference,
        status=request.status,
        status_label=request.get_status_display(),
        day=request.preferred_day,
        planned_at=first.starts_at if first else None,
        done_on=closed if done else None,
        closed_on=closed if not done and request.status != JobRequest.Status.PLANNED else None,
    )


def report_back(request: JobRequest) -> None:
    """Tell the programme the request came from that its status changed (rental visits)."""
    if request.channel != JobRequest.Channel.RENTAL:
        return
    found = split_ref(request.external_ref)
    if found is not None:
        handoffs.report(found[0], found[1], state_of(request))
