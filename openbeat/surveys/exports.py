"""Results as CSV and XLSX, from the same suppressed tables the back office shows (hidden figures stay hidden)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from openbeat.insights.render.xlsx import sheet_name
from openbeat.surveys.selectors import Results

HIDDEN = "suppressed"


def _rows(results: Results) -> list[list[str | int]]:
    rows: list[list[str | int]] = [["question", "answer", "group", "count"]]
    for table in results.tables:
        f = table.figures
        for r, label in enumerate(table.row_labels):
            for c, group in enumerate(table.column_labels):
                value = f.cells[r][c]
                rows.append([table.title, label, group, HIDDEN if value is None else value])
            total = f.row_totals[r]
            rows.append([table.title, label, "Total", HIDDEN if total is None else total])
        for c, group in enumerate(table.column_labels):
            value = f.column_totals[c]
            rows.append([table.title, "Total", group, HIDDEN if value is None else value])
        rows.append([table.title, "Total", "Total", HIDDEN if f.total is None else f.total])
    return rows


def results_csv(results: Results) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _rows(results):
        # A cell starting with = + - @ would be a formula in a spreadsheet: question texts are staff-written.
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return buffer.getvalue()


def results_xlsx(results: Results) -> bytes:
    workbook = Workbook()
    about = workbook.active
    about.title = "About"
    about.append([results.survey.title])
    about["A1"].font = Font(bold=True, size=14)
    about.append([f"Figures below {results.minimum} are suppressed, and so are any that would reveal them."])
    about.append(["Responses", results.responses if results.responses is not None else HIDDEN])
    taken = {"about"}
    for table in results.tables:
        sheet = workbook.create_sheet(sheet_name(table.key, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(["Answer", *table.column_labels, "Total"])
        f = table.figures
        for r, label in enumerate(table.row_labels):
            sheet.append(
                [
                    label,
                    *[HIDDEN if v is None else v for v in f.cells[r]],
                    HIDDEN if f.row_totals[r] is None else f.row_totals[r],
                ]
            )
        sheet.append(
            ["Total", *[HIDDEN if v is None else v for v in f.column_totals], HIDDEN if f.total is None else f.total]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
