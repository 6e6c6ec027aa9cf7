"""What the board report knows of Citizens in Policing, offered through core.metric_sources (insights never reads
this app's tables).

- A metric source, "volunteers": per division and month, the headcount of each role at the month's end (stock,
  under the catalogue's slugs: special_constables, volunteers, cadets; and mini_police, which the catalogue
  lacks), and joiners and leavers (flows, one figure per role as the dimension "role:<code>").
- A report section, "Citizens in Policing: volunteers": headcount per role at the start and end of the period,
  joiners, leavers, change and growth; for the force's report also each division's headcount at the end, and a
  chart of the headcount month by month. These are counts of people, never a person, so nothing is suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openbeat.areas.models import Division
from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_of, month_shift, month_start, months_between
from openbeat.volunteers.models import Role, VolunteerCount
from openbeat.volunteers.selectors import growth, headcounts_by_division, monthly_totals

# The insights catalogue's slugs for the roles it already knows; mini police is new (a stock too).
METRIC_FOR_ROLE: dict[str, str] = {
    Role.SPECIAL_CONSTABLE: "special_constables",
    Role.POLICE_SUPPORT_VOLUNTEER: "volunteers",
    Role.CADET: "cadets",
    Role.MINI_POLICE: "mini_police",
}
LABELS = {
    "special_constables": "Special constables",
    "volunteers": "Police support volunteers",
    "cadets": "Police cadets",
    "mini_police": "Mini police",
    "volunteer_joiners": "Citizens in Policing joiners",
    "volunteer_leavers": "Citizens in Policing leavers",
}
GROWTH_COLUMNS = ["Role", "", "", "Joiners", "Leavers", "Change", "Growth %"]
GROWTH_FORMATS = ["text", "int", "int", "int", "int", "int", "pct1"]


def volunteer_figures(*, first_month: str, last_month: str) -> Iterable[Figure]:
    rows = VolunteerCount.objects.filter(
        month__gte=month_start(first_month), month__lte=month_start(last_month)
    ).values_list("division__code", "month", "role", "headcount", "joiners", "leavers")
    for code, month_date, role, headcount, joiners, leavers in rows.iterator():
        month, metric = month_of(month_date), METRIC_FOR_ROLE[role]
        yield Figure(metric, month, float(headcount), aggregation="stock", division=code, label=LABELS[metric])
        dimension = f"role:{role}"
        yield Figure("volunteer_joiners", month, float(joiners), division=code, dimension=dimension,
                     label=LABELS["volunteer_joiners"])  # fmt: skip
        yield Figure("volunteer_leavers", month, float(leavers), division=code, dimension=dimension,
                     label=LABELS["volunteer_leavers"])  # fmt: skip


def _total(values: Iterable[Any]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def citizens_section(*, first_month: str, last_month: str, division_code: str | None = None) -> dict[str, Any] | None:
    before = month_shift(first_month, -1)
    rows_growth = growth(first_month=first_month, last_month=last_month, division_code=division_code)
    if all(g.opening is None and g.closing is None and not g.joiners and not g.leavers for g in rows_growth):
        return None
    rows = [[g.label, g.opening, g.closing, g.joiners, g.leavers, g.change, g.growth_pct] for g in rows_growth]
    opening, closing = _total(r[1] for r in rows), _total(r[2] for r in rows)
    like_for_like = all((r[1] is None) == (r[2] is None) for r in rows)
    change = closing - opening if opening is not None and closing is not None and like_for_like else None
    totals = ["Total", opening, closing, sum(g.joiners for g in rows_growth), sum(g.leavers for g in rows_growth),
              change, round(change / opening * 100, 1) if change is not None and opening else None]  # fmt: skip
    notes = [
        "Headcounts at the end of each month; joiners and leavers over the period's months. Counts only: no "
        "individual is shown.",
    ]
    missing = [g.label for g in rows_growth if (g.opening is None) != (g.closing is None)]
    if missing:
        notes.append(f"No change is given for {', '.join(missing)}: a figure for {before} or {last_month} is missing.")
    months = months_between(first_month, last_month)
    totals_by_month = monthly_totals(first_month=first_month, last_month=last_month, division_code=division_code)
    chart = {
        "kind": "line",
        "title": "Headcount at the end of each month, by role",
        "x": months,
        "series": [
            [str(label), [float(totals_by_month[role][m].headcount) if m in totals_by_month.get(role, {}) else None
                          for m in months]]
            for role, label in Role.choices
            if role in totals_by_month
        ],
        "y_label": "People",
    }  # fmt: skip
    tables: list[dict[str, Any]] = [
        {
            "key": "cip_growth",
            "title": "Citizens in Policing: headcount, joiners and leavers",
            "columns": ["Role", f"At end of {before}", f"At end of {last_month}", *GROWTH_COLUMNS[3:]],
            "formats": GROWTH_FORMATS,
            "rows": rows,
            "totals": totals,
            "notes": notes,
            "chart": chart if len(months) > 1 else None,
        }
    ]
    if division_code is None:
        tables.append(_by_division(last_month))
    scope = "the division" if division_code else "the force"
    return {
        "key": "citizens_in_policing_counts",
        "title": "Citizens in Policing: volunteers",
        # Shown inside the report's own Citizens in Policing section, whose measures table then leaves these out.
        "part_of": "citizens_in_policing",
        "covers": [m for m in METRIC_FOR_ROLE.values() if m != "mini_police"],
        "paragraphs": [
            f"Special constables, police support volunteers, cadets and mini police in {scope}, from the "
            "counts entered or imported each month in the back office."
        ],
        "tables": tables,
    }


def _by_division(month: str) -> dict[str, Any]:
    found = headcounts_by_division(month=month)
    rows = []
    for division in Division.objects.order_by("name"):
        counts = found.get(division.code, {})
        values = [counts.get(role) for role in Role.values]
        if any(v is not None for v in values):
            rows.append([division.name, *values, _total(values)])
    totals = ["Total", *[_total(r[i] for r in rows) for i in range(1, 6)]] if len(rows) > 1 else None
    return {
        "key": "cip_divisions",
        "title": f"Citizens in Policing by division, end of {month}",
        "columns": ["Division", *[str(label) for _, label in Role.choices], "All roles"],
        "formats": ["text", "int", "int", "int", "int", "int"],
        "rows": rows,
        "totals": totals,
        "notes": [] if rows else [f"No counts for {month}."],
    }
