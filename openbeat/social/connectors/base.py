"""The interface every social network's connector implements, and the errors they raise.

A connector is built from an account's endpoint (base URL) and its decrypted credentials, and does one network
call per method. It never retries: the posting task decides (retry with backoff, reconnect, give up) from the
error's kind. It never logs credentials or post text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar


class ErrorKind(StrEnum):
    PASSING = "passing"  # a timeout, a 5xx, a dropped connection: retry later with backoff
    RATE_LIMITED = "rate_limited"  # retry after `retry_after` seconds
    REVOKED = "revoked"  # the token expired or was revoked: reconnect the account; staff told; no retry
    REJECTED = "rejected"  # the network refused this post (too long, media rejected, duplicate): no retry
    CREDITS = "credits"  # X's 402: the account's API credits are spent; no retry until topped up
    UNKNOWN_OUTCOME = "unknown_outcome"  # the request may have reached the network: look the post up first


class ConnectorError(Exception):
    """A network's error, said plainly for staff (`message`), with what the task should do (`kind`)."""

    def __init__(self, message: str, *, kind: ErrorKind, retry_after: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retry_after = retry_after
        self.code = code


@dataclass(frozen=True)
class Limits:
    """What a network accepts in one post, declared once per connector (not scattered through the code)."""

    max_chars: int  # counted the network's way (see Connector.length)
    max_bytes: int | None = None  # Bluesky: 3,000 bytes of UTF-8 as well as 300 graphemes
    max_images: int = 4
    image_alt_required: bool = True
    max_alt_chars: int = 1500
    link_chars: int | None = None  # a link counts as this many characters whatever its length (Mastodon, X: 23)
    links_allowed: bool = True


@dataclass(frozen=True)
class Image:
    content: bytes
    mime_type: str
    alt_text: str


@dataclass(frozen=True)
class Outgoing:
    """One post to one account. `idempotency_key` is stored with the post before the first attempt and sent
    unchanged on every retry (Mastodon's Idempotency-Key header; others use it to find the post afterwards)."""

    text: str
    idempotency_key: str
    link: str = ""
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class Posted:
    remote_id: str
    url: str
    posted_at: datetime | None = None


@dataclass(frozen=True)
class PostFigures:
    """A post's results as the network reports them; None where the network does not give the figure."""

    remote_id: str
    impressions: int | None = None
    reactions: int | None = None
    shares: int | None = None
    replies: int | None = None


@dataclass(frozen=True)
class Mention:
    """A reply or mention of the account, for the shared inbox."""

    remote_id: str
    author: str
    text: str
    url: str
    created_at: datetime
    in_reply_to: str = ""  # the remote id of the force's post it answers, if any


@dataclass
class AccountInfo:
    """What 'test connection' shows: the account the credentials reach, and limits read from the server."""

    handle: str
    display_name: str = ""
    followers: int | None = None
    limits: Limits | None = None  # e.g. a Mastodon server's own max_characters
    extra: dict[str, Any] = field(default_factory=dict)


class Connector:
    """One social network. Subclasses set `network`, `label`, `limits` and implement every method."""

    network: ClassVar[str]
    label: ClassVar[str]
    limits: ClassVar[Limits]
    credential_fields: ClassVar[tuple[str, ...]]  # e.g. ("access_token",), shown (never pre-filled) in the form

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials

    def length(self, text: str) -> int:
        """`text`'s length as this network counts it (graphemes, weighted characters, links as fixed width)."""
        raise NotImplementedError

    def account_info(self) -> AccountInfo:
        """Check the credentials ('test connection') and read the server's limits."""
        raise NotImplementedError

    def post(self, outgoing: Outgoing) -> Posted:
        raise NotImplementedError

    def find_post(self, idempotency_key: str, *, since: datetime) -> Posted | None:
        """After an unknown outcome: the post sent with this key, if it reached the network (None if not)."""
        raise NotImplementedError

    def delete(self, remote_id: str) -> None:
        raise NotImplementedError

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        raise NotImplementedError

    def followers(self) -> int:
        raise NotImplementedError

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        raise NotImplementedError
