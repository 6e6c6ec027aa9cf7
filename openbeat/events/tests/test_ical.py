"""The iCalendar feeds and .ics files: read back with icalendar, and parsed by vobject (an independent parser)."""

from __future__ import annotations

import icalendar
import pytest
import vobject

from openbeat.events.ical import CONTENT_TYPE, event_uid
from openbeat.events.models import Event
from openbeat.events.services import event_cancel, event_publish, event_update
from openbeat.events.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def _vobject_events(body: bytes) -> dict[str, object]:
    calendar = vobject.readOne(body.decode("utf-8"))
    return {vevent.uid.value: vevent for vevent in getattr(calendar, "vevent_list", [])}


@pytest.fixture
def events(world):
    return {
        "abbey": make_event(neighbourhood=world.abbey, title="Abbey surgery", kind=Event.Kind.SURGERY),
        "brook": make_event(neighbourhood=world.brook, title="Brook stall"),
        "west": make_event(division=world.west, title="West division open day"),
        "force": make_event(force_wide=True, title="Force open day", kind=Event.Kind.FORCE),
        "castle": make_event(neighbourhood=world.castle, title="Castle PACT"),
        "draft": make_event(neighbourhood=world.abbey, title="Abbey draft", state="draft"),
    }


def test_a_neighbourhood_feed_has_its_own_its_divisions_and_force_wide_events(client, world, events):
    response = client.get(f"/events/neighbourhood/{world.abbey.code}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    found = _vobject_events(response.content)
    titles = {vevent.summary.value for vevent in found.values()}
    assert titles == {"Abbey surgery", "West division open day", "Force open day"}


def test_a_division_feed_has_its_neighbourhoods_and_force_wide_events(client, world, events):
    found = _vobject_events(client.get(f"/events/division/{world.west.code}/calendar.ics").content)
    titles = {vevent.summary.value for vevent in found.values()}
    assert titles == {"Abbey surgery", "Brook stall", "West division open day", "Force open day"}


def test_the_force_feed_has_every_public_event(client, world, events):
    found = _vobject_events(client.get("/events/calendar.ics").content)
    assert len(found) == 5


def test_the_feed_carries_what_calendars_need(client, world, events):
    body = client.get(f"/events/neighbourhood/{world.abbey.code}/calendar.ics").content
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["X-WR-CALNAME"] == "Abbey police events"
    assert "REFRESH-INTERVAL" in calendar
    assert "X-PUBLISHED-TTL" in calendar
    timezones = list(calendar.walk("VTIMEZONE"))
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/London"]
    event = events["abbey"]
    vevent = next(v for v in calendar.walk("VEVENT") if str(v["UID"]) == event_uid(event))
    assert str(vevent["UID"]) == f"{event.public_id}@127.0.0.1" or str(vevent["UID"]).startswith(str(event.public_id))
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert "DTSTAMP" in vevent
    assert "LAST-MODIFIED" in vevent
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["LOCATION"]) == "Abbey Library, 1 High Street"
    assert vevent["GEO"].latitude == pytest.approx(54.005)
    assert vevent["GEO"].longitude == pytest.approx(-1.995)
    assert str(vevent["URL"]).endswith(f"/events/{event.public_id}/")
    # vobject agrees on the instants, with the VTIMEZONE it read
    parsed = _vobject_events(body)[event_uid(event)]
    assert parsed.dtstart.value == event.starts_at
    assert parsed.dtstart.value.utcoffset() is not None


def test_a_change_bumps_the_sequence_with_the_same_uid_and_a_cancel_says_cancelled(client, world):
    from openbeat.events.services import event_create
    from openbeat.events.tests.conftest import event_values

    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer)
    url = f"/events/{event.public_id}/event.ics"
    first = _vobject_events(client.get(url).content)
    assert list(first) == [event_uid(event)]
    assert first[event_uid(event)].sequence.value == "0"

    event_update(event=event, editor=world.officer, title="PACT meeting (moved upstairs)")
    second = _vobject_events(client.get(url).content)
    assert list(second) == [event_uid(event)]
    assert second[event_uid(event)].sequence.value == "1"
    assert second[event_uid(event)].summary.value == "PACT meeting (moved upstairs)"

    event_cancel(event=event, actor=world.officer, reason="The library is flooded")
    feed = _vobject_events(client.get(f"/events/neighbourhood/{world.abbey.code}/calendar.ics").content)
    cancelled = feed[event_uid(event)]
    assert cancelled.status.value == "CANCELLED"
    assert cancelled.sequence.value == "2"
    assert "The library is flooded" in cancelled.description.value


def test_one_events_ics_is_a_download(client, world, events):
    response = client.get(f"/events/{events['abbey'].public_id}/event.ics")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


def test_a_drafts_ics_does_not_exist(client, world, events):
    assert client.get(f"/events/{events['draft'].public_id}/event.ics").status_code == 404


def test_feeds_answer_conditional_gets(client, world, events):
    url = f"/events/neighbourhood/{world.abbey.code}/calendar.ics"
    response = client.get(url)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    events["abbey"].title = "Abbey surgery (new time)"
    events["abbey"].save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_unknown_areas_are_404(client, world):
    assert client.get("/events/neighbourhood/NOPE/calendar.ics").status_code == 404
    assert client.get("/events/division/nope/calendar.ics").status_code == 404
