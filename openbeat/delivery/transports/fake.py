"""A transport for tests: records what it is given and fails on cue, without any network.

Selected by `get_transport` when settings.DELIVERY_TRANSPORT_FAKE is True. Failures are driven by the
recipient, so a test sets up an audience and gets the outcomes it wants:

    an address/number containing "perm-fail"  -> permanent failure (reason "mailbox unavailable")
    an address/number containing "temp-fail"  -> temporary failure (reason "temporarily unavailable")
    an address/number containing "tech-fail"  -> an unexpected exception (a bug in a transport)

Tests may also add substrings to `fail_permanent` / `fail_temporary` and must call `reset()` between tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .base import OneAtATime, Outcome, OutgoingEmail, OutgoingSms, TransportError

# Every message successfully "sent", in order, across all FakeTransport instances.
sent: list[OutgoingEmail | OutgoingSms] = []
# Every message given to a transport (sent or failed), in order.
attempted: list[OutgoingEmail | OutgoingSms] = []

fail_permanent: set[str] = {"perm-fail"}
fail_temporary: set[str] = {"temp-fail"}
fail_technical: set[str] = {"tech-fail"}


def reset() -> None:
    sent.clear()
    attempted.clear()
    fail_permanent.clear()
    fail_permanent.add("perm-fail")
    fail_temporary.clear()
    fail_temporary.add("temp-fail")
    fail_technical.clear()
    fail_technical.add("tech-fail")


class FakeTransport(OneAtATime):
    def __init__(self, channel: str = "email") -> None:
        self.channel = channel
        self.closed = False

    def send_batch(self, messages: Iterable[OutgoingEmail] | Iterable[OutgoingSms]) -> Iterator[Outcome]:
        for message in messages:
            attempted.append(message)
            to = message.to
            if any(s in to for s in fail_technical):
                raise RuntimeError("fake transport: unexpected failure")
            if any(s in to for s in fail_permanent):
                error = TransportError("550 mailbox unavailable", permanent=True, reason="mailbox unavailable")
                yield Outcome(delivery_id=message.delivery_id, ok=False, error=error)
            elif any(s in to for s in fail_temporary):
                error = TransportError("451 try again later", permanent=False, reason="temporarily unavailable")
                yield Outcome(delivery_id=message.delivery_id, ok=False, error=error)
            else:
                sent.append(message)
                yield Outcome(delivery_id=message.delivery_id, ok=True, provider_id=f"fake-{message.delivery_id}")

    def close(self) -> None:
        self.closed = True
