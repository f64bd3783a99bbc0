"""Pages of the practice exchange. Views stay thin: reads through practices.selectors and
core.tenancy, writes through practices.services / package / feed."""

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import LEAD, needs, public
from core.forms import add_service_errors
from core.models import Language, Programme
from core.tenancy import get_scoped, request_acting, scoped
from practices import feed, package, selectors, services
from practices.forms import (
    ExchangeForm,
    LibraryFilter,
    PackageForm,
    PracticeForm,
    PracticeTextForm,
    ReplyForm,
    ResultForm,
    SubscriptionForm,
)
from practices.models import ExchangeRequest, Practice, RemotePractice, Subscription


def _language() -> str:
    code = (get_language() or "nl")[:2]
    return code if code in Language.values else "nl"


# --- public pages --------------------------------------------------------------------------


@public
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.library(
        getattr(request, "acting", None),
        language=_language(),
        q=filters.get("q", ""),
        theme=filters.get("theme", ""),
        country=filters.get("country", ""),
        kind=filters.get("kind", ""),
        in_language=filters.get("language", ""),
    )
    htmx = getattr(request, "htmx", None)
    partial = htmx and not htmx.history_restore_request
    template = "practices/library.html#results" if partial else "practices/library.html"
    return render(request, template, {"form": form, "items": items})


@public
def practice_public(request: HttpRequest, practice_pk: int) -> HttpResponse:
    acting = getattr(request, "acting", None)
    practice = selectors.practice_for_reader(acting, pk=practice_pk)
    shown = selectors.text_in(practice, request.GET.get("language") or _language())
    own = acting is not None and practice.organisation_id == acting.organisation.pk
    return render(
        request,
        "practices/practice.html",
        {
            "practice": practice,
            "shown": shown,
            "practice_languages": Language.choices,
            "figures": selectors.live_figures(practice),
            "results": selectors.typed_results(practice),
            "own": own,
            "can_ask": acting is not None
            and not own
            and acting.can("exchange.request")
            and practice.status == Practice.Status.PUBLISHED,
            "can_adopt": acting is not None
            and not own
            and acting.can("package.import")
            and practice.programme_id is not None,
        },
    )


@login_required
@needs("organisation.view")
def remote(request: HttpRequest, remote_practice_pk: int) -> HttpResponse:
    """A remote practice, for the organisation that follows its feed."""
    acting = request_acting(request, "organisation.view")
    item = get_scoped(
        RemotePractice.objects.select_related("subscription"), acting, pk=remote_practice_pk
    )
    return render(
        request,
        "practices/remote.html",
        {
            "item": item,
            "can_adopt": bool(item.package_url) and acting.can("package.import"),
        },
    )


@public
def feed_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(feed.build(request.build_absolute_uri("/")), ensure_ascii=False).encode()
    etag = feed.etag_of(body)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/feed+json; charset=utf-8")
    response["ETag"] = etag
    return response


@public
def package_json(request: HttpRequest, practice_pk: int) -> HttpResponse:
    """The package of a public practice's programme: set-up only, fetched through the feed."""
    practice = selectors.practice_for_reader(None, pk=practice_pk)
    if practice.programme is None:
        raise Http404
    return JsonResponse(
        package.build_package(practice.programme), json_dumps_params={"ensure_ascii": False}
    )


# --- own practices -------------------------------------------------------------------------


def _programmes(acting: Any) -> Any:
    return Programme.objects.filter(lead_organisation=acting.organisation)


@login_required
@needs("practice.manage")
def mine(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "practice.manage")
    practices = [(p, selectors.text_in(p, _language())) for p in selectors.own_practices(acting)]
    return render(request, "practices/mine.html", {"practices": practices})


