"""Absolute links for a subscriber's messages: to their preferences (a fresh magic link) and to unsubscribe.

The delivery app puts both in every message: `unsubscribe_link` in `List-Unsubscribe` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), since its view accepts a mail client's
one-click POST without a session or CSRF token.
"""

from __future__ import annotations

from django.conf import settings

from openbeat.core.paths import path_for
from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.tokens import make_token


def _absolute(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def _path(name: str, token: str) -> str:
    return path_for(name, token=token)


def preferences_link(subscriber: Subscriber) -> str:
    """Signs the subscriber in to their preferences from a message; works for 60 days (tokens.MAX_AGE), unlike
    the 24-hour link a resident asks for by email."""
    return _absolute(_path("subscriptions:manage_link", make_token("preferences", subscriber)))


def unsubscribe_link(subscriber: Subscriber) -> str:
    """Stops every message in one click; long-lived so that an old message's link still works."""
    return _absolute(_path("subscriptions:unsubscribe", make_token("unsubscribe", subscriber)))
