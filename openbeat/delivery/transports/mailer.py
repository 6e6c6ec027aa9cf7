"""Alert email through a Django mailer (MAILERS["default"]) when it is not plain SMTP.

- django-anymail backends (an ESP's HTTP API): each message goes through Django's EmailMessage API, the
  provider's message id is kept as the delivery's `provider_id`, and the delivery's id rides along as
  anymail `metadata` ("delivery_id"), so the provider's tracking webhooks (bounces, complaints, delivered)
  can be matched back to the delivery either way.
- Django's file backend (`make run`, MAIL_BACKEND=file: messages written under var/mail/, one file per
  batch) and console backend, for development: nothing leaves the machine.
- The in-memory backend the test runner installs.

One backend connection is opened for a batch and closed at the end, as Django's `send_messages` would.
"""

from __future__ import annotations

import email.policy
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.mail import EmailMultiAlternatives, mailers

from .base import OneAtATime, Outcome, OutgoingEmail, OutgoingSms, TransportError


def is_anymail(backend_path: str) -> bool:
    return backend_path.startswith("anymail.")


def _anymail_error(error: Exception) -> TransportError | None:
    """A TransportError for what anymail raises, or None when it is not an anymail error."""
    from anymail.exceptions import AnymailAPIError, AnymailError, AnymailInvalidAddress, AnymailRecipientsRefused

    if isinstance(error, AnymailInvalidAddress):
        return TransportError("Invalid address", permanent=True, reason="invalid address")
    if isinstance(error, AnymailRecipientsRefused):
        return TransportError("The provider refused the recipient", permanent=True, reason="rejected")
    if isinstance(error, AnymailAPIError):
        # An ESP API error is the provider being unwell or busy (5xx, 429) far more often than the message.
        status = getattr(error, "status_code", None)
        return TransportError(f"Provider API error {status or ''}".strip(), permanent=False, reason="provider error")
    if isinstance(error, AnymailError):
        return TransportError(f"{type(error).__name__}", permanent=False, reason="provider error")
    return None


class _AlertEmail(EmailMultiAlternatives):
    """Headers folded at RFC 5322's 998-character limit instead of 78.

    A signed unsubscribe link is one long word: under the 78-column policies Python RFC 2047-encodes the whole
    `List-Unsubscribe` value (`=?utf-8?q?=3Chttps...`), which mailbox providers do not read as a URL, so their
    one-click unsubscribe button disappears. Nothing in our headers needs encoding (it is all ASCII except the
    subject, which is still encoded as it must be).
    """

    def message(self, *, policy: Any = email.policy.default) -> Any:
        return super().message(policy=(policy or email.policy.default).clone(max_line_length=998))


class MailerTransport(OneAtATime):
    channel = "email"

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def _email(self, message: OutgoingEmail, connection: Any, anymail: bool) -> EmailMultiAlternatives:
        headers = dict(message.headers)
        from_email = headers.pop("From", None)
        reply_to = headers.pop("Reply-To", "")
        email = _AlertEmail(
            subject=message.subject,
            body=message.text,
            from_email=from_email,
            to=[message.to],
            reply_to=[reply_to] if reply_to else None,
            headers=headers,
            connection=connection,
        )
        email.attach_alternative(message.html, "text/html")
        if anymail:
            email.metadata = {"delivery_id": str(message.delivery_id)}  # type: ignore[attr-defined]
        return email

    def send_batch(self, messages: Iterable[OutgoingEmail] | Iterable[OutgoingSms]) -> Iterator[Outcome]:
        emails: Iterable[OutgoingEmail] = messages  # type: ignore[assignment]  # the email channel's transport
        from django.conf import settings

        anymail = is_anymail(settings.MAILERS[self.alias].get("BACKEND", ""))
        connection = mailers[self.alias]
        connection.open()
        try:
            for message in emails:
                email = self._email(message, connection, anymail)
                try:
                    email.send()
                except Exception as error:
                    mapped = _anymail_error(error) if anymail else None
                    if mapped is None:
                        raise
                    yield Outcome(delivery_id=message.delivery_id, ok=False, error=mapped)
                    continue
                status = getattr(email, "anymail_status", None)
                provider_id = str(status.message_id) if status is not None and status.message_id is not None else ""
                yield Outcome(
                    delivery_id=message.delivery_id,
                    ok=True,
                    provider_id=provider_id or message.headers.get("Message-ID", ""),
                )
        finally:
            connection.close()

    def close(self) -> None:
        """Each batch closes its own connection."""
