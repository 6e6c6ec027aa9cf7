"""The board report as one standalone HTML document: inline CSS and SVG, nothing fetched, prints on A4.

The same document is what WeasyPrint turns into the PDF, so its print CSS (page size, running header, page
numbers, where tables may break) is the PDF's layout too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from openbeat.insights.render.charts import chart_svg
from openbeat.insights.render.formatting import format_value
from openbeat.insights.structure import BoardReport, DataWarning, Section, Table

SHORT_TABLE_ROWS = 25  # tables up to this long are kept on one page; longer ones break between rows


@dataclass
class Cell:
    text: str
    numeric: bool


@dataclass
class TableView:
    key: str
    title: str
    columns: list[tuple[str, bool]]
    rows: list[list[Cell]]
    totals: list[Cell] | None
    notes: list[str]
    short: bool
    reported: list[Cell] | None = None
    chart: SafeString | None = None


@dataclass
class SectionView:
    key: str
    title: str
    paragraphs: list[str]
    tables: list[TableView] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)


def month_name(month: str) -> str:
    """ "2026-03" as "March 2026"."""
    return datetime.date.fromisoformat(f"{month}-01").strftime("%B %Y")


def period_name(first: str, last: str) -> str:
    return month_name(first) if first == last else f"{month_name(first)} to {month_name(last)}"


def _cells(values: list, table: Table) -> list[Cell]:
    return [Cell(format_value(value, fmt), fmt != "text") for value, fmt in zip(values, table.formats, strict=False)]


def table_view(table: Table) -> TableView:
    return TableView(
        key=table.key,
        title=table.title,
        columns=[(name, fmt != "text") for name, fmt in zip(table.columns, table.formats, strict=False)],
        rows=[_cells(row, table) for row in table.rows],
        totals=_cells(table.totals, table) if table.totals is not None else None,
        reported=_cells(table.reported, table) if table.reported is not None else None,
        notes=table.notes,
        short=len(table.rows) <= SHORT_TABLE_ROWS,
        # One prefix per table key keeps ids unique across the document's charts.
        chart=mark_safe(chart_svg(table.chart, id_prefix=f"chart-{table.key}")) if table.chart else None,
    )


def section_views(report: BoardReport) -> list[SectionView]:
    """Every section to show, the data-quality warnings last (added if the build gave no section for them)."""
    views = []
    for section in report.sections:
        view = _section_view(section)
        # The build may give the warnings as a table of its own; if not, they are listed from report.warnings.
        if section.key == "warnings" and not section.tables:
            view.warnings = report.warnings
        views.append(view)
    if not any(section.key == "warnings" for section in report.sections):
        views.append(
            SectionView(key="warnings", title="Data-quality warnings", paragraphs=[], warnings=report.warnings)
        )
    return views


def _section_view(section: Section) -> SectionView:
    return SectionView(
        key=section.key,
        title=section.title,
        paragraphs=section.paragraphs,
        tables=[table_view(table) for table in section.tables],
    )


def comparison_text(report: BoardReport) -> str:
    """What the report compares with, in words (the "Compared with" line of every format)."""
    if report.comparison == "none" or not report.compare_from:
        return "No comparison"
    other = period_name(report.compare_from, report.compare_to)
    if report.comparison == "within" and report.period_from != report.period_to:
        return f"Followers and subscribers: month by month within the period; other figures: {other}"
    return other


def report_title(report: BoardReport) -> str:
    scope = f": {report.division}" if report.division else ""
    return f"Strategic Engagement Board report{scope}, {period_name(report.period_from, report.period_to)}"


def render_html(report: BoardReport) -> str:
    generated = datetime.datetime.fromisoformat(report.generated_at)
    return render_to_string(
        "insights/report/document.html",
        {
            "report": report,
            "title": report_title(report),
            "period": period_name(report.period_from, report.period_to),
            "compare": comparison_text(report),
            "generated": generated.strftime("%-d %B %Y at %H:%M"),
            "sections": section_views(report),
        },
    )
