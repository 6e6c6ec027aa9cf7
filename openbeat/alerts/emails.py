"""An alert as an email: ONE renderer for the composer's preview and the messages residents are sent.

`alert_email(...)` renders the force-branded frame (logo, colour, the force's footer text from the back
office) around an alert's title and body, in the resident's language, and returns the subject, the HTML and
the plain-text part. The plain text is generated from that same HTML (`html_to_text`), never written apart,
so the two parts cannot say different things.

The per-recipient links (rating, reply, preferences, unsubscribe, the open pixel) are asked of `hrefs`: the
delivery app passes markers it later swaps for each recipient's signed links; the preview passes
placeholders ("#rate1", ...). The body's links are the caller's too (delivery swaps them for click links
before calling this). `content_html` is the part the preview shows inside the back office: the sent HTML is
exactly that inside a document (a <head>, a body, and the open pixel if the force counts opens).

The frame's words are Django translations (openbeat/alerts/locale/<lang>/LC_MESSAGES/django.po), rendered
under `translation.override(language)`; the title and body are the alert's own, written or translated by
the officer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openbeat.alerts.models import Priority
from openbeat.core.models import Force
from openbeat.core.paths import absolute_url

RATINGS = (1, 2, 3, 4, 5)
# The "Was this useful?" answers, in words: a number alone says nothing to a screen reader user.
RATING_WORDS = {
    1: _("Not useful"),
    2: _("A little useful"),
    3: _("Quite useful"),
    4: _("Useful"),
    5: _("Very useful"),
}
PRIORITY_WORDS = {
    Priority.INFORMATION: pgettext_lazy("alert priority", "Information"),
    Priority.NORMAL: pgettext_lazy("alert priority", "Normal"),
    Priority.URGENT: pgettext_lazy("alert priority", "Urgent"),
    Priority.EMERGENCY: pgettext_lazy("alert priority", "Emergency"),
}
# The names a caller's `hrefs` is asked for.
LINK_NAMES = (*(f"rate{n}" for n in RATINGS), "reply", "preferences", "unsubscribe", "pixel")


@dataclass(frozen=True)
class AlertEmail:
    subject: str
    html: str  # the whole document that is sent
    content_html: str  # the visible email (what the preview shows), exactly as it is inside `html`
    text: str  # generated from content_html


def frame_language(code: str) -> str:
    """The language the frame is rendered in: the resident's if it is offered, else English."""
    offered = {language for language, _name in settings.SUBSCRIBER_LANGUAGES}
    return code if code in offered else "en"


def _direction(code: str) -> str:
    try:
        return "rtl" if translation.get_language_info(code).get("bidi") else "ltr"
    except KeyError:
        return "ltr"


def _priority(priority: int) -> Priority:
    return Priority(priority) if priority in Priority.values else Priority.NORMAL


def alert_email(
    *,
    force: Force,
    language: str,
    title: str,
    body_html: str,
    priority: int,
    topic: str,
    link_url: str,
    link_text: str,
    hrefs: Callable[[str], str],
    content_language: str = "",
) -> AlertEmail:
    """The email of an alert. `language`: the frame's (see frame_language); `content_language`: the title's
    and body's when they are not in the frame's language (an alert not translated into it)."""
    language = frame_language(language)
    level = _priority(priority)
    with translation.override(language):
        context: dict[str, Any] = {
            "force": force,
            "lang": language,
            "dir": _direction(language),
            "content_lang": content_language if content_language and content_language != language else "",
            "content_dir": _direction(content_language) if content_language else "",
            "logo": _logo(force),
            "colour": force.primary_colour or "#1d3f72",
            "footer": force.email_footer,
            "title": title,
            "body_html": mark_safe(body_html),
            "priority": str(PRIORITY_WORDS[level]),
            "urgent": level >= Priority.URGENT,
            "topic": topic,
            "link": link_url,
            "link_text": link_text or _("Find out more"),
            "ratings": [(hrefs(f"rate{n}"), n, str(RATING_WORDS[n])) for n in RATINGS],
            "reply": hrefs("reply"),
            "preferences": hrefs("preferences"),
            "unsubscribe": hrefs("unsubscribe"),
        }
        content = render_to_string("alerts/email/alert_content.html", context).strip()
        document = render_to_string(
            "alerts/email/document.html",
            {**context, "content": mark_safe(content), "pixel": hrefs("pixel")},
        )
        label = str(PRIORITY_WORDS[level])
    subject = f"{label}: {title}" if level >= Priority.URGENT else title
    return AlertEmail(
        subject=" ".join(subject.split()),
        html=document,
        content_html=content,
        text=html_to_text(content),
    )


def _logo(force: Force) -> str:
    src = force.logo_src()
    if not src:
        return ""
    return src if src.startswith(("http://", "https://")) else absolute_url(src)


def preview_hrefs(name: str) -> str:
    """The preview's stand-ins for a recipient's links (no open pixel)."""
    return "" if name == "pixel" else f"#{name}"


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
