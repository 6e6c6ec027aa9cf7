"""The safe Markdown subset alert bodies are written in: what it renders, and what it refuses to."""

from __future__ import annotations

import pytest
from django.utils.safestring import SafeString

from openbeat.alerts.markdown import render_html, render_text

BODY = """# Burglary appeal
Two houses on **Mill Lane** were broken into
between *1am and 3am* on Tuesday.

## What to do
- Check your [doorbell camera](https://www.demoshire.police.example/cctv)
- Call 101 or email <mailto:appeals@demoshire.police.example>

1. Lock doors
2. Close windows
"""


def test_the_subset_renders_as_plain_accessible_html():
    html = render_html(BODY)
    assert isinstance(html, SafeString)
    assert "<h2>Burglary appeal</h2>" in html
    assert "<h3>What to do</h3>" in html
    assert "<strong>Mill Lane</strong>" in html
    assert "<em>1am and 3am</em>" in html
    assert "broken into<br>" in html  # a new line typed in the box is a line break
    assert '<a href="https://www.demoshire.police.example/cctv" rel="noopener">doorbell camera</a>' in html
    assert '<a href="mailto:appeals@demoshire.police.example" rel="noopener">' in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert "<h1" not in html


def test_the_highest_heading_becomes_an_h2_and_the_rest_follow():
    assert render_html("# One").strip() == "<h2>One</h2>"
    assert render_html("Two\n===").strip() == "<h2>Two</h2>"
    # Typed as ## and ####: the page's outline still goes h1 (the alert's title), h2, h4.
    assert render_html("## Two\n\n#### Four") == "<h2>Two</h2>\n<h4>Four</h4>\n"
    assert render_html("# One\n\n###### Six") == "<h2>One</h2>\n<h6>Six</h6>\n"


def test_tel_links_are_allowed():
    assert '<a href="tel:101" rel="noopener">call 101</a>' in render_html("[call 101](tel:101)")


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://x" onclick="alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_raw_html_is_escaped(attack):
    html = render_html(f"Hello {attack} there")
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<div" not in html
    assert "<a " not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](java&#x09;script:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        "[click](//evil.example/path)",
        "[click](/relative/path)",
        "[click](file:///etc/passwd)",
    ],
)
def test_only_http_https_mailto_and_tel_links_are_made(link):
    html = render_html(link)
    assert "<a " not in html
    assert "<script" not in html


def test_an_attribute_cannot_be_smuggled_through_a_link():
    html = render_html('[x](https://example.com/"onmouseover="alert(1))')
    assert 'onmouseover="' not in html
    assert "%22onmouseover=%22" in html


def test_images_are_not_loaded():
    html = render_html("![a tracking pixel](https://tracker.example/pixel.gif)")
    assert "<img" not in html


@pytest.mark.parametrize(
    "syntax", ["> quoted", "    indented code", "```\nfenced\n```", "---", "`code`", "| a |\n|---|\n| b |"]
)
def test_syntax_outside_the_subset_stays_text(syntax):
    html = render_html(syntax)
    for tag in ("<blockquote", "<pre", "<code", "<hr", "<table"):
        assert tag not in html


def test_empty_text_renders_nothing():
    assert render_html("") == ""
    assert render_text("") == ""


def test_plain_text_drops_emphasis_and_spells_links_out():
    text = render_text(BODY)
    assert text == (
        "Burglary appeal\n\n"
        "Two houses on Mill Lane were broken into\n"
        "between 1am and 3am on Tuesday.\n\n"
        "What to do\n\n"
        "- Check your doorbell camera (https://www.demoshire.police.example/cctv)\n"
        "- Call 101 or email mailto:appeals@demoshire.police.example\n\n"
        "1. Lock doors\n"
        "2. Close windows"
    )


def test_plain_text_keeps_typed_markup_as_typed_and_drops_refused_links_to_their_text():
    assert render_text("<b>bold?</b> [x](javascript:alert(1))") == "<b>bold?</b> [x](javascript:alert(1))"


def test_plain_text_writes_a_link_whose_text_is_its_address_once():
    assert render_text("<https://example.com/a>") == "https://example.com/a"
    assert render_text("[appeals@demoshire.police.example](mailto:appeals@demoshire.police.example)") == (
        "appeals@demoshire.police.example"
    )
    assert render_text("[Call us](tel:101)") == "Call us (101)"


def test_plain_text_numbers_lists_from_their_start_and_indents_nested_ones():
    assert render_text("3. three\n4. four\n   - a\n   - b") == "3. three\n4. four\n   - a\n   - b"
