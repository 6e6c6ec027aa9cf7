"""The CAP 1.2 `alert` document of one message, built with lxml in the schema's element order.

One `info` block per language the alert was written in: the alert itself (en-GB) and each of its translations,
with the headline and description in that language (a translation's title and text; the instruction from
`UrgentWarning.instructions`, else the English one). Times are CAP's dateTime: seconds, with a numeric offset
("2026-12-07T02:30:00+00:00"; CAP forbids "Z" and fractions of a second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from lxml import etree

from openbeat.alerts.markdown import render_text
from openbeat.alerts.models import Alert
from openbeat.cap.area import CapArea

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
DEFAULT_LANGUAGE = "en-GB"
# Subscriber language codes (settings.SUBSCRIBER_LANGUAGES) to the RFC 3066 tags CAP's `language` takes.
LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy-GB"}


def cap_time(when: datetime) -> str:
    return timezone.localtime(when).replace(microsecond=0).isoformat()


def language_tag(code: str) -> str:
    return LANGUAGE_TAGS.get(code, code)


@dataclass(frozen=True)
class InfoText:
    language: str
    headline: str
    description: str
    instruction: str


@dataclass(frozen=True)
class MessageFields:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    references: str
    note: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    expires: datetime
    sender_name: str
    web: str
    contact: str
    texts: tuple[InfoText, ...]
    area: CapArea
    all_clear: bool = False  # a cancellation: responseType AllClear


def texts_for(
    alert: Alert, *, headline: str, description: str, instruction: str, instructions: dict[str, str]
) -> tuple[InfoText, ...]:
    """The words of each `info`: English from the warning, every other language from the alert's translation."""
    texts = [InfoText(DEFAULT_LANGUAGE, headline, description, instruction)]
    for translation in alert.translations.order_by("language"):
        if language_tag(translation.language) == DEFAULT_LANGUAGE:
            continue
        texts.append(
            InfoText(
                language=language_tag(translation.language),
                headline=translation.title[:160],
                description=render_text(translation.body),
                instruction=(instructions.get(translation.language) or "").strip() or instruction,
            )
        )
    return tuple(texts)


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def build(fields: MessageFields) -> etree._Element:
    """The `alert` element (unsigned)."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", fields.identifier)
    _sub(root, "sender", fields.sender)
    _sub(root, "sent", cap_time(fields.sent))
    _sub(root, "status", fields.status)
    _sub(root, "msgType", fields.msg_type)
    _sub(root, "scope", "Public")
    if fields.note:
        _sub(root, "note", fields.note)
    if fields.references:
        _sub(root, "references", fields.references)
    for text in fields.texts:
        info = _sub(root, "info")
        _sub(info, "language", text.language)
        _sub(info, "category", fields.category)
        _sub(info, "event", fields.event)
        if fields.all_clear:
            _sub(info, "responseType", "AllClear")
        _sub(info, "urgency", fields.urgency)
        _sub(info, "severity", fields.severity)
        _sub(info, "certainty", fields.certainty)
        _sub(info, "expires", cap_time(fields.expires))
        _sub(info, "senderName", fields.sender_name)
        _sub(info, "headline", text.headline)
        _sub(info, "description", text.description)
        _sub(info, "instruction", text.instruction)
        _sub(info, "web", fields.web)
        if fields.contact:
            _sub(info, "contact", fields.contact)
        area = _sub(info, "area")
        _sub(area, "areaDesc", fields.area.description)
        for polygon in fields.area.polygons:
            _sub(area, "polygon", polygon)
    return root


def serialise(root: etree._Element) -> str:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
