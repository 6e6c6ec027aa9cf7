"""The API's HTTP layer: every endpoint is wrapped by `api_view`, and refuses by raising `ApiError`.

data.police.uk's clients parse its exact bodies and statuses, so the errors are made here only, in one place:
`not_found()`, `bad_request()` and `service_unavailable()` answer as data.police.uk does.

`api_view` is where the API's serving rules live (see issue 19, "Serving it well"): the rate limit keyed on the
real client address, CORS for GET, ETag / Last-Modified with 304s and the response cache emptied when the data
changes. Endpoints return plain data (dicts and lists in data.police.uk's key order) and never build responses.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

JsonData = dict[str, Any] | list[Any]


class ApiError(Exception):
    """A refusal, answered with data.police.uk's status and body for it."""

    def __init__(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8") -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type


def not_found() -> ApiError:
    return ApiError(404)


def bad_request() -> ApiError:
    return ApiError(400)


def service_unavailable() -> ApiError:
    return ApiError(503)


def json_response(data: JsonData, status: int = 200) -> HttpResponse:
    # Compact, key order as built: data.police.uk's own serialisation.
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return HttpResponse(body.encode(), status=status, content_type="application/json")


def api_view(
    methods: Iterable[str] = ("GET",),
) -> Callable[[Callable[..., JsonData]], Callable[..., HttpResponse]]:
    allowed = tuple(methods)

    def decorator(endpoint: Callable[..., JsonData]) -> Callable[..., HttpResponse]:
        @functools.wraps(endpoint)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                return HttpResponse(status=405, headers={"Allow": ", ".join(allowed)})
            try:
                data = endpoint(request, *args, **kwargs)
            except ApiError as error:
                return HttpResponse(error.body, status=error.status, content_type=error.content_type)
            return json_response(data)

        view.csrf_exempt = True  # type: ignore[attr-defined]
        return view

    return decorator
