"""The Atom index of current CAP warnings, as CAP publishers provide it for aggregators to poll.

Each entry is one warning's latest message: its `id` and `link` are the CAP message's address (a new message, a
new entry id, which is how aggregators notice an update), with `cap:` elements carrying what they filter on
without fetching the message, `cap:expires` among them.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from lxml import etree

from openbeat.cap.document import CAP_NS, cap_time
from openbeat.cap.models import CapMessage
from openbeat.cap.selectors import index_messages
from openbeat.core.models import Force
from openbeat.core.paths import absolute_url

ATOM_NS = "http://www.w3.org/2005/Atom"
SUMMARY_LENGTH = 500


def _atom(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _cap(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{CAP_NS}}}{name}").text = text


def _entry(feed: etree._Element, message: CapMessage, author: str) -> None:
    warning = message.warning
    url = absolute_url(message.get_absolute_url())
    entry = _atom(feed, "entry")
    _atom(entry, "id", url)
    title = message.headline
    if message.msg_type == CapMessage.MsgType.CANCEL:
        title = f"Cancelled: {title}"
    _atom(entry, "title", title)
    _atom(entry, "updated", cap_time(message.sent_at))
    _atom(entry, "published", cap_time(warning.created_at))
    _atom(_atom(entry, "author"), "name", author)
    _atom(entry, "link", rel="alternate", type="application/cap+xml", href=url)
    summary = " ".join(warning.description.split())
    _atom(entry, "summary", summary[:SUMMARY_LENGTH])
    _cap(entry, "identifier", message.identifier)
    _cap(entry, "sent", cap_time(message.sent_at))
    _cap(entry, "status", message.status)
    _cap(entry, "msgType", message.msg_type)
    _cap(entry, "event", warning.event)
    _cap(entry, "urgency", warning.urgency)
    _cap(entry, "severity", warning.severity)
    _cap(entry, "certainty", warning.certainty)
    _cap(entry, "expires", cap_time(message.expires_at))


def index_document(now: datetime | None = None) -> bytes:
    """The Atom feed, serialised."""
    now = now or timezone.now()
    force = Force.current()
    messages = index_messages(now)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS, "cap": CAP_NS})
    self_url = absolute_url(reverse("cap:index"))
    _atom(feed, "id", self_url)
    _atom(feed, "title", f"{force.name}: urgent warnings")
    _atom(feed, "subtitle", "Current urgent warnings in the Common Alerting Protocol (CAP 1.2)")
    _atom(feed, "updated", cap_time(messages[0].sent_at if messages else now))
    _atom(_atom(feed, "author"), "name", force.name)
    _atom(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    if force.website:
        _atom(feed, "link", rel="alternate", type="text/html", href=force.website)
    for message in messages:
        _entry(feed, message, force.name)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8")
