"""The API through a real HTTP client (urllib) over a live server: answers, a 304 on If-None-Match, the CORS
header, and a 429 after a burst."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from openbeat.opendata import ratelimit

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http:// to the test server)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the test's own server)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_endpoints_answer_over_http(live_server: Any, world: Any) -> None:
    status, headers, body = fetch(f"{live_server.url}/api/lancashire/PR11")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["id"] == "PR11"


def test_a_located_point_over_http(live_server: Any, world: Any) -> None:
    _, _, body = fetch(f"{live_server.url}/api/locate-neighbourhood?q=53.785,-2.725")
    assert json.loads(body) == {"force": "lancashire", "neighbourhood": "PR11"}


def test_a_wrong_force_over_http(live_server: Any, world: Any) -> None:
    status, _, body = fetch(f"{live_server.url}/api/forces/metropolitan")
    assert status == 404
    assert body == b"Not Found"


def test_if_none_match_gets_a_304_over_http(live_server: Any, world: Any) -> None:
    _, headers, _ = fetch(f"{live_server.url}/api/lancashire/PR11/priorities")
    status, _, body = fetch(f"{live_server.url}/api/lancashire/PR11/priorities", **{"If-None-Match": headers["ETag"]})
    assert status == 304
    assert body == b""


def test_the_cors_header_over_http(live_server: Any, world: Any) -> None:
    _, headers, _ = fetch(f"{live_server.url}/api/forces", Origin="https://news.example")
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_a_burst_over_the_limit_gets_a_429_over_http(
    live_server: Any, world: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPENDATA_RATE_EXEMPT = []
    monkeypatch.setattr(ratelimit, "_now", lambda: 2_000_000.5)  # one window, however slow the machine
    statuses = [fetch(f"{live_server.url}/api/forces")[0] for _ in range(31)]
    assert statuses == [200] * 30 + [429]
    status, headers, _ = fetch(f"{live_server.url}/api/forces")
    assert status == 429
    assert int(headers["Retry-After"]) >= 1
