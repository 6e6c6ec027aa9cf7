"""A Bluesky PDS's XRPC API, the part the connector uses (docs.bsky.app/docs/api): sessions (createSession,
refreshSession, with JWTs carrying `exp`), records (createRecord, deleteRecord, uploadBlob), the author's feed,
posts, the profile and notifications. Errors as a PDS answers them: {"error": Name, "message": ...} with 400
(InvalidRequest, ExpiredToken), 401 (AuthenticationRequired), 429 (ratelimit-* headers), 5xx.

Any identifier with the app password `APP_PASSWORD` (or any password not in `wrong_passwords`) signs in as the
one account; `access_ttl` sets how long its access tokens last (short ones make the SDK refresh). Mentions are
other accounts' posts: getPosts reads them (with their cid) as an AppView does. A reply's record must carry strong
refs (uri and cid) to its root and parent, as the lexicon requires; otherwise 400 InvalidRequest."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from openbeat.social.connectors.bluesky import over_limits
from openbeat.social.standins.base import Fault, Request, Response, Standin, iso_utc

DID = "did:plc:openbeatstandin0000000000"
HANDLE = "openbeat.standin.social"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _cid(data: bytes) -> str:
    # a CIDv1 (dag-cbor, sha2-256) in base32 is "bafyrei" + 52 characters; the digest keeps it stable per content
    return "bafyrei" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii").lower().rstrip("=")[:52]


def _tid() -> str:
    # a TID: 13 base32-sortable characters from microseconds since the epoch and a clock id
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value = (time.time_ns() // 1000) << 10 | secrets.randbelow(1024)
    out = ""
    for _ in range(13):
        out = alphabet[value & 31] + out
        value >>= 5
    return out


class BlueskyStandin(Standin):
    network = "bluesky"

    def reset(self) -> None:
        self.access_ttl = 7200
        self.followers_count = 840
        self.wrong_passwords: set[str] = {"wrong-password"}
        self.access_tokens: dict[str, float] = {}  # token -> expiry
        self.refresh_tokens: set[str] = set()
        self.records: dict[str, dict[str, Any]] = {}  # uri -> {"cid", "record", "indexedAt"}
        self.others: dict[str, dict[str, Any]] = {}  # other accounts' posts (mentions): uri -> the same, and "author"
        self.blobs: dict[str, int] = {}
        self.notifications: list[dict[str, Any]] = []
        self.figures: dict[str, dict[str, int]] = {}
        self.sessions_created = 0
        self.sessions_refreshed = 0

    def summary(self) -> dict[str, Any]:
        return {
            "posts": len(self.records),
            "blobs": len(self.blobs),
            "mentions": len(self.notifications),
            "sessions_created": self.sessions_created,
            "sessions_refreshed": self.sessions_refreshed,
        }

    def routes(self) -> list[tuple[str, str, Any]]:
        x = "/xrpc/"
        return [
            ("POST", x + r"com\.atproto\.server\.createSession", self.create_session),
            ("POST", x + r"com\.atproto\.server\.refreshSession", self.refresh_session),
            ("POST", x + r"com\.atproto\.repo\.createRecord", self.create_record),
            ("POST", x + r"com\.atproto\.repo\.deleteRecord", self.delete_record),
            ("POST", x + r"com\.atproto\.repo\.uploadBlob", self.upload_blob),
            ("GET", x + r"app\.bsky\.feed\.getAuthorFeed", self.author_feed),
            ("GET", x + r"app\.bsky\.feed\.getPosts", self.get_posts),
            ("GET", x + r"app\.bsky\.actor\.getProfile", self.get_profile),
            ("GET", x + r"app\.bsky\.notification\.listNotifications", self.list_notifications),
        ]

    def not_found(self, request: Request, *, method_not_allowed: bool = False) -> Response:
        return Response(501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})

    def error(self, fault: Fault, request: Request) -> Response:
        if fault is Fault.UNAUTHORIZED:
            return Response(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
        if fault is Fault.RATE_LIMITED:
            reset = int(time.time()) + 90
            return Response(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                {"ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
            )
        if fault is Fault.TOO_LONG:
            return Response(
                400,
                {
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
                },
            )
        if fault is Fault.MEDIA_REJECTED:
            return Response(400, {"error": "InvalidMimeType", "message": "Wrong type of blob (image) upload"})
        if fault is Fault.DUPLICATE:
            return Response(400, {"error": "InvalidRequest", "message": "Record already exists"})
        if fault is Fault.UNAVAILABLE:
            return Response(503, {"error": "ServiceUnavailable", "message": "Service Unavailable"})
        return Response(500, {"error": "InternalServerError", "message": "Internal Server Error"})

    # --- sessions -----------------------------------------------------------------------------------------------
    def _jwt(self, scope: str, ttl: float) -> str:
        header = _b64(json.dumps({"typ": "at+jwt", "alg": "HS256"}).encode())
        now = int(time.time())
        claims = {"scope": scope, "sub": DID, "aud": "did:web:standin", "iat": now, "exp": int(now + ttl)}
        claims["jti"] = secrets.token_urlsafe(12)
        return f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(secrets.token_bytes(32))}"

    def _new_session(self) -> dict[str, Any]:
        access = self._jwt("com.atproto.appPass", self.access_ttl)
        refresh = self._jwt("com.atproto.refresh", 90 * 86400)
        self.access_tokens[access] = time.time() + self.access_ttl
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": DID, "active": True}

    def create_session(self, request: Request) -> Response:
        data = request.json()
        if not data.get("identifier") or not data.get("password") or data["password"] in self.wrong_passwords:
            return self.error(Fault.UNAUTHORIZED, request)
        self.sessions_created += 1
        return Response(200, self._new_session())

    def refresh_session(self, request: Request) -> Response:
        token = request.bearer
        if token not in self.refresh_tokens:
            return Response(400, {"error": "ExpiredToken", "message": "Token has expired"})
        self.refresh_tokens.discard(token)  # a refresh token is used once, as on a PDS
        self.sessions_refreshed += 1
        return Response(200, self._new_session())

    def expire_refresh_tokens(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def _authorised(self, request: Request) -> Response | None:
        expiry = self.access_tokens.get(request.bearer)
        if expiry is None:
            return Response(401, {"error": "InvalidToken", "message": "Token could not be verified"})
        if expiry < time.time():
            return Response(400, {"error": "ExpiredToken", "message": "Token has expired"})
        return None

    # --- records ------------------------------------------------------------------------------------------------
    def create_record(self, request: Request) -> Response:
        if refused := self._authorised(request):
            return refused
        data = request.json()
        record = data.get("record") or {}
        if data.get("collection") == "app.bsky.feed.post" and (reason := over_limits(record.get("text", ""))):
            return Response(
                400, {"error": "InvalidRequest", "message": f"Invalid app.bsky.feed.post record: Record/text {reason}"}
            )
        reply = record.get("reply")
        if data.get("collection") == "app.bsky.feed.post" and reply is not None:
            for name in ("root", "parent"):
                ref = reply.get(name) if isinstance(reply, dict) else None
                if not isinstance(ref, dict) or not ref.get("uri") or not ref.get("cid"):
                    message = f'Invalid app.bsky.feed.post record: Record/reply/{name} must have the property "cid"'
                    return Response(400, {"error": "InvalidRequest", "message": message})
        for image in (record.get("embed") or {}).get("images", []):
            link = image.get("image", {}).get("ref", {}).get("$link")
            if link not in self.blobs:
                return Response(400, {"error": "InvalidRequest", "message": "Could not find blob: " + str(link)})
        rkey = data.get("rkey") or _tid()
        uri = f"at://{data.get('repo', DID)}/{data.get('collection')}/{rkey}"
        if uri in self.records:
            return self.error(Fault.DUPLICATE, request)
        cid = _cid(json.dumps(record, sort_keys=True).encode() + rkey.encode())
        self.records[uri] = {"cid": cid, "record": record, "indexedAt": _now()}
        return Response(200, {"uri": uri, "cid": cid, "validationStatus": "valid"})

    def add_post(self, *, remote_id: str, text: str, created_at: datetime) -> None:
        when = iso_utc(created_at)
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": when}
        with self.lock:
            cid = _cid(json.dumps(record, sort_keys=True).encode() + remote_id.encode())
            self.records[remote_id] = {"cid": cid, "record": record, "indexedAt": when}

    def delete_record(self, request: Request) -> Response:
        if refused := self._authorised(request):
            return refused
        data = request.json()
        self.records.pop(f"at://{data.get('repo')}/{data.get('collection')}/{data.get('rkey')}", None)
        return Response(200, {})

    def upload_blob(self, request: Request) -> Response:
        if refused := self._authorised(request):
            return refused
        if len(request.body) > 1_000_000:
            return Response(400, {"error": "BlobTooLarge", "message": "This file is too large. It is 2 MB."})
        cid = _cid(request.body)
        self.blobs[cid] = len(request.body)
        mime = request.headers.get("content-type") or "image/png"
        if mime in ("*/*", "application/octet-stream"):
            mime = "image/png"
        return Response(
            200, {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}}
        )

    # --- views --------------------------------------------------------------------------------------------------
    def _author(self, did: str = DID, handle: str = HANDLE) -> dict[str, Any]:
        return {"did": did, "handle": handle, "displayName": "OpenBeat stand-in" if did == DID else handle}

    def _post_view(self, uri: str) -> dict[str, Any]:
        stored = self.records.get(uri) or self.others[uri]
        counts = self.figures.get(uri, {})
        return {
            "uri": uri,
            "cid": stored["cid"],
            "author": stored.get("author") or self._author(),
            "record": stored["record"],
            "indexedAt": stored["indexedAt"],
            "likeCount": counts.get("reactions", 0),
            "repostCount": counts.get("shares", 0),
            "quoteCount": counts.get("quotes", 0),
            "replyCount": counts.get("replies", 0),
        }

    def set_figures(self, remote_id: str, **counts: int) -> None:
        with self.lock:
            self.figures.setdefault(remote_id, {}).update(counts)

    def _posts(self) -> list[str]:
        return [uri for uri in self.records if "/app.bsky.feed.post/" in uri]

    def author_feed(self, request: Request) -> Response:
        if refused := self._authorised(request):
            return refused
        limit = int(request.arg("limit", "50") or 50)
        uris = sorted(self._posts(), key=lambda uri: self.records[uri]["indexedAt"], reverse=True)[:limit]
        return Response(200, {"feed": [{"post": self._post_view(uri)} for uri in uris]})

    def get_posts(self, request: Request) -> Response:
        if refused := self._authorised(request):
            return refused
        uris = request.query.get("uris", [])
        known = [uri for uri in uris if uri in self.records or uri in self.others]
        return Response(200, {"posts": [self._post_view(uri) for uri in known]})

    def replies_to(self, uri: str) -> list[dict[str, Any]]:
        """The account's posts answering `uri` (their records), for tests."""
        with self.lock:
            return [
                stored["record"]
                for stored in self.records.values()
                if (stored["record"].get("reply") or {}).get("parent", {}).get("uri") == uri
            ]

    def get_profile(self, request: Request) -> Response:
        if refused := self._authorised(request):
            return refused
        return Response(
            200,
            self._author()
            | {"followersCount": self.followers_count, "followsCount": 12, "postsCount": len(self._posts())},
        )

    def list_notifications(self, request: Request) -> Response:
        if refused := self._authorised(request):
            return refused
        return Response(200, {"notifications": list(reversed(self.notifications))})

    def add_mention(self, *, text: str, author: str = "resident.example.org", in_reply_to: str = "") -> str:
        with self.lock:
            uri = f"at://did:plc:resident000/app.bsky.feed.post/{_tid()}"
            record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _now()}
            if in_reply_to:
                ref = {"uri": in_reply_to, "cid": self.records.get(in_reply_to, {}).get("cid", _cid(b"x"))}
                root = (self.records.get(in_reply_to, {}).get("record", {}).get("reply") or {}).get("root", ref)
                record["reply"] = {"root": root, "parent": ref}
            resident = self._author("did:plc:resident000", author)
            self.others[uri] = {"cid": _cid(uri.encode()), "record": record, "indexedAt": _now(), "author": resident}
            self.notifications.append(
                {
                    "uri": uri,
                    "cid": _cid(uri.encode()),
                    "author": resident,
                    "reason": "reply" if in_reply_to else "mention",
                    "record": record,
                    "isRead": False,
                    "indexedAt": _now(),
                }
            )
            return uri
