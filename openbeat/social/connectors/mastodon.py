"""Mastodon, through Mastodon.py, against any server's REST API (`base_url`, e.g. https://mastodon.social).

Credentials: an access token with the `read write` scopes (Preferences → Development → New application).

Limits: 500 characters by default, but each server sets its own: `account_info` reads
/api/v2/instance's configuration.statuses.max_characters (and the alt text limit) at run time, and the caller keeps
the answer. Mastodon counts grapheme clusters, a link as 23 characters whatever its length, and a remote mention
(@name@server) as its local part only (app/validators/status_length_validator.rb).

Retries: every attempt sends the Outgoing's idempotency key as the Idempotency-Key header; Mastodon keeps it for
an hour and answers a repeated key with the status it already made, so a retry within the hour never posts twice.
After an unknown outcome `find_post` also looks through the account's statuses since `since` for the same text
(content HTML reduced to text), which serves after the hour too.

Replies (from the shared inbox) are statuses with `in_reply_to_id`; a status that no longer exists answers 404.
Mastodon notifies only the accounts a status names, so a reply starts with the resident's handle (`reply_mention`,
`with_mention`), as Mastodon's own app starts one; the force's text is kept without it.
"""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime
from typing import Any

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)
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
    text_matches,
    transport_failure,
    with_mention,
)

LABEL = "Mastodon"
LINK_CHARS = 23
TIMEOUT_SECONDS = 20
MIN_VERSION = "4.0.0"
# Mastodon's own patterns, simplified: a link is http(s):// up to whitespace; a mention is @name or @name@domain.
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w", re.UNICODE)
_TAGS = re.compile(r"<[^>]+>")
# An inbox item's author as `mentions` gives it, and the mentions a reply starts with.
HANDLE = re.compile(r"@\w+(?:@[\w.-]+\w)?", re.UNICODE)
LEADING_MENTIONS = re.compile(rf"^\s*(?:{HANDLE.pattern}\s+)+", re.UNICODE)


def mastodon_length(text: str) -> int:
    """`text`'s length as Mastodon counts it: grapheme clusters, a link as 23, @name@server as @name."""
    counted = _REMOTE_MENTION.sub(lambda match: "@" + match.group(1), text)
    links = 0

    def _link(match: re.Match[str]) -> str:
        nonlocal links
        links += 1
        return ""

    counted = _URL.sub(_link, counted)
    return sum(1 for _ in iter_graphemes(counted)) + links * LINK_CHARS


def content_text(content: str) -> str:
    """A status's HTML content as plain text (paragraphs and line breaks as newlines), for matching."""
    text = re.sub(r"<br\s*/?>", "\n", content)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    return html.unescape(_TAGS.sub("", text))


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