@login_required
@needs("practice.manage")
def practice_new(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "practice.manage")
    form = PracticeForm(request.POST or None, programmes=_programmes(acting))
    text_form = PracticeTextForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and text_form.is_valid():
        try:
            values = {
                k: v for k, v in form.cleaned_data.items() if k not in ("themes", "programme")
            }
            practice = services.practice_create(
                acting=acting,
                themes=form.cleaned_data["themes"],
                programme=form.cleaned_data["programme"],
                **values,
                **text_form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(cast(Form, text_form), exc)
        else:
            messages.success(request, _("The practice is saved as a draft."))
            return redirect("practices:edit", practice.pk)
    return render(
        request, "practices/form.html", {"form": form, "text_form": text_form, "practice": None}
    )


@login_required
@needs("practice.manage")
def practice_edit(request: HttpRequest, practice_pk: int) -> HttpResponse:
    acting = request_acting(request, "practice.manage")
    practice = get_scoped(Practice, acting, pk=practice_pk)
    form = PracticeForm(request.POST or None, instance=practice, programmes=_programmes(acting))
    if request.method == "POST" and form.is_valid():
        try:
            values = {k: v for k, v in form.cleaned_data.items() if k != "themes"}
            services.practice_update(
                acting=acting, practice=practice, themes=form.cleaned_data["themes"], **values
            )
        except ValidationError as exc:
            add_service_errors(cast(Form, form), exc)
        else:
            messages.success(request, _("The practice is saved."))
            return redirect("practices:edit", practice.pk)
    texts = {t.language: t for t in practice.texts.all()}
    return render(
        request,
        "practices/edit.html",
        {
            "form": form,
            "practice": practice,
            "translations": [(code, label, texts.get(code)) for code, label in Language.choices],
            "result_form": ResultForm(),
            "results": practice.results.all(),
        },
    )


@login_required
@needs("practice.manage")
def practice_text(request: HttpRequest, practice_pk: int) -> HttpResponse:
    acting = request_acting(request, "practice.manage")
    practice = get_scoped(Practice, acting, pk=practice_pk)
    language = (
        request.POST.get("language") or request.GET.get("language") or practice.original_language
    )
    if language not in Language.values:
        raise Http404
    existing = practice.texts.filter(language=language).first()
    original = practice.texts.filter(language=practice.original_language).first()
    form = PracticeTextForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_text_set(
                acting=acting, practice=practice, language=language, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(cast(Form, form), exc)
        else:
            messages.success(request, _("The text is saved."))
            return redirect("practices:edit", practice.pk)
    return render(
        request,
        "practices/text.html",
        {
            "form": form,
            "practice": practice,
            "language": language,
            "language_label": dict(Language.choices)[language],
            "original": original if language != practice.original_language else None,
        },
    )


@login_required
@require_POST
@needs("practice.manage")
def practice_publish(request: HttpRequest, practice_pk: int) -> HttpResponse:
    acting = request_acting(request, "practice.manage")
    practice = get_scoped(Practice, acting, pk=practice_pk)
    publish = request.POST.get("publish", "1") != "0"
    services.practice_publish(acting=acting, practice=practice, published=publish)
    messages.success(
        request, _("The practice is published.") if publish else _("The practice is a draft again.")
    )
    return redirect("practices:edit", practice.pk)


@login_required
@require_POST
@needs("practice.manage")
def result_add(request: HttpRequest, practice_pk: int) -> HttpResponse:
    acting = request_acting(request, "practice.manage")
    practice = get_scoped(Practice, acting, pk=practice_pk)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            services.practice_result_add(acting=acting, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(cast(Form, form), exc)
        else:
            messages.success(request, _("The result is added."))
            return redirect("practices:edit", practice.pk)
    return render(
        request, "practices/result_form.html", {"form": form, "practice": practice}, status=400
    )


# --- exchange requests ---------------------------------------------------------------------


@login_required
@needs("exchange.view")
def exchanges(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "exchange.view")
    return render(request, "practices/exchanges.html", {"threads": selectors.threads(acting)})


@login_required
@needs("exchange.request")
def exchange_new(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "exchange.request")
    others = (
        selectors.readable(acting)
        .filter(status=Practice.Status.PUBLISHED)
        .exclude(organisation=acting.organisation)
    )
    form = ExchangeForm(
        request.POST or None, practices=others, initial={"practice": request.GET.get("practice")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.exchange_request_create(acting=acting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(cast(Form, form), exc)
        else:
            messages.success(request, _("Your request is sent."))
            return redirect("practices:exchange", thread.pk)
    return render(request, "practices/exchange_new.html", {"form": form})


@login_required
@needs("exchange.view", methods=("GET",))
@needs("exchange.request", methods=("POST",))
@needs("exchange.answer", methods=("POST",))
def exchange_detail(request: HttpRequest, exchange_pk: int) -> HttpResponse:
    acting = request_acting(request, "exchange.view")
    thread = get_scoped(
        ExchangeRequest.objects.select_related("practice__organisation", "requester"),
        acting,
        pk=exchange_pk,
    )
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_reply(acting=acting, request=thread, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(cast(Form, form), exc)
        else:
            messages.success(request, _("Your message is sent."))
            return redirect("practices:exchange", thread.pk)
    return render(
        request,
        "practices/exchange.html",
        {
            "thread": thread,
            "title": services.practice_title(thread.practice, _language()),
            "thread_messages": thread.messages.select_related("organisation"),
            "form": form,
        },
    )


# --- packages ------------------------------------------------------------------------------


@login_required
@needs("package.export", of=LEAD)
def package_export(request: HttpRequest, programme_pk: int) -> HttpResponse:
    acting = request_acting(request, "package.export")
    programme = get_scoped(Programme, acting, pk=programme_pk)
    try:
        data = package.export_package(acting=acting, programme=programme)
    except ValidationError as exc:
        return render(request, "400.html", {"exception": exc}, status=400)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}.wijk-package.json"'
    return response


def _package_from(
    request: HttpRequest, acting: Any, form: PackageForm
) -> tuple[dict[str, Any] | None, str]:
    """The package the page is about: pasted, uploaded, or of a practice or remote practice."""
    practice_pk = request.GET.get("practice") or request.POST.get("practice")
    remote_pk = request.GET.get("remote") or request.POST.get("remote")
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None:
            return package.parse(upload.read(package.MAX_PACKAGE_BYTES + 1)), upload.name
        if form.cleaned_data.get("package"):
            return package.parse(form.cleaned_data["package"]), ""
    if practice_pk and str(practice_pk).isdigit():
        practice = selectors.practice_for_reader(acting, pk=int(practice_pk))
        if practice.programme is None:
            raise ValidationError(_("This practice offers no programme package."))
        return package.build_package(practice.programme), practice.organisation.name
    if remote_pk and str(remote_pk).isdigit():
        item = get_scoped(RemotePractice, acting, pk=int(remote_pk))
        return feed.remote_package(item), item.organisation_name
    return None, ""


@login_required
@needs("package.import")
def package_adopt(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "package.import")
    form = PackageForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "preview": None}
    try:
        data, source = _package_from(request, acting, form)
        if data is not None:
            context["preview"] = package.preview(acting=acting, data=data)
            context["package_text"] = json.dumps(data, ensure_ascii=False)
            context["package_name"] = data.get("name", "")
            if request.method == "POST" and request.POST.get("adopt") == "1":
                name = form.cleaned_data.get("name", "") if form.is_valid() else ""
                programme, created = package.package_import(
                    acting=acting, data=data, name=name, source=source
                )
                if created:
                    messages.success(request, _("The programme is created from the package."))
                else:
                    messages.info(
                        request, _("This package was adopted before: nothing new is created.")
                    )
                return redirect("programme_detail", programme.pk)
    except ValidationError as exc:
        if not form.is_bound:
            # A package from a practice or a remote one, opened with GET: an empty form
            # carries the refusal (add_error needs a bound, cleaned form).
            form = PackageForm({})
            form.is_valid()
            context["form"] = form
        form.add_error(None, exc)
        context["preview"] = None
        return render(request, "practices/adopt.html", context, status=400)
    return render(request, "practices/adopt.html", context)


# --- subscriptions -------------------------------------------------------------------------


@login_required
@needs("subscription.manage")
def subscriptions(request: HttpRequest) -> HttpResponse:
    acting = request_acting(request, "subscription.manage")
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_add(acting=acting, url=form.cleaned_data["url"])
        except ValidationError as exc:
            add_service_errors(cast(Form, form), exc)
        else:
            messages.success(request, _("The feed is added; pull it to see its practices."))
            return redirect("practices:subscriptions")
    return render(
        request,
        "practices/subscriptions.html",
        {"form": form, "subscriptions": scoped(Subscription, acting)},
    )


@login_required
@require_POST
@needs("subscription.manage")
def subscription_pull(request: HttpRequest, subscription_pk: int) -> HttpResponse:
    acting = request_acting(request, "subscription.manage")
    subscription = get_scoped(Subscription, acting, pk=subscription_pk)
    count = feed.subscription_pull_for(acting=acting, subscription=subscription)
    if subscription.last_error:
        messages.error(
            request, _("The feed was refused: %(reason)s") % {"reason": subscription.last_error}
        )
    else:
        messages.success(request, _("The feed holds %(count)s practices.") % {"count": count})
    return redirect("practices:subscriptions")


@login_required
@require_POST
@needs("subscription.manage")
def subscription_delete(request: HttpRequest, subscription_pk: int) -> HttpResponse:
    acting = request_acting(request, "subscription.manage")
    subscription = get_scoped(Subscription, acting, pk=subscription_pk)
    services.subscription_remove(acting=acting, subscription=subscription)
    messages.success(request, _("The feed is removed, with its practices."))
    return redirect("practices:subscriptions")
