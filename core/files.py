"""One way to answer with a file: PDFs, spreadsheets, XML for the bank.

Every file Wijk hands out is a personal or financial document (a contract with an IBAN, a
savings statement, a direct-debit file, an export), so each answer says `Cache-Control:
no-store`: no browser, proxy or shared cache keeps a copy. Content-Disposition is made by
Django's `content_disposition_header`, which writes `filename*=` (RFC 6266/5987) for names
with accents, so a household's name survives the download. Pages and the API both use
`file_response`.
"""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XML = "application/xml"
JSON = "application/json; charset=utf-8"


def file_response(
    content: bytes | str, *, filename: str, content_type: str, inline: bool = False
) -> HttpResponse:
    """The file as an answer: never cached, a download (or shown in the browser when
    `inline`, e.g. a label sheet to print) named `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or (
        "inline" if inline else "attachment"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
