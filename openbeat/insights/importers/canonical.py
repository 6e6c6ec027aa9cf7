"""The canonical CSV: `period,channel,account,group,metric,value[,dimension]`, one figure per row.

`period` is `YYYY-MM` (a month) or `YYYY-MM-DD` (a day); `channel` a platform (facebook, x or twitter,
instagram, youtube, website, itk, other); an empty `account`, `TOTAL`, `ALL` or `All accounts` is the channel's
own total (so is a `group` of `TOTAL`, `ALL` or `All accounts` with no account); `group` is the group the figure
counts for (one account may count for several) and may be empty; `value` a number (`"37,500"` quoted, or
`37 500`; `-` or empty: no figure, the row is reported, nothing is written). An optional `neighbourhood` column
(a neighbourhood's code) places a figure for the engagement gap map.

A row with more cells than the header is refused, never read by position: an unquoted `37,500` is two cells.
"""

from __future__ import annotations

from openbeat.areas.importers.report import ImportFileError
from openbeat.insights.importers.base import ObservationRow, Parsed, RowError, cell, csv_rows, header_index, number

REQUIRED = ["period", "channel", "account", "metric", "value"]
OPTIONAL = ["group", "dimension", "neighbourhood"]


def parse(text: str, *, account: str = "") -> Parsed:
    parsed = Parsed()
    rows = csv_rows(text.removeprefix("\ufeff"))
    _, header = next(rows, (0, []))
    columns = header_index(header)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(f"no column {', '.join(missing)} (the header has {', '.join(header) or 'nothing'})")
    for line, cells in rows:
        parsed.lines += 1
        values = {name: cell(cells, columns.get(name)) for name in REQUIRED + OPTIONAL}
        try:
            if len(cells) > len(header):
                raise RowError(
                    f"{len(cells)} cells but the header has {len(header)} (a number with a thousands separator "
                    'must be quoted, as "37,500", or written without one)'
                )
            if not values["period"]:
                raise RowError("no period")
            if not values["metric"]:
                raise RowError("no metric")
            if values["dimension"].isdigit() and values["value"].isdigit():
                # "37,500" unquoted with the dimension column empty: 37 and a dimension of "500".
                raise RowError(
                    f"dimension: {values['dimension']!r} is a number (is the value "
                    f"{values['value']},{values['dimension']} with an unquoted thousands separator? Quote it)"
                )
            value = number(values["value"])
            if value is None:
                parsed.missing(line, "no value (a missing figure is left out, not taken as zero)")
                continue
        except RowError as exc:
            parsed.error(line, str(exc))
            continue
        parsed.rows.append(
            ObservationRow(
                period=values["period"],
                metric=values["metric"],
                value=value,
                platform=values["channel"],
                account=values["account"],
                group=values["group"],
                dimension=values["dimension"],
                line=line,
                neighbourhood=values["neighbourhood"],
            )
        )
    return parsed
