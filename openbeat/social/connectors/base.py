"""The interface every social network's connector implements, and the errors they raise.

A connector is built from an account's endpoint (base URL) and its decrypted credentials, and does one network
call per method. It never retries: the posting task decides (retry with backoff, reconnect, give up) from the
error's kind. It never logs credentials or post text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
    links_clickable: bool = True  # Instagram: a link in a caption is plain text (the composer says so)
    needs_image: bool = False  # Instagram: no text-only posts (the composer refuses a post without an image)
    max_hashtags: int | None = None  # Instagram: 30


@dataclass(frozen=True)
class Image:
    content: bytes
    mime_type: str
    alt_text: str
    # A public address the network can fetch the image from, for networks that take no upload (Instagram): a
    # signed link that expires (social.images); empty where none was made.
    url: str = ""


@dataclass(frozen=True)
class Outgoing:
    """One post to one account. `idempotency_key` is stored with the post before the first attempt and sent
    unchanged on every retry (Mastodon's Idempotency-Key header; others use it to find the post afterwards).

    `in_reply_to`: the remote id of a message in the shared inbox (a Mention's `remote_id`) that this answers, as
    a reply in its thread (Mastodon's in_reply_to_id, Bluesky's reply refs, a comment on a Facebook comment, X's
    in_reply_to_tweet_id). The network's limits apply to a reply as to a post."""

    text: str
    idempotency_key: str
    link: str = ""
    images: tuple[Image, ...] = ()
    # The network's own handle for this post from an earlier attempt (Instagram's media container id), and where
    # the connector hands a new one to be stored before the call that publishes: a retry then publishes the same
    # container, which the network publishes at most once.
    handle: str = ""
    keep_handle: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    # The remote id of the message this answers (an inbox reply), posted in its thread; "" for a post.
    in_reply_to: str = ""
    # The handle a reply names first on a network that tells only the accounts a post names (Mastodon), from
    # `Connector.reply_mention`: added when sent (`with_mention`), never part of the force's `text`.
    mention: str = ""


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
        # Credentials the network changed during a call (Bluesky's refreshed session): the caller saves them with
        # social.credentials.merge_credentials(stored, connector.credentials_updated), which keeps a stored value
        # the network answered empty. Empty when nothing changed.
        self.credentials_updated: dict[str, str] = {}

    def reply_mention(self, author: str) -> str:
        """The handle a reply to `author` (a Mention's author) names first so that they are told of it; "" where
        the network tells the author of the message answered anyway (all but Mastodon)."""
        return ""

    def length(self, text: str) -> int:
        """`text`'s length as this network counts it (graphemes, weighted characters, links as fixed width)."""
        raise NotImplementedError

    def account_info(self) -> AccountInfo:
        """Check the credentials ('test connection') and read the server's limits."""
        raise NotImplementedError

    def post(self, outgoing: Outgoing) -> Posted:
        raise NotImplementedError

    def find_post(
        self, idempotency_key: str, *, since: datetime, text: str = "", in_reply_to: str = ""
    ) -> Posted | None:
        """After an unknown outcome: the post sent with this key, if it reached the network (None if not).

        Only Mastodon keeps a key (for an hour), so every connector looks through the account's posts made since
        `since` for one with `text` (the Outgoing's text; an appended link is allowed for). Without a text the
        networks' connectors answer None. For a reply, `in_reply_to` is the Outgoing's: only a reply to that
        message matches (on Facebook a reply is a comment, looked for under the comment it answers)."""
        raise NotImplementedError

    def delete(self, remote_id: str) -> None:
        raise NotImplementedError

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        raise NotImplementedError

    def followers(self) -> int:
        raise NotImplementedError

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        raise NotImplementedError


# Helpers the connectors share (additions to the interface above, not part of it).


def full_text(outgoing: Outgoing) -> str:
    """The text a network that has no separate link field publishes: the link after a blank line, unless the text
    already carries it."""
    if outgoing.link and outgoing.link not in outgoing.text:
        return f"{outgoing.text}\n\n{outgoing.link}" if outgoing.text else outgoing.link
    return outgoing.text


def with_mention(mention: str, text: str) -> str:
    """A reply's text as sent: `mention` first, unless the text already names that account somewhere (as
    Mastodon's own app starts a reply, and as the replier may have typed it)."""
    if not mention or re.search(rf"(?<![\w@]){re.escape(mention)}(?![\w@.-]*\w)", text, re.IGNORECASE):
        return text
    return f"{mention} {text}" if text else mention


def retry_after_seconds(value: str | None, *, default: int = 60) -> int:
    """A Retry-After-like header as whole seconds (at least 1): seconds, an epoch time, an ISO or HTTP date."""
    import time
    from email.utils import parsedate_to_datetime

    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return default
        return max(1, int(moment.timestamp() - time.time() + 0.999))
    if number > 1_000_000_000:  # an epoch time (X's x-rate-limit-reset, Bluesky's ratelimit-reset)
        return max(1, int(number - time.time() + 0.999))
    return max(1, int(number + 0.999))


def transport_failure(label: str, *, sent: bool) -> ConnectorError:
    """A call that got no answer. `sent`: the request may have reached the network (a write whose connection
    dropped or timed out while waiting for the answer), so the post must be looked up before trying again."""
    if sent:
        return ConnectorError(
            f"{label} did not answer after the post was sent: it may have been published. "
            "OpenBeat looks for it before trying again.",
            kind=ErrorKind.UNKNOWN_OUTCOME,
            code="no_answer",
        )
    return ConnectorError(
        f"{label} could not be reached. OpenBeat will try again later.", kind=ErrorKind.PASSING, code="unreachable"
    )


_NOT_SENT = {
    "ConnectTimeout",
    "ConnectError",
    "NewConnectionError",
    "NameResolutionError",
    "ConnectTimeoutError",
    "ConnectionRefusedError",
    "gaierror",
}


def request_was_sent(exc: BaseException) -> bool:
    """Whether a failed call's request may have reached the server: False when the connection was never made
    (refused, name not found, connect timeout), True otherwise (dropped or timed out while awaiting the answer).
    Looks through the exception's chain by class name, so it serves requests, urllib3 and httpx alike."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if {cls.__name__ for cls in type(current).__mro__} & _NOT_SENT:
            return False
        for arg in current.args:  # requests wraps urllib3's MaxRetryError, which holds the cause as `reason`
            reason = getattr(arg, "reason", None)
            if isinstance(reason, BaseException) and {cls.__name__ for cls in type(reason).__mro__} & _NOT_SENT:
                return False
        current = current.__cause__ or current.__context__
    return True


def text_matches(published: str, text: str) -> bool:
    """Whether a post's published text is `text` (whitespace aside), or `text` with one link appended (full_text).
    Networks rewrite links (X's t.co), so the appended link itself is not compared."""
    have, want = " ".join(published.split()), " ".join(text.split())
    if not want:
        return False
    if have == want:
        return True
    rest = have.removeprefix(want)
    return rest != have and rest.startswith(" ") and len(rest.split()) == 1 and "://" in rest
