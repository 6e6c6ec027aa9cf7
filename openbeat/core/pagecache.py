"""Public pages for visitors without cookies (but the CSRF cookie), served from memory: the same bytes, a fresh CSP
nonce each time.

Why: a public page cost 2-14 ms of queries, Wagtail look-ups and template rendering, and every resident sees the
same page until staff change something. So the first middleware answers a repeat GET from a per-process store.

What makes it safe:
- Only a request that carries no cookies but the CSRF cookie, and no Authorization, is answered from the store,
  or stored from: it cannot hold one resident's data (nothing identified them), and anyone with a session, a
  journey's draft or a status link's cookie always goes through the whole stack.
- Only a 200 HTML response that sets no cookie and says nothing against caching (never_cache, private) is kept.
  A page that put a CSRF token in a form sets the token cookie (Django renews the cookie whenever the token is
  used), so it is never kept; nor, to be doubly sure, is a page rendered for a CSRF cookie with a token field.
  Residents who have filled in any form hold the CSRF cookie for a year: were their visits never stored from,
  a popular page would be rendered afresh for them once the stored copy expired.
- The CSP nonce of the stored page is replaced, in the body and in the header, by a new one for each response.

Invalidation: every write to a model that can show on a public page (all but the busy private ones listed in
`PRIVATE_MODELS`) changes a generation token kept in the shared cache (the database cache, or Redis), at once
and again after the commit, so that a page rendered from the old rows meanwhile is not kept under the new
token. Each process reads the token at most every PUBLIC_PAGE_CACHE_CHECK_SECONDS (1 s): an edit reaches every
process and host within that. Pages also expire after PUBLIC_PAGE_CACHE_SECONDS, for what changes with time
alone. Writes that bypass model signals (`QuerySet.update()`) call `public_content_changed()` themselves.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "openbeat:public-pages:generation"
NONCE_BYTES = 16  # as Django's CSP middleware makes them: secrets.token_urlsafe(16)
TOKEN_FIELD = b"csrfmiddlewaretoken"

# Models whose writes never change a public page, and are written often (deliveries, sessions, audit, reports,
# subscribers, task results, sign-in attempts): their writes leave the cache alone. Everything else invalidates,
# so a new public model is safe by default. App labels, or "app_label.ModelName".
PRIVATE_MODELS = frozenset(
    {
        "sessions",
        "axes",
        "audit",
        "delivery",
        "insights",
        "scheduler",
        # Campaigns show only in the back office; their page-view counts are written every few minutes.
        "campaigns",
        # Social posts, their approvals and ledger: the back office only; every post writes several times.
        "social",
        "django_tasks_database",
        "otp_totp",
        "demo.DemoRow",
        "core.UsedLink",
        "core.TransactionalMessage",
        "wagtailcore.PageLogEntry",
        "wagtailcore.ModelLogEntry",
        "reports.Report",
        "reports.ReportEvent",
        "reports.Evidence",
        "reports.ReportDraft",
        "reports.ReferenceCounter",
        "reports.Open311Key",
        "subscriptions.Subscriber",
        "subscriptions.WatchedArea",
        "subscriptions.Consent",
        "subscriptions.Demographics",
        "subscriptions.ImportJob",
        "subscriptions.AssistedChange",
        # Unconfirmed responses show nowhere; confirmed ones (ConcernResponse) change the public results.
        "concerns.PendingConcernResponse",
        # Residents' questions before moderation, votes, participants: meetings.services announce public changes.
        "meetings.Participant",
        "meetings.Question",
        "meetings.Vote",
        # Survey responses show only in the back office's results; volunteer counts in the board report.
        "surveys.Response",
        "surveys.Answer",
        "surveys.ResponseConflict",
        "volunteers.VolunteerCount",
        "volunteers.ImportBatch",
    }
)


def _private(model: type) -> bool:
    meta = model._meta  # type: ignore[attr-defined]
    return meta.app_label in PRIVATE_MODELS or meta.label in PRIVATE_MODELS


# ------------------------------------------------------------------------------------------- generation


class _Generation:
    """The token pages are stored under: the shared token (re-read at most every check_seconds) and this
    process's own count of writes, so that a write shows at once here, even inside a transaction not yet
    committed (as in tests), while other processes learn of it from the shared token once it commits."""

    def __init__(self) -> None:
        self.shared = ""
        self.local = 0
        self.read_at = -1e9
        self.lock = threading.Lock()

    def current(self) -> str:
        check = getattr(settings, "PUBLIC_PAGE_CACHE_CHECK_SECONDS", 1.0)
        now = time.monotonic()
        if now - self.read_at >= check:
            shared = caches["default"]
            value = shared.get(GENERATION_KEY)
            if value is None:
                shared.add(GENERATION_KEY, secrets.token_hex(8), None)
                value = shared.get(GENERATION_KEY) or ""
            with self.lock:
                self.shared, self.read_at = value, now
        return f"{self.shared}:{self.local}"

    def written(self) -> None:
        with self.lock:
            self.local += 1

    def change(self) -> None:
        """A new shared token: every process's stored pages are old once it reads it."""
        value = secrets.token_hex(8)
        caches["default"].set(GENERATION_KEY, value, None)
        with self.lock:
            self.shared, self.read_at = value, time.monotonic()


generation = _Generation()


