"""An alert as an email: ONE renderer for the composer's preview and the messages residents are sent.

`alert_email(...)` renders the force-branded frame (logo, colour, the force's footer text from the back
office) around an alert's title and body, in the resident's language, and returns the subject, the HTML and
the plain-text part. The plain text is generated from that same HTML (`html_to_text`), never written apart,
so the two parts cannot say different things.

The per-recipient links (rating, reply, preferences, unsubscribe, the open pixel, and the survey invitation
when the alert carries one: `survey_title`) are asked of `hrefs`: the
delivery app passes markers it later swaps for each recipient's signed links; the preview passes
placeholders ("#rate1", ...). The body's links are the caller's too (delivery swaps them for click links
before calling this). `content_html` is the part the preview shows inside the back office: the sent HTML is
exactly that inside a document (a <head>, a body, and the open pixel if the force counts opens).

The frame's words are Django translations (openbeat/alerts/locale/<lang>/LC_MESSAGES/django.po), rendered
under `translation.override(language)`; the title and body are the alert's own, written or translated by
the officer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openbeat.alerts.media import EmailAttachment, EmailImage
from openbeat.alerts.models import Priority
from openbeat.core.email_frame import frame_context, frame_language, html_to_text, text_direction
from openbeat.core.models import Force

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
LINK_NAMES = (*(f"rate{n}" for n in RATINGS), "reply", "preferences", "unsubscribe", "pixel", "survey")


@dataclass(frozen=True)
class AlertEmail:
    subject: str
    html: str  # the whole document that is sent
    content_html: str  # the visible email (what the preview shows), exactly as it is inside `html`
    text: str  # generated from content_html


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
    image: EmailImage | None = None,
    attachments: Sequence[EmailAttachment] = (),
    survey_title: str = "",
) -> AlertEmail:
    """The email of an alert. `language`: the frame's (see frame_language); `content_language`: the title's
    and body's when they are not in the frame's language (an alert not translated into it). `image` and
    `attachments`: the alert's picture (with its alt text) and PDF links, as `alerts.media.email_media` gives
    them, the same in every language. `survey_title`: the survey the alert invites its recipients to answer,
    each by their own link (hrefs("survey"); surveys.invitations)."""
    language = frame_language(language)
    level = _priority(priority)
    with translation.override(language):
        context: dict[str, Any] = {
            **frame_context(force, language),
            "content_lang": content_language if content_language and content_language != language else "",
            "content_dir": text_direction(content_language) if content_language else "",
            "title": title,
            "body_html": mark_safe(body_html),
            "priority": str(PRIORITY_WORDS[level]),
            "urgent": level >= Priority.URGENT,
            "topic": topic,
            "link": link_url,
            "link_text": link_text or _("Find out more"),
            "image": image,
            "attachments": list(attachments),
            "ratings": [(hrefs(f"rate{n}"), n, str(RATING_WORDS[n])) for n in RATINGS],
            "reply": hrefs("reply"),
            "preferences": hrefs("preferences"),
            "unsubscribe": hrefs("unsubscribe"),
            "survey_title": survey_title,
            "survey": hrefs("survey") if survey_title else "",
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


def preview_hrefs(name: str) -> str:
    """The preview's stand-ins for a recipient's links (no open pixel)."""
    return "" if name == "pixel" else f"#{name}"


__all__ = ["RATINGS", "RATING_WORDS", "AlertEmail", "alert_email", "frame_language", "html_to_text", "preview_hrefs"]
