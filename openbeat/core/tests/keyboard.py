"""Keyboard helpers for browser tests."""

from __future__ import annotations


def tab_stops(page, limit: int = 80) -> list[str]:
    """What the Tab key reaches on the page, in order, until it comes round again: "tag#id.class" each."""
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => { const e = document.activeElement; if (!e || e === document.body) return null;"
            " return e.tagName.toLowerCase() + '#' + (e.id || '') + '.' + (e.getAttribute('class') || ''); }"
        )
        if here is None or (seen and here == seen[0]):
            break
        seen.append(here)
    return seen
