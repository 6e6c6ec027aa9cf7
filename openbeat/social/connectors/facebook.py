"""Facebook Pages, through the Graph API with `requests` (Meta publishes no Python client), against `base_url`
with its version (e.g. https://graph.facebook.com/v23.0).

Credentials: the Page's id and a Page access token (long-lived, from a system user) with pages_manage_posts,
pages_read_engagement and read_insights. The token goes in the Authorization header, never in a URL (URLs are
logged by proxies and by urllib3 at DEBUG).

Limits: 63,206 characters; the link is Facebook's own `link` field (shown as a card), not appended to the text.
Images are uploaded unpublished to /{page-id}/photos with their alt text (alt_text_custom) and attached to the
feed post.

Errors: the Graph API answers {"error": {"code", "error_subcode", "message", "type"}}: code 190 (and 102, 10, 200
on permissions) means the token no longer works (reconnect); 4, 17, 32, 613 and 80001 are rate limits (the
wait read from X-Business-Use-Case-Usage's estimated_time_to_regain_access, in minutes); 1, 2 and `is_transient`
are passing; 506 is a duplicate post; the rest refuse the post.

Replies (from the shared inbox): a Page's inbox is its posts' comments, so a reply is a comment on the comment
(POST /{comment-id}/comments). A comment deleted meanwhile answers code 100 (subcode 33), a refusal.

No idempotency key: after an unknown outcome `find_post` reads the Page's feed since `since` for the same message
(a reply: the comment's own comments, for one by the Page).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import requests

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
    request_was_sent,
    text_matches,
    transport_failure,
)

LABEL = "Facebook"
TIMEOUT_SECONDS = 20
_REVOKED_CODES = {190, 102, 10, 200}
_RATE_CODES = {4, 17, 32, 613, 80001}
_PASSING_CODES = {1, 2}


def _when(value: str) -> datetime:
    # Graph API times look like 2026-01-31T12:00:00+0000
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def _rate_wait(headers: Any) -> int:
    waits = []
    for name in ("x-business-use-case-usage", "x-page-usage", "x-app-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = [entry for group in usage.values() for entry in group] if isinstance(usage, dict) else []
        if name != "x-business-use-case-usage" and isinstance(usage, dict):
            entries = [usage]
        waits += [int(entry.get("estimated_time_to_regain_access") or 0) * 60 for entry in entries]
    return max([*waits, 0]) or 300


class FacebookConnector(Connector):
    network = "facebook"
    label = LABEL
    limits = Limits(max_chars=63206, max_images=4, image_alt_required=True, max_alt_chars=1000)
    credential_fields = ("page_id", "page_access_token")

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        super().__init__(base_url=base_url or "https://graph.facebook.com/v23.0", credentials=credentials)
        self.page_id = credentials.get("page_id", "")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {credentials.get('page_access_token', '')}"

    def length(self, text: str) -> int:
        return len(text)

    # --- one call -----------------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> Any:
        try:
            response = self.session.request(method, f"{self.base_url}/{path}", timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            raise transport_failure(LABEL, sent=write and request_was_sent(exc)) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.ok and not (isinstance(body, dict) and "error" in body):
            return body
        raise self._error(response.status_code, body.get("error") or {}, response.headers)

    def _error(self, status: int, error: dict[str, Any], headers: Any) -> ConnectorError:
        code = int(error.get("code") or 0)
        label = f"{code}" + (f"/{error['error_subcode']}" if error.get("error_subcode") else "")
        if code in _REVOKED_CODES or (error.get("type") == "OAuthException" and code == 0 and status == 401):
            return ConnectorError(
                "Facebook refused the Page's access token (expired, revoked, or missing a permission): reconnect "
                "the account.",
                kind=ErrorKind.REVOKED,
                code=label,
            )
        if code in _RATE_CODES or status == 429:
            wait = _rate_wait(headers)
            return ConnectorError(
                f"Facebook's rate limit was reached: OpenBeat tries again in {wait} seconds.",
                kind=ErrorKind.RATE_LIMITED,
                retry_after=wait,
                code=label,
            )
        if code in _PASSING_CODES or error.get("is_transient") or status >= 500:
            return ConnectorError(
                "Facebook had a problem. OpenBeat will try again later.", kind=ErrorKind.PASSING, code=label
            )
        if code == 506:
            message = "Facebook refused the post: the Page posted the same text just before."
        elif code in (324, 352, 1366046) or "photo" in str(error.get("message", "")).lower():
            message = "Facebook refused an image (too large or an unsupported type)."
        else:
            message = "Facebook refused the post as it is (it answered 'invalid parameter')."
        return ConnectorError(message, kind=ErrorKind.REJECTED, code=label)

    def _posted(self, item: dict[str, Any]) -> Posted:
        return Posted(
            remote_id=item["id"],
            url=item.get("permalink_url") or f"https://www.facebook.com/{item['id']}",
            posted_at=_when(item["created_time"]) if item.get("created_time") else datetime.now(UTC),
        )

    # --- the interface ------------------------------------------------------------------------------------------
    def _page(self) -> dict[str, Any]:
        return self._request("GET", self.page_id, params={"fields": "id,name,username,followers_count,link"})  # type: ignore[no-any-return]

    def account_info(self) -> AccountInfo:
        page = self._page()
        return AccountInfo(
            handle=page.get("username") or page.get("name") or page["id"],
            display_name=page.get("name") or "",
            followers=int(page.get("followers_count") or 0),
            limits=self.limits,
            extra={"page_id": page["id"], "url": page.get("link") or ""},
        )

    def _reply(self, outgoing: Outgoing) -> Posted:
        try:
            created = self._request(
                "POST", f"{outgoing.in_reply_to}/comments", data={"message": outgoing.text}, write=True
            )
        except ConnectorError as error:
            if error.code.startswith("100"):
                raise ConnectorError(
                    "Facebook refused the reply: the comment it answers is no longer there (deleted or hidden).",
                    kind=ErrorKind.REJECTED,
                    code=error.code,
                ) from None
            raise
        item = self._request("GET", created["id"], params={"fields": "id,created_time,permalink_url"})
        return self._posted(item)

    def post(self, outgoing: Outgoing) -> Posted:
        if outgoing.in_reply_to:
            return self._reply(outgoing)
        data: dict[str, Any] = {"message": outgoing.text}
        if outgoing.link:
            data["link"] = outgoing.link
        for index, image in enumerate(outgoing.images):
            photo = self._request(
                "POST",
                f"{self.page_id}/photos",
                data={"published": "false", "alt_text_custom": image.alt_text},
                files={"source": (f"image{index}", image.content, image.mime_type)},
            )
            data[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo["id"]})
        created = self._request("POST", f"{self.page_id}/feed", data=data, write=True)
        item = self._request("GET", created["id"], params={"fields": "id,created_time,permalink_url"})
        return self._posted(item)

    def find_post(
        self, idempotency_key: str, *, since: datetime, text: str = "", in_reply_to: str = ""
    ) -> Posted | None:
        if not text:
            return None
        if in_reply_to:
            replies = self._request(
                "GET",
                f"{in_reply_to}/comments",
                params={"fields": "id,from,message,created_time,permalink_url", "order": "reverse_chronological"},
            )
            for item in replies.get("data", []):
                by_page = (item.get("from") or {}).get("id") == self.page_id
                if by_page and _when(item["created_time"]) >= since and text_matches(item.get("message") or "", text):
                    return self._posted(item)
            return None
        feed = self._request(
            "GET",
            f"{self.page_id}/feed",
            params={"fields": "id,message,created_time,permalink_url", "since": int(since.timestamp()), "limit": 50},
        )
        for item in feed.get("data", []):
            if text_matches(item.get("message") or "", text):
                return self._posted(item)
        return None

    def delete(self, remote_id: str) -> None:
        try:
            self._request("DELETE", remote_id)
        except ConnectorError as exc:
            if exc.code.startswith("100"):  # the post no longer exists: deleting is done
                return
            raise

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        results = []
        for remote_id in remote_ids:
            counts = self._request(
                "GET",
                remote_id,
                params={"fields": "shares,comments.limit(0).summary(true),reactions.limit(0).summary(true)"},
            )
            insights = self._request("GET", f"{remote_id}/insights", params={"metric": "post_impressions"})
            impressions = None
            for metric in insights.get("data", []):
                if metric.get("name") == "post_impressions" and metric.get("values"):
                    impressions = int(metric["values"][0].get("value") or 0)
            results.append(
                PostFigures(
                    remote_id=remote_id,
                    impressions=impressions,
                    reactions=int(((counts.get("reactions") or {}).get("summary") or {}).get("total_count") or 0),
                    shares=int((counts.get("shares") or {}).get("count") or 0),
                    replies=int(((counts.get("comments") or {}).get("summary") or {}).get("total_count") or 0),
                )
            )
        return results

    def followers(self) -> int:
        return int(self._page().get("followers_count") or 0)

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        """Comments on the Page's recent posts (a Page's inbox on Facebook is its posts' comments)."""
        params: dict[str, Any] = {
            "fields": "id,comments.limit(50){id,from,message,created_time,permalink_url}",
            "limit": 25,
        }
        feed = self._request("GET", f"{self.page_id}/feed", params=params)
        found = []
        for item in feed.get("data", []):
            for comment in (item.get("comments") or {}).get("data", []):
                created = _when(comment["created_time"])
                if since is not None and created <= since:
                    continue
                found.append(
                    Mention(
                        remote_id=comment["id"],
                        author=(comment.get("from") or {}).get("name") or "Someone on Facebook",
                        text=comment.get("message") or "",
                        url=comment.get("permalink_url") or "",
                        created_at=created,
                        in_reply_to=item["id"],
                    )
                )
        return found


CONNECTOR = FacebookConnector
