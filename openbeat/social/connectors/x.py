"""X, through `tweepy`'s API v2 client, against `base_url` (https://api.x.com, or a stand-in).

Credentials: the app's API key and secret and the account's access token and secret (OAuth 1.0a user context,
from the developer portal's "Keys and tokens"; they do not expire, unlike OAuth 2.0 user tokens). tweepy fixes its
host, so the client's requests session is one that re-bases https://api.twitter.com onto `base_url` and gives
every call a timeout (tweepy sets none). tweepy logs request headers at DEBUG: settings keep its logger at INFO.

Limits: 280 weighted characters, counted the twitter-text v3 way, simplified: a link (http:// or https://) is 23;
an emoji (any grapheme cluster holding an emoji or a ZWJ/variation sequence) is 2; other characters weigh 1 in the
ranges twitter-text gives weight 100 (U+0000-U+10FF: Latin, Greek, Cyrillic, Hebrew, Arabic...; U+2000-U+200D,
U+2010-U+201F, U+2032-U+2037: spaces, dashes, quotes, primes) and 2 elsewhere (CJK, most symbols). Text is NFC
first, as X does. Bare domains without a scheme are not counted as links (X would count them as 23: a text relying
on that is at most more cautious here).

Images: uploaded to /2/media/upload, alt text set with /2/media/metadata, attached by media id.

Errors: 402 means the account's API credits (pay-per-use) are spent: said plainly, not retried. 403 "duplicate
content" is a refusal; other 403s mean the app's permissions or the token no longer let it post (reconnect).

Replies (from the shared inbox) carry `reply.in_reply_to_tweet_id`; a post deleted or hidden meanwhile answers 403
"deleted or not visible", a refusal (not a revoked token).

No idempotency key: after an unknown outcome `find_post` reads the account's posts since `since` for the same
text (links compared loosely: X rewrites them to t.co).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy
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

LABEL = "X"
TIMEOUT_SECONDS = 20
TWEEPY_HOST = "https://api.twitter.com"
LINK_WEIGHT = 23
MAX_WEIGHTED = 280
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _is_emoji(cluster: str) -> bool:
    if "\u200d" in cluster or "\ufe0f" in cluster:
        return True
    first = ord(cluster[0])
    return 0x1F000 <= first <= 0x1FAFF or 0x2600 <= first <= 0x27BF or 0x1F1E6 <= first <= 0x1F1FF


def _char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in _LIGHT_RANGES) else 2


def x_length(text: str) -> int:
    """`text`'s weighted length as X counts it (see the module's docstring)."""
    text = unicodedata.normalize("NFC", text)
    links = len(_URL.findall(text))
    total = links * LINK_WEIGHT
    for cluster in iter_graphemes(_URL.sub("", text)):
        total += 2 if _is_emoji(cluster) else sum(_char_weight(char) for char in cluster)
    return total


class _RebasedSession(requests.Session):
    """tweepy's requests go to `base_url` instead of its fixed host, each with a timeout."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.rebase = base_url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = str(url)
        if url.startswith(TWEEPY_HOST):
            url = self.rebase + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(str(method), url, *args, **kwargs)


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


