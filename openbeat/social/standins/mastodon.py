"""A Mastodon server's REST API, the part the connector uses (docs.joinmastodon.org/methods/): statuses with
Idempotency-Key, media, the account, its statuses, notifications, and /api/v2/instance with its own
max_characters. Errors as Mastodon answers them: {"error": "..."} with 401, 422, 429 (X-RateLimit-Reset), 5xx.
Any non-empty bearer token is the account's, unless revoked with `revoke(token)`. A reply (`in_reply_to_id`) must
answer a status the server knows (the account's own, or a mention of it): otherwise 404, as Mastodon answers.
A status's @name or @name@server is shown as Mastodon renders a mention (a link showing the name's local part) and
listed in its `mentions`; a status's "_source" (kept out of every answer) is the text that was sent."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from openbeat.social.connectors.mastodon import mastodon_length
from openbeat.social.standins.base import Fault, Request, Response, Standin, iso_utc

ACCOUNT_ID = "109000000000000001"
MENTION = re.compile(r"(?<![\w@])@(\w+)(?:@([\w.-]+\w))?")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MastodonStandin(Standin):
    network = "mastodon"
    domain = "standin.social"

    def reset(self) -> None:
        self.max_characters = 500
        self.followers_count = 1250
        self.statuses: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[tuple[str, str], str] = {}  # (token, key) -> status id, as Mastodon keeps an hour
        self.notifications: list[dict[str, Any]] = []
        self.revoked: set[str] = set()
        self.figures: dict[str, dict[str, int]] = {}
        self.posts_received: Counter[str] = Counter()  # POST /api/v1/statuses requests by Idempotency-Key

    def revoke(self, token: str) -> None:
        self.revoked.add(token)

    def summary(self) -> dict[str, Any]:
        return {"statuses": len(self.statuses), "media": len(self.media), "mentions": len(self.notifications)}

    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", r"/api/v2/instance", self.instance),
            ("GET", r"/api/v1/instance", self.instance_v1),
            ("GET", r"/api/v1/accounts/verify_credentials", self.verify_credentials),
            ("GET", r"/api/v1/accounts/([^/]+)/statuses", self.account_statuses),
            ("POST", r"/api/v1/statuses", self.status_create),
            ("GET", r"/api/v1/statuses/([^/]+)", self.status_get),
            ("DELETE", r"/api/v1/statuses/([^/]+)", self.status_delete),
            ("POST", r"/api/v[12]/media", self.media_create),
            ("GET", r"/api/v1/media/([^/]+)", self.media_get),
            ("GET", r"/api/v1/notifications", self.notifications_list),
        ]

    def handle(self, request: Request) -> Response:
        if not request.path.startswith(("/_standin/", "/api/v2/instance", "/api/v1/instance")) and (
            not request.bearer or request.bearer in self.revoked
        ):
            return self.error(Fault.UNAUTHORIZED, request)
        return super().handle(request)

    def error(self, fault: Fault, request: Request) -> Response:
        if fault is Fault.UNAUTHORIZED:
            return Response(401, {"error": "The access token is invalid"})
        if fault is Fault.RATE_LIMITED:
            reset = (datetime.now(UTC) + timedelta(seconds=120)).isoformat(timespec="milliseconds")
            return Response(
                429,
                {"error": "Too many requests"},
                {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            )
        if fault is Fault.UNAVAILABLE:
            return Response(503, {"error": "Service Unavailable"})
        if fault is Fault.TOO_LONG:
            limit = self.max_characters
            return Response(422, {"error": f"Validation failed: Text character limit of {limit} exceeded"})
        if fault is Fault.DUPLICATE:
            return Response(422, {"error": "Validation failed: Text has already been posted"})
        if fault is Fault.MEDIA_REJECTED:
            return Response(422, {"error": "Validation failed: File content type is invalid"})
        return Response(500, {"error": "We're sorry, but something went wrong on our end."})

    # --- documents ----------------------------------------------------------------------------------------------
    def account(self, acct: str = "openbeat", account_id: str = ACCOUNT_ID) -> dict[str, Any]:
        return {
            "id": account_id,
            "username": acct.split("@")[0],
            "acct": acct,
            "display_name": "OpenBeat stand-in" if account_id == ACCOUNT_ID else acct,
            "locked": False,
            "bot": False,
            "created_at": "2024-01-01T00:00:00.000Z",
            "note": "",
            "url": f"https://{self.domain}/@{acct}",
            "avatar": "",
            "header": "",
            "followers_count": self.followers_count if account_id == ACCOUNT_ID else 3,
            "following_count": 10,
            "statuses_count": len(self.statuses),
            "fields": [],
            "emojis": [],
        }

    def status_document(self, status: dict[str, Any]) -> dict[str, Any]:
        counts = self.figures.get(status["id"], {})
        return {key: value for key, value in status.items() if not key.startswith("_")} | {
            "replies_count": counts.get("replies", 0),
            "reblogs_count": counts.get("shares", 0),
            "favourites_count": counts.get("reactions", 0),
        }

    def set_figures(self, remote_id: str, **counts: int) -> None:
        with self.lock:
            self.figures.setdefault(remote_id, {}).update(counts)

    # --- routes -------------------------------------------------------------------------------------------------
    def instance(self, request: Request) -> Response:
        return Response(
            200,
            {
                "domain": self.domain,
                "title": "OpenBeat Mastodon stand-in",
                "version": "4.3.0",
                "api_versions": {"mastodon": 2},
                "source_url": "https://github.com/mastodon/mastodon",
                "description": "",
                "configuration": {
                    "urls": {},
                    "accounts": {"max_featured_tags": 10},
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                    "media_attachments": {
                        "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                        "image_size_limit": 16777216,
                        "description_limit": 1500,
                    },
                },
                "registrations": {"enabled": False, "approval_required": False},
                "contact": {"email": ""},
                "rules": [],
            },
        )

    def instance_v1(self, request: Request) -> Response:
        return Response(
            200,
            {
                "uri": self.domain,
                "title": "OpenBeat Mastodon stand-in",
                "version": "4.3.0",
                "configuration": {"statuses": {"max_characters": self.max_characters}},
            },
        )

    def verify_credentials(self, request: Request) -> Response:
        return Response(200, self.account())

    def account_statuses(self, request: Request, account_id: str) -> Response:
        limit = int(request.arg("limit", "20") or 20)
        mine = [status for status in self.statuses.values() if status["account"]["id"] == account_id]
        mine.sort(key=lambda status: int(status["id"]), reverse=True)
        return Response(200, [self.status_document(status) for status in mine[:limit]])

    def status_create(self, request: Request) -> Response:
        fields, _files = request.form()
        text = (fields.get("status") or [""])[0]
        media_ids = fields.get("media_ids[]") or fields.get("media_ids") or []
        key = request.headers.get("idempotency-key", "")
        self.posts_received[key] += 1
        if key and (request.bearer, key) in self.idempotency:
            # Mastodon answers a repeated key with the status it made the first time
            return Response(200, self.status_document(self.statuses[self.idempotency[(request.bearer, key)]]))
        if not text and not media_ids:
            return Response(422, {"error": "Validation failed: Text can't be blank"})
        if mastodon_length(text) > self.max_characters:
            return self.error(Fault.TOO_LONG, request)
        reply_to = (fields.get("in_reply_to_id") or [""])[0]
        replied = self._known_status(reply_to) if reply_to else None
        if reply_to and replied is None:
            return Response(404, {"error": "Record not found"})
        if len(media_ids) > 4:
            return Response(422, {"error": "Validation failed: Media attachments too many"})
        missing = [media_id for media_id in media_ids if media_id not in self.media]
        if missing:
            return Response(422, {"error": "Validation failed: Media attachments are invalid"})
        status_id = self.next_id()
        status = self._status(status_id, text, _now(), [self.media[media_id] for media_id in media_ids], replied)
        self.statuses[status_id] = status
        if key:
            self.idempotency[(request.bearer, key)] = status_id
        return Response(200, self.status_document(status))

    def _status(
        self,
        status_id: str,
        text: str,
        created_at: str,
        media: list[dict[str, Any]],
        replied: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        mentions = [
            {"id": f"3{n:017d}", "username": m[1], "acct": m[0][1:], "url": f"https://{m[2] or self.domain}/@{m[1]}"}
            for n, m in enumerate(MENTION.finditer(text))
        ]
        # Mastodon's HTML for a mention: an h-card link showing @name alone, whatever the server.
        linked = MENTION.sub(
            lambda m: (
                f'<span class="h-card" translate="no"><a href="https://{m[2] or self.domain}/@{m[1]}" '
                f'class="u-url mention">@<span>{m[1]}</span></a></span>'
            ),
            html.escape(text),
        )
        paragraphs = linked.split("\n\n")
        content = "".join(f"<p>{paragraph.replace(chr(10), '<br />')}</p>" for paragraph in paragraphs)
        return {
            "id": status_id,
            "created_at": created_at,
            "in_reply_to_id": replied["id"] if replied else None,
            "in_reply_to_account_id": replied["account"]["id"] if replied else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": "en",
            "uri": f"https://{self.domain}/users/openbeat/statuses/{status_id}",
            "url": f"https://{self.domain}/@openbeat/{status_id}",
            "content": content,
            "account": self.account(),
            "media_attachments": media,
            "mentions": mentions,
            "_source": text,  # what was sent: answered only on delete, as Mastodon does
            "tags": [],
            "emojis": [],
        }

    def add_post(self, *, remote_id: str, text: str, created_at: datetime) -> None:
        with self.lock:
            self.statuses[remote_id] = self._status(remote_id, text, iso_utc(created_at), [])

    def _known_status(self, status_id: str) -> dict[str, Any] | None:
        """A status the server knows: the account's own, or one that mentions it."""
        if status_id in self.statuses:
            return self.statuses[status_id]
        return next((n["status"] for n in self.notifications if n["status"]["id"] == status_id), None)

    def replies_to(self, status_id: str) -> list[dict[str, Any]]:
        """The account's statuses answering `status_id`, for tests."""
        with self.lock:
            return [status for status in self.statuses.values() if status["in_reply_to_id"] == status_id]

    def status_get(self, request: Request, status_id: str) -> Response:
        if status_id not in self.statuses:
            return Response(404, {"error": "Record not found"})
        return Response(200, self.status_document(self.statuses[status_id]))

    def status_delete(self, request: Request, status_id: str) -> Response:
        status = self.statuses.pop(status_id, None)
        if status is None:
            return Response(404, {"error": "Record not found"})
        return Response(200, self.status_document(status) | {"text": status.get("_source", "")})

    def media_create(self, request: Request) -> Response:
        fields, files = request.form()
        content, mime = files.get("file", (b"", ""))
        description = (fields.get("description") or [""])[0]
        if not content or not mime.startswith("image/"):
            return self.error(Fault.MEDIA_REJECTED, request)
        if len(description) > 1500:
            return Response(422, {"error": "Validation failed: Description is too long (maximum is 1500 characters)"})
        media_id = self.next_id()
        self.media[media_id] = {
            "id": media_id,
            "type": "image",
            "url": f"https://{self.domain}/media/{media_id}.png",
            "preview_url": f"https://{self.domain}/media/{media_id}_small.png",
            "description": description,
            "blurhash": None,
            "meta": {},
        }
        return Response(200, self.media[media_id])

    def media_get(self, request: Request, media_id: str) -> Response:
        if media_id not in self.media:
            return Response(404, {"error": "Record not found"})
        return Response(200, self.media[media_id])

    def notifications_list(self, request: Request) -> Response:
        types = request.query.get("types[]") or request.query.get("types") or []
        found = [item for item in self.notifications if not types or item["type"] in types]
        return Response(200, list(reversed(found))[: int(request.arg("limit", "40") or 40)])

    def add_mention(self, *, text: str, author: str = "resident@example.org", in_reply_to: str = "") -> str:
        with self.lock:
            status_id = self.next_id()
            status: dict[str, Any] = {
                "id": status_id,
                "created_at": _now(),
                "in_reply_to_id": in_reply_to or None,
                "in_reply_to_account_id": ACCOUNT_ID if in_reply_to else None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": "public",
                "uri": f"https://example.org/statuses/{status_id}",
                "url": f"https://example.org/@{author.split('@')[0]}/{status_id}",
                "content": f"<p>{html.escape(text)}</p>",
                "account": self.account(author, account_id="200"),
                "media_attachments": [],
                "mentions": [],
                "tags": [],
                "emojis": [],
            }
            self.notifications.append(
                {
                    "id": self.next_id(),
                    "type": "mention",
                    "created_at": status["created_at"],
                    "account": status["account"],
                    "status": status,
                }
            )
            return status_id
