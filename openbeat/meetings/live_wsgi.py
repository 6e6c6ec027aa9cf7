"""A live poll answered before Django: the WSGI application's first look at every request.

3,000 watchers polling every 5 s are 600 requests a second, on the same two cores as everything else. Answered
by LivePollMiddleware, each still costs Django's handler: a WSGIRequest built from the environ, the request
started and finished signals (each looks at every database connection), the middleware chain's wrappers and the
response's conversion back to WSGI; about as much as the answer itself. Here a poll whose body this process holds
fresh (`live.live_body_recent`, read from the shared cache within MEETINGS_LIVE_CHECK_SECONDS) is answered from the
environ directly, with the very headers the middleware's answer carries: built once per process by that same
code (`LivePollMiddleware`'s security headers on an empty response), so the two cannot drift apart. Anything else,
including a poll whose copy is stale, goes to Django unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse

from openbeat.core.logs import request_id_for
from openbeat.meetings.live import LIVE_PATH, etag_for, live_body_recent, watcher_seen

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_fixed: dict[bool, list[tuple[str, str]]] = {}


class _Secure:
    """Just enough of a request for SecurityMiddleware.process_response: whether it came over HTTPS."""

    def __init__(self, secure: bool) -> None:
        self.secure = secure

    def is_secure(self) -> bool:
        return self.secure


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers LivePollMiddleware adds to a poll's answer (a secure request's include HSTS)."""
    kept = _fixed.get(secure)
    if kept is None:
        from openbeat.meetings.live import LivePollMiddleware

        middleware = LivePollMiddleware(lambda request: HttpResponse())
        response = middleware.decorate(_Secure(secure), HttpResponse())  # type: ignore[arg-type]
        kept = [(k, v) for k, v in response.items() if k.lower() != "content-type"]
        _fixed[secure] = kept
    return kept


def _forget(**kwargs: Any) -> None:
    _fixed.clear()


setting_changed.connect(_forget)


def _is_secure(environ: dict[str, Any]) -> bool:
    # As HttpRequest.is_secure(): the proxy's header when SECURE_PROXY_SSL_HEADER names one, else the scheme.
    header = settings.SECURE_PROXY_SSL_HEADER
    if header:
        name, value = header
        found = environ.get(name)
        if found is not None:
            return bool(found.split(",")[0].strip() == value)
    return bool(environ.get("wsgi.url_scheme") == "https")


def _matches(environ: dict[str, Any], etag: str) -> bool:
    return etag in [tag.strip() for tag in environ.get("HTTP_IF_NONE_MATCH", "").split(",")]


class LivePollApp:
    def __init__(self, django: WsgiApp) -> None:
        self.django = django

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method in ("GET", "HEAD"):
            match = LIVE_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                kept = live_body_recent(match.group(1))
                if kept is not None:
                    return self._answer(environ, start_response, match.group(1), *kept)
        return self.django(environ, start_response)

    def _answer(
        self, environ: dict[str, Any], start_response: StartResponse, public_id: str, version: str, body: bytes
    ) -> Iterable[bytes]:
        watcher_seen(public_id, environ.get("HTTP_X_WATCHER", "")[:41])
        etag = etag_for(version)
        headers = [("ETag", etag), ("Cache-Control", "public, max-age=2")]
        if _matches(environ, etag):
            status, body = "304 Not Modified", b""
        else:
            status = "200 OK"
            headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        headers += _security_headers(_is_secure(environ))
        headers.append(("X-Request-ID", request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))))
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" or not body else [body]
