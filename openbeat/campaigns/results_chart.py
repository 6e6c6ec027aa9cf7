"""The campaign page's chart: its pages' views per day, as an insights `Chart` (drawn by insights' chart_svg,
which gives it a title and a description in words for screen readers)."""

from __future__ import annotations

from django.utils import dateformat

from openbeat.campaigns.selectors import Results
from openbeat.insights.structure import Chart


def views_chart(results: Results) -> Chart | None:
    """None when the campaign groups no page or its dates hold no day yet."""
    if not results.days or not results.pages:
        return None
    return Chart(
        kind="bar",
        title="Page views per day",
        x=[dateformat.format(day, "j M") for day in results.days],
        series=[("Page views", [float(v) for v in results.views_by_day])],
        y_label="Views",
    )
