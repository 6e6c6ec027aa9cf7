"""Google Analytics 4 "Pages and screens" CSV: a block of `#` lines (with `# Start date: 20250101` and
`# End date: 20250131`), then one row per page.

Page views are summed over pages for the file's period, which must lie within one calendar month (GA4 gives
no per-month split, so a file spanning months is refused rather than guessed at). Active users per page cannot
be added up (one person views many pages): users are taken only from a totals row when the file has one (first
cell empty or "Total") and the period is a whole month.
"""

from __future__ import annotations

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
    split_comments,
)

_TOTAL_LABELS = {"", "total", "totals", "grand total"}


def _comment(comments: list[str], name: str) -> str:
    for line in comments:
        label, _, value = line.lstrip("#").partition(":")
        if label.strip().lower() == name:
            return value.strip()
    return ""


def _period(comments: list[str]) -> tuple[date, date]:
    try:
        start = parse_date(_comment(comments, "start date"), ["%Y%m%d", "%Y-%m-%d"])
        end = parse_date(_comment(comments, "end date"), ["%Y%m%d", "%Y-%m-%d"])
    except RowError:
        raise ImportFileError("the '# Start date' and '# End date' lines are missing or not dates") from None
    if (start.year, start.month) != (end.year, end.month) or end < start:
        raise ImportFileError(
            f"the file covers {start} to {end}: GA4 does not split its figures by month, so export one calendar "
            "month at a time"
        )
    return start, end


def parse(text: str, *, account: str = "") -> Parsed:
    parsed = Parsed()
    comments, body = split_comments(text.removeprefix("\ufeff"))
    start, end = _period(comments)
    account = account or _comment(comments, "property") or _comment(comments, "account")
    if not account:
        raise ImportFileError("the file does not name its property: choose the website account it is for")
    rows = csv_rows(body)
    _, header = next(rows, (0, []))
    columns = header_index(header)
    if "views" not in columns:
        raise ImportFileError(f"no column Views (the header has {', '.join(header) or 'nothing'})")
    views_sum, seen, total_views, total_users = 0.0, False, None, None
    for line, cells in rows:
        parsed.lines += 1
        try:
            views = number(cell(cells, columns["views"]), "Views")
            users = number(cell(cells, columns.get("active users")), "Active users")
        except RowError as exc:
            parsed.error(line, str(exc))
            continue
        if cells[0].strip().lower() in _TOTAL_LABELS:
            total_views, total_users = views, users
        elif views is not None:
            views_sum, seen = views_sum + views, True
    period = month_of(start)
    pageviews = total_views if total_views is not None else (views_sum if seen else None)
    if pageviews is not None:
        parsed.rows.append(ObservationRow(period, "pageviews", pageviews, "website", account=account))
    whole = start.day == 1 and end.day == days_in_month(month_of(end))
    if not whole:
        parsed.note(f"{period}: the file covers {start} to {end}, not the whole month: its figures are for those days.")
    if total_users is not None and whole:
        parsed.rows.append(ObservationRow(period, "users", total_users, "website", account=account))
    else:
        parsed.note(
            "Users not imported: active users per page cannot be added up (one person views many pages), and the "
            "file has no totals row for the whole month."
        )
    return parsed
