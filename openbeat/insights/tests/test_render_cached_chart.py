"""Public pages' charts are drawn once per set of figures, whoever renders the page and whatever else changed."""

from __future__ import annotations

import pytest

from openbeat.insights.render import charts
from openbeat.insights.structure import Chart


def trend(values: list[float]) -> Chart:
    return Chart(kind="bar", title="Crimes each month", x=["Jan", "Feb", "Mar"], series=[("Crimes", values)])


@pytest.fixture
def drawings(monkeypatch):
    drawn: list[Chart] = []
    real = charts.chart_svg

    def counting(chart: Chart, **kwargs) -> str:
        drawn.append(chart)
        return real(chart, **kwargs)

    monkeypatch.setattr(charts, "chart_svg", counting)
    return drawn


def test_the_same_figures_are_drawn_once(drawings):
    first = charts.cached_chart_svg(trend([1, 2, 3]), id_prefix="t")
    again = charts.cached_chart_svg(trend([1, 2, 3]), id_prefix="t")

    assert again == first
    assert len(drawings) == 1
    assert "<svg" in first


def test_new_figures_are_drawn_again(drawings):
    before = charts.cached_chart_svg(trend([1, 2, 3]), id_prefix="t")

    after = charts.cached_chart_svg(trend([1, 2, 4]), id_prefix="t")

    assert after != before
    assert len(drawings) == 2


def test_another_size_or_prefix_is_another_drawing(drawings):
    charts.cached_chart_svg(trend([1, 2, 3]), id_prefix="t")
    charts.cached_chart_svg(trend([1, 2, 3]), id_prefix="u")
    charts.cached_chart_svg(trend([1, 2, 3]), id_prefix="t", width=300)

    assert len(drawings) == 3
