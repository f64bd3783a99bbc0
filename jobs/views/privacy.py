"""A worker's own data: the export (JSON, PDF) and the erasure confirmation page. The rules
(who, when, what goes) are in jobs/services/privacy.py and jobs/selectors/privacy.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.access import LEAD, needs
from core.files import JSON, PDF, file_response
from jobs import services
from jobs.forms import WorkerEraseForm
from jobs.selectors.privacy import worker_for
from jobs.views.common import acting_of


@login_required
@require_GET
@needs("worker.export", of=LEAD)
def worker_export_json(request: HttpRequest, worker_pk: int) -> HttpResponse:
    acting = acting_of(request)
    worker = worker_for(acting, worker_pk, "worker.export")
    content = services.worker_export(acting=acting, worker=worker)
    return file_response(content, filename=f"worker-{worker.pk}.json", content_type=JSON)


@login_required
@require_GET
@needs("worker.export", of=LEAD)
def worker_export_pdf(request: HttpRequest, worker_pk: int) -> HttpResponse:
    acting = acting_of(request)
    worker = worker_for(acting, worker_pk, "worker.export")
    content = services.worker_export_pdf(acting=acting, worker=worker)
    return file_response(content, filename=f"worker-{worker.pk}.pdf", content_type=PDF)


@login_required
@require_http_methods(["GET", "POST"])
@needs("worker.erase", of=LEAD)
def worker_erase(request: HttpRequest, worker_pk: int) -> HttpResponse:
    """What goes and what stays, the reasons not to erase yet, and a confirmation form that
    works without JavaScript."""
    acting = acting_of(request)
    worker = worker_for(acting, worker_pk, "worker.erase")
    back = reverse("jobs:worker", args=[worker.pk])
    if worker.erased_at:
        messages.info(request, _("This worker was already erased."))
        return redirect(back)
    refusals = services.worker_erasure_refusals(acting=acting, worker=worker)
    form = WorkerEraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if refusals:
            status = 409
        elif form.is_valid():
            label = worker.anonymous_name
            try:
                services.worker_erase(acting=acting, worker=worker)
            except ValidationError as exc:  # refused in between (hours registered meanwhile)
                refusals, status = exc.messages, 409
            else:
                messages.success(
                    request,
                    _("The personal data of the worker is erased: from now on “%(label)s”.")
                    % {"label": label},
                )
                return redirect(reverse("jobs:workers", args=[worker.programme_id]))
        else:
            status = 400
    context = {
        "programme": worker.programme,
        "worker": worker,
        "form": form,
        "refusals": refusals,
        "removes": services.worker_erasure_removes(),
        "keeps": services.worker_erasure_keeps(worker),
        "back": back,
    }
    return render(request, "jobs/worker_erase.html", context, status=status)
