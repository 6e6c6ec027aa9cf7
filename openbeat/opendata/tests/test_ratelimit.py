"""data.police.uk's rate limit: bursts of 30 pass, the 31st is a 429 with Retry-After, per real client address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from openbeat.opendata import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limited(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.OPENDATA_RATE_EXEMPT = []
    settings.OPENDATA_RATE_PER_SECOND = 15
    settings.OPENDATA_RATE_BURST = 30
    # One instant: every request falls in the same window, however slow the machine.
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_000_000.5)


def burst(api: Client, n: int, **headers: Any) -> list[int]:
    return [api.get("/api/forces", **headers).status_code for _ in range(n)]


def test_a_burst_of_30_passes(api: Client, world: Any) -> None:
    assert burst(api, 30) == [200] * 30


def test_the_31st_is_refused_with_retry_after(api: Client, world: Any) -> None:
    burst(api, 30)
    refused = api.get("/api/forces")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "2"
    assert b"429 Too Many Requests" in refused.content


def test_answers_from_memory_and_304s_count_too(api: Client, world: Any) -> None:
    etag = api.get("/api/forces")["ETag"]
    assert burst(api, 29, HTTP_IF_NONE_MATCH=etag) == [304] * 29
    assert api.get("/api/forces").status_code == 429


def test_the_limit_is_per_second_on_average(api: Client, world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    burst(api, 31)
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_000_002.5)  # the next 2-second window
    assert api.get("/api/forces").status_code == 200


def test_clients_behind_the_proxy_count_separately(api: Client, world: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert burst(api, 30, HTTP_X_FORWARDED_FOR="198.51.100.1") == [200] * 30
    assert api.get("/api/forces", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert api.get("/api/forces", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_a_forwarded_header_from_an_untrusted_peer_changes_nothing(api: Client, world: Any) -> None:
    burst(api, 30, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert api.get("/api/forces", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_exempt_networks_are_never_limited(api: Client, world: Any, settings: Any) -> None:
    settings.OPENDATA_RATE_EXEMPT = ["127.0.0.0/8"]
    assert burst(api, 40) == [200] * 40


def test_the_settings_change_the_limit(api: Client, world: Any, settings: Any) -> None:
    settings.OPENDATA_RATE_BURST = 5
    assert burst(api, 6) == [200] * 5 + [429]


class _Process:
    """Another gunicorn worker: its own leases, the same shared cache."""

    def __init__(self) -> None:
        self.leases = ratelimit._Leases()


def _request(process: _Process, api: Client, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(ratelimit, "_leases", process.leases)
    return api.get("/api/forces").status_code


def test_processes_sharing_a_client_never_let_through_more_than_the_burst(
    api: Client, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = _Process(), _Process()
    statuses = [_request(one if n % 2 else two, api, monkeypatch) for n in range(60)]
    assert statuses.count(200) == 30


def test_a_client_that_leaves_a_process_loses_only_its_lease(
    api: Client, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = _Process(), _Process()
    _request(one, api, monkeypatch)  # one leases a few tokens and spends one
    statuses = [_request(two, api, monkeypatch) for _ in range(40)]
    assert 30 - ratelimit.LEASE_MAX <= statuses.count(200) < 30
    assert statuses[-1] == 429


def test_a_spent_window_asks_the_cache_no_more(api: Client, world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    count = ratelimit._count
    monkeypatch.setattr(ratelimit, "_count", lambda *args: calls.append(args) or count(*args))
    burst(api, 31)
    asked = len(calls)
    assert burst(api, 10) == [429] * 10
    assert len(calls) == asked


def test_far_from_the_limit_tokens_are_leased_many_at_a_time(
    api: Client, world: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPENDATA_RATE_BURST = 1_000_000
    settings.OPENDATA_RATE_PER_SECOND = 1_000_000
    calls = []
    count = ratelimit._count
    monkeypatch.setattr(ratelimit, "_count", lambda *args: calls.append(args) or count(*args))
    assert burst(api, 160) == [200] * 160
    assert len(calls) == 160 // ratelimit.LEASE_MAX
