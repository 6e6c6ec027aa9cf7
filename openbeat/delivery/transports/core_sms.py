"""Alert SMS through the transactional SMS backends (SMS_BACKEND file / console / locmem) for development
and tests: `make run` writes them under var/sms/. Production SMS goes through notify_sms.NotifySmsTransport."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from openbeat.core import sms

from .base import OneAtATime, Outcome, OutgoingEmail, OutgoingSms, TransportError


class CoreSmsTransport(OneAtATime):
    channel = "sms"

    def send_batch(self, messages: Iterable[OutgoingEmail] | Iterable[OutgoingSms]) -> Iterator[Outcome]:
        texts: Iterable[OutgoingSms] = messages  # type: ignore[assignment]  # the sms channel's transport
        backend = sms.get_sms_transport()
        for message in texts:
            try:
                provider_id = backend.send(to=message.to, body=message.body, reference=message.reference)
            except sms.TransportError as error:
                reason = "rejected" if error.permanent else "temporarily unavailable"
                failure = TransportError(error.message, permanent=error.permanent, reason=reason)
                yield Outcome(delivery_id=message.delivery_id, ok=False, error=failure)
                continue
            yield Outcome(delivery_id=message.delivery_id, ok=True, provider_id=str(provider_id or ""))

    def close(self) -> None:
        """Nothing is kept open."""
