"""The renderers, on a hand-made report: every figure in the JSON is shown in the HTML and the workbook."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from openbeat.insights.render import render_report
from openbeat.insights.render.charts import chart_svg
from openbeat.insights.render.formatting import format_value
from openbeat.insights.render.html import render_html
from openbeat.insights.render.json import render_json
from openbeat.insights.render.pdf import PDF_OPTIONS, pdf_document, render_pdf
from openbeat.insights.render.xlsx import render_xlsx, sheet_name
from openbeat.insights.structure import BoardReport, Chart, DataWarning, Section, Table

MONTHS = [f"2025-{month:02d}" for month in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]


def sample_report() -> BoardReport:
    followers = Table(
        key="followers_facebook",
        title="Facebook followers by group",
        columns=["Group", "March 2026", "December 2025", "Change", "Growth"],
        formats=["text", "int", "int", "int", "pct1"],
        rows=[["Northern <North>", 12500, 12000, 500, 4.2], ["Southern & Coast", 8000, 8000, 0, 0.0]],
        totals=["Total", 20500, 20000, 500, 2.5],
        chart=Chart(
            kind="bar",
            title="Facebook followers by group",
            x=["Northern <North>", "Southern & Coast"],
            series=[("March 2026", [12500, 8000]), ("December 2025", [12000, 8000])],
        ),
    )
    website = Table(
        key="website_months",
        title="Website by month",
        columns=["Month", "Sessions", "Users", "Page views"],
        formats=["text", "int", "int", "int"],
        rows=[["2026-01", 1000, 800, 2500], ["2026-02", 1100, None, 2600], ["2026-03", 1200, 900, 2700]],
        totals=["Total", 3300, None, 7800],
        notes=["Users are unique per month and cannot be summed."],
    )
    engagement = Table(
        key="engagement",
        title="Engagement by group",
        columns=["Group", "Reach", "Engagements", "Rate"],
        formats=["text", "int", "int", "pct1"],
        rows=[["Northern <North>", 40000, 1234, 3.1]],
    )
    twelve = Table(
        key="twelve_months",
        title="The last 12 months",
        columns=["Month", "Followers"],
        formats=["text", "int"],
        rows=[[month, 1000 + index * 10] for index, month in enumerate(MONTHS)],
        chart=Chart(kind="line", title="Followers, last 12 months", x=MONTHS, series=[("All", [1000.0] * 12)]),
    )
    return BoardReport(
        force_name="Demoshire Police",
        period_from="2026-01",
        period_to="2026-03",
        compare_from="2025-10",
        compare_to="2025-12",
        generated_at="2026-04-01T06:00:00+00:00",
        sections=[
            Section(key="summary", title="Summary", paragraphs=["Followers grew by 2.5% <in total>."]),
            Section(key="twelve_months", title="12-month picture", tables=[twelve]),
            Section(key="followers", title="Followers", tables=[followers]),
            Section(key="engagement", title="Engagement", tables=[engagement]),
            Section(key="website", title="Website", tables=[website]),
        ],
        warnings=[
            DataWarning(kind="missing_month", message="No followers for @North in February 2026.", account="@North"),
            DataWarning(kind="not_additive", message="Users cannot be summed over months.", metric="users"),
        ],
    )


def html_tables(html: str) -> dict[str, list[list[str]]]:
    """Each report table's body and totals rows, as the text a reader sees."""
    soup = BeautifulSoup(html, "html.parser")
    tables = {}
    for table in soup.select("table[data-key]"):
        rows = table.select("tbody tr:not(.empty)") + table.select("tfoot tr")
        tables[str(table["data-key"])] = [
            [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in rows
        ]
    return tables


def assert_json_matches_html(data: dict, html: str) -> int:
    """Every figure in the JSON's tables appears, formatted, in the same place in the HTML. Returns the count."""
    shown = html_tables(html)
    checked = 0
    for section in data["sections"]:
        for table in section["tables"]:
            expected_rows = [
                *table["rows"],
                *([table["totals"]] if table["totals"] is not None else []),
                *([table["reported"]] if table.get("reported") is not None else []),
            ]
            expected = [
                [format_value(value, fmt) for value, fmt in zip(row, table["formats"], strict=True)]
                for row in expected_rows
            ]
            assert shown[table["key"]] == expected, table["key"]
            checked += sum(len(row) for row in expected)
    return checked


def test_chart_svg_is_accessible_self_contained_and_csp_safe():
    chart = sample_report().table("followers_facebook").chart
    assert chart is not None
    svg = chart_svg(chart, width=500, height=250)

    root = ET.fromstring(svg)  # noqa: S314 (our own output) well-formed XML, an <svg> element first
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert (root.get("role"), root.get("width"), root.get("height")) == ("img", "500", "250")
    title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
    assert title is not None
    assert title.text == "Facebook followers by group"
    assert desc is not None
    assert desc.text is not None
    assert "Northern <North> 12,500; Southern & Coast 8,000" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<script" not in svg
    assert "<style" not in svg
    assert " style=" not in svg
    assert "<?xml" not in svg
    assert "<text" in svg  # text kept as text, not glyph paths


def test_chart_ids_are_unique_prefixed_and_every_reference_resolves():
    report = sample_report()
    bar, line = report.table("followers_facebook").chart, report.table("twelve_months").chart
    assert bar is not None
    assert line is not None
    svgs = [chart_svg(bar, id_prefix="chart-a"), chart_svg(line, id_prefix="chart-b")]

    ids = [found for svg in svgs for found in re.findall(r'\sid="([^"]+)"', svg)]
    assert len(ids) == len(set(ids))
    assert all(found.startswith(("chart-a-", "chart-b-")) for found in ids)
    for svg in svgs:
        references = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
        assert references  # markers, clip paths, hatches: the SVG does use references
        assert references <= set(re.findall(r'\sid="([^"]+)"', svg))


def test_chart_without_figures_says_so():
    svg = chart_svg(Chart(kind="line", title="Nothing", x=["2026-01"], series=[("A", [None])]))
    assert "Line chart: no figures for this period." in svg
    assert "No figures for this period" in svg


def test_long_series_are_described_by_first_last_and_highest():
    months = [f"2024-{month:02d}" for month in range(1, 13)] + ["2025-01"]
    values: list[float | None] = [float(value) for value in range(100, 113)]
    values[5] = 500.0
    svg = chart_svg(Chart(kind="line", title="Long", x=months, series=[("Reach", values)]))
    assert "Reach: 100 in 2024-01, 112 in 2025-01, highest 500 in 2024-06." in svg


def test_html_shows_every_json_figure_escaped_and_standalone():
    report = sample_report()
    html = render_html(report)
    data = json.loads(render_json(report))

    assert assert_json_matches_html(data, html) == 5 * 3 + 4 * 4 + 4 + 2 * 12
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title is not None
    assert "January 2026 to March 2026" in soup.title.get_text()
    assert soup.html is not None
    assert soup.html["lang"] == "en-GB"
    assert "Northern &lt;North&gt;" in html
    assert "Northern <North>" not in html
    # Nothing fetched: no scripts, links, images or external URLs.
    assert not soup.find_all(["script", "link", "img", "iframe"])
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert len(soup.select("figure.chart svg[role=img]")) == 2
    followers = soup.select_one("#table-followers_facebook")
    assert followers is not None
    assert followers.select_one("caption").get_text() == "Facebook followers by group"
    assert [th["scope"] for th in followers.select("thead th")] == ["col"] * 5
    assert followers.select_one("tfoot").get_text(" ", strip=True) == "Total 20,500 20,000 500 2.5%"
    assert "Users are unique per month and cannot be summed." in html
    warnings = soup.select("#table-warnings tbody tr")
    assert [row["data-kind"] for row in warnings] == ["missing_month", "not_additive"]
    assert [a["href"] for a in soup.select("nav.contents a")][-1] == "#section-warnings"


def test_html_without_warnings_says_so():
    report = sample_report()
    report.warnings = []
    assert "No data-quality warnings for this period." in render_html(report)


def test_json_has_every_figure_and_no_nan():
    report = sample_report()
    report.table("engagement").rows[0][3] = float("nan")
    data = json.loads(render_json(report))
    assert data["format_version"] == 2
    assert data["period_from"] == "2026-01"
    tables = {table["key"]: table for section in data["sections"] for table in section["tables"]}
    assert tables["engagement"]["rows"] == [["Northern <North>", 40000, 1234, None]]
    assert tables["followers_facebook"]["totals"] == ["Total", 20500, 20000, 500, 2.5]
    assert [warning["kind"] for warning in data["warnings"]] == ["missing_month", "not_additive"]


def test_xlsx_has_a_sheet_per_table_with_formats_totals_and_warnings():
    report = sample_report()
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))

    assert workbook.sheetnames == [
        "About",
        "twelve_months",
        "followers_facebook",
        "engagement",
        "website_months",
        "Warnings",
    ]
    sheet = workbook["followers_facebook"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = values.index(["Group", "March 2026", "December 2025", "Change", "Growth"])
    assert values[header + 1 :] == [
        ["Northern <North>", 12500, 12000, 500, 4.2],
        ["Southern & Coast", 8000, 8000, 0, 0],
        ["Total", 20500, 20000, 500, 2.5],
    ]
    total_row = header + 4
    assert sheet.cell(row=total_row, column=2).number_format == "#,##0"
    assert sheet.cell(row=total_row, column=5).number_format == '0.0"%"'
    assert sheet.cell(row=total_row, column=1).font.bold
    website = [list(row) for row in workbook["website_months"].iter_rows(values_only=True)]
    assert [cell for cell in website[1] if cell] == ["Users are unique per month and cannot be summed."]
    assert ["Total", 3300, None, 7800] in website
    warnings = list(workbook["Warnings"].iter_rows(values_only=True))
    assert warnings[1][:2] == ("No followers for @North in February 2026.", "missing_month")
    about = dict(row[:2] for row in workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Period"] == "January 2026 to March 2026"


def test_sheet_names_follow_excel_rules():
    taken = {"about"}
    assert sheet_name("followers_facebook", taken) == "followers_facebook"
    long = "x" * 40
    assert sheet_name(long, taken) == "x" * 31
    assert sheet_name(long, taken) == "x" * 29 + "_2"
    assert sheet_name("a/b:c", taken) == "a_b_c"
    assert sheet_name("About", taken) == "About_2"


def page_texts(document) -> list[str]:
    """Each laid-out page's text, margin boxes (running header, page numbers) included."""
    pages = []
    for page in document.pages:
        texts: list[str] = []
        boxes = [page._page_box]
        while boxes:
            box = boxes.pop(0)
            if isinstance(getattr(box, "text", None), str):
                texts.append(box.text)
            boxes[:0] = getattr(box, "children", None) or []
        pages.append(" ".join(texts))
    return pages


def test_pdf_is_a4_with_running_header_page_numbers_and_the_figures():
    report = sample_report()
    document = pdf_document(report)
    pages = page_texts(document)

    assert len(pages) >= 2
    assert all(round(page.width * 0.75) == 595 and round(page.height * 0.75) == 842 for page in document.pages)
    assert [f"Page {number} of {len(pages)}" in text for number, text in enumerate(pages, 1)] == [True] * len(pages)
    # The running header is on every page but the first (which has the title itself).
    header = "Demoshire Police: Strategic Engagement Board report, January 2026 to March 2026"
    assert all(header in text for text in pages[1:])
    everything = " ".join(pages)
    assert "20,500" in everything
    assert "Facebook followers by group" in everything
    assert render_pdf(report).startswith(b"%PDF-")
    assert b"/StructTreeRoot" in document.write_pdf(**PDF_OPTIONS, uncompressed_pdf=True)  # tagged, for screen readers


def test_render_report_dispatches_each_format_and_refuses_others():
    report = sample_report()
    assert render_report(report, "json").startswith(b"{")
    assert render_report(report, "html").startswith(b"<!DOCTYPE html>")
    assert render_report(report, "xlsx").startswith(b"PK")
    with pytest.raises(ValueError, match="unknown format"):
        render_report(report, "docx")
