"""Pages of wijk-werken cheques: the bureau's cheque users with their balance, one user's
purchases and expiring cheques, and who pays a job with cheques."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import LEAD, needs
from core.forms import add_service_errors
from core.validators import local_today
from jobs import services
from jobs.forms import ChequeHolderForm, ChequePurchaseForm, RequestChequesForm
from jobs.models import ChequeHolder, JobRequest
from jobs.selectors.access import bureau_for, record_for
from jobs.selectors.cheques import holder_balance, holder_balances, holders
from jobs.views.common import acting_of


@login_required
@require_http_methods(["GET", "POST"])
@needs("job.view", of=LEAD, methods=("GET",))
@needs("job.request", of=LEAD, methods=("POST",))
def cheque_holders(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(
        acting, bureau_pk, "job.request" if request.method == "POST" else "job.view"
    )
    form = ChequeHolderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holder = services.cheque_holder_create(
                acting=acting, programme=programme, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(reverse("jobs:cheque_holder", args=[holder.pk]))
    today = local_today(programme.lead_organisation)
    shown = list(holders(programme)[:200])
    balances = holder_balances(shown, today)
    rows = [(h, balances[h.pk]) for h in shown]
    return render(
        request,
        "jobs/cheques.html",
        {
            "programme": programme,
            "rows": rows,
            "rules": services.rules_of(programme),
            "form": form if acting.can("job.request") else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@needs("job.view", of=LEAD, methods=("GET",))
@needs("job.request", of=LEAD, methods=("POST",))
def cheque_holder(request: HttpRequest, cheque_holder_pk: int) -> HttpResponse:
    acting = acting_of(request)
    holder = record_for(
        acting,
        ChequeHolder.objects.select_related("programme"),
        cheque_holder_pk,
        "job.request" if request.method == "POST" else "job.view",
        via="programme",
    )
    form = ChequePurchaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cheques_buy(acting=acting, holder=holder, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The cheques are recorded."))
            return redirect(reverse("jobs:cheque_holder", args=[holder.pk]))
    today = local_today(holder.programme.lead_organisation)
    return render(
        request,
        "jobs/cheque_holder.html",
        {
            "programme": holder.programme,
            "holder": holder,
            "balance": holder_balance(holder, today),
            "purchases": holder.purchases.all(),
            "today": today,
            "form": form if acting.can("job.request") else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@needs("job.request", of=LEAD)
def request_cheques(request: HttpRequest, request_pk: int) -> HttpResponse:
    acting = acting_of(request)
    job = record_for(
        acting,
        JobRequest.objects.select_related("programme"),
        request_pk,
        "job.request",
        via="programme",
    )
    form = RequestChequesForm(request.POST, programme=job.programme)
    if form.is_valid():
        try:
            services.request_cheque_holder_set(
                acting=acting, request=job, holder=form.cleaned_data["cheque_holder"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose a cheque user of this bureau."))
    return redirect(reverse("jobs:request", args=[job.pk]) + "#cheques")
