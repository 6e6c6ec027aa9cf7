"""The API's busiest path, before the rest of the middleware stack.

A client of the API polls the same few URLs (a neighbourhood, locate-neighbourhood for a phone's position), and
their answers are already kept in this process (opendata.response_cache). Sessions, CSRF, authentication, the
second factor, messages and redirects have nothing to do for an API call (the API takes no cookies and no
credentials), yet together they cost more than the answer: so a kept answer is served here, after the rate limit
has counted it, with the headers those middlewares would have added (SecurityMiddleware's, a CSP that allows
nothing since the body is data, X-Frame-Options). Anything else (a first request, a POST, a stale answer, an
error) goes on through the stack to the view, which keeps its answer for next time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware

from openbeat.opendata.http import answer_kept

API_PREFIX = "/api/"


class ApiAnswerMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            response = answer_kept(request)
            if response is not None:
                response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
                response["X-Frame-Options"] = "DENY"
                return self.security.process_response(request, response)
        return self.get_response(request)
