"""A resident's session on their preferences: no passwords, only a magic link that signs them in for a while.

`subscriber_sign_in(request, subscriber)` after a valid link; `current_subscriber(request)` in every
preferences view (None when signed out, expired, or the subscriber is gone).
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from openbeat.subscriptions.models import Subscriber

SESSION_KEY = "itk_subscriber"
SESSION_SECONDS = 60 * 60


def subscriber_sign_in(request: HttpRequest, subscriber: Subscriber) -> None:
    # A fresh session key, so a link opened on a shared machine cannot ride an earlier session.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"id": subscriber.pk, "until": time.time() + SESSION_SECONDS}


def subscriber_sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def current_subscriber(request: HttpRequest, *, include_unsubscribed: bool = False) -> Subscriber | None:
    """The signed-in subscriber. People who have unsubscribed are let in only where asked for (the preferences
    pages, so they can still download or delete their data and subscribe again)."""
    data = request.session.get(SESSION_KEY)
    if not data or data.get("until", 0) < time.time():
        return None
    subscribers = Subscriber.objects.select_related("home_neighbourhood")
    if not include_unsubscribed:
        subscribers = subscribers.exclude(status=Subscriber.Status.UNSUBSCRIBED)
    subscriber = subscribers.filter(pk=data.get("id")).first()
    if subscriber is None and not Subscriber.objects.filter(pk=data.get("id")).exists():
        subscriber_sign_out(request)
    return subscriber
