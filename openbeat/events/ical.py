"""Events as iCalendar (RFC 5545), built with the `icalendar` library: one event's .ics and the feeds.

Each VEVENT has a stable UID (`<public id>@<site host>`), SEQUENCE from the event (a change or a cancellation
increments it, so calendars replace what they hold), DTSTAMP and LAST-MODIFIED, STATUS CONFIRMED or CANCELLED,
LOCATION and GEO for an in-person event, URL to its page. Times are in Europe/London with its VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from openbeat.alerts.markdown import render_text
from openbeat.core.paths import absolute_url
from openbeat.events.models import Event
from openbeat.events.words import LONDON

CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH = timedelta(hours=6)  # how often subscribed calendars should look again


def site_host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "openbeat.invalid"


def event_uid(event: Event) -> str:
    return f"{event.public_id}@{site_host()}"


def _vevent(event: Event) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now())
    vevent.add("last-modified", event.updated_at)
    vevent.add("created", event.created_at)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    vevent.add("dtstart", event.starts_at.astimezone(LONDON))
    vevent.add("dtend", event.ends_at.astimezone(LONDON))
    vevent.add("categories", [event.get_kind_display()])
    cancelled = event.state == Event.State.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    url = absolute_url(event.get_absolute_url())
    vevent.add("url", url)
    description = []
    if cancelled:
        description.append(f"Cancelled: {event.cancel_reason}")
    if event.description:
        description.append(render_text(event.description))
    if event.online and event.public_online_url:
        description.append(f"Join online: {event.public_online_url}")
    description.append(f"Details: {url}")
    vevent.add("description", "\n\n".join(description))
    if event.in_person and event.address:
        vevent.add("location", ", ".join(line.strip() for line in event.address.splitlines() if line.strip()))
    elif event.online and event.public_online_url:
        vevent.add("location", event.public_online_url)
    if event.in_person and event.has_point:
        vevent.add("geo", (event.lat, event.lon))
    if event.contact_name or event.contact_email:
        contact = ", ".join(filter(None, [event.contact_name, event.contact_email, event.contact_phone]))
        vevent.add("contact", contact)
    return vevent


def london_vtimezone() -> icalendar.Timezone:
    """Europe/London as calendar apps (Outlook, Google) write it: two yearly rules, BST from the last Sunday in
    March, GMT from the last Sunday in October. icalendar's generated one (every transition since 1970 as RDATEs,
    starting with 1970's all-year BST) was read by vobject as +01:00 in winter, so this compact form is used."""
    tz = icalendar.Timezone()
    tz.add("tzid", "Europe/London")
    tz.add("x-lic-location", "Europe/London")
    rules = (
        (icalendar.TimezoneDaylight, datetime(1996, 3, 31, 1), timedelta(0), timedelta(hours=1), "BST", 3),
        (icalendar.TimezoneStandard, datetime(1996, 10, 27, 2), timedelta(hours=1), timedelta(0), "GMT", 10),
    )
    for kind, start, offset_from, offset_to, name, month in rules:
        part = kind()
        part.add("dtstart", start)
        part.add("tzoffsetfrom", offset_from)
        part.add("tzoffsetto", offset_to)
        part.add("tzname", name)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        tz.add_component(part)
    return tz


def calendar_bytes(events: Iterable[Event], *, name: str, description: str = "") -> bytes:
    """A VCALENDAR holding `events`, named `name` in calendar apps."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//OpenBeat//Neighbourhood events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    calendar.add_component(london_vtimezone())
    for event in events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()
