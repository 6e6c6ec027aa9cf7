"""What every importer shares: decoding a file, its CSV rows, numbers and dates, and the rows it yields.

An importer turns a file into `ObservationRow`s (one figure each) and "line N: reason" errors; writing them
is `services.observations_upsert`'s job, so every format is written the same way, idempotently.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from openbeat.areas.importers.report import ImportFileError

FORMATS = [
    "canonical",
    "meta_posts",
    "facebook_legacy",
    "instagram_posts",
    "x_tweets",
    "x_daily",
    "x_content_2024",
    "ga4",
]


@dataclass(frozen=True)
class ObservationRow:
    """One figure. `period` is "YYYY-MM" or "YYYY-MM-DD"; an empty or "TOTAL" account is the channel's total.

    `group`: the group the figure counts for (one account may count for several); empty: the account's own.
    """

    period: str
    metric: str
    value: float
    platform: str
    account: str = ""
    group: str = ""
    dimension: str = ""
    line: int = 0  # where it came from, for errors (0: summed from many lines)
    neighbourhood: str = ""  # a Neighbourhood's code, for figures the gap map can place


@dataclass
class Parsed:
    rows: list[ObservationRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lines: int = 0  # data lines read
    # Lines among `errors` that only lack a figure ("-" or empty): listed, nothing written, but not a fault of
    # the file (a missing figure is left out, never taken as zero), so they do not fail the import command.
    no_figure: set[int] = field(default_factory=set)

    def error(self, line: int, reason: str) -> None:
        self.errors.append((line, reason))

    def missing(self, line: int, reason: str) -> None:
        self.error(line, reason)
        self.no_figure.add(line)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


class RowError(ValueError):
    """Why one row cannot be used."""


def decode(content: bytes) -> str:
    """Text from a file's bytes: UTF-16 (X exports) by its BOM or its zero bytes, else UTF-8 (BOM dropped)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    head = content[:200]
    if head and head.count(b"\x00") > len(head) // 4:
        return content.decode("utf-16-le" if head[1:2] == b"\x00" else "utf-16-be")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Excel saves ("CSV (Comma delimited)") are Windows-1252.
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportFileError("not a text file")
    return text


def split_comments(text: str) -> tuple[list[str], str]:
    """GA4's "#" lines before the CSV, and the rest."""
    comments: list[str] = []
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines) and (lines[index].startswith("#") or not lines[index].strip()):
        if lines[index].startswith("#"):
            comments.append(lines[index].rstrip("\r\n"))
        index += 1
    return comments, "".join(lines[index:])


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank row, the header included. Commas, tabs or semicolons."""
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, [cell.strip() for cell in cells]
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: not valid CSV ({exc})") from exc


def header_index(header: list[str]) -> dict[str, int]:
    """Column name (lower case, first occurrence) -> index."""
    return {name.strip().lower(): index for index, name in reversed(list(enumerate(header)))}


def cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


_MISSING = {"", "-", "--", "\u2013", "\u2014", "n/a", "na", "null"}  # \u2013, \u2014: en and em dash, as in reports
_SPACES = str.maketrans("", "", " \u00a0\u2009\u202f")


def number(text: str, column: str = "value") -> float | None:
    """A figure, or None when the export has none ("-" or empty: missing, not zero). RowError if not a number."""
    text = text.strip().replace("\u00a0", "")
    if text.lower() in _MISSING:
        return None
    cleaned = text.replace(",", "").translate(_SPACES)  # "37,500" (quoted in a CSV), "37 500"
    try:
        value = float(cleaned)
    except ValueError:
        raise RowError(f"{column}: {text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowError(f"{column}: {text!r} is not a number")
    return value


_DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M %z",  # X classic: 2021-04-30 09:32 +0000
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M",  # Meta: 04/30/2025 09:32
    "%m/%d/%Y",
    "%a, %b %d, %Y",  # X 2024+: Tue, Jul 14, 2026
    "%b %d, %Y",
    "%Y%m%d",  # GA4: 20250101
]


def parse_date(text: str, formats: list[str] | None = None) -> date:
    """The day of a date or date-time in any of the exports' formats (time and zone ignored)."""
    text = text.strip()
    for fmt in formats or _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise RowError(f"date: {text!r} is not a date") from None


_PERIOD = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def period_parse(text: str) -> tuple[str, date]:
    """("month", first day) for "YYYY-MM", ("day", day) for "YYYY-MM-DD"; RowError otherwise."""
    match = _PERIOD.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        start = date(year, month, day)
    except ValueError:
        raise RowError(f"period: {text!r} is not a month (YYYY-MM) or a day (YYYY-MM-DD)") from None
    return ("day" if match[3] else "month"), start


# Detection: each native export is known by a few header names only it has.
_SIGNATURES: list[tuple[str, set[str]]] = [
    ("canonical", {"period", "channel", "account", "metric", "value"}),
    ("meta_posts", {"post id", "page id", "page name", "publish time"}),
    ("instagram_posts", {"post id", "account username", "publish time"}),
    ("x_tweets", {"tweet id", "tweet permalink", "time", "impressions"}),
    ("x_daily", {"date", "tweets published", "impressions"}),
    ("x_content_2024", {"post id", "date", "post text", "impressions"}),
    ("facebook_legacy", {"date", "lifetime total likes"}),
]


def detect_format(head: str) -> str:
    """The format of a file from its first lines (decoded text); ImportFileError when it is none we know."""
    comments, rest = split_comments(head.removeprefix("\ufeff"))
    if any(line.lower().startswith("# start date") for line in comments):
        return "ga4"
    first = next(iter(rest.splitlines()), "")
    try:
        header = next(csv_rows(first), (0, []))[1]
    except ImportFileError:
        header = []
    names = {name.lower() for name in header}
    for name, signature in _SIGNATURES:
        if signature <= names:
            return name
    shown = ", ".join(header[:8]) or "nothing"
    raise ImportFileError(f"not a format this importer knows (the header starts {shown})")
