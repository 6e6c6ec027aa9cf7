"""The Instagram Graph API (Instagram API with Facebook Login), the part the connector uses
(developers.facebook.com/docs/instagram-platform/instagram-graph-api): the IG user, its publishing allowance
(content_publishing_limit), media containers (POST /media, which fetches the image from its image_url as Instagram
does, JPEG only) and their status, media_publish, the account's media, a media's insights and comments. Errors as
the Graph API answers them: 190 for a dead token, 4 and X-Business-Use-Case-Usage for a rate limit, 9/2207042
for the allowance used up, 9004/2207052 for an image it could not fetch, 1/2 transient. Served under /v23.0. Any
non-empty bearer token is the account's. Instagram offers no delete."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from openbeat.social.standins.base import Fault, Request, Response, Standin
from openbeat.social.standins.facebook import graph_error  # the same Graph API error body

USER_ID = "17841400000000001"
USERNAME = "openbeat.standin"
DAY = timedelta(hours=24)


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


class InstagramStandin(Standin):
    network = "instagram"
    # Instagram fetches each container's image from its image_url; tests of other things may turn this off.
    fetch_images = True

    def reset(self) -> None:
        self.followers_count = 3100
        self.quota_total = 100
        self.containers: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.published_at: list[datetime] = []  # the allowance counts posts published through the API
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[str, list[dict[str, Any]]] = {}  # comment id -> the account's replies to it
        self.figures: dict[str, dict[str, int]] = {}

    def summary(self) -> dict[str, Any]:
        return {"media": len(self.media), "containers": len(self.containers)}

    def routes(self) -> list[tuple[str, str, Any]]:
        v = r"/v[0-9.]+/"
        return [
            ("GET", v + r"([0-9]+)/content_publishing_limit", self.publishing_limit),
            ("POST", v + r"([0-9]+)/media", self.container_create),
            ("POST", v + r"([0-9]+)/media_publish", self.media_publish),
            ("GET", v + r"([0-9]+)/media", self.media_list),
            ("GET", v + r"([0-9]+)/insights", self.insights),
            ("GET", v + r"([0-9]+)/comments", self.comment_list),
            ("POST", v + r"([0-9]+)/replies", self.reply_create),
            ("GET", v + r"([0-9]+)/replies", self.reply_list),
            ("GET", v + r"([0-9]+)", self.node),
        ]

    def handle(self, request: Request) -> Response:
        if not request.path.startswith("/_standin/") and not request.bearer:
            return self.error(Fault.UNAUTHORIZED, request)
        return super().handle(request)

    def not_found(self, request: Request, *, method_not_allowed: bool = False) -> Response:
        return graph_error(400, 100, "Unsupported request - method type or path not understood")

    def error(self, fault: Fault, request: Request) -> Response:
        if fault is Fault.UNAUTHORIZED:
            return graph_error(400, 190, "Error validating access token: Session has expired.", error_subcode=463)
        if fault is Fault.RATE_LIMITED:
            usage = {
                USER_ID: [
                    {"type": "instagram", "call_count": 100, "total_cputime": 30, "estimated_time_to_regain_access": 4}
                ]
            }
            return Response(
                400,
                {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}},
                {"X-Business-Use-Case-Usage": json.dumps(usage)},
            )
        if fault is Fault.DUPLICATE:
            return graph_error(400, 506, "Duplicate post", type="FacebookApiException")
        if fault is Fault.MEDIA_REJECTED:
            return self._fetch_failed()
        if fault is Fault.TOO_LONG:
            return graph_error(400, 100, "(#100) The parameter caption is invalid")
        if fault is Fault.UNAVAILABLE:
            return graph_error(503, 2, "Service temporarily unavailable", is_transient=True)
        return graph_error(500, 1, "An unknown error has occurred.", is_transient=True)

    def _fetch_failed(self) -> Response:
        return graph_error(
            400,
            9004,
            "Only photo or video can be accepted as media type.",
            error_subcode=2207052,
            error_user_title="Media download has failed.",
            error_user_msg="The media could not be fetched from this URI.",
        )

    # --- what tests set -----------------------------------------------------------------------------------------
    def set_figures(self, remote_id: str, **counts: int) -> None:
        with self.lock:
            self.figures.setdefault(remote_id, {}).update(counts)

    def use_allowance(self, count: int, *, at: datetime | None = None) -> None:
        """`count` posts published through the API (by another app) at `at` (now): counted in the allowance and
        among the account's media."""
        with self.lock:
            for _ in range(count):
                self._publish(caption="Posted by another app", alt_text="", moment=at or _now())

    def _publish(self, *, caption: str, alt_text: str, moment: datetime) -> str:
        media_id = self.next_id()
        self.media[media_id] = {
            "id": media_id,
            "caption": caption,
            "alt_text": alt_text,
            "media_type": "IMAGE",
            "timestamp": _stamp(moment),
            "permalink": f"https://www.instagram.com/p/S{media_id}/",
        }
        self.published_at.append(moment)
        return media_id

    def add_mention(self, *, text: str, author: str = "a_resident", in_reply_to: str = "") -> str:
        with self.lock:
            media_id = in_reply_to or next(iter(sorted(self.media, reverse=True)), "")
            comment_id = self.next_id()
            self.comments.setdefault(media_id, []).append(
                {"id": comment_id, "text": text, "username": author, "timestamp": _stamp(_now())}
            )
            return comment_id

    # --- routes -------------------------------------------------------------------------------------------------
    def _used(self) -> int:
        since = _now() - DAY
        return sum(1 for moment in self.published_at if moment > since)

    def publishing_limit(self, request: Request, user_id: str) -> Response:
        data: dict[str, Any] = {}
        fields = request.arg("fields", "quota_usage")
        if "quota_usage" in fields:
            data["quota_usage"] = self._used()
        if "config" in fields:
            data["config"] = {"quota_total": self.quota_total, "quota_duration": int(DAY.total_seconds())}
        return Response(200, {"data": [data]})

    def _fetch(self, url: str) -> bytes | None:
        """The image at `url` if it is a JPEG (Instagram takes no other type for an image post), else None."""
        if not url.startswith(("http://", "https://")):
            return None
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http(s) only, checked above)
                ctype = response.headers.get("Content-Type", "")
                content: bytes = response.read()
        except (OSError, ValueError):
            return None
        if not ctype.startswith("image/jpeg") or not content.startswith(b"\xff\xd8\xff"):
            return None
        return content

    def container_create(self, request: Request, user_id: str) -> Response:
        fields, _files = request.form()
        image_url = (fields.get("image_url") or [""])[0]
        caption = (fields.get("caption") or [""])[0]
        if not image_url:
            return graph_error(400, 100, "(#100) The parameter image_url is required")
        if len(caption) > 2200:
            return self.error(Fault.TOO_LONG, request)
        if len(re.findall(r"#\w", caption)) > 30:
            return graph_error(400, 100, "(#100) The caption has more than 30 hashtags")
        size = 0
        if self.fetch_images:
            content = self._fetch(image_url)
            if content is None:
                return self._fetch_failed()
            size = len(content)
        container_id = self.next_id()
        self.containers[container_id] = {
            "id": container_id,
            "status_code": "FINISHED",
            "image_url": image_url,
            "image_bytes": size,
            "caption": caption,
            "alt_text": (fields.get("alt_text") or [""])[0],
        }
        return Response(200, {"id": container_id})

    def media_publish(self, request: Request, user_id: str) -> Response:
        fields, _files = request.form()
        container = self.containers.get((fields.get("creation_id") or [""])[0])
        if container is None or container["status_code"] != "FINISHED":
            return graph_error(400, 9007, "Media ID is not available", error_subcode=2207027)
        if self._used() >= self.quota_total:
            return graph_error(
                400,
                9,
                "Application request limit reached",
                error_subcode=2207042,
                error_user_msg="You reached maximum number of posts that is allowed to be published by Content "
                "Publishing API.",
            )
        media_id = self._publish(caption=container["caption"], alt_text=container["alt_text"], moment=_now())
        container["status_code"] = "PUBLISHED"
        return Response(200, {"id": media_id})

    def media_list(self, request: Request, user_id: str) -> Response:
        limit = int(request.arg("limit", "25") or 25)
        media = sorted(self.media.values(), key=lambda item: item["timestamp"], reverse=True)[:limit]
        return Response(200, {"data": media, "paging": {}})

    def node(self, request: Request, node_id: str) -> Response:
        if node_id == USER_ID:
            return Response(
                200,
                {
                    "id": USER_ID,
                    "username": USERNAME,
                    "name": "OpenBeat Stand-in Police",
                    "followers_count": self.followers_count,
                },
            )
        if node_id in self.containers:
            return Response(200, {"id": node_id, "status_code": self.containers[node_id]["status_code"]})
        if node_id in self.media:
            return Response(200, self.media[node_id])
        return graph_error(
            400,
            100,
            f"Unsupported get request. Object with ID '{node_id}' does not exist",
            error_subcode=33,
            type="GraphMethodException",
        )

    def insights(self, request: Request, media_id: str) -> Response:
        if media_id not in self.media:
            return graph_error(400, 100, "(#100) Invalid media id", error_subcode=33)
        counts = self.figures.get(media_id, {})
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": counts.get(name, 0)}],
                "id": f"{media_id}/insights/{name}/lifetime",
            }
            for name in request.arg("metric").split(",")
            if name
        ]
        return Response(200, {"data": data})

    def _comment(self, comment_id: str) -> dict[str, Any] | None:
        return next((c for comments in self.comments.values() for c in comments if c["id"] == comment_id), None)

    def reply_create(self, request: Request, comment_id: str) -> Response:
        if self._comment(comment_id) is None:
            return graph_error(400, 100, f"Object with ID '{comment_id}' does not exist", error_subcode=33)
        fields, _files = request.form()
        message = (fields.get("message") or [""])[0]
        if not message:
            return graph_error(400, 100, "(#100) The parameter message is required")
        if len(message) > 2200:
            return self.error(Fault.TOO_LONG, request)
        reply_id = self.next_id()
        self.replies.setdefault(comment_id, []).append(
            {"id": reply_id, "text": message, "username": USERNAME, "timestamp": _stamp(_now())}
        )
        return Response(200, {"id": reply_id})

    def reply_list(self, request: Request, comment_id: str) -> Response:
        if self._comment(comment_id) is None:
            return graph_error(400, 100, f"Object with ID '{comment_id}' does not exist", error_subcode=33)
        return Response(200, {"data": list(self.replies.get(comment_id, [])), "paging": {}})

    def replies_to(self, comment_id: str) -> list[dict[str, Any]]:
        """The account's replies to `comment_id`, for tests."""
        with self.lock:
            return list(self.replies.get(comment_id, []))

    def comment_list(self, request: Request, media_id: str) -> Response:
        if media_id not in self.media:
            return graph_error(400, 100, "(#100) Invalid media id", error_subcode=33)
        return Response(200, {"data": list(reversed(self.comments.get(media_id, []))), "paging": {}})
