"""Reads of the visit handoff (core/handoffs.py) on the bureau's side: where a request
handed over by another programme comes from, and which programmes' visits the bureau takes."""

from django.db.models import QuerySet

from core import handoffs
from core.models import Programme
from jobs.models import JobRequest, VisitSource

SEPARATOR = ":"


def external_ref(source: str, source_id: int) -> str:
    return f"{source}{SEPARATOR}{source_id}"


def split_ref(ref: str) -> tuple[str, int] | None:
    source, _sep, number = ref.rpartition(SEPARATOR)
    return (source, int(number)) if source and number.isdigit() else None


def origin_of(request: JobRequest) -> handoffs.VisitFacts | None:
    """The visit the request was handed over for (only its kind, day and programme are
    shown: the bureau has the address already)."""
    if request.channel != JobRequest.Channel.RENTAL:
        return None
    found = split_ref(request.external_ref)
    return handoffs.describe(*found) if found else None


def visit_sources(programme: Programme) -> "QuerySet[VisitSource]":
    """The partners' programmes whose visits the bureau agreed to take."""
    return VisitSource.objects.filter(programme=programme).select_related(
        "source__lead_organisation"
    )


def own_sources(programme: Programme) -> "QuerySet[Programme]":
    """The programmes with visits of the bureau's own organisation: taken without agreeing."""
    return Programme.objects.filter(
        kind__in=handoffs.provider_kinds(), lead_organisation=programme.lead_organisation_id
    ).order_by("name")
