"""Residents' pages: asking (errors kept), own questions awaiting approval or rejected, voting, the stream link
for registered residents only, fuzzed input never 500s, rate limits."""

from __future__ import annotations

import pytest
from django.test import Client

from openbeat.meetings import services
from openbeat.meetings.models import Question
from openbeat.meetings.tests.conftest import last_link, question

pytestmark = pytest.mark.django_db


def _base(world):
    return f"/meetings/{world.event.public_id}/"


def _ask_and_confirm(client, world, text="Why is the park gate locked?"):
    client.post(_base(world) + "ask/", {"display_name": "Pat", "text": text, "email": "pat@example.org"})
    link = last_link()
    assert "Confirm" in client.get(link).content.decode()
    return client.post(link)


def test_a_bad_question_shows_the_error_summary_and_keeps_what_was_typed(client, world):
    response = client.post(_base(world) + "ask/", {"display_name": "Pat", "text": "Keep me typed", "email": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_email"' in page
    assert "Keep me typed" in page
    assert 'value="Pat"' in page
    assert not Question.objects.exists()


def test_the_author_alone_sees_their_question_awaiting_approval(client, world):
    response = _ask_and_confirm(client, world)
    assert response.status_code == 302
    assert response["Location"].endswith("#your-questions")
    page = client.get(_base(world)).content.decode()
    assert "Why is the park gate locked?" in page
    assert "Awaiting approval" in page
    assert "Why is the park gate locked?" not in Client().get(_base(world)).content.decode()
    assert Question.objects.get().state == Question.State.AWAITING


def test_an_approved_question_is_public_and_a_rejected_ones_reason_shown_to_its_author(client, world):
    _ask_and_confirm(client, world, "Approve me?")
    # Now verified in this session: the next question needs no link.
    client.post(_base(world) + "ask/", {"display_name": "Pat", "text": "Reject me?"})
    approve, reject = Question.objects.order_by("pk")
    services.question_approve(question=approve, actor=world.officer)
    services.question_reject(question=reject, actor=world.officer, reason="Please ask the council instead")
    public = Client().get(_base(world)).content.decode()
    assert "Approve me?" in public
    assert "Reject me?" not in public
    assert "council instead" not in public
    own = client.get(_base(world)).content.decode()
    assert "Please ask the council instead" in own
    assert "Not published" in own


def test_a_flagged_question_is_never_shown_publicly(client, world):
    _ask_and_confirm(client, world, "My neighbour has a knife and threatened me")
    q = Question.objects.get()
    assert q.state == Question.State.FLAGGED
    assert "knife" not in Client().get(_base(world)).content.decode()
    assert "knife" not in Client().get(_base(world) + "live.json").content.decode()


def test_a_verified_resident_votes_once_in_one_click(client, world):
    _ask_and_confirm(client, world)
    other = question(world.meeting, "Other question?", n=5)
    url = f"{_base(world)}questions/{other.pk}/vote/"
    client.post(url)
    client.post(url)
    assert other.votes.count() == 1
    assert "You voted for this" in client.get(_base(world)).content.decode()


def test_an_unknown_visitor_votes_by_email(world):
    other = question(world.meeting, n=5)
    client = Client()
    url = f"{_base(world)}questions/{other.pk}/vote/"
    response = client.post(url, {"email": "bad"})
    assert response.status_code == 200
    assert 'href="#id_email"' in response.content.decode()
    assert client.post(url, {"email": "v@example.org"}).status_code == 302
    client.post(last_link())
    assert other.votes.count() == 1


def test_the_registered_only_stream_link_is_only_for_registered_residents(client, world):
    world.meeting.stream_url, world.meeting.stream_title = "https://stream.example.org/secret-room", "Live video"
    world.meeting.registered_only = True
    world.meeting.save()
    for path in ("", "live/", "live.json"):
        assert "secret-room" not in Client().get(_base(world) + path).content.decode()
    _ask_and_confirm(client, world)  # verified, but not registered
    assert "secret-room" not in client.get(_base(world)).content.decode()
    client.post(_base(world) + "register/", {"email": "pat@example.org"})
    client.post(last_link())
    assert "secret-room" in client.get(_base(world)).content.decode()
    assert "secret-room" in client.get(_base(world) + "live/").content.decode()


def test_the_event_page_and_calendars_keep_a_registered_only_meetings_online_link_back(world):
    """The event's own pages (events app) publish its online link: not when the meeting is registered-only,
    and they send residents to the meeting's page to take part."""
    world.meeting.event.online_url = "https://meet.example.org/secret-room"
    world.meeting.event.save()
    world.meeting.registered_only = True
    world.meeting.save()
    event_page = Client().get(world.meeting.event.get_absolute_url()).content.decode()
    feed = Client().get(world.meeting.event.get_absolute_url() + "event.ics")
    assert "secret-room" not in event_page
    assert _base(world) in event_page  # "Ask a question, vote, and follow the meeting live"
    assert feed.status_code == 200
    assert "secret-room" not in feed.content.decode()
    world.meeting.registered_only = False
    world.meeting.save()
    assert "secret-room" in Client().get(world.meeting.event.get_absolute_url()).content.decode()


def test_the_stream_link_is_public_when_not_registered_only(world):
    world.meeting.stream_url, world.meeting.stream_title = "https://stream.example.org/open-room", "Live video"
    world.meeting.save()
    assert "open-room" in Client().get(_base(world)).content.decode()


def test_a_used_or_forged_link_is_refused(client, world):
    _ask_and_confirm(client, world)
    assert client.post(last_link()).status_code == 410
    assert client.get("/meetings/confirm/forged:token/").status_code == 400


FUZZ = ["", "\x00", "a" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "\ud800"[:0] + "ß∂ƒ©", "%00", "../../etc"]


@pytest.mark.parametrize("value", FUZZ)
def test_fuzzed_input_never_fails(world, value):
    client = Client()
    q = question(world.meeting, n=9)
    base = _base(world)
    for url, data in (
        (base + "ask/", {"display_name": value, "text": value, "email": value}),
        (base + "register/", {"email": value}),
        (f"{base}questions/{q.pk}/vote/", {"email": value}),
        (f"/meetings/confirm/{value or 'x'}/", {}),
    ):
        assert client.post(url, data).status_code < 500
    assert client.get(base + "live.json", HTTP_IF_NONE_MATCH=value, HTTP_X_WATCHER=value).status_code < 500
    assert client.get(f"{base}questions/99999/vote/").status_code == 404


def test_question_submission_is_rate_limited_per_client(world):
    client = Client()
    data = {"display_name": "Pat", "text": "Q?", "email": "x"}
    codes = [client.post(_base(world) + "ask/", data, REMOTE_ADDR="203.0.113.9").status_code for _ in range(11)]
    assert codes[-1] == 429
    assert codes[0] == 200
    other = {**data, "email": "y"}
    assert Client().post(_base(world) + "ask/", other, REMOTE_ADDR="203.0.113.10").status_code == 200


def test_votes_are_rate_limited(world):
    q = question(world.meeting, n=1)
    client = Client()
    codes = [client.post(f"{_base(world)}questions/{q.pk}/vote/", {"email": "x"}).status_code for _ in range(61)]
    assert codes[-1] == 429
