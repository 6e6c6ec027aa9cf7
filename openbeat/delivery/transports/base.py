"""One small interface for every delivery channel (healthchecks' transports are the model).

A transport takes built messages for one channel and sends them, reusing its connection across a batch.
`send_batch` yields one `Outcome` per message, in order, as each is done, so the caller can record each
result the moment it is known (a worker killed mid-batch then loses at most the message in flight).
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


class Transport(Protocol):
    channel: str

    def send_batch(self, messages: Iterable[OutgoingEmail] | Iterable[OutgoingSms]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...