class MastodonConnector(Connector):
    network = "mastodon"
    label = LABEL
    limits = Limits(max_chars=500, max_images=4, image_alt_required=True, max_alt_chars=1500, link_chars=LINK_CHARS)
    credential_fields = ("access_token",)

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        super().__init__(base_url=base_url, credentials=credentials)
        self._account_id: str | None = None
        self.api = Mastodon(
            access_token=credentials.get("access_token", ""),
            api_base_url=self.base_url,
            ratelimit_method="throw",  # never sleep inside a worker: the task reschedules itself
            request_timeout=TIMEOUT_SECONDS,
            mastodon_version=MIN_VERSION,
            version_check_mode="none",
        )
        # We declare the oldest server we support instead of spending a call asking (and Mastodon.py, asked while a
        # server hides its version, loops): 4.0 serves /api/v2/instance, /api/v2/media and Idempotency-Key.
        # Mastodon.py only parses a given version when it checks versions, hence the assignment.
        self.api.mastodon_major, self.api.mastodon_minor, self.api.mastodon_patch = (4, 0, 0)

    def length(self, text: str) -> int:
        return mastodon_length(text)

    def reply_mention(self, author: str) -> str:
        # Mastodon tells only the accounts a post names: a reply in the thread alone would never reach the
        # resident's notifications. `mentions` gives the author as "@" + acct (name, or name@server).
        return author if HANDLE.fullmatch(author) else ""

    # --- errors -------------------------------------------------------------------------------------------------
    def _error(self, exc: MastodonError, *, write: bool) -> ConnectorError:
        if isinstance(exc, MastodonUnauthorizedError):
            return ConnectorError(
                "Mastodon refused the account's access token (revoked or expired): reconnect the account.",
                kind=ErrorKind.REVOKED,
                code="401",
            )
        if isinstance(exc, MastodonRatelimitError):
            reset = self.api.ratelimit_reset
            wait = max(1, int(reset - time.time() + 0.999)) if reset else 300
            return ConnectorError(
                f"Mastodon's rate limit was reached: OpenBeat tries again in {wait} seconds.",
                kind=ErrorKind.RATE_LIMITED,
                retry_after=wait,
                code="429",
            )
        if isinstance(exc, MastodonNetworkError):
            return transport_failure(LABEL, sent=write and request_was_sent(exc))
        if isinstance(exc, MastodonServerError):
            return ConnectorError(
                "The Mastodon server had a problem. OpenBeat will try again later.",
                kind=ErrorKind.PASSING,
                code=str(exc.args[1]) if len(exc.args) > 1 else "5xx",
            )
        if isinstance(exc, MastodonAPIError):
            status = exc.args[1] if len(exc.args) > 1 else 0
            reason = str(exc.args[3] or "") if len(exc.args) > 3 else ""
            if status == 403:
                return ConnectorError(
                    "Mastodon refused: the access token lacks the permission (scope) needed. Reconnect the account "
                    "with the read and write scopes.",
                    kind=ErrorKind.REVOKED,
                    code="403",
                )
            if isinstance(exc, MastodonNotFoundError):
                return ConnectorError(
                    "The Mastodon server did not recognise the request: check the server's address.",
                    kind=ErrorKind.REJECTED,
                    code="404",
                )
            if "character limit" in reason.lower():
                message = "Mastodon refused the post: it is longer than this server allows."
            elif "description" in reason.lower() or "media" in reason.lower() or "file" in reason.lower():
                message = "Mastodon refused an image (too large, an unsupported type, or its alt text too long)."
            else:
                message = "Mastodon refused the post as it is (it answered 'invalid')."
            return ConnectorError(message, kind=ErrorKind.REJECTED, code=str(status))
        return ConnectorError("Mastodon answered in a way OpenBeat did not expect.", kind=ErrorKind.PASSING)

    def _call(self, method: Any, *args: Any, write: bool = False, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except MastodonError as exc:
            raise self._error(exc, write=write) from None  # no chain: it would carry the token-bearing request

    def _me(self) -> Any:
        account = self._call(self.api.account_verify_credentials)
        self._account_id = str(account["id"])
        return account

    def _my_id(self) -> str:
        if self._account_id is None:
            self._me()
        assert self._account_id is not None
        return self._account_id

    # --- the interface ------------------------------------------------------------------------------------------
    def account_info(self) -> AccountInfo:
        account = self._me()
        instance = self._call(self.api.instance_v2)
        config = instance.get("configuration") or {}
        statuses = config.get("statuses") or {}
        media = config.get("media_attachments") or {}
        limits = Limits(
            max_chars=int(statuses.get("max_characters") or self.limits.max_chars),
            max_images=int(statuses.get("max_media_attachments") or self.limits.max_images),
            image_alt_required=True,
            max_alt_chars=int(media.get("description_limit") or self.limits.max_alt_chars),
            link_chars=int(statuses.get("characters_reserved_per_url") or LINK_CHARS),
        )
        return AccountInfo(
            handle=f"@{account['acct']}@{instance.get('domain', '')}".rstrip("@"),
            display_name=account.get("display_name") or "",
            followers=int(account.get("followers_count") or 0),
            limits=limits,
            extra={"account_id": str(account["id"]), "url": account.get("url") or ""},
        )

    def post(self, outgoing: Outgoing) -> Posted:
        media_ids = []
        for image in outgoing.images:
            media = self._call(
                self.api.media_post,
                image.content,
                mime_type=image.mime_type,
                description=image.alt_text,
                synchronous=True,  # wait until processed, so the status can carry it
            )
            media_ids.append(media["id"])
        try:
            status = self._call(
                self.api.status_post,
                with_mention(outgoing.mention, full_text(outgoing)) if outgoing.in_reply_to else full_text(outgoing),
                media_ids=media_ids or None,
                in_reply_to_id=outgoing.in_reply_to or None,
                idempotency_key=outgoing.idempotency_key,
                write=True,
            )
        except ConnectorError as error:
            if outgoing.in_reply_to and error.code == "404":
                raise ConnectorError(
                    "Mastodon refused the reply: the message it answers is no longer there (deleted or hidden).",
                    kind=ErrorKind.REJECTED,
                    code="404",
                ) from None
            raise
        return self._posted(status)

    def _posted(self, status: Any) -> Posted:
        return Posted(remote_id=str(status["id"]), url=status.get("url") or "", posted_at=_when(status["created_at"]))

    def find_post(
        self, idempotency_key: str, *, since: datetime, text: str = "", in_reply_to: str = ""
    ) -> Posted | None:
        if not text:
            return None
        statuses = self._call(self.api.account_statuses, self._my_id(), limit=40, exclude_reblogs=True)
        for status in statuses:
            if _when(status["created_at"]) < since:
                break
            if in_reply_to and str(status.get("in_reply_to_id") or "") != in_reply_to:
                continue
            published = content_text(status.get("content") or "")
            # A reply was sent with the resident's handle first (with_mention): compared without it.
            if text_matches(published, text) or (
                in_reply_to and text_matches(LEADING_MENTIONS.sub("", published), text)
            ):
                return self._posted(status)
        return None

    def delete(self, remote_id: str) -> None:
        try:
            self.api.status_delete(remote_id)
        except MastodonNotFoundError:
            return  # already gone: deleting is done
        except MastodonError as exc:
            raise self._error(exc, write=False) from None

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        results = []
        for remote_id in remote_ids:
            try:
                status = self.api.status(remote_id)
            except MastodonNotFoundError:
                continue  # deleted on the server: no figures
            except MastodonError as exc:
                raise self._error(exc, write=False) from None
            results.append(
                PostFigures(
                    remote_id=remote_id,
                    impressions=None,  # Mastodon does not count views
                    reactions=int(status.get("favourites_count") or 0),
                    shares=int(status.get("reblogs_count") or 0),
                    replies=int(status.get("replies_count") or 0),
                )
            )
        return results

    def followers(self) -> int:
        return int(self._me().get("followers_count") or 0)

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        notifications = self._call(self.api.notifications, types=["mention"], limit=40)
        found = []
        for notification in notifications:
            status = notification.get("status")
            if not status:
                continue
            created = _when(status["created_at"])
            if since is not None and created <= since:
                continue
            found.append(
                Mention(
                    remote_id=str(status["id"]),
                    author="@" + str(notification["account"]["acct"]),
                    text=content_text(status.get("content") or ""),
                    url=status.get("url") or "",
                    created_at=created,
                    in_reply_to=str(status.get("in_reply_to_id") or ""),
                )
            )
        return found


CONNECTOR = MastodonConnector
