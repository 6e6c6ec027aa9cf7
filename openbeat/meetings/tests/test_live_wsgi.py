"""A fresh live poll is answered before Django with the middleware's very answer; anything else goes to Django."""

from __future__ import annotations

from typing import Any

import pytest

from openbeat.meetings import live
from openbeat.meetings.live_wsgi import LivePollApp
from openbeat.meetings.tests.conftest import question

pytestmark = pytest.mark.django_db

IGNORED = {"content-length", "x-request-id"}  # a new id per request


def _url(world: Any) -> str:
    return f"/meetings/{world.event.public_id}/live.json"


def _never(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    raise AssertionError("the poll went to Django")


def _django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("299 Django", [])
    return [b"django"]


def _call(app: LivePollApp, path: str, method: str = "GET", **extra: str) -> tuple[str, dict[str, str], bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        **extra,
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.fixture
def fresh(client: Any, world: Any, settings: Any) -> Any:
    settings.MEETINGS_LIVE_CHECK_SECONDS = 60
    question(world.meeting, "Shown?", n=1)
    client.get(_url(world))  # through the view: this process now holds the body fresh
    return client.get(_url(world))  # answered by LivePollMiddleware


def test_a_fresh_poll_is_the_middlewares_answer_without_django(fresh: Any, world: Any) -> None:
    status, headers, body = _call(LivePollApp(_never), _url(world))
    assert status == "200 OK"
    assert body == fresh.content
    expected = {k: v for k, v in fresh.items() if k.lower() not in IGNORED}
    assert {k: v for k, v in headers.items() if k.lower() not in IGNORED} == expected
    assert headers["Content-Length"] == str(len(body))
    assert len(headers["X-Request-ID"]) == 32


def test_a_matching_etag_gets_a_304_without_a_body(fresh: Any, world: Any) -> None:
    status, headers, body = _call(LivePollApp(_never), _url(world), HTTP_IF_NONE_MATCH=fresh["ETag"])
    assert status == "304 Not Modified"
    assert body == b""
    assert headers["ETag"] == fresh["ETag"]


def test_a_head_request_has_no_body(fresh: Any, world: Any) -> None:
    status, headers, body = _call(LivePollApp(_never), _url(world), method="HEAD")
    assert status == "200 OK"
    assert body == b""
    assert headers["Content-Length"] == str(len(fresh.content))


def test_over_https_behind_the_proxy_the_answer_carries_hsts(fresh: Any, world: Any, settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    _, headers, _ = _call(LivePollApp(_never), _url(world), HTTP_X_FORWARDED_PROTO="https")
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    _, plain, _ = _call(LivePollApp(_never), _url(world))
    assert "Strict-Transport-Security" not in plain


def test_the_watcher_is_counted(fresh: Any, world: Any) -> None:
    live.reset_for_tests()  # no watcher counted yet in this process
    assert live.live_body(str(world.event.public_id)) is not None  # the copy fresh again, as after a poll
    _call(LivePollApp(_never), _url(world), HTTP_X_WATCHER="w" * 32)
    assert live.watchers_peak(world.meeting) == 1


def test_a_stale_copy_and_everything_else_go_to_django(fresh: Any, world: Any, settings: Any) -> None:
    app = LivePollApp(_django)
    assert _call(app, _url(world), method="POST")[0] == "299 Django"
    assert _call(app, f"/meetings/{world.event.public_id}/live/")[0] == "299 Django"
    settings.MEETINGS_LIVE_CHECK_SECONDS = 0
    assert _call(app, _url(world))[0] == "299 Django"
