"""The live page's JSON, cheap enough for thousands of watchers polling every few seconds.

The body depends only on the meeting's public state, which changes when a moderator acts. So the shared cache
(Django's default cache) keeps a version for each meeting, changed after every such commit (`live_changed`),
and the JSON body under a key naming that version. A poll reads the version (one cache read), answers 304 when
the browser's ETag already names it, else serves the body this process keeps for that version, else the body in
the shared cache, else builds it (a few queries, once per version across every process).

The busiest path skips even that read: `LivePollMiddleware`, first in MIDDLEWARE, answers a poll from this
process's copy when the version was read from the shared cache less than MEETINGS_LIVE_CHECK_SECONDS ago (half a
second), before sessions, CSRF and the rest run; otherwise the poll goes through the view, which reads the version
again. So a moderator's answer reaches a process's watchers at most that long after the commit (at once in the
process that committed it), and 600 polls a second cost a few version reads a second per process.

Distinct watchers: each poll's `X-Watcher` header (a random id the page makes) is counted in this process, per
minute; when a minute ends, the process adds its count to the shared cache's tally for that minute (one write a
minute) and raises the meeting's measured peak. Staff may copy the peak to the meeting's online attendance.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.security import SecurityMiddleware
from django.utils import timezone

from openbeat.meetings.models import Meeting, Question

VERSION_KEY = "meetings:live:version:{}"
BODY_KEY = "meetings:live:body:{}:{}"
PEAK_KEY = "meetings:live:peak:{}"
TALLY_KEY = "meetings:live:watchers:{}:{}"
BODY_TTL = 3600
WINDOW = 60

_local: dict[str, tuple[str, bytes]] = {}
# When each meeting's version was last read from the shared cache by this process (time.monotonic()).
_checked: dict[str, float] = {}
_lock = threading.Lock()
_watchers: dict[str, tuple[int, set[str]]] = {}


def _new_version() -> str:
    return secrets.token_hex(6)


def live_changed(meeting: Meeting) -> None:
    """The public state of `meeting` changed: a new version once the transaction commits (this process reads
    it at its next poll; the others within MEETINGS_LIVE_CHECK_SECONDS)."""
    public_id = str(meeting.event.public_id)
    key = VERSION_KEY.format(public_id)

    def publish() -> None:
        cache.set(key, _new_version(), None)
        _checked.pop(public_id, None)

    transaction.on_commit(publish)


def live_body_recent(public_id: str) -> tuple[str, bytes] | None:
    """This process's copy, if its version was read from the shared cache within MEETINGS_LIVE_CHECK_SECONDS."""
    at = _checked.get(public_id)
    if at is None or time.monotonic() - at >= getattr(settings, "MEETINGS_LIVE_CHECK_SECONDS", 0.5):
        return None
    return _local.get(public_id)


def _build(meeting: Meeting, version: str) -> bytes:
    questions = (
        Question.objects.filter(meeting=meeting, state=Question.State.APPROVED)
        .annotate(votes_count=Count("votes"))
        .order_by(F("answered_at").desc(nulls_last=True), "-votes_count", "created_at")
    )
    rows = [
        {
            "id": q.pk,
            "name": q.display_name,
            "text": q.text,
            "votes": q.votes_count,
            "answer": q.answer,
            "answered": q.answered_at is not None,
            "answered_at": q.answered_at.isoformat() if q.answered_at else None,
        }
        for q in questions
    ]
    body = {
        "version": version,
        "title": meeting.event.title,
        "current": meeting.current_question_id,
        "questions": rows,
        "at": timezone.now().isoformat(),
    }
    return json.dumps(body, separators=(",", ":")).encode()


def live_body(public_id: str) -> tuple[str, bytes] | None:
    """(version, body) for the meeting with `public_id`; None when there is no such public meeting."""
    key = VERSION_KEY.format(public_id)
    version = cache.get(key)
    checked = time.monotonic()
    if version is not None:
        kept = _local.get(public_id)
        if kept is not None and kept[0] == version:
            _checked[public_id] = checked
            return kept
        body = cache.get(BODY_KEY.format(public_id, version))
        if body is not None:
            with _lock:
                _local[public_id] = (version, body)
                _checked[public_id] = checked
            return version, body
    meeting = (
        Meeting.objects.select_related("event")
        .filter(event__public_id=public_id, event__state__in=["published", "cancelled"])
        .first()
    )
    if meeting is None:
        return None
    if version is None:
        cache.add(key, _new_version(), None)
        version = cache.get(key) or _new_version()
    body = _build(meeting, version)
    cache.set(BODY_KEY.format(public_id, version), body, BODY_TTL)
    with _lock:
        _local[public_id] = (version, body)
        _checked[public_id] = checked
    return version, body


def etag_for(version: str) -> str:
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:16] + '"'


def watcher_seen(public_id: str, watcher: str) -> None:
    """Count one poll by `watcher` (a random id, at most 40 characters) in this process's current minute."""
    if not watcher or len(watcher) > 40:
        return
    minute = int(time.time() // WINDOW)
    flush: tuple[int, int] | None = None
    with _lock:
        kept = _watchers.get(public_id)
        if kept is None or kept[0] != minute:
            if kept is not None:
                flush = (kept[0], len(kept[1]))
            kept = (minute, set())
            _watchers[public_id] = kept
        if len(kept[1]) < 100_000:
            kept[1].add(watcher)
    if flush is not None:
        _flush(public_id, *flush)


def _flush(public_id: str, minute: int, count: int) -> None:
    tally_key = TALLY_KEY.format(public_id, minute)
    cache.add(tally_key, 0, 3600)
    try:
        total = cache.incr(tally_key, count)
    except ValueError:
        total = count
    peak_key = PEAK_KEY.format(public_id)
    if total > (cache.get(peak_key) or 0):
        cache.set(peak_key, total, 30 * 86400)


def watchers_peak(meeting: Meeting) -> int | None:
    """The most distinct watchers counted in one minute (every process's last finished minutes)."""
    public_id = str(meeting.event.public_id)
    with _lock:
        kept = _watchers.get(public_id)
        local = len(kept[1]) if kept else 0
    peak = cache.get(PEAK_KEY.format(public_id))
    if peak is None and not local:
        return None
    return max(peak or 0, local)


def reset_for_tests() -> None:
    with _lock:
        _local.clear()
        _checked.clear()
        _watchers.clear()


def live_response(request: HttpRequest, version: str, body: bytes) -> HttpResponse:
    """The poll's answer: 304 when the browser holds this version, else the body; public for two seconds."""
    etag = etag_for(version)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=2"}
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified(headers=headers)
    else:
        response = HttpResponse(body, content_type="application/json", headers=headers)
    response.public_cache_skip = True  # type: ignore[attr-defined]
    return response


LIVE_PATH = re.compile(r"/meetings/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/live\.json")


class LivePollMiddleware:
    """The live page's polls answered from this process's recent copy before the rest of the stack (see the
    module's docstring); the security headers as SecurityMiddleware sets them, and a CSP that allows nothing,
    since the body is data, never a page. Anything else, or a copy too old, goes on as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            match = LIVE_PATH.fullmatch(request.path_info)
            if match is not None:
                kept = live_body_recent(match.group(1))
                if kept is not None:
                    watcher_seen(match.group(1), request.headers.get("X-Watcher", "")[:41])
                    return self.decorate(request, live_response(request, *kept))
        return self.get_response(request)

    def decorate(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """The headers of a poll answered here (live_wsgi.LivePollApp adds the same, built by this)."""
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
        return self.security.process_response(request, response)


def as_dict(body: bytes) -> dict[str, Any]:
    return json.loads(body)
