"""The API's answers kept in each process's memory until the force's public data changes.

Why in memory and not in the shared cache: an API answer is a pure function of the public data, and every process
already knows when that changes: the public page cache's generation (core.pagecache) moves on any write to a public
model (a priority, an event, a neighbourhood, an officer), in this process at once and in the others within
PUBLIC_PAGE_CACHE_CHECK_SECONDS. Keeping answers under that generation costs no cache round trip per request
(the rate limit's `incr` is the one), and entries also expire after PUBLIC_PAGE_CACHE_SECONDS for what changes
with time alone (an event that has passed).

Each entry keeps its ETag (a hash of the body) and the time the body was first seen: when an entry is rebuilt
after a change elsewhere and comes out the same, its Last-Modified stays, so clients' conditional GETs still 304.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from openbeat.core.pagecache import generation

# A bound on memory per process, whatever the queries (a poly query's answer can be megabytes).
MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str
    last_modified: int  # a Unix time, whole seconds as HTTP dates have
    generation: str
    built_at: float  # monotonic


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


class AnswerStore:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.answers: OrderedDict[str, Answer] = OrderedDict()
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.answers.clear()
            self.size = 0

    def _put(self, key: str, answer: Answer) -> None:
        with self.lock:
            old = self.answers.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            if len(answer.body) > MAX_ENTRY_BYTES:
                return
            self.answers[key] = answer
            self.size += len(answer.body)
            while self.size > self.max_bytes and self.answers:
                _, dropped = self.answers.popitem(last=False)
                self.size -= len(dropped.body)

    def _kept(self, key: str) -> Answer | None:
        with self.lock:
            kept = self.answers.get(key)
            if kept is not None:
                self.answers.move_to_end(key)
        return kept

    @staticmethod
    def _is_fresh(kept: Answer, current: str, now: float) -> bool:
        return kept.generation == current and now - kept.built_at < getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 60)

    def fresh(self, key: str) -> Answer | None:
        """The kept answer for `key` if its data has not changed since (None if there is none, or it is stale)."""
        if not getattr(settings, "PUBLIC_PAGE_CACHE", True):
            return None
        kept = self._kept(key)
        if kept is None or not self._is_fresh(kept, generation.current(), time.monotonic()):
            return None
        return kept

    def get_or_build(self, key: str, build: Callable[[], bytes]) -> Answer:
        """The kept answer for `key` if its data has not changed since, else `build()`'s (kept for next time)."""
        enabled = getattr(settings, "PUBLIC_PAGE_CACHE", True)
        current = generation.current() if enabled else ""
        kept = self._kept(key)
        now = time.monotonic()
        if enabled and kept is not None and self._is_fresh(kept, current, now):
            return kept
        body = build()
        etag = etag_of(body)
        # Unchanged since last built: the same Last-Modified, so a client's If-Modified-Since still matches.
        last_modified = kept.last_modified if kept is not None and kept.etag == etag else int(time.time())
        answer = Answer(body, etag, last_modified, current, now)
        if enabled:
            self._put(key, answer)
        return answer


store = AnswerStore()
