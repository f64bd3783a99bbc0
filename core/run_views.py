"""The run page: how far a background run (core.runs) got, and what came of it.

Without JavaScript the page reloads itself every 2 seconds while the run is active (and has
a Refresh link); with HTMX only its status partial is fetched every second, and the server
answers 204 (nothing to swap) while nothing changed. Polling stops with the first answer of a
finished run, whose partial no longer asks to be polled.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.access import needs
from core.models import Run
from core.runs import kind_label, run_description, run_get, runs_recent
from core.tenancy import request_acting

RECENT = 5


def run_version(run: Run) -> str:
    """Changes whenever the run's status or progress does."""
    return f"{run.status}-{run.updated_at.timestamp():.6f}"


def _context(run: Run) -> dict[str, Any]:
    return {"run": run, "label": kind_label(run.kind), "version": run_version(run)}


@login_required
@require_GET
@needs("run.view")
def run_detail(request: HttpRequest, run_pk: int) -> HttpResponse:
    acting = request_acting(request)
    run = run_get(acting, run_pk)
    if getattr(request, "htmx", False):
        if request.GET.get("seen") == run_version(run):
            return HttpResponse(status=204)
        return render(request, "core/run_detail.html#status", _context(run))
    context = _context(run)
    context["description"] = run_description(run)
    context["recent"] = runs_recent(
        acting, kind=run.kind, programme=run.programme, exclude=run, limit=RECENT
    )
    return render(request, "core/run_detail.html", context)
