"""Requests: the list, taking one by phone or at the desk, one request, closing it, feedback
written down for a resident, and the resident's invoice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import LEAD, needs
from core.forms import add_service_errors
from core.services import audit_record
from jobs import services
from jobs.documents import invoice_document
from jobs.forms import FeedbackForm, RequestChequesForm, RequestForm
from jobs.models import JobRequest
from jobs.selectors.access import bureau_for, record_for
from jobs.selectors.handoff import origin_of
from jobs.selectors.money import invoice, registration_fee_due
from jobs.views.common import acting_of

FIELDS = (
    "service",
    "name",
    "phone",
    "email",
    "language",
    "street",
    "postcode",
    "city",
    "dropoff_street",
    "dropoff_postcode",
    "preferred_day",
    "window_start",
    "window_end",
    "notes",
)
# Only on the staff form (and the API): residents give an address, never coordinates.
COORDINATES = ("lat", "lon", "dropoff_lat", "dropoff_lon")


@login_required
@require_GET
@needs("job.view", of=LEAD)
def request_list(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.view")
    status = request.GET.get("status", "")
    requests = JobRequest.objects.filter(programme=programme).select_related("service")
    if status in JobRequest.Status.values:
        requests = requests.filter(status=status)
    requests = requests.order_by("-preferred_day", "window_start", "pk")[:200]
    rows = [(r, services.unassigned_message(r)) for r in requests]
    context = {
        "programme": programme,
        "rows": rows,
        "status": status,
        "statuses": JobRequest.Status.choices,
    }
    return render(request, "jobs/requests.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@needs("job.request", of=LEAD)
def request_new(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    acting = acting_of(request)
    programme = bureau_for(acting, bureau_pk, "job.request")
    form = RequestForm(programme=programme)
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, programme=programme)
        if form.is_valid():
            try:
                job = services.request_create(
                    acting=acting,
                    programme=programme,
                    **{name: form.cleaned_data[name] for name in FIELDS},
                    **{name: form.cleaned_data[name] for name in COORDINATES},
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                fee = registration_fee_due(job)
                messages.success(
                    request,
                    (
                        _(
                            "Request %(reference)s is taken; price estimate %(price)s EUR, plus "
                            "the registration fee of %(fee)s EUR, once a year."
                        )
                        if fee
                        else _("Request %(reference)s is taken; price estimate %(price)s EUR.")
                    )
                    % {"reference": job.reference, "price": job.price_estimate, "fee": fee},
                )
                return redirect(reverse("jobs:request", args=[job.pk]))
        status = 400
    return render(
        request, "jobs/request_new.html", {"programme": programme, "form": form}, status=status
    )


@login_required
@require_GET
@needs("job.view")
def request_detail(request: HttpRequest, request_pk: int) -> HttpResponse:
    acting = acting_of(request)
    job = record_for(
        acting,
        JobRequest.objects.select_related("service", "programme"),
        request_pk,
        "job.view",
        via="programme",
    )
    audit_record(
        acting=acting,
        action="view",
        subject=f"job request {job.reference}",
        household=job.household,
    )
    context = {
        "programme": job.programme,
        "job": job,
        "reason": services.unassigned_message(job),
        "origin": origin_of(job),
        "assignments": job.assignments.select_related("worker"),
        "hours": job.hours.select_related("worker"),
        "feedback": getattr(job, "feedback", None),
        "feedback_form": FeedbackForm() if job.status == JobRequest.Status.DONE else None,
        "invoice": invoice(job) if job.status == JobRequest.Status.DONE else None,
        "registration_fee": registration_fee_due(job)
        if job.status in (JobRequest.Status.NEW, JobRequest.Status.PLANNED)
        else None,
        "cheque_form": RequestChequesForm(
            initial={"cheque_holder": job.cheque_holder_id}, programme=job.programme
        )
        if acting.can("job.request") and services.rules_of(job.programme).pricing != "fixed"
        else None,
    }
    return render(request, "jobs/request_detail.html", context)


def _close(request: HttpRequest, request_pk: int, action: str) -> HttpResponse:
    acting = acting_of(request)
    job = record_for(acting, JobRequest.objects.all(), request_pk, "job.plan", via="programme")
    try:
        if action == "cancel":
            services.request_cancel(acting=acting, request=job)
        else:
            services.request_no_show(acting=acting, request=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(
            request,
            "jobs/message.html",
            {"message": " ".join(exc.messages), "back": reverse("jobs:request", args=[job.pk])},
            status=409,
        )
    messages.success(request, _("The request is closed."))
    return redirect(reverse("jobs:request", args=[job.pk]))


@login_required
@require_POST
@needs("job.plan")
def request_cancel(request: HttpRequest, request_pk: int) -> HttpResponse:
    return _close(request, request_pk, "cancel")


@login_required
@require_POST
@needs("job.plan")
def request_no_show(request: HttpRequest, request_pk: int) -> HttpResponse:
    return _close(request, request_pk, "no_show")


@login_required
@require_POST
@needs("job.request")
def request_feedback(request: HttpRequest, request_pk: int) -> HttpResponse:
    acting = acting_of(request)
    job = record_for(acting, JobRequest.objects.all(), request_pk, "job.request", via="programme")
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_record(
                acting=acting,
                request=job,
                smiley=form.cleaned_data["smiley"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            return render(
                request,
                "jobs/message.html",
                {"message": " ".join(exc.messages), "back": reverse("jobs:request", args=[job.pk])},
                status=409,
            )
        messages.success(request, _("The feedback is saved."))
        return redirect(reverse("jobs:request", args=[job.pk]))
    return render(
        request,
        "jobs/message.html",
        {
            "message": _("Choose one of the three faces."),
            "back": reverse("jobs:request", args=[job.pk]),
        },
        status=400,
    )


@login_required
@require_GET
@needs("job.approve")
def invoice_pdf(request: HttpRequest, request_pk: int) -> HttpResponse:
    acting = acting_of(request)
    job = record_for(
        acting,
        JobRequest.objects.select_related("service", "programme__lead_organisation"),
        request_pk,
        "job.approve",
        via="programme",
    )
    try:
        pdf = invoice_document(acting=acting, request=job)
    except ValidationError as exc:
        return render(
            request,
            "jobs/message.html",
            {"message": " ".join(exc.messages), "back": reverse("jobs:request", args=[job.pk])},
            status=409,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{job.reference}.pdf"'
    return response
