"""One small interface for every delivery channel (healthchecks' transports are the model).

A transport takes built messages for one channel and sends them, reusing its connection across a batch.
`send_batch` yields one `Outcome` per message as each is done.

The outbox uses `send_groups` instead, which is how the database is kept level with the transport: it
yields every outcome known when asked, as one list, and the caller records that list before it asks for
the next. Asking again is the acknowledgement: a transport must not let a message be accepted while an
earlier outcome of the same connection is still unacknowledged, so a worker killed mid-batch leaves at
most one accepted, unrecorded message per connection. A transport that sends one message at a time
(`OneAtATime`) meets that by yielding each outcome as its own list and sending nothing until asked again;
the SMTP transport's parallel connections wait for the acknowledgement at the last step before the server
can accept (transports.smtp), and the caller records all of a list in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.reason = reason


@dataclass(frozen=True)
class OutgoingEmail:
    delivery_id: int
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutgoingSms:
    delivery_id: int
    to: str
    body: str
    reference: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    ok: bool
    provider_id: str = ""
    error: TransportError | None = None


Messages = Iterable[OutgoingEmail] | Iterable[OutgoingSms]


class Transport(Protocol):
    channel: str

    def send_batch(self, messages: Messages) -> Iterator[Outcome]: ...

    def send_groups(self, messages: Messages) -> Iterator[list[Outcome]]: ...

    def close(self) -> None: ...


class OneAtATime:
    """`send_groups` for a transport that sends one message at a time: each outcome is a list of its own,
    and the next message is not sent until the caller has asked for the next list (it recorded this one)."""

    def send_batch(self, messages: Messages) -> Iterator[Outcome]:
        raise NotImplementedError

    def send_groups(self, messages: Messages) -> Iterator[list[Outcome]]:
        for outcome in self.send_batch(messages):
            yield [outcome]
