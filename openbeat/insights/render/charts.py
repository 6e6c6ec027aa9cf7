"""A `structure.Chart` as inline SVG (matplotlib): for the board report and the back-office dashboard.

The SVG is made to sit inside an HTML page under a strict CSP and beside other charts: no scripts, no `<style>`
element or `style=` attributes (presentation attributes instead), ids prefixed per chart so two charts never
share one, and a `<title>`/`<desc>` pair (role="img") that says in words what the chart shows.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
from html import escape
from typing import Any

import matplotlib
from django.core.cache import cache
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from openbeat.insights.render.formatting import format_number
from openbeat.insights.structure import Chart

# Okabe-Ito: told apart with the common colour-vision deficiencies; yellow left out (too pale on white).
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
# Colour is never the only cue (WCAG 1.4.1): each series also has its own marker / hatching.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "..", "xx", "\\\\", "--", "++", "oo"]
DPI = 100
DESC_SERIES_LIMIT = 8
DESC_VALUES_LIMIT = 12

# rcParams are process-wide: one chart at a time so a concurrent render never sees another's settings.
_lock = threading.Lock()
_RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, selectable, read by screen readers and WeasyPrint
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def chart_svg(chart: Chart, *, width: int = 640, height: int = 320, id_prefix: str | None = None) -> str:
    """The chart as an `<svg>` element (no XML declaration), `width` x `height` CSS pixels, scalable."""
    prefix = (
        id_prefix
        or "chart-" + hashlib.sha1(repr((chart, width, height)).encode(), usedforsecurity=False).hexdigest()[:10]
    )
    with _lock, matplotlib.rc_context({**_RC, "svg.hashsalt": prefix}):
        figure = _draw(chart, width=width, height=height)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _clean(buffer.getvalue(), chart=chart, prefix=prefix, width=width, height=height)


# Bump when the drawing changes, so that no chart drawn the old way is served again.
CACHED_CHART_VERSION = 1
CACHED_CHART_SECONDS = 30 * 24 * 3600


def cached_chart_svg(chart: Chart, *, width: int = 640, height: int = 320, id_prefix: str | None = None) -> str:
    """`chart_svg`, kept in the shared cache under a digest of everything drawn: for public pages, whose charts
    change only with their figures (a month's crimes) while the page around them changes often. Drawing costs
    50-100 ms of matplotlib; a page rendered after an unrelated change (a new priority) takes the chart as it was.
    """
    drawn = repr((CACHED_CHART_VERSION, chart, width, height, id_prefix))
    key = "chart-svg:" + hashlib.sha256(drawn.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = chart_svg(chart, width=width, height=height, id_prefix=id_prefix)
        cache.set(key, svg, CACHED_CHART_SECONDS)
    return svg


def chart_description(chart: Chart) -> str:
    """The chart in words, for the SVG's `<desc>`: what a sighted reader takes from it."""
    kind = "Line chart" if chart.kind == "line" else "Bar chart"
    if not _has_figures(chart):
        return f"{kind}: no figures for this period."
    parts = [
        f"{kind} of {len(chart.series)} series over {len(chart.x)} categories, from {chart.x[0]} to {chart.x[-1]}."
    ]
    if chart.y_label:
        parts.append(f"Values: {chart.y_label}.")
    for name, values in chart.series[:DESC_SERIES_LIMIT]:
        pairs = [(label, value) for label, value in zip(chart.x, values, strict=False) if value is not None]
        if not pairs:
            parts.append(f"{name}: no figures.")
        elif len(chart.x) <= DESC_VALUES_LIMIT:
            listed = "; ".join(f"{label} {format_number(value)}" for label, value in pairs)
            parts.append(f"{name}: {listed}.")
        else:
            high = max(pairs, key=lambda pair: pair[1])
            parts.append(
                f"{name}: {format_number(pairs[0][1])} in {pairs[0][0]}, {format_number(pairs[-1][1])} in "
                f"{pairs[-1][0]}, highest {format_number(high[1])} in {high[0]}."
            )
    if len(chart.series) > DESC_SERIES_LIMIT:
        parts.append(f"And {len(chart.series) - DESC_SERIES_LIMIT} more series: see the table.")
    return " ".join(parts)


def _has_figures(chart: Chart) -> bool:
    return bool(chart.x) and any(value is not None for _, values in chart.series for value in values)


def _values(values: list[float | None], length: int) -> list[float]:
    padded = [*values[:length], *([None] * (length - len(values)))]
    return [math.nan if value is None else float(value) for value in padded]


def _draw(chart: Chart, *, width: int, height: int) -> Figure:
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
    if not _has_figures(chart):
        axes.set_axis_off()
        axes.text(0.5, 0.5, "No figures for this period", ha="center", va="center", transform=axes.transAxes)
        return figure
    positions = list(range(len(chart.x)))
    if chart.kind == "line":
        for index, (name, values) in enumerate(chart.series):
            axes.plot(
                positions,
                _values(values, len(positions)),
                label=name,
                color=COLOURS[index % len(COLOURS)],
                marker=MARKERS[index % len(MARKERS)],
                markersize=4,
                linewidth=1.8,
            )
    else:
        count = max(len(chart.series), 1)
        bar_width = 0.8 / count
        for index, (name, values) in enumerate(chart.series):
            offset = (index - (count - 1) / 2) * bar_width
            axes.bar(
                [position + offset for position in positions],
                _values(values, len(positions)),
                width=bar_width,
                label=name,
                color=COLOURS[index % len(COLOURS)],
                hatch=HATCHES[index % len(HATCHES)],
                edgecolor="#ffffff",
                linewidth=0.5,
            )
        axes.axhline(0, color="#0b0c0c", linewidth=0.8)
    axes.set_xticks(positions, chart.x)
    if len(chart.x) > 6 or max(len(label) for label in chart.x) * len(chart.x) > width / 8:
        axes.tick_params(axis="x", labelrotation=45)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value)))
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    axes.set_axisbelow(True)
    if chart.y_label:
        axes.set_ylabel(chart.y_label)
    if len(chart.series) > 1:
        figure.legend(loc="outside lower center", ncols=min(len(chart.series), 4), frameon=False, fontsize=8)
    return figure


