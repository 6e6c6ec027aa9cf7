"""Turning a platform's per-post or per-day export into monthly observations for one account.

How each kind of figure is combined within a month (documented for staff in the import page):
- counts (impressions, engagements, comments, shares, clicks, posts) are summed over the month's posts or days;
- levels (followers) take the value on the month's latest day in the file;
- unique counts (reach, engaged users) are NOT imported from per-post or per-day rows: the people a month's
  posts reached is not the sum of each post's reach (the same person is reached by many posts), and no other
  combination (the maximum, say) is the month's figure either. The file's note says so; import the month's
  reach from the platform's monthly summary with the canonical CSV instead.
A value of `-` or an empty cell is missing, not zero: it adds nothing, and a month with no value at all for
a figure gets no observation for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from openbeat.areas.importers.report import ImportFileError
from openbeat.core.months import days_in_month, month_of
from openbeat.insights.importers.base import (
    ObservationRow,
    Parsed,
    RowError,
    cell,
    csv_rows,
    header_index,
    number,
    parse_date,
)


@dataclass
class Spec:
    """One export's columns (names compared in lower case)."""

    name: str  # for messages, e.g. "Meta Business Suite per-post"
    platform: str
    date_column: str
    flows: list[tuple[str, str]] = field(default_factory=list)  # (column, metric); one metric may sum columns
    stocks: list[tuple[str, str]] = field(default_factory=list)
    unique: list[str] = field(default_factory=list)  # columns left out (see the module's docstring)
    account_column: str = ""
    count_rows_as: str = ""  # e.g. "posts": each row is one
    per_day: bool = False  # one row per day: partial months are noted
    date_formats: list[str] | None = None
    account_from: Callable[[str], str] = str.strip  # the account's name from the account column's value


@dataclass
class _Month:
    flows: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    seen_flows: set[str] = field(default_factory=set)
    stocks: dict[str, tuple[date, float]] = field(default_factory=dict)
    days: set[date] = field(default_factory=set)


def parse_native(text: str, spec: Spec, *, account: str = "", skip_description_row: bool = False) -> Parsed:
    parsed = Parsed()
    rows = csv_rows(text.removeprefix("\ufeff"))
    _, header = next(rows, (0, []))
    columns = header_index(header)
    needed = [spec.date_column] + ([spec.account_column] if spec.account_column and not account else [])
    missing = [name for name in needed if name not in columns]
    if missing:
        raise ImportFileError(f"no column {', '.join(missing)} (the header has {', '.join(header) or 'nothing'})")
    months: dict[tuple[str, str], _Month] = defaultdict(_Month)
    # Messages name columns as the file does.
    flows = [(columns[c], header[columns[c]], m) for c, m in spec.flows if c in columns]
    stocks = [(columns[c], header[columns[c]], m) for c, m in spec.stocks if c in columns]
    first = True
    for line, cells in rows:
        date_text = cell(cells, columns[spec.date_column])
        if first and skip_description_row:
            first = False
            try:
                parse_date(date_text, spec.date_formats)
            except RowError:
                continue  # the legacy export's second row describes each column
        parsed.lines += 1
        try:
            day = parse_date(date_text, spec.date_formats)
            name = account or spec.account_from(cell(cells, columns.get(spec.account_column)))
            if not name:
                raise RowError(f"no {spec.account_column or 'account'}")
            values = [(metric, number(cell(cells, index), column)) for index, column, metric in flows]
            levels = [(metric, number(cell(cells, index), column)) for index, column, metric in stocks]
        except RowError as exc:
            parsed.error(line, str(exc))
            continue
        month = months[(name, month_of(day))]
        month.days.add(day)
        for metric, value in values:
            if value is not None:
                month.flows[metric] += value
                month.seen_flows.add(metric)
        for metric, value in levels:
            if value is not None and (metric not in month.stocks or month.stocks[metric][0] <= day):
                month.stocks[metric] = (day, value)
        if spec.count_rows_as:
            month.flows[spec.count_rows_as] += 1
            month.seen_flows.add(spec.count_rows_as)
    for (name, period), month in sorted(months.items()):
        for metric in sorted(month.seen_flows):
            parsed.rows.append(ObservationRow(period, metric, month.flows[metric], spec.platform, account=name))
        for metric, (_, value) in sorted(month.stocks.items()):
            parsed.rows.append(ObservationRow(period, metric, value, spec.platform, account=name))
        if spec.per_day:
            _note_partial(parsed, period, month.days)
    left_out = [header[columns[c]] for c in spec.unique if c in columns]
    if left_out:
        parsed.note(
            f"Not imported: {', '.join(left_out)}. These count unique people per post or per day, which cannot be "
            "added up into a month's figure; enter the month's figure from the platform's monthly summary."
        )
    if spec.count_rows_as and not spec.per_day:
        parsed.note(
            "Each month's figures are the sum of that month's posts in this file: export whole months, or the "
            "first and last months will be short."
        )
    return parsed


def _note_partial(parsed: Parsed, period: str, days: set[date]) -> None:
    length = days_in_month(period)
    if len(days) < length:
        parsed.note(
            f"{period}: the file has {len(days)} of the month's {length} days, so that month's figures are for "
            "those days only (import a file with the whole month to complete them)."
        )
