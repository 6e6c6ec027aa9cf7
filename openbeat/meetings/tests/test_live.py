"""The live JSON endpoint: ETag and 304, a new version after an answer, one cache read on a hit."""

from __future__ import annotations

import pytest

from openbeat.meetings import live, services
from openbeat.meetings.tests.conftest import question

pytestmark = pytest.mark.django_db


def _url(world):
    return f"/meetings/{world.event.public_id}/live.json"


def test_it_serves_approved_questions_only_with_cache_headers(client, world):
    shown = question(world.meeting, "Shown?", n=1)
    question(world.meeting, "Waiting?", state="awaiting", n=2)
    response = client.get(_url(world))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=2"
    assert response["ETag"]
    data = response.json()
    assert [q["id"] for q in data["questions"]] == [shown.pk]
    assert "stream" not in response.content.decode()


def test_it_answers_304_to_a_matching_etag(client, world):
    etag = client.get(_url(world))["ETag"]
    response = client.get(_url(world), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_an_answer_makes_a_new_version(client, world, django_capture_on_commit_callbacks):
    q = question(world.meeting, n=1)
    etag = client.get(_url(world))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(question=q, actor=world.officer, answer="Next week.")
    response = client.get(_url(world), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["questions"][0]["answer"] == "Next week."


@pytest.mark.parametrize("conditional", [True, False])
def test_a_cache_hit_costs_at_most_one_query(client, world, django_assert_max_num_queries, conditional):
    question(world.meeting, n=1)
    etag = client.get(_url(world))["ETag"]
    headers = {"HTTP_IF_NONE_MATCH": etag} if conditional else {}
    with django_assert_max_num_queries(1):  # the version, from the database cache (none on Redis)
        response = client.get(_url(world), **headers)
    assert response.status_code == (304 if conditional else 200)


def test_another_process_gets_the_body_from_the_shared_cache(client, world, django_assert_max_num_queries):
    question(world.meeting, n=1)
    client.get(_url(world))
    live.reset_for_tests()  # as another process: nothing of its own yet
    with django_assert_max_num_queries(2):
        assert client.get(_url(world)).status_code == 200


def test_unknown_and_draft_meetings_are_404(client, world):
    world.event.state = "draft"
    world.event.save()
    assert client.get(_url(world)).status_code == 404
    assert client.get("/meetings/00000000-0000-0000-0000-000000000000/live.json").status_code == 404
    assert client.post(_url(world)).status_code in (403, 405)


def test_distinct_watchers_make_the_peak(world, monkeypatch):
    key = str(world.event.public_id)
    now = [6000.0]
    monkeypatch.setattr(live.time, "time", lambda: now[0])
    for watcher in ("a", "b", "a", "c"):
        live.watcher_seen(key, watcher)
    now[0] += 60
    live.watcher_seen(key, "a")  # a new minute: the last one's three are counted
    assert live.watchers_peak(world.meeting) == 3


def test_a_poll_within_the_check_interval_is_answered_before_the_rest_of_the_stack(
    client, world, settings, django_assert_num_queries
):
    settings.MEETINGS_LIVE_CHECK_SECONDS = 60
    question(world.meeting, "Shown?", n=1)
    first = client.get(_url(world))  # through the view: reads the version, keeps this process's copy
    with django_assert_num_queries(0):  # no cache read, no session, no database at all
        again = client.get(_url(world), HTTP_X_WATCHER="a" * 32)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert again["X-Content-Type-Options"] == "nosniff"
    assert "sessionid" not in again.cookies
    assert client.get(_url(world), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_another_process_change_is_seen_once_the_check_interval_has_passed(client, world, settings):
    from django.core.cache import cache

    settings.MEETINGS_LIVE_CHECK_SECONDS = 60
    etag = client.get(_url(world))["ETag"]
    # Another process's moderator: the shared version changes, this process's copy does not know yet.
    cache.set(live.VERSION_KEY.format(world.event.public_id), "changed-elsewhere", None)
    assert client.get(_url(world))["ETag"] == etag  # within the interval: this process's copy
    settings.MEETINGS_LIVE_CHECK_SECONDS = 0
    assert client.get(_url(world))["ETag"] == live.etag_for("changed-elsewhere")


def test_a_change_in_this_process_is_served_at_once(client, world, settings, django_capture_on_commit_callbacks):
    settings.MEETINGS_LIVE_CHECK_SECONDS = 60
    q = question(world.meeting, n=1)
    etag = client.get(_url(world))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(question=q, actor=world.officer, answer="Next week.")
    response = client.get(_url(world))
    assert response["ETag"] != etag
    assert response.json()["questions"][0]["answer"] == "Next week."
