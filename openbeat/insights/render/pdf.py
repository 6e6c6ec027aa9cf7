"""The board report as PDF: WeasyPrint prints the HTML document (its print CSS sets A4, header and page numbers)."""

from __future__ import annotations

from typing import Any, NoReturn

from openbeat.insights.render import quiet_libraries

quiet_libraries()  # before WeasyPrint is imported: it logs as it parses its own stylesheets
from weasyprint import HTML, Document  # noqa: E402

from openbeat.insights.render.html import render_html  # noqa: E402
from openbeat.insights.structure import BoardReport  # noqa: E402

# Tagged: headings, tables and the charts' text reach screen readers.
PDF_OPTIONS: dict[str, Any] = {"pdf_tags": True}


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # The document is self-contained; anything it asks for would be a mistake or an injected URL.
    raise ValueError(f"the board report fetches nothing ({url})")


def pdf_document(report: BoardReport) -> Document:
    """The report laid out in pages (what `render_pdf` writes)."""
    quiet_libraries()
    return HTML(string=render_html(report), url_fetcher=_no_fetching, media_type="print").render(**PDF_OPTIONS)


def render_pdf(report: BoardReport) -> bytes:
    document = pdf_document(report)
    quiet_libraries()
    return document.write_pdf(**PDF_OPTIONS) or b""
