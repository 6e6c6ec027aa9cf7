"""X's API v2, the part the connector uses (docs.x.com/x-api): POST/DELETE /2/tweets, GET /2/tweets with
public_metrics, /2/users/me, a user's posts and mentions, /2/media/upload and /2/media/metadata. Errors as X
answers them (problem JSON: {"title", "detail", "type", "status"}): 401, 402 (credits spent), 403 (duplicate
content), 429 with x-rate-limit-reset, 5xx. Any OAuth 1.0a Authorization header (or bearer token) is the account's;
a text the account already posted is refused as a duplicate, as X does. A reply (`reply.in_reply_to_tweet_id`) must
answer a post X knows (the account's own, or a mention of it): otherwise 403 "deleted or not visible"."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from openbeat.social.connectors.x import MAX_WEIGHTED, x_length
from openbeat.social.standins.base import Fault, Request, Response, Standin, iso_utc

USER_ID = "1500000000000000001"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Response:
    return Response(status, {"title": title, "detail": detail, "type": kind, "status": status})


class XStandin(Standin):
    network = "x"

    def reset(self) -> None:
        self.followers_count = 3100
        self.reject_duplicates = True
        self.tweets: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.mentions: list[dict[str, Any]] = []
        self.figures: dict[str, dict[str, int]] = {}

    def summary(self) -> dict[str, Any]:
        return {"tweets": len(self.tweets), "media": len(self.media), "mentions": len(self.mentions)}

    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("POST", r"/2/tweets", self.tweet_create),
            ("GET", r"/2/tweets", self.tweets_lookup),
            ("DELETE", r"/2/tweets/([0-9]+)", self.tweet_delete),
            ("GET", r"/2/users/me", self.me),
            ("GET", r"/2/users/([0-9]+)/tweets", self.user_tweets),
            ("GET", r"/2/users/([0-9]+)/mentions", self.user_mentions),
            ("POST", r"/2/media/upload", self.media_upload),
            ("POST", r"/2/media/metadata", self.media_metadata),
        ]

    def handle(self, request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        if not request.path.startswith("/_standin/") and not (
            ('oauth_token="' in auth and auth.startswith("OAuth ")) or request.bearer
        ):
            return self.error(Fault.UNAUTHORIZED, request)
        return super().handle(request)

    def not_found(self, request: Request, *, method_not_allowed: bool = False) -> Response:
        return _problem(404, "Not Found Error", "Could not find the resource.")

    def error(self, fault: Fault, request: Request) -> Response:
        if fault is Fault.UNAUTHORIZED:
            return _problem(401, "Unauthorized", "Unauthorized")
        if fault is Fault.CREDITS:
            return _problem(
                402,
                "CreditsDepleted",
                "Your enrolled account does not have any credits to fulfill this request.",
                "https://api.x.com/2/problems/credits",
            )
        if fault is Fault.RATE_LIMITED:
            reset = int(time.time()) + 600
            headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
            return Response(
                429,
                {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
                headers,
            )
        if fault is Fault.DUPLICATE:
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        if fault is Fault.TOO_LONG:
            return Response(
                400,
                {
                    "errors": [{"message": "Your Tweet text is too long.", "parameters": {}}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.x.com/2/problems/invalid-request",
                },
            )
        if fault is Fault.MEDIA_REJECTED:
            return Response(
                400,
                {
                    "errors": [{"message": "media type unrecognized."}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid. (media)",
                    "type": "https://api.x.com/2/problems/invalid-request",
                },
            )
        if fault is Fault.UNAVAILABLE:
            return _problem(503, "Service Unavailable", "Service Unavailable")
        return _problem(500, "Internal Server Error", "Internal Server Error")

    def set_figures(self, remote_id: str, **counts: int) -> None:
        with self.lock:
            self.figures.setdefault(remote_id, {}).update(counts)

    def _tweet(self, tweet: dict[str, Any], fields: str) -> dict[str, Any]:
        document = {key: tweet[key] for key in ("id", "text", "edit_history_tweet_ids")}
        for name in ("created_at", "author_id", "referenced_tweets"):
            if name in fields and name in tweet:
                document[name] = tweet[name]
        if "public_metrics" in fields:
            counts = self.figures.get(tweet["id"], {})
            document["public_metrics"] = {
                "retweet_count": counts.get("shares", 0),
                "reply_count": counts.get("replies", 0),
                "like_count": counts.get("reactions", 0),
                "quote_count": counts.get("quotes", 0),
                "bookmark_count": 0,
                "impression_count": counts.get("impressions", 0),
            }
        return document

    def _since(self, request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        start = request.arg("start_time")
        if start:
            after = datetime.fromisoformat(start.replace("Z", "+00:00"))
            items = [
                item for item in items if datetime.fromisoformat(item["created_at"].replace("Z", "+00:00")) >= after
            ]
        limit = int(request.arg("max_results", "10") or 10)
        return sorted(items, key=lambda item: int(item["id"]), reverse=True)[:limit]

    # --- routes -------------------------------------------------------------------------------------------------
    def tweet_create(self, request: Request) -> Response:
        data = request.json()
        text = data.get("text", "")
        media_ids = (data.get("media") or {}).get("media_ids") or []
        if x_length(text) > MAX_WEIGHTED:
            return self.error(Fault.TOO_LONG, request)
        if self.reject_duplicates and any(
            tweet["text"] == text for tweet in self.tweets.values() if "author" not in tweet
        ):
            return self.error(Fault.DUPLICATE, request)
        reply_to = str((data.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        if reply_to and reply_to not in self.tweets and all(tweet["id"] != reply_to for tweet in self.mentions):
            return _problem(
                403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you."
            )
        if any(media_id not in self.media for media_id in media_ids):
            return Response(
                400,
                {
                    "errors": [{"message": "Your media IDs are invalid."}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.x.com/2/problems/invalid-request",
                },
            )
        tweet_id = self.next_id()
        self.tweets[tweet_id] = {
            "id": tweet_id,
            "text": text,
            "edit_history_tweet_ids": [tweet_id],
            "created_at": _now(),
            "author_id": USER_ID,
        }
        if reply_to:
            self.tweets[tweet_id]["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        return Response(201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}})

    def add_post(self, *, remote_id: str, text: str, created_at: datetime) -> None:
        with self.lock:
            self.tweets[remote_id] = {
                "id": remote_id,
                "text": text,
                "edit_history_tweet_ids": [remote_id],
                "created_at": iso_utc(created_at),
                "author_id": USER_ID,
            }

    def replies_to(self, tweet_id: str) -> list[dict[str, Any]]:
        """The account's posts answering `tweet_id`, for tests."""
        with self.lock:
            return [
                tweet
                for tweet in self.tweets.values()
                if {"type": "replied_to", "id": tweet_id} in tweet.get("referenced_tweets", [])
            ]

    def tweets_lookup(self, request: Request) -> Response:
        ids = request.arg("ids").split(",")
        fields = request.arg("tweet.fields")
        found = [self._tweet(self.tweets[tweet_id], fields) for tweet_id in ids if tweet_id in self.tweets]
        errors = [
            {
                "value": tweet_id,
                "detail": f"Could not find tweet with ids: [{tweet_id}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": tweet_id,
                "type": "https://api.x.com/2/problems/resource-not-found",
            }
            for tweet_id in ids
            if tweet_id not in self.tweets
        ]
        body: dict[str, Any] = {"data": found} if found else {}
        if errors:
            body["errors"] = errors
        return Response(200, body)

    def tweet_delete(self, request: Request, tweet_id: str) -> Response:
        deleted = self.tweets.pop(tweet_id, None) is not None
        return Response(200, {"data": {"deleted": deleted}})

    def me(self, request: Request) -> Response:
        return Response(
            200,
            {
                "data": {
                    "id": USER_ID,
                    "name": "OpenBeat Stand-in Police",
                    "username": "openbeatstandin",
                    "public_metrics": {
                        "followers_count": self.followers_count,
                        "following_count": 20,
                        "tweet_count": len(self.tweets),
                        "listed_count": 1,
                    },
                }
            },
        )

    def user_tweets(self, request: Request, user_id: str) -> Response:
        mine = [tweet for tweet in self.tweets.values() if tweet["author_id"] == user_id]
        fields = request.arg("tweet.fields")
        items = [self._tweet(tweet, fields) for tweet in self._since(request, mine)]
        return Response(
            200, {"data": items, "meta": {"result_count": len(items)}} if items else {"meta": {"result_count": 0}}
        )

    def user_mentions(self, request: Request, user_id: str) -> Response:
        fields = request.arg("tweet.fields")
        items = [self._tweet(tweet, fields) for tweet in self._since(request, self.mentions)]
        if not items:
            return Response(200, {"meta": {"result_count": 0}})
        users = {tweet["author_id"]: tweet["author"] for tweet in self.mentions}
        return Response(
            200,
            {
                "data": items,
                "includes": {"users": [{"id": key, "name": value, "username": value} for key, value in users.items()]},
                "meta": {"result_count": len(items)},
            },
        )

    def media_upload(self, request: Request) -> Response:
        _fields, files = request.form()
        content, mime = files.get("media", (b"", ""))
        if not content or not mime.startswith("image/"):
            return self.error(Fault.MEDIA_REJECTED, request)
        media_id = self.next_id()
        self.media[media_id] = {"id": media_id, "media_key": f"3_{media_id}", "size": len(content), "alt_text": ""}
        return Response(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(content),
                    "expires_after_secs": 86400,
                    "image": {"image_type": mime, "w": 1, "h": 1},
                }
            },
        )

    def media_metadata(self, request: Request) -> Response:
        data = request.json()
        media = self.media.get(str(data.get("id")))
        if media is None:
            return _problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
        alt = ((data.get("metadata") or {}).get("alt_text") or {}).get("text", "")
        if len(alt) > 1000:
            return _problem(400, "Invalid Request", "alt_text must be at most 1000 characters.")
        media["alt_text"] = alt
        return Response(200, {"data": {"id": media["id"], "associated_metadata": data.get("metadata")}})

    def add_mention(self, *, text: str, author: str = "resident", in_reply_to: str = "") -> str:
        with self.lock:
            tweet_id = self.next_id()
            tweet: dict[str, Any] = {
                "id": tweet_id,
                "text": text,
                "edit_history_tweet_ids": [tweet_id],
                "created_at": _now(),
                "author_id": "2000",
                "author": author,
            }
            if in_reply_to:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": in_reply_to}]
            self.mentions.append(tweet)
            return tweet_id
