"""Bluesky, through the `atproto` SDK, against a PDS's XRPC API (`base_url`, e.g. https://bsky.social).

Credentials: the handle (or email) and an app password (Settings → Privacy and security → App passwords), and,
kept by OpenBeat and not typed by staff, `session`: the SDK's exported session (access and refresh tokens).
A connector resumes that session instead of logging in each time (createSession is limited to 30 per five
minutes); when the SDK refreshes it, or logs in afresh because the refresh token expired, the new session is put
in `credentials_updated` for the caller to save with merge_credentials. A session with an empty token is never
reported, so a stored refresh token is never overwritten with nothing.

Limits: 300 graphemes and 3,000 bytes of UTF-8, both (app.bsky.feed.post's lexicon: maxGraphemes, maxLength).
Graphemes are counted by UAX #29 extended grapheme clusters with `wcwidth.iter_graphemes`, a library already
installed (a family emoji, a flag, a letter with combining accents: one each). Links are made clickable with
link facets (byte ranges) found offline by the SDK's facet detection; a link counts its full length.

Replies (from the shared inbox): a post's `reply` holds strong refs (uri and cid) to its parent and to the
thread's root. A mention's remote id is its uri; the cid and root are read with getPosts when replying, so that
a reply always points at the message as it is now (a deleted one is refused before anything is sent).

No idempotency key: after an unknown outcome `find_post` reads the account's feed since `since` for a post with
the same text (a reply: with the same parent).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from atproto import Client, Session, SessionEvent, models
from atproto_client import exceptions as atproto_errors
from atproto_client.utils import facet_detection
from atproto_core.exceptions import AtProtocolError
from wcwidth import iter_graphemes

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
    full_text,
    request_was_sent,
    retry_after_seconds,
    text_matches,
    transport_failure,
)

LABEL = "Bluesky"
TIMEOUT_SECONDS = 20
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
POST_COLLECTION = "app.bsky.feed.post"
# Errors whose cure is new credentials, not a retry (the PDS's error names, not its status codes: an expired
# access token is a 400 "ExpiredToken", a wrong app password a 401 "AuthenticationRequired").
_REVOKED_ERRORS = {"AuthenticationRequired", "InvalidToken", "ExpiredToken", "AccountTakedown", "AccountDeactivated"}


def grapheme_count(text: str) -> int:
    return sum(1 for _ in iter_graphemes(text))


def bluesky_length(text: str) -> int:
    """`text`'s length in graphemes (the limit staff see; the byte limit is checked apart, see `over_limits`)."""
    return grapheme_count(text)


def over_limits(text: str) -> str:
    """Why Bluesky would refuse `text` as too long ("" if it would not): graphemes first, then bytes."""
    if grapheme_count(text) > MAX_GRAPHEMES:
        return f"longer than {MAX_GRAPHEMES} characters"
    if len(text.encode("utf-8")) > MAX_BYTES:
        return f"larger than {MAX_BYTES} bytes (characters such as emoji take up to four bytes each)"
    return ""


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _post_url(uri: str, handle: str) -> str:
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


class BlueskyConnector(Connector):
    network = "bluesky"
    label = LABEL
    limits = Limits(
        max_chars=MAX_GRAPHEMES, max_bytes=MAX_BYTES, max_images=4, image_alt_required=True, max_alt_chars=2000
    )
    credential_fields = ("identifier", "app_password")

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        super().__init__(base_url=base_url or "https://bsky.social", credentials=credentials)
        self.client = Client(base_url=f"{self.base_url}/xrpc")
        self.client.request._client.timeout = httpx.Timeout(TIMEOUT_SECONDS)
        self.client.on_session_change(self._session_changed)
        self._session: Session | None = None

    def length(self, text: str) -> int:
        return bluesky_length(text)

    # --- the session --------------------------------------------------------------------------------------------
    def _session_changed(self, event: SessionEvent, session: Session) -> None:
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH) and session.access_jwt and session.refresh_jwt:
            self.credentials_updated["session"] = session.export()

    def _login(self) -> Session:
        if self._session is not None:
            return self._session
        stored = self.credentials.get("session", "")
        if stored:
            try:
                self.client.login(session_string=stored, fetch_bsky_profile=False)
                assert self.client._session is not None
                # Resumed sessions refresh lazily, on the first call, through the SDK (_should_refresh_session).
                self._session = self.client._session
                return self._session
            except (AtProtocolError, ValueError):
                pass  # a damaged or expired session string: log in with the app password
        self._call(
            lambda: self.client.login(
                self.credentials.get("identifier", ""),
                self.credentials.get("app_password", ""),
                fetch_bsky_profile=False,
            )
        )
        assert self.client._session is not None
        self._session = self.client._session
        return self._session

    def _authed(self, call: Any, *, write: bool = False) -> Any:
        """`call` with a session; when the stored session's refresh token has expired, log in once and retry."""
        self._login()
        try:
            return self._call(call, write=write)
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.REVOKED or not self.credentials.get("session"):
                raise
        # The resumed session was refused: the app password may still be good.
        self._session = None
        self.credentials = {**self.credentials, "session": ""}
        self._login()
        return self._call(call, write=write)

    # --- errors -------------------------------------------------------------------------------------------------
    def _error(self, exc: Exception, *, write: bool) -> ConnectorError:
        if isinstance(exc, atproto_errors.LoginRequiredError):
            return ConnectorError(
                "Bluesky needs the account to sign in again: reconnect it.", kind=ErrorKind.REVOKED, code="login"
            )
        if isinstance(exc, atproto_errors.RequestErrorBase) and exc.response is not None:
            status = exc.response.status_code
            content = exc.response.content
            name = getattr(content, "error", "") or ""
            detail = (getattr(content, "message", "") or "").lower()
            if status == 429 or isinstance(exc, atproto_errors.RateLimitExceededError):
                headers = exc.response.headers
                wait = retry_after_seconds(headers.get("retry-after") or headers.get("ratelimit-reset"), default=300)
                return ConnectorError(
                    f"Bluesky's rate limit was reached: OpenBeat tries again in {wait} seconds.",
                    kind=ErrorKind.RATE_LIMITED,
                    retry_after=wait,
                    code="429",
                )
            if status in (401, 403) or name in _REVOKED_ERRORS:
                return ConnectorError(
                    "Bluesky refused the account's sign-in (app password revoked or session expired): "
                    "reconnect the account.",
                    kind=ErrorKind.REVOKED,
                    code=name or str(status),
                )
            if status >= 500 or status in (409, 502):
                return ConnectorError(
                    "The Bluesky server had a problem. OpenBeat will try again later.",
                    kind=ErrorKind.PASSING,
                    code=str(status),
                )
            if "grapheme" in detail or "longer than" in detail or "too long" in detail:
                message = "Bluesky refused the post: it is longer than Bluesky allows."
            elif "blob" in detail or "image" in detail or name.startswith("Blob") or status == 413:
                message = "Bluesky refused an image (too large or an unsupported type)."
            else:
                message = "Bluesky refused the post as it is (it answered 'invalid request')."
            return ConnectorError(message, kind=ErrorKind.REJECTED, code=name or str(status))
        if isinstance(exc, atproto_errors.NetworkError | httpx.HTTPError):
            return transport_failure(LABEL, sent=write and request_was_sent(exc))
        return ConnectorError("Bluesky answered in a way OpenBeat did not expect.", kind=ErrorKind.PASSING)

    def _call(self, call: Any, *, write: bool = False) -> Any:
        try:
            return call()
        except (AtProtocolError, httpx.HTTPError) as exc:
            raise self._error(exc, write=write) from None  # no chain: it would carry the token-bearing request

    # --- the interface ------------------------------------------------------------------------------------------
    def _profile(self) -> Any:
        session = self._login()
        return self._authed(lambda: self.client.get_profile(session.did))

    def account_info(self) -> AccountInfo:
        profile = self._profile()
        return AccountInfo(
            handle="@" + profile.handle,
            display_name=profile.display_name or "",
            followers=int(profile.followers_count or 0),
            limits=self.limits,
            extra={"did": profile.did},
        )

    def post(self, outgoing: Outgoing) -> Posted:
        text = full_text(outgoing)
        if reason := over_limits(text):
            raise ConnectorError(f"Bluesky would refuse the post: it is {reason}.", kind=ErrorKind.REJECTED)
        facets = facet_detection.detect_facets(text) or None
        session = self._login()
        reply_to = self._reply_ref(outgoing.in_reply_to) if outgoing.in_reply_to else None
        if outgoing.images:
            created = self._authed(
                lambda: self.client.send_images(
                    text,
                    images=[image.content for image in outgoing.images],
                    image_alts=[image.alt_text for image in outgoing.images],
                    profile_identify=session.did,
                    reply_to=reply_to,
                    facets=facets,
                ),
                write=True,
            )
        else:
            created = self._authed(
                lambda: self.client.send_post(text, profile_identify=session.did, reply_to=reply_to, facets=facets),
                write=True,
            )
        return Posted(remote_id=created.uri, url=_post_url(created.uri, session.handle), posted_at=datetime.now(UTC))

    def _reply_ref(self, uri: str) -> models.AppBskyFeedPost.ReplyRef:
        """The refs a reply to the post at `uri` carries: that post as parent, its thread's root as root."""
        answer = self._authed(lambda: self.client.get_posts([uri]))
        if not answer.posts:
            raise ConnectorError(
                "Bluesky refused the reply: the message it answers is no longer there (deleted or hidden).",
                kind=ErrorKind.REJECTED,
                code="NotFound",
            )
        parent = models.create_strong_ref(answer.posts[0])
        thread = getattr(answer.posts[0].record, "reply", None)
        root = models.ComAtprotoRepoStrongRef.Main(uri=thread.root.uri, cid=thread.root.cid) if thread else parent
        return models.AppBskyFeedPost.ReplyRef(parent=parent, root=root)

    def find_post(
        self, idempotency_key: str, *, since: datetime, text: str = "", in_reply_to: str = ""
    ) -> Posted | None:
        if not text:
            return None
        session = self._login()
        feed = self._authed(lambda: self.client.get_author_feed(session.did, limit=50))
        for item in feed.feed:
            post = item.post
            created = _when(post.record.created_at)
            if created < since:
                continue
            thread = getattr(post.record, "reply", None)
            if in_reply_to and (thread is None or thread.parent.uri != in_reply_to):
                continue
            if post.author.did == session.did and text_matches(post.record.text, text):
                return Posted(remote_id=post.uri, url=_post_url(post.uri, session.handle), posted_at=created)
        return None

    def delete(self, remote_id: str) -> None:
        self._authed(lambda: self.client.delete_post(remote_id))

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        results = []
        for start in range(0, len(remote_ids), 25):  # getPosts takes up to 25 URIs
            chunk = remote_ids[start : start + 25]
            answer = self._authed(lambda chunk=chunk: self.client.get_posts(chunk))
            for post in answer.posts:
                results.append(
                    PostFigures(
                        remote_id=post.uri,
                        impressions=None,  # Bluesky does not count views
                        reactions=int(post.like_count or 0),
                        shares=int(post.repost_count or 0) + int(post.quote_count or 0),
                        replies=int(post.reply_count or 0),
                    )
                )
        return results

    def followers(self) -> int:
        return int(self._profile().followers_count or 0)

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        self._login()
        params = models.AppBskyNotificationListNotifications.Params(limit=50)
        answer = self._authed(lambda: self.client.app.bsky.notification.list_notifications(params))
        found = []
        for notification in answer.notifications:
            if notification.reason not in ("mention", "reply", "quote"):
                continue
            created = _when(notification.indexed_at)
            if since is not None and created <= since:
                continue
            record = notification.record
            reply = getattr(record, "reply", None)
            found.append(
                Mention(
                    remote_id=notification.uri,
                    author="@" + notification.author.handle,
                    text=getattr(record, "text", "") or "",
                    url=_post_url(notification.uri, notification.author.handle),
                    created_at=created,
                    in_reply_to=reply.parent.uri if reply is not None else "",
                )
            )
        return found


CONNECTOR = BlueskyConnector
