"""Absolute links for a subscriber: the emailed sign-in link, and the two links in every message (its
preferences page and one-click unsubscribe).

The delivery app puts `preferences_link` and `unsubscribe_link` in every alert email and digest:
`unsubscribe_link` also in `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`
(RFC 8058), since its view accepts a mail client's one-click POST without a session or CSRF token. Both are
long-lived and travel with a forwarded message, so neither opens a session (see tokens.py).
"""

from __future__ import annotations

from openbeat.core.paths import absolute_url, path_for
from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.tokens import make_token


def _path(name: str, token: str) -> str:
    return path_for(name, token=token)


def sign_in_link(subscriber: Subscriber) -> str:
    """Signs the subscriber in to everything (change, download, delete): only ever emailed to their own address
    when asked for; short-lived and single-use (tokens.max_age("manage"), tokens.sign_in_link_use)."""
    return absolute_url(_path("subscriptions:manage_link", make_token("manage", subscriber)))


def preferences_link(subscriber: Subscriber) -> str:
    """The "change what you get" link in every message: a page that can pause, resume or stop messages, or
    email a fresh sign-in link to the subscriber's own address. It opens no session and shows no personal
    data, so it may live long (tokens.MAX_AGE["preferences"]) and survive being forwarded."""
    return absolute_url(_path("subscriptions:message_options", make_token("preferences", subscriber)))


def unsubscribe_link(subscriber: Subscriber) -> str:
    """Stops every message in one click; long-lived so that an old message's link still works."""
    return absolute_url(_path("subscriptions:unsubscribe", make_token("unsubscribe", subscriber)))
