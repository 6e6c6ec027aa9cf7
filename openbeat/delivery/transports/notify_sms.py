"""Alerts by SMS through GOV.UK Notify, with the official notifications-python-client.

Settings: NOTIFY_API_KEY, NOTIFY_SMS_TEMPLATE_ID (a template whose whole content is `((body))`, so the text is
built here like the email's) and NOTIFY_BASE_URL (empty: Notify's own). Each message carries the delivery's
token as Notify's `reference`, which Notify echoes in its status callback (views/callbacks.py).

Notify accepting a message (201) only means it is queued: the delivery stays "sending" until the callback
says delivered or failed. How Notify's answers map onto our outcomes:

    400 (number not a UK mobile, template missing, text too long)  -> permanent: trying again cannot help
    401/403 (key refused)                                          -> permanent, as the contract says
    429 (rate or daily limit), 5xx, no connection, a garbled 2xx   -> temporary: retried with backoff

After a 429 or an unreachable Notify the rest of the batch is not tried: every request would fail the same
way, and hammering a rate-limited service only extends the limit. Those messages get a temporary outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from .base import OneAtATime, Outcome, OutgoingEmail, OutgoingSms, TransportError

logger = logging.getLogger(__name__)

# Notify's answers when nothing reached it (requests' connection errors become a bodiless 503 in the client).
NO_ANSWER = 503


class NotifySmsTransport(OneAtATime):
    channel = "sms"

    def __init__(self) -> None:
        self._client: Any = None

    def _connect(self) -> Any:
        # Imported here: the library is only needed where Notify is configured.
        from notifications_python_client.notifications import NotificationsAPIClient

        if self._client is None:
            kwargs = {"base_url": settings.NOTIFY_BASE_URL} if settings.NOTIFY_BASE_URL else {}
            self._client = NotificationsAPIClient(settings.NOTIFY_API_KEY, **kwargs)
        return self._client

    def send_batch(self, messages: Iterable[OutgoingEmail] | Iterable[OutgoingSms]) -> Iterator[Outcome]:
        client = self._connect()
        give_up: TransportError | None = None
        for message in messages:
            assert isinstance(message, OutgoingSms), "NotifySmsTransport sends SMS only"
            if give_up is not None:
                yield Outcome(delivery_id=message.delivery_id, ok=False, error=give_up)
                continue
            try:
                response = client.send_sms_notification(
                    phone_number=message.to,
                    template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                    personalisation={"body": message.body},
                    reference=message.reference,
                )
            except Exception as exception:
                error = notify_error(exception)
                logger.warning("Notify refused delivery %s: %s", message.delivery_id, error.message)
                if not error.permanent and error.reason in ("Notify rate limit", "Notify unreachable"):
                    give_up = TransportError(f"not tried after: {error.message}", reason=error.reason)
                yield Outcome(delivery_id=message.delivery_id, ok=False, error=error)
                continue
            yield Outcome(delivery_id=message.delivery_id, ok=True, provider_id=str(response["id"]))

    def close(self) -> None:
        if self._client is not None:
            self._client.request_session.close()
            self._client = None


def notify_error(exception: Exception) -> TransportError:
    """A TransportError for what the client raised, with a reason staff can group failures by."""
    from notifications_python_client.errors import APIError, InvalidResponse

    if isinstance(exception, InvalidResponse):
        return TransportError(f"Notify's answer was unreadable: {exception}", reason="Notify unreadable answer")
    if not isinstance(exception, APIError):
        # A bug or an unexpected library error: never mark a resident's number bad because of it.
        return TransportError(f"Notify client failed: {exception!r}", reason="Notify client error")
    status = exception.status_code
    detail = _first_message(exception)
    if status == 400:
        invalid_number = detail.startswith("phone_number")
        reason = "invalid number" if invalid_number else "message refused"
        return TransportError(f"Notify 400: {detail}", permanent=True, reason=reason)
    if status in (401, 403):
        return TransportError(f"Notify {status}: {detail}", permanent=True, reason="Notify key refused")
    if status == 429:
        return TransportError(f"Notify 429: {detail}", reason="Notify rate limit")
    if status == NO_ANSWER and exception.response is None:
        return TransportError("Notify could not be reached", reason="Notify unreachable")
    if status >= 500:
        return TransportError(f"Notify {status}: {detail}", reason="Notify unavailable")
    return TransportError(f"Notify {status}: {detail}", reason="Notify error")


def _first_message(error: Any) -> str:
    """Notify's first error message (`{"errors": [{"error": ..., "message": ...}]}`), without the number."""
    message = error.message
    if isinstance(message, list) and message and isinstance(message[0], dict):
        return str(message[0].get("message", ""))[:200]
    return str(message)[:200]
