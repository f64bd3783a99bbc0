"""HTML to PDF, the one way every programme makes its documents (letters, statements,
invoices, exports).

PDF/UA-1: a tagged PDF (headings, paragraphs, tables as structure) with its language and
title, so screen readers read it and archives keep it. Only data: URIs may be fetched: a
document never waits on a network, and a template cannot make the server fetch a URL.
"""

PDF_VARIANT = "pdf/ua-1"  # WeasyPrint 66+


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint (with its native libraries) takes about a second to load,
    # which only a process that makes a PDF should pay.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["data"], fail_on_errors=False)
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_variant=PDF_VARIANT))
