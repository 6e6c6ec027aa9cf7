from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware as BaseCSPMiddleware


class ContentSecurityPolicyMiddleware(BaseCSPMiddleware):
    """Django's CSP middleware, with the back office's own (looser) policy under its URL prefixes."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith(settings.CSP_ADMIN_PATH_PREFIXES) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.SECURE_CSP_ADMIN  # type: ignore[attr-defined]
        return super().process_response(request, response)
