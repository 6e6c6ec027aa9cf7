"""An in-process network for tests and the demo: posts are kept in `STORE`, keyed by idempotency key, so a
repeat with the same key returns the same post (as Mastodon's Idempotency-Key does).

`fail_next(kind)` makes the next call raise a ConnectorError of that kind; `renew_next(values)` makes the next call
hand back renewed credentials (as Bluesky's refreshed session); `reset()` forgets everything.

Results and mentions are configurable for tests and the demo: `FIGURES[remote_id]` (a PostFigures),
`FOLLOWERS[base_url]` (a count) and `MENTIONS[base_url]` (a list of Mention); by default a post has no figures,
an account no followers and no mentions.
"""

from __future__ import annotations

import itertools
from datetime import datetime

from django.utils import timezone

from openbeat.social.connectors.base import (
    AccountInfo,
    Connector,
    ConnectorError,
    ErrorKind,
    Limits,
    Mention,
    Outgoing,
    Posted,
    PostFigures,
)

STORE: dict[str, tuple[Posted, Outgoing]] = {}
CALLS: list[str] = []  # "post", "find_post", ... in order, for tests
FIND_TEXTS: list[str] = []  # the text each find_post looked for
_failures: list[tuple[ErrorKind, str, int | None]] = []
_renewals: list[dict[str, str]] = []
_ids = itertools.count(1)
FIGURES: dict[str, PostFigures] = {}
FOLLOWERS: dict[str, int] = {}
MENTIONS: dict[str, list[Mention]] = {}


def fail_next(kind: ErrorKind, message: str = "", *, retry_after: int | None = None) -> None:
    _failures.append((kind, message or f"The fake network said: {kind}", retry_after))


def renew_next(values: dict[str, str]) -> None:
    _renewals.append(values)


def reset() -> None:
    STORE.clear()
    CALLS.clear()
    FIND_TEXTS.clear()
    _failures.clear()
    _renewals.clear()
    FIGURES.clear()
    FOLLOWERS.clear()
    MENTIONS.clear()


def _maybe_fail() -> None:
    if _failures:
        kind, message, retry_after = _failures.pop(0)
        raise ConnectorError(message, kind=kind, retry_after=retry_after)


class FakeConnector(Connector):
    network = "fake"
    label = "Fake network (tests and demo)"
    limits = Limits(max_chars=280, link_chars=23)
    credential_fields = ("token",)

    def length(self, text: str) -> int:
        return len(text)

    def account_info(self) -> AccountInfo:
        CALLS.append("account_info")
        self._maybe_renew()
        _maybe_fail()
        return AccountInfo(handle="@fake", display_name="Fake account", followers=0, limits=self.limits)

    def _maybe_renew(self) -> None:
        if _renewals:
            self.credentials_updated = _renewals.pop(0)

    def post(self, outgoing: Outgoing) -> Posted:
        CALLS.append("post")
        self._maybe_renew()
        _maybe_fail()
        if outgoing.idempotency_key not in STORE:
            remote_id = str(next(_ids))
            posted = Posted(
                remote_id=remote_id, url=f"https://fake.example/posts/{remote_id}", posted_at=timezone.now()
            )
            STORE[outgoing.idempotency_key] = (posted, outgoing)
        return STORE[outgoing.idempotency_key][0]

    def find_post(
        self, idempotency_key: str, *, since: datetime, text: str = "", in_reply_to: str = ""
    ) -> Posted | None:
        CALLS.append("find_post")
        FIND_TEXTS.append(text)
        self._maybe_renew()
        _maybe_fail()
        found = STORE.get(idempotency_key)
        return found[0] if found is not None else None

    def delete(self, remote_id: str) -> None:
        CALLS.append("delete")
        self._maybe_renew()
        _maybe_fail()
        for key, (posted, _) in list(STORE.items()):
            if posted.remote_id == remote_id:
                del STORE[key]

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        CALLS.append("figures")
        self._maybe_renew()
        _maybe_fail()
        return [FIGURES.get(remote_id, PostFigures(remote_id=remote_id)) for remote_id in remote_ids]

    def followers(self) -> int:
        CALLS.append("followers")
        self._maybe_renew()
        _maybe_fail()
        return FOLLOWERS.get(self.base_url, 0)

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        CALLS.append("mentions")
        self._maybe_renew()
        _maybe_fail()
        found = MENTIONS.get(self.base_url, [])
        return [m for m in found if since is None or m.created_at > since]


CONNECTOR = FakeConnector
