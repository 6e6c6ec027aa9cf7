"""The board report as JSON: every figure the other formats show, as numbers, for other tools.

The format is documented in docs/board-report-json.md; FORMAT_VERSION changes whenever a field is removed or its
meaning changes (2: comparison, grouping, threshold_pct, tables' `reported`, warnings' `severity`, stocks by
month within the period by default, the 12-month picture's base month and growth table, engagement by month).
"""

from __future__ import annotations

import json
import math
from typing import Any

from openbeat.insights.structure import BoardReport

FORMAT_VERSION = 2


def _finite(value: Any) -> Any:
    """NaN and infinity are not JSON: a figure that cannot be given is null, as everywhere else in the report."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def report_data(report: BoardReport) -> dict[str, Any]:
    return {"format_version": FORMAT_VERSION, **_finite(report.to_json())}


def render_json(report: BoardReport) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False, allow_nan=False)
