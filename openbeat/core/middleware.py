from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.csp import ContentSecurityPolicyMiddleware as BaseCSPMiddleware
from django.shortcuts import render


class ContentSecurityPolicyMiddleware(BaseCSPMiddleware):
    """Django's CSP middleware, with the back office's own (looser) policy under its URL prefixes."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith(settings.CSP_ADMIN_PATH_PREFIXES) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.SECURE_CSP_ADMIN  # type: ignore[attr-defined]
        return super().process_response(request, response)


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
