"""The board report's outputs: each module turns a `structure.BoardReport` into one format, computing nothing."""

from __future__ import annotations

from typing import Literal

from openbeat.insights.structure import BoardReport

OutputFormat = Literal["html", "pdf", "xlsx", "json"]
FORMATS: tuple[OutputFormat, ...] = ("html", "pdf", "xlsx", "json")
CONTENT_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def render_report(report: BoardReport, output_format: str) -> bytes:
    """The report in `output_format` as the bytes of a file. Imported lazily: WeasyPrint is slow to load."""
    if output_format == "html":
        from openbeat.insights.render.html import render_html

        return render_html(report).encode()
    if output_format == "pdf":
        from openbeat.insights.render.pdf import render_pdf

        return render_pdf(report)
    if output_format == "xlsx":
        from openbeat.insights.render.xlsx import render_xlsx

        return render_xlsx(report)
    if output_format == "json":
        from openbeat.insights.render.json import render_json

        return render_json(report).encode()
    raise ValueError(f"unknown format {output_format!r}: one of {', '.join(FORMATS)}")
