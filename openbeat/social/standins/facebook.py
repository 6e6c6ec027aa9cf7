"""The Facebook Graph API, the part the Pages connector uses (developers.facebook.com/docs/pages-api): the Page,
its feed (POST and GET with comments), unpublished photos with alt text, a post, its insights, DELETE. Errors as
the Graph API answers them: {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}, with 190 for a
dead token, 32 and X-Business-Use-Case-Usage for a rate limit, 1/2 transient, 506 duplicate. Served under /v23.0.
Any non-empty bearer token is the Page's. A reply is a comment on a comment (POST /{comment-id}/comments); a comment
that does not exist answers code 100 with subcode 33, as the Graph API does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from openbeat.social.standins.base import Fault, Request, Response, Standin

PAGE_ID = "104000000000001"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(status: int, code: int, message: str, **extra: Any) -> Response:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AStandinTrace"} | extra
    return Response(status, {"error": error})


class FacebookStandin(Standin):
    network = "facebook"

    def reset(self) -> None:
        self.followers_count = 5200
        self.posts: dict[str, dict[str, Any]] = {}
        self.photos: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[str, list[dict[str, Any]]] = {}  # comment id -> the comments on it
        self.figures: dict[str, dict[str, int]] = {}

    def summary(self) -> dict[str, Any]:
        return {"posts": len(self.posts), "photos": len(self.photos)}

    def routes(self) -> list[tuple[str, str, Any]]:
        v = r"/v[0-9.]+/"
        return [
            ("GET", v + r"([0-9]+)/feed", self.feed_list),
            ("POST", v + r"([0-9]+)/feed", self.feed_create),
            ("POST", v + r"([0-9]+)/photos", self.photo_create),
            ("GET", v + r"([0-9_]+)/insights", self.insights),
            ("POST", v + r"([0-9_]+)/comments", self.comment_create),
            ("GET", v + r"([0-9_]+)/comments", self.comment_list),
            ("GET", v + r"([0-9_]+)", self.node),
            ("DELETE", v + r"([0-9_]+)", self.node_delete),
        ]

    def handle(self, request: Request) -> Response:
        if not request.path.startswith("/_standin/") and not request.bearer:
            return self.error(Fault.UNAUTHORIZED, request)
        return super().handle(request)

    def not_found(self, request: Request, *, method_not_allowed: bool = False) -> Response:
        return graph_error(400, 100, "Unsupported request - method type or path not understood")

    def error(self, fault: Fault, request: Request) -> Response:
        if fault is Fault.UNAUTHORIZED:
            return graph_error(
                400,
                190,
                "Error validating access token: The session has been invalidated because the user changed their "
                "password or Facebook has changed the session for security reasons.",
                error_subcode=460,
            )
        if fault is Fault.RATE_LIMITED:
            usage = {
                PAGE_ID: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 40,
                        "total_time": 60,
                        "estimated_time_to_regain_access": 3,
                    }
                ]
            }
            return Response(
                400,
                {"error": {"message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32}},
                {"X-Business-Use-Case-Usage": json.dumps(usage)},
            )
        if fault is Fault.DUPLICATE:
            return graph_error(400, 506, "Duplicate status message", type="FacebookApiException")
        if fault is Fault.MEDIA_REJECTED:
            return graph_error(400, 324, "(#324) Requires upload file")
        if fault is Fault.TOO_LONG:
            return graph_error(400, 100, "(#100) Invalid parameter")
        if fault is Fault.UNAVAILABLE:
            return graph_error(503, 2, "Service temporarily unavailable", is_transient=True)
        return graph_error(500, 1, "An unknown error has occurred.", is_transient=True)

    def set_figures(self, remote_id: str, **counts: int) -> None:
        with self.lock:
            self.figures.setdefault(remote_id, {}).update(counts)

    def _post_document(self, post_id: str, fields: str) -> dict[str, Any]:
        post = self.posts[post_id]
        counts = self.figures.get(post_id, {})
        document = dict(post)
        if "shares" in fields:
            document["shares"] = {"count": counts.get("shares", 0)}
        if "reactions" in fields:
            document["reactions"] = {"data": [], "summary": {"total_count": counts.get("reactions", 0)}}
        if "comments" in fields:
            comments = self.comments.get(post_id, [])
            data = [] if "comments.limit(0)" in fields else comments
            document["comments"] = {"data": data, "summary": {"total_count": counts.get("replies", len(comments))}}
        return document

    # --- routes -------------------------------------------------------------------------------------------------
    def node(self, request: Request, node_id: str) -> Response:
        fields = request.arg("fields")
        if node_id == PAGE_ID:
            return Response(
                200,
                {
                    "id": PAGE_ID,
                    "name": "OpenBeat Stand-in Police",
                    "username": "openbeatstandin",
                    "followers_count": self.followers_count,
                    "link": "https://www.facebook.com/openbeatstandin",
                },
            )
        if node_id in self.posts:
            return Response(200, self._post_document(node_id, fields))
        if (comment := self._comment(node_id)) is not None:
            return Response(200, comment)
        return graph_error(
            400,
            100,
            f"Unsupported get request. Object with ID '{node_id}' does not exist",
            error_subcode=33,
            type="GraphMethodException",
        )

    def node_delete(self, request: Request, node_id: str) -> Response:
        if self.posts.pop(node_id, None) is None:
            return graph_error(
                400, 100, f"Object with ID '{node_id}' does not exist", error_subcode=33, type="GraphMethodException"
            )
        return Response(200, {"success": True})

    def feed_create(self, request: Request, page_id: str) -> Response:
        fields, _files = request.form()
        message = (fields.get("message") or [""])[0]
        link = (fields.get("link") or [""])[0]
        attached = [json.loads(values[0]) for name, values in fields.items() if name.startswith("attached_media")]
        if not message and not link and not attached:
            return graph_error(400, 100, "(#100) Missing message or attachment")
        if len(message) > 63206:
            return self.error(Fault.TOO_LONG, request)
        if any(item.get("media_fbid") not in self.photos for item in attached):
            return graph_error(400, 100, "(#100) param attached_media must be an array of valid photo ids")
        post_id = f"{page_id}_{self.next_id()}"
        self.posts[post_id] = {
            "id": post_id,
            "message": message,
            "created_time": _now(),
            "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post_id.split('_')[1]}",
        }
        if link:
            self.posts[post_id]["link"] = link
        return Response(200, {"id": post_id})

    def add_post(self, *, remote_id: str, text: str, created_at: datetime) -> None:
        with self.lock:
            self.posts[remote_id] = {
                "id": remote_id,
                "message": text,
                "created_time": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{remote_id.split('_')[-1]}",
            }

    def _comment(self, comment_id: str) -> dict[str, Any] | None:
        for comments in [*self.comments.values(), *self.replies.values()]:
            for comment in comments:
                if comment["id"] == comment_id:
                    return comment
        return None

    def comment_create(self, request: Request, comment_id: str) -> Response:
        if self._comment(comment_id) is None:
            return graph_error(
                400,
                100,
                f"Unsupported post request. Object with ID '{comment_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                error_subcode=33,
                type="GraphMethodException",
            )
        fields, _files = request.form()
        message = (fields.get("message") or [""])[0]
        if not message:
            return graph_error(400, 100, "(#100) Missing message or attachment")
        if len(message) > 63206:
            return self.error(Fault.TOO_LONG, request)
        reply_id = f"{comment_id.split('_')[0]}_{self.next_id()}"
        self.replies.setdefault(comment_id, []).append(
            {
                "id": reply_id,
                "from": {"name": "OpenBeat Stand-in Police", "id": PAGE_ID},
                "message": message,
                "created_time": _now(),
                "permalink_url": f"https://www.facebook.com/{reply_id}",
            }
        )
        return Response(200, {"id": reply_id})

    def replies_to(self, comment_id: str) -> list[dict[str, Any]]:
        """The Page's comments on `comment_id`, for tests."""
        with self.lock:
            return list(self.replies.get(comment_id, []))

    def comment_list(self, request: Request, node_id: str) -> Response:
        comments = self.replies.get(node_id) if self._comment(node_id) else self.comments.get(node_id)
        if comments is None and self._comment(node_id) is None and node_id not in self.posts:
            return graph_error(400, 100, f"Object with ID '{node_id}' does not exist", error_subcode=33)
        ordered = list(comments or [])
        if request.arg("order") == "reverse_chronological":
            ordered.reverse()
        return Response(200, {"data": ordered, "paging": {}})

    def photo_create(self, request: Request, page_id: str) -> Response:
        fields, files = request.form()
        content, mime = files.get("source", (b"", ""))
        if not content or not mime.startswith("image/"):
            return self.error(Fault.MEDIA_REJECTED, request)
        photo_id = self.next_id()
        self.photos[photo_id] = {"id": photo_id, "alt_text_custom": (fields.get("alt_text_custom") or [""])[0]}
        return Response(200, {"id": photo_id})

    def feed_list(self, request: Request, page_id: str) -> Response:
        since = int(request.arg("since", "0") or 0)
        fields = request.arg("fields")
        limit = int(request.arg("limit", "25") or 25)
        posts = sorted(self.posts.values(), key=lambda post: post["created_time"], reverse=True)
        posts = [
            post
            for post in posts
            if datetime.strptime(post["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() >= since
        ][:limit]
        return Response(200, {"data": [self._post_document(post["id"], fields) for post in posts], "paging": {}})

    def insights(self, request: Request, post_id: str) -> Response:
        if post_id not in self.posts:
            return graph_error(400, 100, "(#100) Invalid post id")
        counts = self.figures.get(post_id, {})
        return Response(
            200,
            {
                "data": [
                    {
                        "name": "post_impressions",
                        "period": "lifetime",
                        "values": [{"value": counts.get("impressions", 0)}],
                        "title": "Lifetime Post Total Impressions",
                        "id": f"{post_id}/insights/post_impressions",
                    }
                ],
                "paging": {},
            },
        )

    def add_mention(self, *, text: str, author: str = "A Resident", in_reply_to: str = "") -> str:
        with self.lock:
            post_id = in_reply_to or next(iter(sorted(self.posts, reverse=True)), "")
            comment_id = f"{post_id.split('_')[-1]}_{self.next_id()}"
            self.comments.setdefault(post_id, []).append(
                {
                    "id": comment_id,
                    "from": {"name": author, "id": "200"},
                    "message": text,
                    "created_time": _now(),
                    "permalink_url": f"https://www.facebook.com/{comment_id}",
                }
            )
            return comment_id
