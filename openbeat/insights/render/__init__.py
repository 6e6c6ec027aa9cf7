"""The board report's outputs: each module turns a `structure.BoardReport` into one format, computing nothing."""

from __future__ import annotations

import logging
import threading
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

# WeasyPrint logs each layout step (INFO) and every CSS property it skips (WARNING); fontTools logs its font
# subsetting. None of it is for the person building the report: kept off stderr (the root logger's console),
# errors still reach this package's logger.
QUIET_LOGGERS = {"weasyprint": logging.ERROR, "fontTools": logging.ERROR}
logger = logging.getLogger(__name__)
_quiet_lock = threading.Lock()


class _Forward(logging.Handler):
    """Passes a quietened library's errors on to this package's logger (and so to the site's handlers)."""

    def emit(self, record: logging.LogRecord) -> None:
        logger.error("%s: %s", record.name, record.getMessage())


def quiet_libraries() -> None:
    """Keep WeasyPrint's and fontTools' progress and warnings off stderr (idempotent).

    Their loggers log at ERROR and above only, to this package's logger, and no longer propagate to the root
    logger's console handler. Run before WeasyPrint is imported and again before each build (Django's logging
    setup, or a test's, may have run in between).
    """
    with _quiet_lock:
        for name, level in QUIET_LOGGERS.items():
            library = logging.getLogger(name)
            library.setLevel(level)
            library.propagate = False
            if not any(isinstance(handler, _Forward) for handler in library.handlers):
                library.addHandler(_Forward())


def render_report(report: BoardReport, output_format: str) -> bytes:
    """The report in `output_format` as the bytes of a file. Imported lazily: WeasyPrint is slow to load."""
    if output_format == "html":
        from openbeat.insights.render.html import render_html

        return render_html(report).encode()
    if output_format == "pdf":
        quiet_libraries()
        from openbeat.insights.render.pdf import render_pdf

        return render_pdf(report)
    if output_format == "xlsx":
        from openbeat.insights.render.xlsx import render_xlsx

        return render_xlsx(report)
    if output_format == "json":
        from openbeat.insights.render.json import render_json

        return render_json(report).encode()
    raise ValueError(f"unknown format {output_format!r}: one of {', '.join(FORMATS)}")
