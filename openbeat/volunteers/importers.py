"""Reading a file of counts (CSV, or XLSX when openpyxl can open it) into checked rows, line by line.

Columns: division code, month (YYYY-MM), role, headcount, joiners, leavers. The first line names them. Every
line is checked on its own: a bad line is reported with its number and the reason, and the good lines are
still used (services.counts_import), so one typo never holds back a whole division's year.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from openbeat.core.months import is_month, month_start
from openbeat.volunteers.models import Role

COLUMNS = ["division", "month", "role", "headcount", "joiners", "leavers"]
MAX_FILE_BYTES = 5 * 1024 * 1024
# What people write in a spreadsheet for each role, besides its code.
ROLE_NAMES: dict[str, str] = {
    **{code: code for code in Role.values},
    **{label.lower(): code for code, label in Role.choices},
    "special": Role.SPECIAL_CONSTABLE,
    "specials": Role.SPECIAL_CONSTABLE,
    "special constable": Role.SPECIAL_CONSTABLE,
    "psv": Role.POLICE_SUPPORT_VOLUNTEER,
    "police support volunteer": Role.POLICE_SUPPORT_VOLUNTEER,
    "cadets": Role.CADET,
    "vpc": Role.CADET,
    "mini police": Role.MINI_POLICE,
}


class CountsFileError(Exception):
    """The whole file cannot be read (not CSV or XLSX, no header, too large)."""


@dataclass(frozen=True)
class CountRow:
    line: int
    division_code: str
    month: datetime.date
    role: str
    headcount: int
    joiners: int
    leavers: int


@dataclass
class ParsedFile:
    rows: list[CountRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _number(name: str, value: str, *, required: bool) -> int:
    value = value.strip().replace(",", "")
    if not value:
        if required:
            raise ValueError(f"{name} is missing")
        return 0
    try:
        number = int(float(value)) if value.endswith(".0") else int(value)
    except ValueError:
        raise ValueError(f"{name} '{value}' is not a whole number") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


def _month(value: str, *, today: datetime.date) -> datetime.date:
    value = value.strip()[:7]
    if not is_month(value):
        raise ValueError(f"month '{value}' is not a month like 2026-03")
    first_day = month_start(value)
    if first_day > today:
        raise ValueError(f"month {value} has not begun yet")
    return first_day


def check_row(line: int, values: dict[str, str], *, division_codes: set[str], today: datetime.date) -> CountRow:
    """One line's values as a CountRow; ValueError with the reason when it cannot be used."""
    division = values.get("division", "").strip()
    if not division:
        raise ValueError("division is missing")
    if division not in division_codes:
        raise ValueError(f"no division has the code '{division}'")
    month = _month(values.get("month", ""), today=today)
    role_text = values.get("role", "").strip()
    role = ROLE_NAMES.get(role_text.lower().replace("-", " ").strip()) or ROLE_NAMES.get(role_text.lower())
    if role is None:
        raise ValueError(f"role '{role_text}' is not one of {', '.join(Role.values)}")
    headcount = _number("headcount", values.get("headcount", ""), required=True)
    joiners = _number("joiners", values.get("joiners", ""), required=False)
    leavers = _number("leavers", values.get("leavers", ""), required=False)
    return CountRow(line, division, month, role, headcount, joiners, leavers)


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    reader = csv.reader(io.StringIO(text, newline=""))
    for cells in reader:
        yield reader.line_num, cells


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CountsFileError(f"The file is not a spreadsheet that can be read ({exc.__class__.__name__}).") from exc
    sheet = book.worksheets[0]
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_cell_text(c) for c in cells]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year:04d}-{value.month:02d}"  # a month typed into Excel becomes a date
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def file_lines(data: bytes, file_name: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every line of the file, header included."""
    if len(data) > MAX_FILE_BYTES:
        raise CountsFileError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if file_name.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_lines(data)
    return _csv_lines(data)


def parse(lines: Iterable[tuple[int, list[str]]], *, division_codes: set[str], today: datetime.date) -> ParsedFile:
    """Check every line after the header; the same division, month and role twice is an error on the later line."""
    parsed = ParsedFile()
    header: list[str] | None = None
    seen: dict[tuple[str, datetime.date, str], int] = {}
    for line, cells in lines:
        if not any(c.strip() for c in cells):
            continue  # blank lines, e.g. at the end of a spreadsheet
        if header is None:
            header = [c.strip().lower() for c in cells]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise CountsFileError(
                    f"Line {line} must name the columns {', '.join(COLUMNS)}; it lacks {', '.join(missing)}."
                )
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        try:
            row = check_row(line, values, division_codes=division_codes, today=today)
        except ValueError as error:
            parsed.errors.append((line, str(error)))
            continue
        key = (row.division_code, row.month, row.role)
        if key in seen:
            parsed.errors.append((line, f"repeats line {seen[key]} (same division, month and role)"))
            continue
        seen[key] = line
        parsed.rows.append(row)
    if header is None:
        raise CountsFileError(f"The file is empty: its first line must name the columns {', '.join(COLUMNS)}.")
    return parsed


def template_csv() -> str:
    """The file staff download to fill in: the header and one example line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(["west", "2026-01", Role.SPECIAL_CONSTABLE.value, "42", "3", "1"])
    return out.getvalue()
