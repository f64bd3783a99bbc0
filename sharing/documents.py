"""The participant's monthly energy statement as a PDF (WeasyPrint), in its language.

`statement_html` gives the HTML (tests and a preview use it); `statement_pdf` the PDF bytes.
Nothing is fetched while rendering: no remote fonts or images, the chart is inline SVG.
"""

from babel.dates import format_date
from babel.numbers import format_decimal
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import to_locale

from core.pdf import render_pdf
from sharing.selectors.reports import Statement


def statement_html(statement: Statement) -> str:
    language = statement.participant.statement_language
    with translation.override(language):
        locale = to_locale(language)
        return render_to_string(
            "sharing/pdf/statement.html",
            {
                "s": statement,
                "r": statement.result,
                "language": language,
                "month_name": format_date(statement.month, "MMMM yyyy", locale=locale),
                "kwh": lambda v: format_decimal(round(v, 1), locale=locale),
            },
        )


def statement_pdf(statement: Statement) -> bytes:
    return render_pdf(statement_html(statement))