class XConnector(Connector):
    network = "x"
    label = LABEL
    limits = Limits(max_chars=MAX_WEIGHTED, max_images=4, image_alt_required=True, max_alt_chars=1000, link_chars=23)
    credential_fields = ("api_key", "api_secret", "access_token", "access_token_secret")

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        super().__init__(base_url=base_url or "https://api.x.com", credentials=credentials)
        self.client = tweepy.Client(
            consumer_key=credentials.get("api_key", ""),
            consumer_secret=credentials.get("api_secret", ""),
            access_token=credentials.get("access_token", ""),
            access_token_secret=credentials.get("access_token_secret", ""),
        )
        self.client.session = _RebasedSession(self.base_url)
        self._me: Any = None

    def length(self, text: str) -> int:
        return x_length(text)

    # --- errors -------------------------------------------------------------------------------------------------
    def _error(self, exc: Exception, *, write: bool) -> ConnectorError:
        if isinstance(exc, tweepy.HTTPException):
            status = exc.response.status_code
            detail = " ".join([*exc.api_messages, str(getattr(exc.response, "text", ""))]).lower()
            if status == 402:
                return ConnectorError(
                    "The X account's API credits are used up: X will not take posts or give figures until the "
                    "credits are topped up in the X developer portal. OpenBeat does not retry meanwhile.",
                    kind=ErrorKind.CREDITS,
                    code="402",
                )
            if status == 401:
                return ConnectorError(
                    "X refused the account's access token (revoked or regenerated): reconnect the account.",
                    kind=ErrorKind.REVOKED,
                    code="401",
                )
            if status == 429:
                wait = retry_after_seconds(exc.response.headers.get("x-rate-limit-reset"), default=900)
                return ConnectorError(
                    f"X's rate limit was reached: OpenBeat tries again in {wait} seconds.",
                    kind=ErrorKind.RATE_LIMITED,
                    retry_after=wait,
                    code="429",
                )
            if status >= 500:
                return ConnectorError(
                    "X had a problem. OpenBeat will try again later.", kind=ErrorKind.PASSING, code=str(status)
                )
            if "deleted or not visible" in detail:
                return ConnectorError(
                    "X refused the reply: the post it answers is no longer there (deleted or hidden).",
                    kind=ErrorKind.REJECTED,
                    code="reply_target",
                )
            if "duplicate" in detail:
                return ConnectorError(
                    "X refused the post: the account posted the same text before.",
                    kind=ErrorKind.REJECTED,
                    code="duplicate",
                )
            if status == 403:
                return ConnectorError(
                    "X refused: the app's permissions or the account's token no longer allow posting. Reconnect the "
                    "account (with read and write permission).",
                    kind=ErrorKind.REVOKED,
                    code="403",
                )
            if "too long" in detail or "length" in detail:
                message = "X refused the post: it is longer than X allows."
            elif "media" in detail:
                message = "X refused an image (too large or an unsupported type)."
            else:
                message = "X refused the post as it is (it answered 'invalid request')."
            return ConnectorError(message, kind=ErrorKind.REJECTED, code=str(status))
        if isinstance(exc, requests.RequestException):
            return transport_failure(LABEL, sent=write and request_was_sent(exc))
        return ConnectorError("X answered in a way OpenBeat did not expect.", kind=ErrorKind.PASSING)

    def _call(self, call: Any, *, write: bool = False) -> Any:
        try:
            return call()
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._error(exc, write=write) from None  # no chain: it would carry the signed request

    def _raw(self, method: str, path: str, **kwargs: Any) -> Any:
        """A v2 call tweepy has no method for (media), signed the same way."""
        auth = tweepy.OAuth1UserHandler(
            self.client.consumer_key,
            self.client.consumer_secret,
            self.client.access_token,
            self.client.access_token_secret,
        ).apply_auth()

        def call() -> Any:
            response = self.client.session.request(method, self.base_url + path, auth=auth, **kwargs)
            if response.status_code == 402:
                raise tweepy.HTTPException(response)
            if response.status_code == 401:
                raise tweepy.Unauthorized(response)
            if response.status_code == 403:
                raise tweepy.Forbidden(response)
            if response.status_code == 429:
                raise tweepy.TooManyRequests(response)
            if response.status_code >= 500:
                raise tweepy.TwitterServerError(response)
            if not response.ok:
                raise tweepy.BadRequest(response)
            return response.json()

        return self._call(call)

    # --- the interface ------------------------------------------------------------------------------------------
    def _user(self) -> Any:
        if self._me is None:
            answer = self._call(lambda: self.client.get_me(user_fields=["public_metrics"], user_auth=True))
            self._me = answer.data
        return self._me

    def account_info(self) -> AccountInfo:
        self._me = None
        user = self._user()
        return AccountInfo(
            handle="@" + user.username,
            display_name=user.name or "",
            followers=int((user.public_metrics or {}).get("followers_count") or 0),
            limits=self.limits,
            extra={"user_id": str(user.id)},
        )

    def post(self, outgoing: Outgoing) -> Posted:
        media_ids = []
        for image in outgoing.images:
            uploaded = self._raw(
                "POST",
                "/2/media/upload",
                data={"media_category": "tweet_image", "media_type": image.mime_type},
                files={"media": ("image", image.content, image.mime_type)},
            )
            media_id = str(uploaded["data"]["id"])
            if image.alt_text:
                self._raw(
                    "POST",
                    "/2/media/metadata",
                    json={"id": media_id, "metadata": {"alt_text": {"text": image.alt_text}}},
                )
            media_ids.append(media_id)
        answer = self._call(
            lambda: self.client.create_tweet(
                text=full_text(outgoing),
                media_ids=media_ids or None,
                in_reply_to_tweet_id=outgoing.in_reply_to or None,
                user_auth=True,
            ),
            write=True,
        )
        tweet_id = str(answer.data["id"])
        return Posted(remote_id=tweet_id, url=f"https://x.com/i/status/{tweet_id}", posted_at=datetime.now(UTC))

    def find_post(
        self, idempotency_key: str, *, since: datetime, text: str = "", in_reply_to: str = ""
    ) -> Posted | None:
        if not text:
            return None
        user = self._user()
        answer = self._call(
            lambda: self.client.get_users_tweets(
                user.id,
                start_time=since,
                max_results=100,
                tweet_fields=["created_at", "referenced_tweets"],
                user_auth=True,
            )
        )
        for tweet in answer.data or []:
            replied = [str(ref.id) for ref in tweet.referenced_tweets or [] if ref.type == "replied_to"]
            if in_reply_to and replied != [in_reply_to]:
                continue
            if text_matches(tweet.text, text):
                return Posted(
                    remote_id=str(tweet.id),
                    url=f"https://x.com/{user.username}/status/{tweet.id}",
                    posted_at=_when(tweet.created_at) if tweet.created_at else None,
                )
        return None

    def delete(self, remote_id: str) -> None:
        try:
            self._call(lambda: self.client.delete_tweet(remote_id, user_auth=True))
        except ConnectorError as exc:
            if exc.code != "404":
                raise

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        results = []
        for start in range(0, len(remote_ids), 100):  # GET /2/tweets takes up to 100 ids
            chunk = remote_ids[start : start + 100]
            answer = self._call(
                lambda chunk=chunk: self.client.get_tweets(chunk, tweet_fields=["public_metrics"], user_auth=True)
            )
            for tweet in answer.data or []:
                metrics = tweet.public_metrics or {}
                results.append(
                    PostFigures(
                        remote_id=str(tweet.id),
                        impressions=metrics.get("impression_count"),
                        reactions=int(metrics.get("like_count") or 0),
                        shares=int(metrics.get("retweet_count") or 0) + int(metrics.get("quote_count") or 0),
                        replies=int(metrics.get("reply_count") or 0),
                    )
                )
        return results

    def followers(self) -> int:
        self._me = None
        return int((self._user().public_metrics or {}).get("followers_count") or 0)

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        user = self._user()
        answer = self._call(
            lambda: self.client.get_users_mentions(
                user.id,
                start_time=since,
                max_results=100,
                tweet_fields=["created_at", "author_id", "referenced_tweets"],
                expansions=["author_id"],
                user_fields=["username"],
                user_auth=True,
            )
        )
        users = {str(author.id): author.username for author in answer.includes.get("users", [])}
        found = []
        for tweet in answer.data or []:
            created = _when(tweet.created_at)
            if since is not None and created <= since:
                continue
            replied = [ref.id for ref in tweet.referenced_tweets or [] if ref.type == "replied_to"]
            author = users.get(str(tweet.author_id), str(tweet.author_id))
            found.append(
                Mention(
                    remote_id=str(tweet.id),
                    author="@" + author,
                    text=tweet.text,
                    url=f"https://x.com/{author}/status/{tweet.id}",
                    created_at=created,
                    in_reply_to=str(replied[0]) if replied else "",
                )
            )
        return found


CONNECTOR = XConnector
