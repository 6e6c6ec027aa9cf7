"""The canonical CSV: `period,channel,account,group,metric,value[,dimension]`, one figure per row.

`period` is `YYYY-MM` (a month) or `YYYY-MM-DD` (a day); `channel` a platform (facebook, x or twitter,
instagram, youtube, website, itk, other); an empty `account` or `TOTAL` is the channel's own total; `group`
may be empty; `value` a number (`-` or empty: no figure, the row is reported, nothing is written). An optional
`neighbourhood` column (a neighbourhood's code) places a figure for the engagement gap map.
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
            if not values["period"]:
                raise RowError("no period")
            if not values["metric"]:
                raise RowError("no metric")
            value = number(values["value"])
            if value is None:
                raise RowError("no value (a missing figure is left out, not taken as zero)")
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
