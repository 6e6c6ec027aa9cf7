"""The board report as one structure: built once (`report_build`), rendered as HTML, PDF, XLSX and JSON.

Renderers never compute figures: every number they show is in a Table here, so the JSON carries every
figure the HTML shows. Values are plain numbers (or None where a figure is missing or cannot be given, with
a note saying why); `formats` says how each column is shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# "text": a label; "int": a whole number with thousands separators; "num1": one decimal place;
# "pct1": a percentage with one decimal place (the value is already a percentage, e.g. 12.3).
Format = Literal["text", "int", "num1", "pct1"]
Value = str | int | float | None


@dataclass
class Chart:
    kind: Literal["line", "bar"]
    title: str
    x: list[str]  # category labels, e.g. months "2026-01"
    series: list[tuple[str, list[float | None]]]  # (name, one value per x)
    y_label: str = ""


@dataclass
class Table:
    key: str  # stable, e.g. "followers_facebook": the XLSX sheet name and JSON key come from it
    title: str
    columns: list[str]
    formats: list[Format]
    rows: list[list[Value]]
    totals: list[Value] | None = None  # a last row, same shape as a row
    # The channel's own reported total (e.g. "all Facebook pages" from the platform), same shape as a row: shown
    # beside `totals` (the accounts' sum, or the reported total itself for months the accounts have no figure).
    reported: list[Value] | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "Users are unique per month and cannot be summed."
    chart: Chart | None = None


WarningKind = Literal[
    "total_mismatch", "group_looks_like_total", "missing_month", "implausible_jump", "ungrouped_account",
    "not_additive",
]  # fmt: skip
Severity = Literal["major", "minor"]


@dataclass
class DataWarning:
    kind: WarningKind
    message: str  # a sentence a board member understands
    account: str = ""
    metric: str = ""
    month: str = ""
    # How much it matters (a mismatch of 2 is "minor"); never whether it is shown.
    severity: Severity = "major"


@dataclass
class Section:
    key: str  # "summary", "twelve_months", "followers", "engagement", "itk", "website", "online_reporting",
    # "events_surveys", "citizens_in_policing", "warnings"
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class BoardReport:
    force_name: str
    period_from: str  # "YYYY-MM"
    period_to: str
    compare_from: str  # the comparison period ("" with comparison "none")
    compare_to: str
    generated_at: str  # ISO 8601
    division: str = ""  # a division's name when the report is for one division; "" for the force
    # "within": stocks (followers, registered users) by month with growth from the period's first month with
    # figures to its last, flows against the period before (a one-month period: against the month before);
    # "previous" / "year": everything against the period before / the same months a year earlier; "none": none.
    comparison: str = "within"
    grouping: str = "group"  # table rows by reporting "group" (division) or by "account"
    threshold_pct: float = 1.0  # a reported total differing from its accounts by more than this share is "major"
    sections: list[Section] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    rounding: str = "Growth and rates are rounded to one decimal place; totals are computed from the figures shown."

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def table(self, key: str) -> Table:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)