_memo: dict[str, tuple[str, float, Any]] = {}


def per_generation(name: str, build: Callable[[], Any]) -> Any:
    """`build()`, kept in this process until public content changes (or PUBLIC_PAGE_CACHE_SECONDS pass): for
    what every page reads, such as the force's branding, so that pages rendered for visitors with cookies
    (staff, residents mid-journey) skip those queries too."""
    current = generation.current()
    kept = _memo.get(name)
    ttl = getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    if kept is not None and kept[0] == current and time.monotonic() - kept[1] < ttl:
        return kept[2]
    value = build()
    _memo[name] = (current, time.monotonic(), value)
    return value


def _after_commit() -> None:
    generation.change()


def public_content_changed() -> None:
    """Something a public page shows has changed: this process stops serving pages stored before it at once,
    every other process within PUBLIC_PAGE_CACHE_CHECK_SECONDS of the commit."""
    generation.written()
    # The shared token changes after the commit, once per transaction however many rows it wrote: a page
    # another process renders meanwhile reads the old rows, and is kept under the old token. Outside a
    # transaction this runs at once.
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_after_commit)


def _on_write(sender: type, **kwargs: Any) -> None:
    if kwargs.get("raw") or _private(sender):
        return
    public_content_changed()


def _on_setting_changed(**kwargs: Any) -> None:
    generation.written()  # tests change settings pages read (the logo, the force's name)


def connect_signals() -> None:
    """Per model, not for all: a model with a post_delete listener loses Django's fast delete, and the busy
    private tables (deliveries, sessions) are deleted in bulk by retention jobs."""
    from django.apps import apps
    from django.core.signals import setting_changed

    setting_changed.connect(_on_setting_changed, dispatch_uid="openbeat.pagecache.settings")
    for model in apps.get_models(include_auto_created=True):
        if _private(model):
            continue
        uid = f"openbeat.pagecache.{model._meta.label}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid)
        m2m_changed.connect(_on_write, sender=model, dispatch_uid=uid)


# ------------------------------------------------------------------------------------------------ store


@dataclass(frozen=True)
class StoredPage:
    generation: str
    stored_at: float
    body: bytes
    headers: tuple[tuple[str, str], ...]
    nonce: str


class PageStore:
    """A bounded, least-recently-used store of pages for this process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[tuple[str, ...], StoredPage] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> StoredPage | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, ...], page: StoredPage) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def drop(self, key: tuple[str, ...]) -> None:
        with self.lock:
            self.pages.pop(key, None)


# ------------------------------------------------------------------------------------------- middleware


# Never stored, whatever the response: the back office, and addresses that carry a person's link (delivery links,
# a report's status) or serve files, so that no such page is ever replayed from memory.
SKIPPED_PREFIXES = ("/admin/", "/d/", "/report/status/", "/documents/", "/open311/", "/healthz", "/static/")


def _key(request: HttpRequest) -> tuple[str, ...] | None:
    meta = request.META
    if request.method != "GET" or meta.get("HTTP_AUTHORIZATION"):
        return None
    if request.path_info.startswith(SKIPPED_PREFIXES):
        return None
    # A CSRF cookie alone (left by any form) identifies nobody: such a request may be answered from the store,
    # and stored from when its page used no token (see __call__).
    if meta.get("HTTP_COOKIE") and not set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}:
        return None
    scheme = "https" if request.is_secure() else "http"
    return (scheme, meta.get("HTTP_HOST", ""), request.path_info, meta.get("QUERY_STRING", ""))


def _storable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("no-store", "no-cache", "private", "max-age=0")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    # Cookie: the request had none. Anything else (a language, say) would need its own key: not kept.
    return vary <= {"cookie", "accept-encoding"} and not getattr(response, "public_cache_skip", False)


def _nonce_of(request: HttpRequest) -> str:
    nonce = getattr(request, "_csp_nonce", None)
    # Django's LazyNonce is true once the page used it: only then is there a value to replace.
    return str(nonce) if nonce else ""


class PublicPageCacheMiddleware:
    """First in MIDDLEWARE (after the request size limit): a stored page skips the whole stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.store = PageStore(getattr(settings, "PUBLIC_PAGE_CACHE_ENTRIES", 500))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _key(request) if getattr(settings, "PUBLIC_PAGE_CACHE", True) else None
        if key is None:
            return self.get_response(request)
        current = generation.current()
        page = self.store.get(key)
        if page is not None:
            fresh = time.monotonic() - page.stored_at < getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 60)
            if page.generation == current and fresh:
                return self._replay(page)
            self.store.drop(key)
        response = self.get_response(request)
        if _storable(response) and (not request.COOKIES or TOKEN_FIELD not in response.content):
            nonce = _nonce_of(request)
            headers = tuple((k, v) for k, v in response.items() if k.lower() not in ("date", "content-length"))
            self.store.put(key, StoredPage(current, time.monotonic(), response.content, headers, nonce))
        return response

    def _replay(self, page: StoredPage) -> HttpResponse:
        body, headers = page.body, page.headers
        if page.nonce:
            fresh = secrets.token_urlsafe(NONCE_BYTES)
            body = body.replace(page.nonce.encode(), fresh.encode())
            headers = tuple((k, v.replace(page.nonce, fresh)) for k, v in headers)
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
