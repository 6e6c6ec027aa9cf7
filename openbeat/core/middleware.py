import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.csp import ContentSecurityPolicyMiddleware as BaseCSPMiddleware
from django.shortcuts import render


class ContentSecurityPolicyMiddleware(BaseCSPMiddleware):
    """Django's CSP middleware, with the back office's own policies under its URL prefixes: no inline script
    anywhere but Wagtail's editing forms, which cannot work without (settings.SECURE_CSP_ADMIN explains)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith(settings.CSP_ADMIN_PATH_PREFIXES) and not hasattr(response, "_csp_config"):
            forms = _admin_form_paths().match(request.path)
            config = settings.SECURE_CSP_ADMIN_FORMS if forms else settings.SECURE_CSP_ADMIN
            response._csp_config = config  # type: ignore[attr-defined]
        return super().process_response(request, response)


@functools.cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _admin_form_paths() -> re.Pattern[str]:
    return _compile(settings.CSP_ADMIN_FORM_PATHS)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is over REQUEST_MAX_BYTES with 413, before anything reads it.

    Django reads a request body only up to its Content-Length (a body without one is read as empty), so the
    declared length is the whole of what would be read. Forms and uploads have their own, smaller limits;
    this one stops a 200 MB body being streamed to a temporary file only to be refused afterwards.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest("Bad Content-Length", content_type="text/plain")
        if declared > settings.REQUEST_MAX_BYTES:
            # Connection: close, so the server does not try to read the unread body as the next request.
            response = render(
                request,
                "core/too_large.html",
                {"limit_mb": settings.REQUEST_MAX_BYTES // (1024 * 1024)},
                status=413,
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)
