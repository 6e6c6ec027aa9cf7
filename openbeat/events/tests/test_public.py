"""Residents' pages: the list, an event's page and the neighbourhood page's section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.events.models import Event
from openbeat.events.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def test_a_published_event_page_says_when_and_where(client, world):
    event = make_event(neighbourhood=world.abbey)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "PACT meeting at the library" in page
    assert "Abbey Library" in page
    assert "openstreetmap.org/?mlat=54.005" in page
    assert "https://meet.example.org/pact" in page
    assert f"/events/{event.public_id}/event.ics" in page
    assert "webcal://" in page
    assert f"/events/neighbourhood/{world.abbey.code}/calendar.ics" in page
    assert "<strong>matters</strong>" in page  # the description's Markdown


def test_a_draft_is_invisible(client, world):
    draft = make_event(neighbourhood=world.abbey, state="draft", title="Secret plan")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret plan" not in client.get("/events/").content.decode()
    assert "Secret plan" not in client.get(f"/neighbourhoods/{world.abbey.code}/").content.decode()


def test_a_cancelled_event_is_shown_as_cancelled_with_the_reason(client, world):
    event = make_event(neighbourhood=world.abbey, state="cancelled", cancel_reason="The hall is flooded")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "This event is cancelled" in page
    assert "The hall is flooded" in page
    assert "Add to calendar" not in page
    assert "Cancelled" in client.get("/events/").content.decode()


def test_the_list_filters_by_neighbourhood_including_division_and_force_events(client, world):
    make_event(neighbourhood=world.abbey, title="Abbey surgery")
    make_event(neighbourhood=world.castle, title="Castle PACT")
    make_event(division=world.west, title="West open day")
    make_event(force_wide=True, title="Force open day")
    page = client.get("/events/", {"neighbourhood": world.abbey.code}).content.decode()
    assert "Abbey surgery" in page
    assert "West open day" in page
    assert "Force open day" in page
    assert "Castle PACT" not in page


def test_the_list_filters_by_division_kind_and_dates(client, world):
    soon = timezone.now() + timedelta(days=3)
    later = timezone.now() + timedelta(days=40)
    make_event(
        neighbourhood=world.abbey,
        title="Soon stall",
        kind=Event.Kind.STALL,
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )
    make_event(neighbourhood=world.castle, title="Castle PACT")
    make_event(neighbourhood=world.abbey, title="Later PACT", starts_at=later, ends_at=later + timedelta(hours=1))
    assert "Castle PACT" not in client.get("/events/", {"division": world.west.code}).content.decode()
    by_kind = client.get("/events/", {"kind": "stall"}).content.decode()
    assert "Soon stall" in by_kind
    assert "Later PACT" not in by_kind
    to = timezone.localdate() + timedelta(days=10)
    by_date = client.get(
        "/events/", {"date_to_day": to.day, "date_to_month": to.month, "date_to_year": to.year}
    ).content.decode()
    assert "Soon stall" in by_date
    assert "Later PACT" not in by_date


def test_past_events_are_kept(client, world):
    past = timezone.now() - timedelta(days=30)
    make_event(neighbourhood=world.abbey, title="Last month's PACT", starts_at=past, ends_at=past + timedelta(hours=1))
    assert "Last month&#x27;s PACT" not in client.get("/events/").content.decode()
    assert "Last month&#x27;s PACT" in client.get("/events/", {"when": "past"}).content.decode()


def test_the_list_pages(client, world):
    for n in range(25):
        make_event(
            neighbourhood=world.abbey,
            title=f"Surgery {n}",
            starts_at=timezone.now() + timedelta(days=1, hours=n),
            ends_at=timezone.now() + timedelta(days=1, hours=n + 1),
        )
    first = client.get("/events/").content.decode()
    second = client.get("/events/", {"page": 2}).content.decode()
    assert "Surgery 0<" in first
    assert "Surgery 24<" not in first
    assert "Surgery 24<" in second


@pytest.mark.parametrize(
    "query",
    [
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"neighbourhood": "'; DROP TABLE"},
        {"division": "\x00"},
        {"kind": "<script>"},
        {"when": "yesterday"},
        {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2027"},
        {"date_from_day": "x", "date_to_month": "13", "date_to_year": "99999"},
        {
            "date_from_day": "1",
            "date_from_month": "1",
            "date_from_year": "2027",
            "date_to_day": "1",
            "date_to_month": "1",
            "date_to_year": "2020",
        },
    ],
)
def test_bad_parameters_never_fail(client, world, query):
    make_event(neighbourhood=world.abbey)
    assert client.get("/events/", query).status_code == 200


def test_bad_addresses_are_404(client, world):
    assert client.get("/events/not-a-uuid/").status_code == 404
    assert client.get("/events/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/events/00000000-0000-0000-0000-000000000000/event.ics").status_code == 404


def test_the_neighbourhood_page_lists_its_next_events(client, world):
    make_event(neighbourhood=world.abbey, title="Abbey surgery")
    make_event(division=world.west, title="West open day")
    make_event(force_wide=True, title="Force open day")
    make_event(neighbourhood=world.castle, title="Castle PACT")
    past = timezone.now() - timedelta(days=3)
    make_event(neighbourhood=world.abbey, title="Old surgery", starts_at=past, ends_at=past + timedelta(hours=1))
    page = client.get(f"/neighbourhoods/{world.abbey.code}/").content.decode()
    assert "Upcoming events" in page
    assert "Abbey surgery" in page
    assert "West open day" in page
    assert "Force open day" in page
    assert "Castle PACT" not in page
    assert "Old surgery" not in page
    assert f"/events/neighbourhood/{world.abbey.code}/calendar.ics" in page
