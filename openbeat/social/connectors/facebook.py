"""Facebook Pages, through the Graph API with `requests` (Meta publishes no Python client), against `base_url`
with its version (e.g. https://graph.facebook.com/v23.0).

Credentials: the Page's id and a Page access token (long-lived, from a system user) with pages_manage_posts,
pages_read_engagement and read_insights. The token goes in the Authorization header, never in a URL (URLs are
logged by proxies and by urllib3 at DEBUG).

Limits: 63,206 characters; the link is Facebook's own `link` field (shown as a card), not appended to the text.
Images are uploaded unpublished to /{page-id}/photos with their alt text (alt_text_custom) and attached to the
feed post.

Errors are read as every Graph API network's are (connectors/graph.py); a refused photo is said so.

Replies (from the shared inbox): a Page's inbox is its posts' comments, so a reply is a comment on the comment
(POST /{comment-id}/comments). A comment deleted meanwhile answers code 100 (subcode 33), a refusal.

No idempotency key: after an unknown outcome `find_post` reads the Page's feed since `since` for the same message
(a reply: the comment's own comments, for one by the Page).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from openbeat.social.connectors.base import (
    AccountInfo,
    ConnectorError,
    ErrorKind,
    Limits,
    Mention,
    Outgoing,
    Posted,
    PostFigures,
    text_matches,
)
from openbeat.social.connectors.graph import DUPLICATE_CODE, GraphConnector, when

LABEL = "Facebook"


class FacebookConnector(GraphConnector):
    network = "facebook"
    label = LABEL
    limits = Limits(max_chars=63206, max_images=4, image_alt_required=True, max_alt_chars=1000)
    credential_fields = ("page_id", "page_access_token")
    token_field = "page_access_token"  # noqa: S105 (the name of the credential, not its value)
    revoked_message = (
        "Facebook refused the Page's access token (expired, revoked, or missing a permission): reconnect the account."
    )

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        super().__init__(base_url=base_url, credentials=credentials)
        self.page_id = credentials.get("page_id", "")

    def _refusal(self, code: int, error: dict[str, Any]) -> str:
        if code == DUPLICATE_CODE:
            return "Facebook refused the post: the Page posted the same text just before."
        if code in (324, 352, 1366046) or "photo" in str(error.get("message", "")).lower():
            return "Facebook refused an image (too large or an unsupported type)."
        return super()._refusal(code, error)

    def _posted(self, item: dict[str, Any]) -> Posted:
        return Posted(
            remote_id=item["id"],
            url=item.get("permalink_url") or f"https://www.facebook.com/{item['id']}",
            posted_at=when(item["created_time"]) if item.get("created_time") else datetime.now(UTC),
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
        return self._read_back(created["id"])

    def _read_back(self, created_id: str) -> Posted:
        """What was just published, with its address."""
        try:
            item = self._request("GET", created_id, params={"fields": "id,created_time,permalink_url"})
        except ConnectorError:
            # It is up: a failed read of its address must not make it look unsent (and go out twice).
            return self._posted({"id": created_id})
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
        return self._read_back(created["id"])

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
                if by_page and when(item["created_time"]) >= since and text_matches(item.get("message") or "", text):
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
            try:
                counts = self._request(
                    "GET",
                    remote_id,
                    params={"fields": "shares,comments.limit(0).summary(true),reactions.limit(0).summary(true)"},
                )
            except ConnectorError as error:
                # Deleted on Facebook itself (code 100, subcode 33: no such object): it has no figures any more,
                # and the Page's other posts still have theirs (as on Mastodon and Instagram).
                if error.code == "100/33":
                    continue
                raise
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
                created = when(comment["created_time"])
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
