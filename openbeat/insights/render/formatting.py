"""How a figure is written, the same way in every output (HTML, PDF, chart descriptions)."""

from __future__ import annotations

import math

from openbeat.insights.structure import Format, Value

MISSING = "\u2013"  # an en dash: shown where a figure is missing or cannot be given (a note says why)


def format_value(value: Value, fmt: Format) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if fmt == "text" or isinstance(value, str):
        return str(value)
    if fmt == "int":
        return f"{round(value):,}"
    if fmt == "num1":
        return f"{value:,.1f}"
    return f"{value:,.1f}%"


def format_number(value: float | None) -> str:
    """A chart's figure: whole numbers without decimals, others to one decimal place."""
    if value is None or math.isnan(value):
        return "no figure"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"
