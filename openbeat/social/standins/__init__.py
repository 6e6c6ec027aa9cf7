"""Local stand-ins for the social networks' APIs, for tests, the demo and the benchmark: one small HTTP server per
network speaking the documented subset the connectors use, with an in-memory state and injected faults
(standins/base.py). Nothing here reaches the internet.

    with running_standin("mastodon") as standin:   # an ephemeral port on 127.0.0.1
        connector = MastodonConnector(base_url=standin.base_url, credentials={"access_token": "any"})
        standin.fail_next("rate_limited")

As a process: `python -m openbeat.social.standins mastodon --port 8701` (the control API is under /_standin/), or
`python -m openbeat.social.standins demo` for all four on the demo's fixed ports (DEMO_PORTS), which the demo force's
accounts point at and `make run` (scripts/run.sh) starts beside the web server.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from openbeat.social.standins.base import Fault, Standin, serve

__all__ = [
    "DEMO_HOST",
    "DEMO_PORTS",
    "MODULES",
    "Fault",
    "Standin",
    "demo_base_url",
    "make_standin",
    "running_standin",
    "url_prefix",
]

MODULES = {
    "mastodon": ("openbeat.social.standins.mastodon", "MastodonStandin"),
    "bluesky": ("openbeat.social.standins.bluesky", "BlueskyStandin"),
    "facebook": ("openbeat.social.standins.facebook", "FacebookStandin"),
    "x": ("openbeat.social.standins.x", "XStandin"),
    "instagram": ("openbeat.social.standins.instagram", "InstagramStandin"),
}

# The demo force's accounts (openbeat/demo/social.py) talk to these, started by scripts/run.sh: the one place the
# ports are written down.
DEMO_HOST = "127.0.0.1"
DEMO_PORTS = {"mastodon": 8701, "bluesky": 8702, "facebook": 8703, "x": 8704}


def make_standin(network: str) -> Standin:
    module, name = MODULES[network]
    standin: Standin = getattr(importlib.import_module(module), name)()
    return standin


def url_prefix(network: str) -> str:
    """What follows host:port in the account's base URL (the Graph API's version)."""
    return "/v23.0" if network in ("facebook", "instagram") else ""


def demo_base_url(network: str) -> str:
    """The base URL of `network`'s stand-in on its demo port (what a demo account's base URL is)."""
    return f"http://{DEMO_HOST}:{DEMO_PORTS[network]}{url_prefix(network)}"


@contextmanager
def running_standin(network: str, *, port: int = 0) -> Iterator[Standin]:
    """A stand-in for `network` serving on 127.0.0.1 (an ephemeral port unless given); its `base_url` is what an
    account's base URL should be set to."""
    with serve(make_standin(network), port=port, prefix=url_prefix(network)) as standin:
        yield standin
