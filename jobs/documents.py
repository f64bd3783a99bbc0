"""The job bureau's PDFs: a worker's monthly allowance statement and a resident's invoice,
in the reader's language, rendered with WeasyPrint from templates/jobs/pdf/. Callers fetch
the records through core.tenancy and check permissions; nothing is fetched while rendering."""

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import to_locale

from core.pdf import render_pdf
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
