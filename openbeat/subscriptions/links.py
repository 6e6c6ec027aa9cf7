"""Absolute links for a subscriber's messages: to their preferences (a fresh magic link) and to unsubscribe.

The delivery app puts both in every message: `unsubscribe_link` in `List-Unsubscribe` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), since its view accepts a mail client's
one-click POST without a session or CSRF token.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import reverse

from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.tokens import make_token


def _absolute(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


_TOKEN = "token-placeholder"  # noqa: S105  # a marker in a URL path, not a secret


@functools.cache
def _route(name: str) -> str:
    """The path with a placeholder token, reversed once per process: every alert message carries both links,
    and reverse() for each was a noticeable share of building a message (benchmarks/fanout.py)."""
    return reverse(name, kwargs={"token": _TOKEN})


def _path(name: str, token: str) -> str:
    return _route(name).replace(_TOKEN, token)


def preferences_link(subscriber: Subscriber) -> str:
    """Signs the subscriber in to their preferences from a message; works for 60 days (tokens.MAX_AGE), unlike
    the 24-hour link a resident asks for by email."""
    return _absolute(_path("subscriptions:manage_link", make_token("preferences", subscriber)))


def unsubscribe_link(subscriber: Subscriber) -> str:
    """Stops every message in one click; long-lived so that an old message's link still works."""
    return _absolute(_path("subscriptions:unsubscribe", make_token("unsubscribe", subscriber)))
