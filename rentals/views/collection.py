"""Pages of billing and collection, and the coordinator's dashboard.

Who sees what:
- billing and the dashboard: the lead organisation's coordinators (programme.manage). Partners
  are refused (403) rather than shown partial figures: the dashboard is the programme's
  picture, and a partner sees its own households on its household pages.
- a household's money page, bank statements, direct debits and the remittance statement: the
  collecting organisation of a rental scheme (its intake workers, coordinators and admins;
  a viewer may read a household's money page). Other organisations get 403, records they
  cannot see 404 (core.tenancy.get_scoped).

Views stay thin: every write goes through a service (rentals.services), whose
ValidationErrors are shown on the form. The bank and document modules are imported inside
the views that use them.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import COLLECTOR, LEAD, needs
from core.files import PDF, XLSX, XML, file_response
from core.forms import add_service_errors
from core.http import WijkRequest
from core.models import Programme
from core.runs import run_start, runs_recent
from core.templatetags.wijk_tags import decimal as format_decimal
from core.tenancy import Acting, get_scoped, request_acting, scoped
from households.models import Household
from households.services import household_viewed
from money.references import find_reference
from rentals import documents, letters, rules, selectors, services
from rentals.documents import remittance_statement_pdf, savings_statement_pdf
from rentals.models import (
    ArrearsStep,
    BankImport,
    BankLine,
    Charge,
    Contract,
    Payment,
    PaymentMethod,
    RentalScheme,
)
from rentals.pure import charts
from rentals.pure.savings import SavingsError
from rentals.runs import BILLING
from rentals.selectors import collection as collection_selectors
from rentals.selectors import dashboard
from rentals.selectors.collection import collected_programmes
from rentals.selectors.remittance import remittance_data
from rentals.services.bank import (
    bank_line_ignore,
    bank_line_resolve,
    bank_statement_import,
    sepa_direct_debit_export,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_QUERY_LENGTH = 100
PAGE_SIZE = 25
FIRST_YEAR = 2000
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---------------------------------------------------------------- forms (parse input only)
class BillingRunForm(forms.Form):
    month = forms.DateField(
        label=gettext_lazy("Month"),
        input_formats=["%Y-%m"],
        help_text=gettext_lazy("Year and month, for example 2026-11."),
        error_messages={"invalid": gettext_lazy("Enter a month as year-month, e.g. 2026-11.")},
        widget=forms.DateInput(
            attrs={"type": "month", "placeholder": "2026-11", "autocomplete": "off"},
            format="%Y-%m",
        ),
    )

    def clean_month(self) -> date:
        # Which months may be billed is the service's rule (services.check_billing_month).
        month: date = self.cleaned_data["month"].replace(day=1)
        return month


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (EUR)"),
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        localize=True,
        help_text=gettext_lazy("Use a comma or a point for the cents, e.g. 7,50."),
        error_messages={
            "invalid": gettext_lazy("Enter an amount in euro, for example 7,50."),
            "min_value": gettext_lazy("The amount must be more than zero."),
            "max_value": gettext_lazy("This amount is not plausible for a rental fee."),
            "max_decimal_places": gettext_lazy("Give at most two digits for the cents."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=DATE_WIDGET)
    method = forms.ChoiceField(
        label=gettext_lazy("How was it paid?"),
        choices=[
            (PaymentMethod.CASH.value, PaymentMethod.CASH.label),
            (PaymentMethod.TRANSFER.value, PaymentMethod.TRANSFER.label),
            (PaymentMethod.BUDGET_MANAGEMENT.value, PaymentMethod.BUDGET_MANAGEMENT.label),
        ],
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference or receipt number"), max_length=140, required=False
    )


class ArrearsStepForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("Step taken"),
        choices=ArrearsStep.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (what was done, agreements made)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank statement file"),
        help_text=gettext_lazy("CAMT.053 (XML) or CSV, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.csv,.txt,text/xml,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than 5 MB. Upload one statement at a time.")
            )
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload


class ContractSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search a contract by payment reference or household name"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class IgnoreForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this not a rental payment?"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class DirectDebitForm(forms.Form):
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Programme"), queryset=Programme.objects.none()
    )
    collection_date = forms.DateField(
        label=gettext_lazy("Collection date"),
        help_text=gettext_lazy("The day the bank takes the money from the households' accounts."),
        widget=DATE_WIDGET,
    )
    creditor_id = forms.CharField(
        label=gettext_lazy("Creditor identifier"),
        max_length=35,
        help_text=gettext_lazy("Your organisation's SEPA creditor ID, e.g. BE69ZZZ050D000000008."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


# ---------------------------------------------------------------- access helpers
_acting = request_acting


def _lead_programme(acting: Acting, programme_pk: int) -> Programme:
    """A rental programme the acting organisation leads; 404 when not visible, else 403."""
    programme = get_scoped(Programme, acting, pk=programme_pk)
    if programme.kind != Programme.Kind.APPLIANCE_RENTAL:
        raise Http404
    acting.require("programme.manage")
    if programme.lead_organisation_id != acting.organisation.pk:
        raise PermissionDenied(_("Only the lead organisation sees this."))
    return programme


def _collected_schemes(acting: Acting) -> Any:
    return scoped(RentalScheme, acting).filter(
        programme__in=collected_programmes(acting.organisation)
    )


def _collector(request: WijkRequest, permission: str = "household.change") -> Acting:
    """The acting user of a collecting organisation, or 403."""
    acting = _acting(request, permission)
    if not _collected_schemes(acting).exists():
        raise PermissionDenied(_("Your organisation collects no rental fees."))
    return acting


def _collected_contracts(acting: Acting) -> Any:
    return scoped(Contract, acting).filter(collector=acting.organisation)


def _money_household(acting: Acting, household_pk: int) -> Household:
    """A visible household (else 404) the acting organisation collects for (else 403)."""
    household = get_scoped(
        Household.objects.select_related("organisation"), acting, pk=household_pk
    )
    if not _collected_contracts(acting).filter(household=household).exists():
        raise PermissionDenied(_("Your organisation does not collect for this household."))
    return household


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


def _years_since(first: date | None) -> list[int]:
    """This year back to the year of `first` (none before FIRST_YEAR), newest first."""
    this_year = timezone.localdate().year
    if first is None:
        return []
    return list(range(this_year, max(FIRST_YEAR, min(first.year, this_year)) - 1, -1))


def _first_day(contracts: Any) -> date | None:
    """The earliest installation or signing-up among the contracts: before it nothing was
    charged, so no statement of an earlier year has anything in it."""
    found = contracts.aggregate(start=Min("start_date"), created=Min("created_at"))
    days = [found["start"]]
    if found["created"] is not None:
        days.append(timezone.localtime(found["created"]).date())
    return min((d for d in days if d is not None), default=None)


def _show_errors(request: WijkRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# ---------------------------------------------------------------- overview
@login_required
@require_GET
@needs("household.view")
def index(request: WijkRequest) -> HttpResponse:
    acting = _acting(request, "household.view")
    led = (
        scoped(Programme, acting)
        .filter(
            lead_organisation=acting.organisation,
            kind=Programme.Kind.APPLIANCE_RENTAL,
        )
        .order_by("name")
        if acting.can("programme.manage")
        else Programme.objects.none()
    )
    org_collects = _collected_schemes(acting).exists()
    # Readers of a collecting organisation get the way to a household's payments, not the
    # bank tools they may not use.
    collects = acting.can("payment.record") and org_collects
    context = {
        "led": led,
        "collects": collects,
        "org_collects": org_collects,
        "unmatched": scoped(BankLine, acting).filter(status=BankLine.Status.UNMATCHED).count()
        if collects
        else 0,
        "year": timezone.localdate().year,
    }
    return render(request, "rentals/collection/index.html", context)


# ---------------------------------------------------------------- billing
@login_required
@require_http_methods(["GET", "POST"])
@needs("billing.run", of=LEAD)
def billing(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "billing.run")
    programme = _lead_programme(acting, programme_pk)
    form = BillingRunForm(request.POST or None)
    skipped = ""  # the month before was never billed: the page asks to confirm
    if request.method == "POST" and form.is_valid():
        # Billing runs in the background (core.runs, rentals/runs.py); its page shows how far
        # it got, and links back here. The month rules are checked before it is queued.
        month = form.cleaned_data["month"]
        try:
            run = run_start(
                acting=acting,
                kind=BILLING,
                programme=programme,
                params={"month": f"{month:%Y-%m}", "confirm": request.POST.get("confirm") == "yes"},
                back_url=request.path,
            )
        except services.SkippedMonth as exc:
            # The month before was never billed: the page asks to confirm (a second button).
            skipped = exc.message_dict["month"][0]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not run.is_new:
                messages.info(request, _("This month is being billed already: here is that run."))
            return redirect(run.get_absolute_url())
    context = {
        "programme": programme,
        "form": form,
        "months": dashboard.billing_months(programme),
        "runs": runs_recent(acting, kind=BILLING, programme=programme, limit=5),
        "skipped": skipped,
    }
    return render(request, "rentals/collection/billing.html", context)


# ---------------------------------------------------------------- a household's money
def _render_household(
    request: WijkRequest,
    acting: Acting,
    household: Household,
    payment_form: PaymentForm | None = None,
    step_form: ArrearsStepForm | None = None,
    status: int = 200,
) -> HttpResponse:

    # The page shows the household's name and finances: an access to personal data.
    household_viewed(acting=acting, household=household)
    today = timezone.localdate()
    balance, next_step = selectors.collection_balance(acting, household, today)
    charges = (
        scoped(Charge, acting)
        .filter(contract__household=household)
        .select_related("contract")
        .order_by("-month", "contract_id")
    )
    can_change = rules.may_record_payment(acting, household)
    context = {
        "household": household,
        "balance": balance,
        "contracts": _collected_contracts(acting).filter(household=household).order_by("pk"),
        "charges": Paginator(charges, 24).get_page(request.GET.get("page")),
        # The acting collector's own money of the household (its payments and steps), not
        # what another collector received or took, even where tenancy shows it too.
        "payments": scoped(Payment, acting).filter(
            household=household, collector=acting.organisation
        )[:50],
        "steps": scoped(ArrearsStep, acting)
        .filter(household=household, collector=acting.organisation)
        .select_related("by"),
        "next_step": ArrearsStep.Level(next_step) if next_step else None,
        "can_change": can_change,
        "payment_form": payment_form or PaymentForm(initial={"received_on": today}),
        "step_form": step_form or ArrearsStepForm(initial={"level": next_step or 1}),
        # Savings start at the installation: offer the years from the first one.
        "years": _years_since(
            scoped(Contract, acting)
            .filter(household=household)
            .aggregate(first=Min("start_date"))["first"]
        ),
    }
    return render(request, "rentals/collection/household.html", context, status=status)


def _household_url(household: Household, anchor: str = "") -> str:
    url = reverse("collection:household", kwargs={"household_pk": household.pk})
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
@needs("collection.view", of=COLLECTOR)
def household(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "collection.view")
    return _render_household(request, acting, _money_household(acting, household_pk))


@login_required
@require_POST
@needs("payment.record", of=COLLECTOR)
def payment_add(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "payment.record")
    household = _money_household(acting, household_pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_record(
                acting=acting,
                household=household,
                amount=data["amount"],
                received_on=data["received_on"],
                method=data["method"],
                reference=data["reference"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect(_household_url(household, "payments"))
    return _render_household(request, acting, household, payment_form=form, status=400)


@login_required
@require_POST
@needs("arrears.step", of=COLLECTOR)
def arrears_step(request: WijkRequest, household_pk: int) -> HttpResponse:
    acting = _acting(request, "household.change")
    household = _money_household(acting, household_pk)
    form = ArrearsStepForm(request.POST)
    if form.is_valid():
        try:
            letters.arrears_step_take(
                acting=acting,
                household=household,
                level=form.cleaned_data["level"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The step is recorded."))
            return redirect(_household_url(household, "arrears"))
    return _render_household(request, acting, household, step_form=form, status=400)


@login_required
@require_GET
@needs("collection.view", of=COLLECTOR)
def arrears_letter(request: WijkRequest, household_pk: int) -> HttpResponse:
    """The reminder letter kept on an arrears step: the latest, or ?step=ID."""
    acting = _acting(request, "household.view")
    household = _money_household(acting, household_pk)
    step_id = request.GET.get("step", "")
    step = collection_selectors.arrears_letter(
        acting, household, int(step_id) if step_id.isdigit() else None
    )
    name = f"reminder-{household.reference}-{step.taken_on.isoformat()}.pdf"
    return file_response(bytes(step.letter), filename=name, content_type=PDF)


@login_required
@require_GET
@needs("collection.view", of=COLLECTOR)
def savings_pdf(request: WijkRequest, household_pk: int, year: int) -> HttpResponse:
    acting = _acting(request, "household.view")
    household = _money_household(acting, household_pk)
    year = _year(year)
    pdf = savings_statement_pdf(household=household, year=year, contracts=scoped(Contract, acting))
    return file_response(
        pdf, filename=f"savings-{household.reference}-{year}.pdf", content_type=PDF
    )


# ---------------------------------------------------------------- bank statements
@login_required
@require_GET
@needs("payment.record", of=COLLECTOR)
def import_list(request: WijkRequest) -> HttpResponse:
    acting = _collector(request)
    imports = (
        scoped(BankImport, acting)
        .select_related("imported_by")
        .annotate(
            line_count=Count("lines"),
            unmatched=Count("lines", filter=Q(lines__status=BankLine.Status.UNMATCHED)),
        )
        .order_by("-imported_at")
    )
    page = Paginator(imports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rentals/collection/import_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
@needs("payment.record", of=COLLECTOR)
def import_upload(request: WijkRequest) -> HttpResponse:
    acting = _collector(request)
    form = BankUploadForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = bank_statement_import(
                acting=acting, filename=upload.name[:200], data=upload.read()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if report.errors:
                errors = list(report.errors)
            elif report.bank_import is None:
                messages.info(
                    request,
                    _(
                        "Nothing new in this file: every payment in it was imported before "
                        "or is not an incoming payment."
                    ),
                )
                return redirect("collection:import_list")
            else:
                messages.success(request, _import_summary(report))
                return redirect("collection:import_detail", bank_import_pk=report.bank_import.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "rentals/collection/import_upload.html",
        {"form": form, "errors": errors},
        status=status,
    )


def _count(value: Any) -> int:
    # The report may carry counts or the lines themselves.
    return value if isinstance(value, int) else len(value or ())


def _import_summary(report: Any) -> str:
    values = {
        "matched": _count(report.matched),
        "unmatched": _count(report.unmatched),
        "skipped": _count(report.skipped),
        "already": _count(report.already_imported),
    }
    return (
        _(
            "The statement is imported: %(matched)s matched, %(unmatched)s to resolve, "
            "%(skipped)s skipped, %(already)s already imported before."
        )
        % values
    )


@login_required
@require_GET
@needs("payment.record", of=COLLECTOR)
def import_detail(request: WijkRequest, bank_import_pk: int) -> HttpResponse:
    acting = _collector(request)
    bank_import = get_scoped(BankImport, acting, pk=bank_import_pk)
    lines = scoped(BankLine, acting).filter(bank_import=bank_import)
    counts = dict(lines.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    context = {
        "bank_import": bank_import,
        "counts": [(s.value, s.label, counts.get(s.value, 0)) for s in BankLine.Status],
        "total": sum(counts.values()),
        "open_lines": lines.filter(status=BankLine.Status.UNMATCHED).order_by("number"),
        "handled_lines": lines.filter(
            status__in=[BankLine.Status.RESOLVED, BankLine.Status.IGNORED]
        ).order_by("number"),
    }
    return render(request, "rentals/collection/import_detail.html", context)


@login_required
@require_GET
@needs("payment.record", of=COLLECTOR)
def line_list(request: WijkRequest) -> HttpResponse:
    acting = _collector(request)
    lines = (
        scoped(BankLine, acting)
        .filter(status=BankLine.Status.UNMATCHED)
        .select_related("bank_import")
        .order_by("booked_on", "pk")
    )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rentals/collection/line_list.html", {"page": page})


def _candidates(acting: Acting, q: str) -> Any:
    """Contracts the organisation collects for, found by payment reference or household name."""

    q = q.strip()[:MAX_QUERY_LENGTH]
    if not q:
        return Contract.objects.none()
    contracts = _collected_contracts(acting).select_related("household")
    found = find_reference(q)
    if found is not None:
        return contracts.filter(payment_reference=found.canonical)[:20]
    digits = "".join(c for c in q if c.isdigit())
    match = Q(household__in=Household.objects.search(q))
    if len(digits) >= 3:
        match |= Q(payment_reference__contains=digits)
    return contracts.filter(match).order_by("household__last_name", "pk")[:20]


def _render_line(
    request: WijkRequest,
    acting: Acting,
    line: BankLine,
    ignore_form: IgnoreForm | None = None,
    status: int = 200,
) -> HttpResponse:
    search = ContractSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    if not request.GET and line.status == BankLine.Status.UNMATCHED:
        # Start from what the bank line says: the payer's name is the usual clue.
        q = line.counterparty.strip()[:MAX_QUERY_LENGTH]
        search = ContractSearchForm(initial={"q": q})
    # With htmx the contracts follow the typing; without it the form is submitted normally.
    search.fields["q"].widget.attrs.update(
        {
            "hx-get": reverse("collection:line_detail", kwargs={"bank_line_pk": line.pk}),
            "hx-trigger": "input changed delay:300ms, search",
            "hx-target": "#candidates",
            "hx-swap": "outerHTML",
        }
    )
    context = {
        "line": line,
        "search": search,
        "q": q,
        "candidates": _candidates(acting, q),
        "ignore_form": ignore_form or IgnoreForm(),
    }
    template = "rentals/collection/line_detail.html"
    if request.htmx and request.method == "GET":
        template += "#candidates"
    return render(request, template, context, status=status)


@login_required
@require_GET
@needs("payment.record", of=COLLECTOR)
def line_detail(request: WijkRequest, bank_line_pk: int) -> HttpResponse:
    acting = _collector(request)
    line = get_scoped(BankLine.objects.select_related("bank_import"), acting, pk=bank_line_pk)
    return _render_line(request, acting, line)


def _after_line(line: BankLine) -> HttpResponse:
    return redirect("collection:import_detail", bank_import_pk=line.bank_import_id)


@login_required
@require_POST
@needs("payment.record", of=COLLECTOR)
def line_resolve(request: WijkRequest, bank_line_pk: int) -> HttpResponse:
    acting = _collector(request)
    line = get_scoped(BankLine.objects.select_related("bank_import"), acting, pk=bank_line_pk)
    try:
        contract_pk = int(request.POST.get("contract", ""))
    except ValueError:
        contract_pk = 0
    contract = _collected_contracts(acting).filter(pk=contract_pk).first()
    if contract is None:
        messages.error(request, _("Choose one of the contracts found."))
        return redirect("collection:line_detail", bank_line_pk=line.pk)
    try:
        bank_line_resolve(acting=acting, line=line, contract=contract)
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect("collection:line_detail", bank_line_pk=line.pk)
    messages.success(
        request,
        _("The payment is booked on contract %(reference)s.")
        % {"reference": contract.payment_reference},
    )
    return _after_line(line)


@login_required
@require_POST
@needs("payment.record", of=COLLECTOR)
def line_ignore(request: WijkRequest, bank_line_pk: int) -> HttpResponse:
    acting = _collector(request)
    line = get_scoped(BankLine.objects.select_related("bank_import"), acting, pk=bank_line_pk)
    form = IgnoreForm(request.POST)
    if form.is_valid():
        try:
            bank_line_ignore(acting=acting, line=line, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The line is set aside as not a rental payment."))
            return _after_line(line)
    return _render_line(request, acting, line, ignore_form=form, status=400)


# ---------------------------------------------------------------- direct debit
@login_required
@require_http_methods(["GET", "POST"])
@needs("payment.record", of=COLLECTOR)
def direct_debit(request: WijkRequest) -> HttpResponse:
    acting = _collector(request)
    programmes = (
        scoped(Programme, acting)
        .filter(pk__in=collected_programmes(acting.organisation).values("pk"))
        .order_by("name")
    )
    form = DirectDebitForm(
        request.POST or None,
        programmes=programmes,
        initial={"collection_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            xml = sepa_direct_debit_export(
                acting=acting,
                programme=data["programme"],
                collection_date=data["collection_date"],
                creditor_id=data["creditor_id"].strip(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not xml:
                form.add_error(None, _("There is nothing to collect by direct debit."))
            else:
                filename = f"pain008-{data['collection_date']:%Y-%m-%d}.xml"
                return file_response(xml, filename=filename, content_type=XML)
    status = 400 if request.method == "POST" else 200
    return render(request, "rentals/collection/direct_debit.html", {"form": form}, status=status)


# ---------------------------------------------------------------- remittance statement
@login_required
@require_GET
@needs("payment.record", of=COLLECTOR)
def remittance(request: WijkRequest, year: int) -> HttpResponse:
    acting = _collector(request)
    year = _year(year)
    data = remittance_data(acting=acting, year=year)
    context = {
        "year": year,
        "data": data,
        "years": _years_since(_first_day(_collected_contracts(acting))) or [year],
    }
    return render(request, "rentals/collection/remittance.html", context)


@login_required
@require_GET
@needs("payment.record", of=COLLECTOR)
def remittance_pdf(request: WijkRequest, year: int) -> HttpResponse:
    acting = _collector(request)
    year = _year(year)
    data = remittance_data(acting=acting, year=year)
    pdf = remittance_statement_pdf(organisation=acting.organisation, year=year, data=data)
    return file_response(
        pdf, filename=f"remittance-{acting.organisation.slug}-{year}.pdf", content_type=PDF
    )


# ---------------------------------------------------------------- dashboard
def _charts(
    monthly: list[dashboard.MonthFigures],
    units: list[tuple[str, str, int]],
    tickets: dashboard.TicketFigures,
) -> dict[str, str]:

    def euros(value: Any) -> str:
        return format_decimal(value, 0)

    def count(value: Any) -> str:
        return format_decimal(value, 0)

    # The chart functions escape every text; their output is safe markup.
    return {
        "money": mark_safe(  # noqa: S308 -- the chart functions escape every text
            charts.stacked_bar_chart(
                title=_("Billed to tenants per month"),
                labels=[f"{m.month:%m/%y}" for m in monthly],
                series=[
                    (_("Collected"), [m.collected for m in monthly]),
                    (_("Still open"), [m.open for m in monthly]),
                ],
                unit="EUR",
                fmt=euros,
                empty_text=_("Nothing billed yet."),
            )
        ),
        "units": mark_safe(  # noqa: S308 -- the chart functions escape every text
            charts.status_bars(
                title=_("Appliances by status"),
                items=[(label, n) for _value, label, n in units],
                fmt=count,
                empty_text=_("No appliances yet."),
            )
        ),
        "tickets": mark_safe(  # noqa: S308 -- the chart functions escape every text
            charts.bar_chart(
                title=_("Open tickets by days open"),
                labels=[band for band, _n in tickets.bands],
                values=[n for _band, n in tickets.bands],
                unit="",
                fmt=count,
            )
        ),
    }


@login_required
@require_GET
@needs("programme.manage", of=LEAD)
def dashboard_page(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.manage")
    programme = _lead_programme(acting, programme_pk)
    figures = dashboard.cached_figures(programme)
    context = {
        "programme": programme,
        "figures": figures,
        "summary": figures.summary,
        "categories": figures.categories,
        "units": figures.units,
        "tickets": figures.tickets,
        "monthly": figures.monthly,
        "charts": _charts(figures.monthly, figures.units, figures.tickets),
    }
    return render(request, "rentals/collection/dashboard.html", context)


@login_required
@require_GET
@needs("programme.manage", of=LEAD)
def dashboard_savings(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.manage")
    programme = _lead_programme(acting, programme_pk)
    try:
        figures = dashboard.savings_summary(programme)
    except SavingsError:
        figures = None
    context = {"programme": programme, "savings": figures}
    if request.htmx:
        return render(request, "rentals/collection/dashboard.html#savings", context)
    return render(request, "rentals/collection/dashboard_savings.html", context)


@login_required
@require_GET
@needs("programme.manage", of=LEAD)
def dashboard_xlsx(request: WijkRequest, programme_pk: int) -> HttpResponse:
    acting = _acting(request, "programme.manage")
    programme = _lead_programme(acting, programme_pk)
    today = timezone.localdate()
    content = documents.workbook_bytes(programme, today)
    return file_response(
        content, filename=f"dashboard-{programme.slug}-{today:%Y-%m-%d}.xlsx", content_type=XLSX
    )
