"""Instagram professional accounts (business or creator), through the Instagram Graph API with Facebook Login,
against `base_url` with its version (e.g. https://graph.facebook.com/v23.0), sharing Facebook's Graph API client
and error reading (connectors/graph.py).

Credentials: the Instagram account's id (the IG User linked to the force's Facebook Page) and an access token (a
long-lived Page or system user token) with instagram_basic, instagram_content_publish, instagram_manage_comments,
instagram_manage_insights and pages_read_engagement. The token goes in the Authorization header, never in a URL.

Limits: a caption of 2,200 characters with at most 30 hashtags; an image with every post (Instagram has no
text-only feed post); alt text; a link in a caption is plain text, not clickable (the link is appended to it).

Publishing takes two calls. POST /{ig-user-id}/media with the image's public address (Instagram fetches it: it
takes no upload), the caption and the alt text makes a media container; POST /{ig-user-id}/media_publish with its
id publishes it. The container id is the post's handle: it is stored with the attempt before the publishing call
(Outgoing.keep_handle), and a later attempt looks at that container first, so a container is published at most
once. After an unknown outcome `find_post` reads the account's recent media for the same caption.

The publishing allowance (posts per 24 hours; 100 when this was written) is read before every post from
/{ig-user-id}/content_publishing_limit, never assumed: when it is used up the post waits (RATE_LIMITED) until the
oldest post of the window leaves it.

Errors beyond the Graph API's own: code 9 with subcode 2207042 is the allowance used up; codes 9004 and 36000-36004
and subcodes 2207003-2207052 about media are an image Instagram would not take (said plainly: could not fetch,
wrong shape, too large, wrong type); subcodes 2207001 and 2207032 are passing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
    full_text,
    text_matches,
)
from openbeat.social.connectors.graph import GraphConnector, error_label, when

LABEL = "Instagram"
DAY_SECONDS = 24 * 60 * 60
ALLOWANCE_SUBCODE = 2207042  # "the maximum number of posts that can be published in 24 hours has been reached"
_PASSING_SUBCODES = {2207001, 2207032}
_MEDIA_CODES = {9004, 36000, 36001, 36003, 36004}
_MEDIA_MESSAGES = {
    2207052: "Instagram could not fetch the image from OpenBeat's address (is the site reachable from the internet?).",
    2207003: "Instagram could not fetch the image from OpenBeat's address in time.",
    2207009: "Instagram refused the image's shape: it takes images from 4:5 (portrait) to 1.91:1 (landscape).",
    2207004: "Instagram refused the image: it is too large (at most 8 MB).",
    2207005: "Instagram refused the image's type: it takes JPEG images.",
}
_MEDIA_BY_CODE = {9004: 2207052, 36003: 2207009, 36001: 2207004}
# How far back to look for a container's post that Instagram says it published: containers expire in 24 hours.
_CONTAINER_LIFETIME = timedelta(hours=24)


def _wait_in_words(seconds: int) -> str:
    if seconds >= 90 * 60:
        return f"about {round(seconds / 3600)} hours"
    return f"about {max(1, round(seconds / 60))} minutes"


class InstagramConnector(GraphConnector):
    network = "instagram"
    label = LABEL
    limits = Limits(
        max_chars=2200,
        max_images=1,
        image_alt_required=True,
        max_alt_chars=1000,
        links_clickable=False,
        needs_image=True,
        max_hashtags=30,
    )
    credential_fields = ("instagram_account_id", "access_token")
    token_field = "access_token"  # noqa: S105 (the name of the credential, not its value)
    revoked_message = (
        "Instagram refused the account's access token (expired, revoked, or missing a permission): reconnect the "
        "account."
    )

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        super().__init__(base_url=base_url, credentials=credentials)
        self.user_id = credentials.get("instagram_account_id", "")

    # --- errors -------------------------------------------------------------------------------------------------
    def _error(self, status: int, error: dict[str, Any], headers: Any) -> ConnectorError:
        subcode = int(error.get("error_subcode") or 0)
        if subcode == ALLOWANCE_SUBCODE:
            # Refused by media_publish although the allowance read just before had room (another app posted).
            return self._allowance_used(total=None, duration=DAY_SECONDS, code=error_label(error))
        if subcode in _PASSING_SUBCODES:
            return ConnectorError(
                "Instagram had a problem. OpenBeat will try again later.",
                kind=ErrorKind.PASSING,
                code=error_label(error),
            )
        return super()._error(status, error, headers)

    def _refusal(self, code: int, error: dict[str, Any]) -> str:
        subcode = int(error.get("error_subcode") or 0) or _MEDIA_BY_CODE.get(code, 0)
        if subcode in _MEDIA_MESSAGES:
            return _MEDIA_MESSAGES[subcode]
        if code in _MEDIA_CODES or str(subcode).startswith("2207"):
            return "Instagram refused the image (its size, shape or type)."
        return super()._refusal(code, error)

    def _allowance_used(self, *, total: int | None, duration: int, code: str, wait: int = 3600) -> ConnectorError:
        hours = max(1, round(duration / 3600))
        allowance = f"Instagram allows {total} posts in {hours} hours" if total else "Instagram limits posts per day"
        return ConnectorError(
            f"{allowance}; this account has used them. OpenBeat tries again in {_wait_in_words(wait)}.",
            kind=ErrorKind.RATE_LIMITED,
            retry_after=wait,
            code=code,
        )

    # --- the publishing allowance -------------------------------------------------------------------------------
    def allowance(self) -> tuple[int | None, int | None, int]:
        """(posts used, posts allowed, the window in seconds) as Instagram says now; None where it says nothing."""
        answer = self._request(
            "GET", f"{self.user_id}/content_publishing_limit", params={"fields": "quota_usage,config"}
        )
        data = (answer.get("data") or [{}])[0]
        config = data.get("config") or {}
        used, total = data.get("quota_usage"), config.get("quota_total")
        duration = int(config.get("quota_duration") or DAY_SECONDS)
        return (
            int(used) if used is not None else None,
            int(total) if total is not None else None,
            duration,
        )

    def _check_allowance(self) -> None:
        used, total, duration = self.allowance()
        if used is None or total is None or used < total:
            return  # room left, or Instagram said nothing: media_publish has the last word
        raise self._allowance_used(
            total=total, duration=duration, code="publishing_limit", wait=self._until_room(duration)
        )

    def _until_room(self, duration: int) -> int:
        """Seconds until the oldest post of the window leaves it (an hour when that cannot be read)."""
        try:
            media = self._request("GET", f"{self.user_id}/media", params={"fields": "id,timestamp", "limit": 100})
        except ConnectorError:
            return 3600
        now = datetime.now(UTC)
        window = [when(item["timestamp"]) for item in media.get("data", []) if item.get("timestamp")]
        window = [moment for moment in window if moment > now - timedelta(seconds=duration)]
        if not window:
            return 3600
        return max(60, int((min(window) + timedelta(seconds=duration) - now).total_seconds()) + 1)

    # --- the interface ------------------------------------------------------------------------------------------
    def _user(self) -> dict[str, Any]:
        return self._request("GET", self.user_id, params={"fields": "id,username,name,followers_count"})  # type: ignore[no-any-return]

    def account_info(self) -> AccountInfo:
        user = self._user()
        used, total, duration = self.allowance()
        return AccountInfo(
            handle=user.get("username") or user["id"],
            display_name=user.get("name") or "",
            followers=int(user.get("followers_count") or 0),
            limits=self.limits,
            extra={"user_id": user["id"], "posts_allowed": total, "posts_used": used, "window_seconds": duration},
        )

    def _posted(self, item: dict[str, Any]) -> Posted:
        return Posted(
            remote_id=item["id"],
            url=item.get("permalink") or "",
            posted_at=when(item["timestamp"]) if item.get("timestamp") else datetime.now(UTC),
        )

    def _reuse(self, outgoing: Outgoing, caption: str) -> str | Posted:
        """What an earlier attempt's container (`outgoing.handle`) is now: the post it became (published), its id
        (ready to publish), or "" (expired, failed, gone: make a new one)."""
        try:
            container = self._request("GET", outgoing.handle, params={"fields": "id,status_code"})
        except ConnectorError as error:
            if error.kind is ErrorKind.REJECTED:  # Instagram no longer knows it
                return ""
            raise
        status = container.get("status_code")
        if status == "PUBLISHED":
            found = self.find_post(
                outgoing.idempotency_key, since=datetime.now(UTC) - _CONTAINER_LIFETIME, text=outgoing.text
            )
            if found is not None:
                return found
            raise ConnectorError(
                "Instagram published this post, but it is not among the account's recent posts yet. OpenBeat looks "
                "for it again before doing anything else.",
                kind=ErrorKind.UNKNOWN_OUTCOME,
                code="published_not_found",
            )
        if status == "FINISHED":
            return outgoing.handle
        if status == "IN_PROGRESS":
            raise ConnectorError(
                "Instagram is still preparing the image. OpenBeat will try again later.",
                kind=ErrorKind.PASSING,
                code="in_progress",
            )
        return ""

    def _reply(self, outgoing: Outgoing) -> Posted:
        """An answer to a comment (an inbox message): POST /{ig-comment-id}/replies. A comment has no address of
        its own on Instagram, so the reply is recorded without one."""
        try:
            # In the body, not the query: a reply's text in a URL would be logged by proxies.
            created = self._request(
                "POST", f"{outgoing.in_reply_to}/replies", data={"message": outgoing.text}, write=True
            )
        except ConnectorError as error:
            if error.code.startswith("100"):
                raise ConnectorError(
                    "Instagram refused the reply: the comment it answers is no longer there (deleted or hidden).",
                    kind=ErrorKind.REJECTED,
                    code=error.code,
                ) from None
            raise
        return Posted(remote_id=str(created["id"]), url="", posted_at=datetime.now(UTC))

    def post(self, outgoing: Outgoing) -> Posted:
        if outgoing.in_reply_to:
            return self._reply(outgoing)
        if not outgoing.images:
            raise ConnectorError(
                "Instagram needs an image with every post: it has no text-only posts.",
                kind=ErrorKind.REJECTED,
                code="no_image",
            )
        image = outgoing.images[0]
        if not image.url:
            raise ConnectorError(
                "Instagram fetches the image from a public address, and this post's image has none.",
                kind=ErrorKind.REJECTED,
                code="no_image_url",
            )
        caption = full_text(outgoing)
        container = ""
        if outgoing.handle:
            reused = self._reuse(outgoing, caption)
            if isinstance(reused, Posted):
                return reused
            container = reused
        self._check_allowance()
        if not container:
            # In the body, not the query: a caption in a URL would be logged by proxies.
            made = self._request(
                "POST",
                f"{self.user_id}/media",
                data={"image_url": image.url, "caption": caption, "alt_text": image.alt_text},
            )
            container = str(made["id"])
            if outgoing.keep_handle is not None:
                outgoing.keep_handle(container)  # stored before the call that publishes
        published = self._request("POST", f"{self.user_id}/media_publish", data={"creation_id": container}, write=True)
        try:
            item = self._request("GET", published["id"], params={"fields": "id,permalink,timestamp"})
        except ConnectorError:
            # Published: a failure to read its address must not make the post be tried again.
            return Posted(remote_id=str(published["id"]), url="", posted_at=datetime.now(UTC))
        return self._posted(item)

    def find_post(
        self, idempotency_key: str, *, since: datetime, text: str = "", in_reply_to: str = ""
    ) -> Posted | None:
        if not text:
            return None
        if in_reply_to:  # the account's replies to that comment
            replies = self._request(
                "GET", f"{in_reply_to}/replies", params={"fields": "id,text,username,timestamp", "limit": 50}
            )
            for item in replies.get("data", []):  # the same words since the attempt: a resident's would not be
                if when(item["timestamp"]) >= since and text_matches(item.get("text") or "", text):
                    return Posted(remote_id=str(item["id"]), url="", posted_at=when(item["timestamp"]))
            return None
        media = self._request(
            "GET", f"{self.user_id}/media", params={"fields": "id,caption,timestamp,permalink", "limit": 50}
        )
        for item in media.get("data", []):
            if item.get("timestamp") and when(item["timestamp"]) < since:
                continue
            if text_matches(item.get("caption") or "", text):
                return self._posted(item)
        return None

    def delete(self, remote_id: str) -> None:
        # The Graph API has no way to delete an Instagram post: staff are told to do it in the app.
        raise ConnectorError(
            "Instagram does not let other apps delete posts: delete it in the Instagram app.",
            kind=ErrorKind.REJECTED,
            code="no_delete",
        )

    def figures(self, remote_ids: list[str]) -> list[PostFigures]:
        results = []
        for remote_id in remote_ids:
            try:
                insights = self._request(
                    "GET", f"{remote_id}/insights", params={"metric": "views,reach,likes,comments,shares,saved"}
                )
            except ConnectorError as error:
                if error.kind is ErrorKind.REJECTED:  # deleted in the app: it has no figures any more
                    continue
                raise
            values: dict[str, int] = {}
            for metric in insights.get("data", []):
                # A lifetime metric's value is in `values` (older versions) or `total_value` (newer ones).
                value = ((metric.get("values") or [{}])[0]).get("value")
                if value is None:
                    value = (metric.get("total_value") or {}).get("value")
                if value is not None:
                    values[metric.get("name", "")] = int(value)
            results.append(
                PostFigures(
                    remote_id=remote_id,
                    impressions=values.get("views"),
                    reactions=values.get("likes"),
                    shares=values.get("shares"),
                    replies=values.get("comments"),
                )
            )
        return results

    def followers(self) -> int:
        return int(self._user().get("followers_count") or 0)

    def mentions(self, *, since: datetime | None) -> list[Mention]:
        """Comments on the account's recent media (an Instagram account's inbox is its posts' comments)."""
        media = self._request("GET", f"{self.user_id}/media", params={"fields": "id,permalink,timestamp", "limit": 25})
        found = []
        for item in media.get("data", []):
            comments = self._request(
                "GET", f"{item['id']}/comments", params={"fields": "id,text,username,timestamp", "limit": 50}
            )
            for comment in comments.get("data", []):
                created = when(comment["timestamp"])
                if since is not None and created <= since:
                    continue
                found.append(
                    Mention(
                        remote_id=comment["id"],
                        author=comment.get("username") or "Someone on Instagram",
                        text=comment.get("text") or "",
                        url=item.get("permalink") or "",
                        created_at=created,
                        in_reply_to=item["id"],
                    )
                )
        return found


CONNECTOR = InstagramConnector
