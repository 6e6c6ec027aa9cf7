"""The frame of every email a resident gets (alerts, digests, answers to their replies): the force's
branding and footer in the resident's language, and the plain-text part generated from the HTML.

`frame_context(force, language)` is what the frame templates (`core/email/_header.html`, `_footer.html`,
`resident.html`) need; `html_to_text` turns the rendered HTML into the text part, so the two parts of an
email never say different things. Alerts wrap their own content in it (alerts.emails, the one renderer of
the composer's preview and the sent alert); digests and answers extend `core/email/resident.html`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.utils import translation

from openbeat.core.models import Force
from openbeat.core.paths import absolute_url


def frame_language(code: str) -> str:
    """The language the frame is rendered in: the resident's if it is offered, else English."""
    offered = {language for language, _name in settings.SUBSCRIBER_LANGUAGES}
    return code if code in offered else "en"


def text_direction(code: str) -> str:
    try:
        return "rtl" if translation.get_language_info(code).get("bidi") else "ltr"
    except KeyError:
        return "ltr"


def logo_url(force: Force) -> str:
    """The force's logo as an absolute address (an email is read far from the site), or ''."""
    src = force.logo_src()
    if not src:
        return ""
    return src if src.startswith(("http://", "https://")) else absolute_url(src)


def frame_context(force: Force, language: str) -> dict[str, Any]:
    """What the frame templates need, for `language` as frame_language chose it."""
    return {
        "force": force,
        "lang": language,
        "dir": text_direction(language),
        "logo": logo_url(force),
        "colour": force.primary_colour or "#1d3f72",
        "footer": force.email_footer,
    }


# ------------------------------------------------------------------------------------------------ plain text

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "li", "td"}
_SPACED = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}


class _TextWriter(HTMLParser):
    """HTML to plain text: blocks on their own lines (a blank line after paragraphs, headings and lists),
    list items marked, a link as its words followed by its address (just the address when they are the same),
    images and the <head> left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.links: list[str] = []
        self.lists: list[list[int]] = []  # for each open list, [next number] (0 for bullets)
        self.skip = 0

    def _break(self, blank: bool = False) -> None:
        text = re.sub(r"[ \t\r\f\v]+", " ", "".join(self.line)).strip()
        text = "\n".join(part.strip() for part in text.split("\n"))
        if text:
            self.lines.append(text)
        self.line = []
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script", "title"):
            self.skip += 1
        elif tag in _BLOCKS:
            self._break(blank=tag in _SPACED and not self.lists)
            if tag in ("ul", "ol"):
                self.lists.append([1 if tag == "ol" else 0])
            elif tag == "li" and self.lists:
                number = self.lists[-1][0]
                self.line.append(f"{number}. " if number else "- ")
                if number:
                    self.lists[-1][0] += 1
        elif tag == "br":
            self.line.append("\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
            self.line.append("\x00")  # where the link's words start

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self._break(blank=tag in _SPACED and not self.lists)
        elif tag == "a" and self.links:
            href = self.links.pop()
            joined = "".join(self.line)
            start = joined.rfind("\x00")
            words = " ".join(joined[start + 1 :].split())
            before = joined[:start]
            if not href or href.startswith("#"):
                shown = words
            elif words in ("", href) or (href.startswith(("mailto:", "tel:")) and words in href):
                shown = href
            else:
                shown = f"{words}: {href}"
            self.line = [before, shown]

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.line.append(data)

    def text(self) -> str:
        self._break()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


def html_to_text(markup: str) -> str:
    """The plain-text part of an email, from its HTML."""
    writer = _TextWriter()
    writer.feed(markup)
    writer.close()
    return writer.text()  # the parser has already turned entities into characters
