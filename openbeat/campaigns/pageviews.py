"""Page views counted by OpenBeat itself: server-side, no cookie, no tracker, nothing about the visitor kept.

What counts: a successful (200) GET of a public Wagtail page, from a browser that does not say it is a robot
(`is_bot`: a simple rule on the User-Agent, which is looked at and never kept). Per page and local day, nothing
else: no address, no browser, no referrer, no time of day.

How it stays cheap. A page view costs no database write on the request path:
1. `PageViewMiddleware` sits just before the public page cache (core/pagecache.py) in MIDDLEWARE, so it sees
   every response, those replayed from the cache too. The page's id comes from Wagtail's `before_serve_page`
   hook (wagtail_hooks.py) on a full render; a cached replay runs no view, so the middleware answers it from the
   address -> page id it learnt when that process rendered the page (the cache is per process: a page replayed
   by a process was rendered, and learnt, by it first).
2. Views add up in this process's memory and go to the shared cache (Redis, or the database cache on a small
   install) at most every PAGE_VIEWS_PUSH_SECONDS, one atomic `incr` per (page, day) whatever the traffic.
   A process that dies loses at most those seconds of counts.
3. The scheduler's `flush_page_views` job (every 5 minutes) moves the shared counters into `PageView` rows:
   it takes each counter's value away from the counter (decr) in the transaction that adds it to the row, so
   running it twice, or on two hosts, counts nothing twice.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from openbeat.campaigns.models import PageView

PAGE_ATTRIBUTE = "_openbeat_page_id"
KEY_PREFIX = "openbeat:pageviews"
# Shared counters live this long: a scheduler stopped for longer than this loses the oldest days.
COUNTER_SECONDS = 8 * 24 * 3600
# The flush looks this many days back (today included): more than the scheduler is ever expected to be down.
FLUSH_DAYS = 3
_BATCH = 1000
# Robots, crawlers, link previews, monitors and scripts: what a person's browser never says it is.
BOT = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|fetch|monitor|scan|check|curl|wget|python|java/|go-http|"
    r"httpclient|okhttp|headless|lighthouse|pingdom|facebookexternalhit|whatsapp|^mozilla/5\.0$",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    """A request that names no browser, or one that says it is a robot."""
    return not user_agent.strip() or BOT.search(user_agent) is not None


def counter_key(day: date, page_id: int) -> str:
    return f"{KEY_PREFIX}:{day.isoformat()}:{page_id}"


def _shared_add(key: str, n: int) -> None:
    cache = caches["default"]
    for _ in range(3):
        if cache.add(key, n, COUNTER_SECONDS):
            return
        try:
            cache.incr(key, n)
            return
        except ValueError:  # expired between add and incr: add again
            continue


class ViewBuffer:
    """This process's views not yet in the shared cache, pushed at most every PAGE_VIEWS_PUSH_SECONDS."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[date, int]] = Counter()
        self.pushed_at = time.monotonic()
        self.lock = threading.Lock()

    def add(self, page_id: int, day: date) -> None:
        with self.lock:
            self.counts[(day, page_id)] += 1
            due = time.monotonic() - self.pushed_at >= getattr(settings, "PAGE_VIEWS_PUSH_SECONDS", 10.0)
        if due:
            self.push()

    def push(self) -> int:
        """Send the counts to the shared cache; the number of views sent."""
        with self.lock:
            counts, self.counts = self.counts, Counter()
            self.pushed_at = time.monotonic()
        for (day, page_id), n in counts.items():
            _shared_add(counter_key(day, page_id), n)
        return sum(counts.values())


buffer = ViewBuffer()


class PageAddresses:
    """Address -> page id for the pages this process rendered, bounded (least recently used dropped first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.lock = threading.Lock()

    def learn(self, key: tuple[str, str], page_id: int) -> None:
        with self.lock:
            self.pages[key] = page_id
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def get(self, key: tuple[str, str]) -> int | None:
        with self.lock:
            return self.pages.get(key)


class PageViewMiddleware:
    """Just before openbeat.core.pagecache.PublicPageCacheMiddleware in MIDDLEWARE (it must see cached hits)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Twice the page cache's size: every page it can replay is still known here.
        self.addresses = PageAddresses(2 * getattr(settings, "PUBLIC_PAGE_CACHE_ENTRIES", 500))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "GET" or response.status_code != 200 or not getattr(settings, "PAGE_VIEWS", True):
            return response
        key = (request.META.get("HTTP_HOST", ""), request.path_info)
        page_id = getattr(request, PAGE_ATTRIBUTE, None)
        if page_id is not None:
            self.addresses.learn(key, page_id)
        elif response.get("X-Page-Cache") == "hit":
            page_id = self.addresses.get(key)
        if page_id is not None and not is_bot(request.META.get("HTTP_USER_AGENT", "")):
            buffer.add(page_id, timezone.localdate())
        return response


def page_served(page_id: int, request: HttpRequest) -> None:
    """Wagtail's before_serve_page: which page this request is (read by the middleware after the response)."""
    setattr(request, PAGE_ATTRIBUTE, page_id)


def page_views_flush(*, page_ids: Iterable[int] | None = None, today: date | None = None) -> int:
    """Move the shared counters of the last FLUSH_DAYS days into PageView rows; the number of views moved.

    `page_ids`: the pages to look for (default: every Wagtail page; the counters are found by name, so no shared
    index has to be kept up to date on the request path).
    """
    from wagtail.models import Page

    today = today or timezone.localdate()
    days = [today - timedelta(days=n) for n in range(FLUSH_DAYS)]
    ids = (
        list(page_ids) if page_ids is not None else list(Page.objects.filter(depth__gt=1).values_list("pk", flat=True))
    )
    keys = {counter_key(day, page_id): (day, page_id) for page_id in ids for day in days}
    cache = caches["default"]
    moved = 0
    names = list(keys)
    for start in range(0, len(names), _BATCH):
        found = {k: int(v) for k, v in cache.get_many(names[start : start + _BATCH]).items() if v}
        for key, views in found.items():
            day, page_id = keys[key]
            moved += _flush_one(key, page_id=page_id, day=day, views=views)
    return moved


def _flush_one(key: str, *, page_id: int, day: date, views: int) -> int:
    cache = caches["default"]
    with transaction.atomic():
        row, created = PageView.objects.select_for_update().get_or_create(
            page_id=page_id, day=day, defaults={"views": views}
        )
        if not created:
            PageView.objects.filter(pk=row.pk).update(views=F("views") + views)
        # Inside the transaction: if taking the views off the counter fails, the row keeps its old count.
        with contextlib.suppress(ValueError):  # the counter expired meanwhile: its views are the ones just written
            cache.decr(key, views)
    return views
