"""Reading a file of counts: every bad line named by its number with the reason, good lines kept, XLSX too."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from openbeat.volunteers import importers

TODAY = date(2026, 6, 15)
CODES = {"west", "east"}


def parse(text: str) -> importers.ParsedFile:
    return importers.parse(importers.file_lines(text.encode(), "counts.csv"), division_codes=CODES, today=TODAY)


def test_good_lines_become_rows_with_their_line_numbers():
    parsed = parse("division,month,role,headcount,joiners,leavers\nwest,2026-01,special_constable,42,3,1\n"
                   "east,2026-02,Mini police,10,,\n")  # fmt: skip
    assert parsed.errors == []
    assert [(r.line, r.division_code, r.month, r.role, r.headcount, r.joiners, r.leavers) for r in parsed.rows] == [
        (2, "west", date(2026, 1, 1), "special_constable", 42, 3, 1),
        (3, "east", date(2026, 2, 1), "mini_police", 10, 0, 0),
    ]


def test_each_bad_line_is_reported_by_number_and_the_good_ones_kept():
    parsed = parse(
        "division,month,role,headcount,joiners,leavers\n"
        "north,2026-01,cadet,5,0,0\n"  # 2: unknown division
        "west,2026-13,cadet,5,0,0\n"  # 3: not a month
        "west,2026-01,sergeant,5,0,0\n"  # 4: unknown role
        "west,2026-01,cadet,-1,0,0\n"  # 5: negative
        "west,2026-01,cadet,five,0,0\n"  # 6: not a number
        "west,2026-09,cadet,5,0,0\n"  # 7: in the future
        "west,2026-01,cadet,5,1,0\n"  # 8: good
        "west,2026-01,cadet,6,1,0\n"  # 9: repeats 8
    )
    assert [line for line, _ in parsed.errors] == [2, 3, 4, 5, 6, 7, 9]
    messages = dict(parsed.errors)
    assert "north" in messages[2]
    assert "2026-13" in messages[3]
    assert "sergeant" in messages[4]
    assert "negative" in messages[5]
    assert "five" in messages[6]
    assert "not begun" in messages[7]
    assert "repeats line 8" in messages[9]
    assert [r.line for r in parsed.rows] == [8]


def test_a_file_without_the_columns_is_refused_as_a_whole():
    with pytest.raises(importers.CountsFileError, match="lacks"):
        parse("division,month,role\nwest,2026-01,cadet\n")
    with pytest.raises(importers.CountsFileError, match="empty"):
        parse("")


def test_an_excel_workbook_is_read_with_dates_as_months():
    book = Workbook()
    sheet = book.active
    sheet.append(["Division", "Month", "Role", "Headcount", "Joiners", "Leavers"])
    sheet.append(["west", date(2026, 3, 1), "cadet", 12, 2, None])
    sheet.append(["west", "2026-04", "cadet", "x", 2, 0])
    out = io.BytesIO()
    book.save(out)
    parsed = importers.parse(importers.file_lines(out.getvalue(), "counts.xlsx"), division_codes=CODES, today=TODAY)
    assert [(r.line, r.month, r.headcount, r.leavers) for r in parsed.rows] == [(2, date(2026, 3, 1), 12, 0)]
    assert [line for line, _ in parsed.errors] == [3]


def test_the_template_has_the_columns_and_an_example():
    lines = importers.template_csv().splitlines()
    assert lines[0] == ",".join(importers.COLUMNS)
    assert len(lines) == 2
