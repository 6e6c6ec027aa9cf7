"""The moderator's console and forms: the owner (same division), another division and outsiders, for every view."""

from __future__ import annotations

import pytest

from openbeat.meetings.models import Meeting, Question
from openbeat.meetings.tests.conftest import make_event, question
from openbeat.priorities.models import Priority
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db


def _views(world, q):
    m = world.meeting.pk
    return {
        "list": ("get", "/admin/meetings/", None),
        "console": ("get", f"/admin/meetings/{m}/", None),
        "edit": ("post", f"/admin/meetings/{m}/edit/", {"agenda": "Hacked", "questions_open": "on"}),
        "record": ("post", f"/admin/meetings/{m}/record/", {"minutes": "Hacked", "held": "on"}),
        "action": ("post", f"/admin/meetings/{m}/actions/new/", {"summary": "Hacked", "publish": "on"}),
        "approve": ("post", f"/admin/meetings/{m}/questions/{q.pk}/approve/", {}),
        "reject": ("post", f"/admin/meetings/{m}/questions/{q.pk}/reject/", {"reason": "No"}),
        "hide": ("post", f"/admin/meetings/{m}/questions/{q.pk}/hide/", {}),
    }


def test_the_owner_approves_answers_and_pins(world):
    q = question(world.meeting, "Parking on the pavement?", state="awaiting")
    client = client_for(world.officer)
    page = client.get(f"/admin/meetings/{world.meeting.pk}/").content.decode()
    assert "Parking on the pavement?" in page
    base = f"/admin/meetings/{world.meeting.pk}/questions/{q.pk}"
    assert client.post(f"{base}/approve/").status_code == 302
    client.post(f"{base}/answer/", {"answer": "We will patrol there."})
    client.post(f"{base}/pin/")
    q.refresh_from_db()
    world.meeting.refresh_from_db()
    assert q.state == Question.State.APPROVED
    assert q.answer == "We will patrol there."
    assert q.answered_at
    assert world.meeting.current_question == q


def test_a_rejection_without_a_reason_shows_the_error_summary(world):
    q = question(world.meeting, state="awaiting")
    response = client_for(world.officer).post(
        f"/admin/meetings/{world.meeting.pk}/questions/{q.pk}/reject/", {"reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#id_reason"' in page
    q.refresh_from_db()
    assert q.state == Question.State.AWAITING


def test_the_owner_records_minutes_and_an_action_keeps_typed_values_on_error(world):
    client = client_for(world.officer)
    response = client.post(
        f"/admin/meetings/{world.meeting.pk}/record/", {"minutes": "Kept text", "attended_in_person": "-3"}
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Kept text" in page
    client.post(
        f"/admin/meetings/{world.meeting.pk}/record/",
        {"minutes": "Met.", "attended_in_person": "23", "attended_online": "140", "held": "on"},
    )
    client.post(f"/admin/meetings/{world.meeting.pk}/actions/new/", {"summary": "Speed checks", "publish": "on"})
    world.meeting.refresh_from_db()
    assert world.meeting.attended_in_person == 23
    assert world.meeting.minutes == "Met."
    assert Priority.objects.get().source_reference.startswith("PACT meeting")


def test_the_owner_sets_up_a_meeting_for_a_pact_event(world):
    event = make_event(world.abbey, title="Next PACT")
    assert client_for(world.officer).post(f"/admin/meetings/event/{event.pk}/setup/").status_code == 302
    assert Meeting.objects.filter(event=event).exists()
    other = make_event(world.castle, title="East PACT")
    assert client_for(world.officer).post(f"/admin/meetings/event/{other.pk}/setup/").status_code == 404


def test_force_wide_staff_moderate_every_division(world):
    q = question(world.meeting, state="awaiting")
    client_for(world.hq).post(f"/admin/meetings/{world.meeting.pk}/questions/{q.pk}/approve/")
    q.refresh_from_db()
    assert q.state == Question.State.APPROVED


def test_only_staff_with_the_permission_edit_word_lists(world, refused):
    assert client_for(world.hq).post("/admin/meetings/words/", {"abusive": "bins", "harm": "knife"}).status_code == 302
    assert refused(client_for(world.officer).get("/admin/meetings/words/"))


@pytest.mark.parametrize("view", ["console", "edit", "record", "action", "approve", "reject", "hide"])
def test_another_division_cannot_reach_any_view(world, refused, view):
    q = question(world.meeting, state="awaiting")
    method, url, data = _views(world, q)[view]
    response = getattr(client_for(world.other), method)(url, data or {})
    assert refused(response)
    q.refresh_from_db()
    world.meeting.refresh_from_db()
    assert q.state == Question.State.AWAITING
    assert world.meeting.minutes == ""
    assert not Priority.objects.exists()


def test_another_divisions_list_does_not_show_the_meeting(world):
    assert world.event.title not in client_for(world.other).get("/admin/meetings/").content.decode()


@pytest.mark.parametrize("who", ["board", "public", None])
@pytest.mark.parametrize("view", ["list", "console", "edit", "record", "action", "approve", "reject", "hide"])
def test_outsiders_are_refused(world, refused, who, view):
    q = question(world.meeting, state="awaiting")
    method, url, data = _views(world, q)[view]
    user = getattr(world, who) if who else None
    response = getattr(client_for(user), method)(url, data or {})
    assert refused(response)
    q.refresh_from_db()
    assert q.state == Question.State.AWAITING
