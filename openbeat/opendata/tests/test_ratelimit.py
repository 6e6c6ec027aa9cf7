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
