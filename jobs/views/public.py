"""Pages without a login: the residents' request form, their feedback link and a worker's
calendar feed. None of them shows anything of another request or worker."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import ratelimit
from core.access import public
from core.forms import add_service_errors
from core.models import Language, Programme
from jobs import feeds, services
from jobs.forms import FeedbackForm, PublicRequestForm
from jobs.models import JobRequest, key_hash
from jobs.selectors.money import registration_fee_due
from jobs.views.requests import FIELDS

# Requests sent from one address within an hour (a family, a neighbourhood centre's PC):
# beyond that the form asks to call. Honeypot hits count too.
PUBLIC_REQUESTS_PER_ADDRESS = ratelimit.Limit("job-request-address", attempts=10, window=3600)


def _bureau(bureau_pk: int) -> Programme:
    programme = (
        Programme.objects.filter(pk=bureau_pk, kind=Programme.Kind.JOB_BUREAU, active=True)
        .select_related("lead_organisation")
        .first()
    )
    if programme is None:
        raise Http404
    return programme


@public
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, bureau_pk: int) -> HttpResponse:
    """Step 1: the form; step 2: what it will cost, to confirm; step 3: thank you."""
    programme = _bureau(bureau_pk)
    address = ratelimit.address_key(ratelimit.client_address(request))
    context: dict[str, object] = {"programme": programme}
    if request.method == "GET":
        # The language asked for is the page's (a French page answered with Dutch letters).
        language = get_language() or "nl"
        initial = {"language": language[:2]} if language[:2] in Language.values else {}
        context["form"] = PublicRequestForm(programme=programme, initial=initial)
        return render(request, "jobs/public/ask.html", context)
    if ratelimit.attempts_blocked(PUBLIC_REQUESTS_PER_ADDRESS, address):
        context["blocked"] = True
        return render(request, "jobs/public/ask.html", context, status=429)
    form = PublicRequestForm(request.POST, programme=programme)
    context["form"] = form
    if not form.is_valid():
        return render(request, "jobs/public/ask.html", context, status=400)
    fields = {name: form.cleaned_data[name] for name in FIELDS}
    if form.cleaned_data["website"]:  # only robots fill the hidden field
        ratelimit.attempt_failed(PUBLIC_REQUESTS_PER_ADDRESS, address)
        return render(request, "jobs/public/thanks.html", {"programme": programme})
    try:
        if not form.cleaned_data["confirm"]:
            preview = services.request_preview_public(programme=programme, **fields)
            context.update(
                preview=preview,
                registration_fee=registration_fee_due(preview),
                confirm_form=_confirmed(request),
            )
            return render(request, "jobs/public/ask.html", context)
        job, key = services.request_submit_public(programme=programme, **fields)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(request, "jobs/public/ask.html", context, status=400)
    ratelimit.attempt_failed(PUBLIC_REQUESTS_PER_ADDRESS, address)
    feedback_url = request.build_absolute_uri(reverse("jobs_public:feedback", args=[key]))
    return render(
        request,
        "jobs/public/thanks.html",
        {"programme": programme, "job": job, "feedback_url": feedback_url},
    )


def _confirmed(request: HttpRequest) -> list[tuple[str, str]]:
    """The form's values as hidden fields, with confirm set."""
    values = [
        (k, str(request.POST.get(k, "")))
        for k in request.POST
        if k not in ("confirm", "csrfmiddlewaretoken")
    ]
    return [*values, ("confirm", "on")]


@public
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, feedback_id: str) -> HttpResponse:
    """The resident's own link: three faces and a comment, once the job is done."""
    job = (
        JobRequest.objects.filter(feedback_key_hash=key_hash(feedback_id), anonymised=False)
        .exclude(feedback_key_hash="")
        .select_related("service")
        .first()
    )
    if job is None or len(feedback_id) > 100:
        raise Http404
    form = FeedbackForm()
    status = 200
    done = False
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.feedback_give(
                    key=feedback_id,
                    smiley=form.cleaned_data["smiley"],
                    comment=form.cleaned_data["comment"],
                )
                done = True
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(
                    None, exc.messages if isinstance(exc, ValidationError) else _("Not found.")
                )
                status = 409
        else:
            status = 400
    return render(
        request,
        "jobs/public/feedback.html",
        {"job": job, "form": form, "done": done},
        status=status,
    )


@public
@require_GET
def feed(request: HttpRequest, feed_id: str) -> HttpResponse:
    worker = feeds.worker_for_key(feed_id)
    if worker is None:
        raise Http404
    response = HttpResponse(
        feeds.worker_calendar(worker, host=request.get_host().split(":")[0]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="jobs.ics"'
    return response
