"""Fixtures for the connector tests: each network's stand-in on an ephemeral port (safe under pytest-xdist), and
a connector pointed at it. Import them into a test module: `from .standin_fixtures import mastodon_standin`."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from openbeat.social.connectors import connector_for
from openbeat.social.connectors.base import Connector, Image
from openbeat.social.standins import Standin, running_standin

CREDENTIALS = {
    "mastodon": {"access_token": "mastodon-secret-token"},
    "bluesky": {"identifier": "openbeat.standin.social", "app_password": "bluesky-app-password"},
    "facebook": {"page_id": "104000000000001", "page_access_token": "facebook-secret-token"},
    "x": {"api_key": "x-key", "api_secret": "x-secret", "access_token": "1-x-token", "access_token_secret": "x-ts"},
    "instagram": {"instagram_account_id": "17841400000000001", "access_token": "instagram-secret-token"},
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


@pytest.fixture
def instagram_standin() -> Iterator[Standin]:
    yield from _standin("instagram")


def jpeg(width: int = 1080, height: int = 1080) -> bytes:
    from PIL import Image as PillowImage

    buffer = io.BytesIO()
    PillowImage.new("RGB", (width, height), (20, 60, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def public_image() -> Iterator[Image]:
    """An image at a public address, as Instagram needs it: a JPEG served over HTTP on an ephemeral port (a real
    server the stand-in fetches from, as Instagram fetches from OpenBeat)."""
    content = jpeg()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Image(
            content=content,
            mime_type="image/jpeg",
            alt_text="Officers at a street surgery",
            url=f"http://127.0.0.1:{server.server_address[1]}/image.jpg",
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
