"""The job bureau's PDFs: a worker's monthly allowance statement and a resident's invoice,
in the reader's language, rendered with WeasyPrint from templates/jobs/pdf/. Callers fetch
the records through core.tenancy; `invoice_document` and `statement_document` hold the rules
of handing them out (permission, when they exist, the audit line) for pages and API alike.
Nothing is fetched while rendering."""

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import to_locale

from core.pdf import render_pdf
from core.services import audit_record
from core.tenancy import Acting
from core.validators import EARLIEST_DATE
from jobs.bureau import require_lead
from jobs.models import JobRequest, Worker
from jobs.selectors.money import allowance_statement, invoice


def _eur(value: Decimal, locale: str) -> str:
    return str(format_currency(value, "EUR", locale=locale))


def _hours(minutes: int, locale: str) -> str:
    """2,00 in Dutch and French (the hours said 2.00 beside "€ 14,90")."""
    return str(format_decimal(Decimal(minutes) / 60, "0.00", locale=locale))


def statement_html(worker: Worker, month: date) -> str:
    language = worker.language or "nl"
    with translation.override(language):
        locale = to_locale(language)
        statement = allowance_statement(worker, month)
        return render_to_string(
            "jobs/pdf/statement.html",
            {
                "statement": statement,
                "organisation": worker.programme.lead_organisation,
                "programme": worker.programme,
                "month_label": format_date(month, "MMMM y", locale=locale),
                "lines": [
                    {
                        "day": format_date(line.day, "short", locale=locale),
                        "service": line.service,
                        "hours": _hours(line.minutes, locale),
                        "km": line.km,
                    }
                    for line in statement.lines
                ],
                "hours_amount": _eur(statement.allowance.hours_amount, locale),
                "km_amount": _eur(statement.allowance.km_amount, locale),
                "capped": _eur(statement.allowance.capped, locale),
                "total": _eur(statement.allowance.total, locale),
                "language": language,
            },
        )


def statement_pdf(worker: Worker, month: date) -> bytes:
    return render_pdf(statement_html(worker, month))


def invoice_html(request: JobRequest) -> str:
    language = request.language or "nl"
    with translation.override(language):
        locale = to_locale(language)
        bill = invoice(request)
        return render_to_string(
            "jobs/pdf/invoice.html",
            {
                "invoice": bill,
                "request": request,
                "organisation": request.programme.lead_organisation,
                "day": format_date(request.preferred_day, "long", locale=locale),
                "lines": [
                    {
                        "worker": line.worker,
                        "hours": _hours(line.minutes, locale),
                        "cheques": line.cheques,
                        "amount": _eur(line.amount, locale),
                    }
                    for line in bill.lines
                ],
                "total": _eur(bill.total, locale),
                "fee": _eur(bill.registration_fee, locale) if bill.registration_fee else "",
                "language": language,
            },
        )


def invoice_pdf(request: JobRequest) -> bytes:
    return render_pdf(invoice_html(request))


# --- The PDFs handed out, with their rules: who reads them, when they exist, the audit line
# each reading leaves. The pages and the API both call these.

LATEST_MONTH = date(2100, 12, 1)


def statement_month(text: str) -> date:
    """YYYY-MM, from 2000 up to 2100 (9999-12 has no month after it: the statement's
    bounds failed with a 500): the first day of that month."""
    try:
        year, month = (int(p) for p in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = None
    if first is None or not EARLIEST_DATE <= first <= LATEST_MONTH:
        raise ValidationError({"month": _("Give the month as YYYY-MM.")})
    return first


def invoice_document(*, acting: Acting, request: JobRequest) -> bytes:
    """The resident's invoice; it exists once the job is done."""
    require_lead(acting, request.programme, "job.approve")
    if request.status != JobRequest.Status.DONE:
        raise ValidationError(_("An invoice exists once the job is done."))
    audit_record(
        acting=acting,
        action="view",
        subject=f"job invoice {request.reference}",
        household=request.household,
    )
    return invoice_pdf(request)


def statement_document(*, acting: Acting, worker: Worker, month: str) -> tuple[date, bytes]:
    """The worker's allowance statement of `month` (YYYY-MM): its first day and the PDF."""
    require_lead(acting, worker.programme, "job.approve")
    first = statement_month(month)
    audit_record(
        acting=acting, action="view", subject=f"job worker {worker.pk}: statement {first:%Y-%m}"
    )
    return first, statement_pdf(worker, first)