_XML_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_STYLE_ELEMENT = re.compile(r"\s*<style[^>]*>.*?</style>", re.DOTALL)
_EMPTY_DEFS = re.compile(r"\s*<defs>\s*</defs>")
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_ID = re.compile(r'\sid="([^"]+)"')
_REFERENCE = re.compile(r'(?:href="#|url\(#)([^")]+)')
_REFERENCE_PREFIX = re.compile(r'(href="#|url\(#)([^")]+)')
_ROOT = re.compile(r'<svg\b[^>]*?viewBox="([^"]+)"[^>]*>')


def _attributes(match: re.Match[str]) -> str:
    """`style="fill: #fff; stroke-width: 0.8"` as presentation attributes, which a strict CSP allows."""
    pairs = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            pairs.append(f' {name.strip()}="{value.strip()}"')
    return "".join(pairs)


def _clean(svg: str, *, chart: Chart, prefix: str, width: int, height: int) -> str:
    svg = _XML_PROLOGUE.sub("", svg)
    svg = _METADATA.sub("", svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _EMPTY_DEFS.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(_attributes, svg)
    referenced = set(_REFERENCE.findall(svg))
    # matplotlib's group ids mean nothing here and would clash between charts: kept (prefixed) only if used.
    svg = _ID.sub(lambda match: f' id="{prefix}-{match[1]}"' if match[1] in referenced else "", svg)
    svg = _REFERENCE_PREFIX.sub(lambda match: f"{match[1]}{prefix}-{match[2]}", svg)
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    view_box = _ROOT.search(svg)
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        f'class="insights-chart" width="{width}" height="{height}" viewBox="{view_box.group(1) if view_box else ""}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" stroke-linejoin="round" stroke-linecap="butt">'
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(chart_description(chart))}</desc>'
    )
    return _ROOT.sub(lambda _match: root, svg, count=1).strip()
