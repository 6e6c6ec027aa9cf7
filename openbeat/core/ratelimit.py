"""Rate limits for public forms, on the cache every process shares (the database, or Redis when set).

`@ratelimit(key="report-submit", limit=10, period=3600)` allows 10 requests an hour per client address
(and, with `by=`, per another value such as the email typed); the 11th gets a friendly 429 page. The client
address is the real client's behind the force's trusted proxies (`core.clientaddr`), never the proxy's.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openbeat.core.clientaddr import client_address


def _now() -> float:
    return time.time()


def hit(*, key: str, limit: int, period: int) -> bool:
    """Count one use of `key` in the current window; False once the limit is passed."""
    window = int(_now() // period)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, period + 5)
        count = 1
    return count <= limit


def _client(request: HttpRequest) -> str:
    # Hashed so that no address is kept in the cache in clear.
    return hashlib.sha256((client_address(request) or "-").encode()).hexdigest()[:24]


def ratelimit(
    *, key: str, limit: int, period: int, by: Callable[[HttpRequest], str | None] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            keys = [f"{key}:ip:{_client(request)}"]
            if by is not None and (value := by(request)):
                keys.append(f"{key}:by:{hashlib.sha256(value.lower().encode()).hexdigest()[:24]}")
            # Every key is counted (a list, not a short-circuiting generator), so each limit sees every hit.
            if not all([hit(key=k, limit=limit, period=period) for k in keys]):  # noqa: C419
                response = render(request, "core/ratelimited.html", status=429)
                response["Retry-After"] = str(period)
                return response
            response = view(request, *args, **kwargs)
            # Every request to a limited view is counted: none is answered from the public page cache.
            response.public_cache_skip = True  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorator
