"""Fixtures for the connector tests: each network's stand-in on an ephemeral port (safe under pytest-xdist), and
a connector pointed at it. Import them into a test module: `from .standin_fixtures import mastodon_standin`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from openbeat.social.connectors import connector_for
from openbeat.social.connectors.base import Connector, Image
from openbeat.social.standins import Standin, running_standin

CREDENTIALS = {
    "mastodon": {"access_token": "mastodon-secret-token"},
    "bluesky": {"identifier": "openbeat.standin.social", "app_password": "bluesky-app-password"},
    "facebook": {"page_id": "104000000000001", "page_access_token": "facebook-secret-token"},
    "x": {"api_key": "x-key", "api_secret": "x-secret", "access_token": "1-x-token", "access_token_secret": "x-ts"},
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
IMAGE = Image(content=PNG, mime_type="image/png", alt_text="A police officer at a community meeting")


def connect(network: str, standin: Standin, **credentials: str) -> Connector:
    return connector_for(network)(base_url=standin.base_url, credentials={**CREDENTIALS[network], **credentials})


def a_minute_ago() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


def _standin(network: str) -> Iterator[Standin]:
    with running_standin(network) as standin:
        yield standin


@pytest.fixture
def mastodon_standin() -> Iterator[Standin]:
    yield from _standin("mastodon")


@pytest.fixture
def bluesky_standin() -> Iterator[Standin]:
    yield from _standin("bluesky")


@pytest.fixture
def facebook_standin() -> Iterator[Standin]:
    yield from _standin("facebook")


@pytest.fixture
def x_standin() -> Iterator[Standin]:
    yield from _standin("x")
