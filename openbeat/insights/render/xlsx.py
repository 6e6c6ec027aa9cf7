"""The board report as a workbook: an "About" sheet, one sheet per table (totals row last) and "Warnings"."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from openbeat.insights.render.html import comparison_text, period_name, report_title
from openbeat.insights.structure import BoardReport, Format, Table, Value

NUMBER_FORMATS: dict[Format, str] = {
    "text": "@",
    "int": "#,##0",
    "num1": "#,##0.0",
    # The value is already a percentage (12.3 means 12.3%): shown with a sign, not multiplied by 100.
    "pct1": '0.0"%"',
}
WARNINGS = "warnings"
BOLD = Font(bold=True)
ITALIC = Font(italic=True)
TITLE = Font(bold=True, size=14)
RULE = Border(top=Side(style="thin"))
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_name(key: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook (case-insensitively)."""
    base = _NOT_IN_SHEET_NAMES.sub("_", key)[:31] or "Table"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f"_{number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _widths(sheet: Worksheet, columns: int, first_row: int) -> None:
    for index in range(1, columns + 1):
        letter = get_column_letter(index)
        lengths = [len(str(cell.value)) for cell in sheet[letter][first_row - 1 :] if cell.value is not None]
        sheet.column_dimensions[letter].width = min(max([10, *lengths]) + 2, 60)


def _append(sheet: Worksheet, row: list[Value], formats: list[Format]) -> None:
    sheet.append(list(row))
    for cell, fmt in zip(sheet[sheet.max_row], formats, strict=False):
        cell.number_format = NUMBER_FORMATS[fmt]


def _table_sheet(sheet: Worksheet, table: Table) -> None:
    sheet.append([table.title])
    sheet["A1"].font = TITLE
    for note in table.notes:
        sheet.append([note])
    sheet.append([])
    sheet.append(table.columns)
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    # A missing figure (None) is an empty cell, never 0.
    for row in table.rows:
        _append(sheet, row, table.formats)
    if table.totals is not None:
        _append(sheet, table.totals, table.formats)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
            cell.border = RULE
    if table.reported is not None:
        _append(sheet, table.reported, table.formats)
        for cell in sheet[sheet.max_row]:
            cell.font = ITALIC
    sheet.freeze_panes = sheet.cell(row=header + 1, column=2)
    _widths(sheet, len(table.columns), header)


def _about_sheet(sheet: Worksheet, report: BoardReport) -> None:
    sheet.append([report_title(report)])
    sheet["A1"].font = TITLE
    for label, value in (
        ("Force", report.force_name),
        ("Area", report.division or "Whole force"),
        ("Period", period_name(report.period_from, report.period_to)),
        ("Compared with", comparison_text(report)),
        ("Produced", report.generated_at),
        ("Rounding", report.rounding),
    ):
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
    for section in report.sections:
        for paragraph in section.paragraphs:
            sheet.append([section.title, paragraph])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100


def _warnings_sheet(sheet: Worksheet, report: BoardReport) -> None:
    sheet.append(["Warning", "Kind", "Severity", "Account", "Metric", "Month"])
    for cell in sheet[1]:
        cell.font = BOLD
    for warning in report.warnings:
        sheet.append([warning.message, warning.kind, warning.severity, warning.account, warning.metric, warning.month])
    sheet.freeze_panes = "A2"
    _widths(sheet, 6, 1)


def render_xlsx(report: BoardReport) -> bytes:
    workbook = Workbook()
    about = workbook.active
    assert about is not None  # a new workbook always has its first sheet
    about.title = "About"
    taken = {"about", "warnings"}
    warnings_table = False
    for section in report.sections:
        for table in section.tables:
            # The build's own warnings table, if it gives one, is the "Warnings" sheet.
            is_warnings = table.key == WARNINGS
            warnings_table = warnings_table or is_warnings
            _table_sheet(workbook.create_sheet("Warnings" if is_warnings else sheet_name(table.key, taken)), table)
    _about_sheet(about, report)
    if not warnings_table:
        _warnings_sheet(workbook.create_sheet("Warnings"), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
