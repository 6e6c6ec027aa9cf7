"""The API's HTTP layer: every endpoint is wrapped by `api_view`, and refuses by raising `ApiError`.

data.police.uk's clients parse its exact bodies and statuses, so the errors are made here only, in one place:
`not_found()`, `bad_request()` and `service_unavailable()` answer as data.police.uk does.

`api_view` is where the API's serving rules live (see issue 19, "Serving it well"), in this order:
1. the rate limit (opendata.ratelimit), first, so that every request counts: answered from memory, conditional
   (304), preflight or refused;
2. CORS: any origin may read the API (`Access-Control-Allow-Origin: *` on every answer), and an OPTIONS preflight
   is answered here without calling the endpoint;
3. GET answers are kept per process until the public data changes (opendata.response_cache), each with an ETag
   and a Last-Modified, and a conditional GET that matches gets a 304.
Endpoints return plain data (dicts and lists in data.police.uk's key order) and never build responses.

data.police.uk's error bodies (what its clients have recorded and handle): a 404 is the text "Not Found"
(PoliceUK.NET's recorded NotFound.txt, in ../shared/data/police-api-fixtures/policeuk-net); a 400 (a malformed
date, poly or coordinate) and a 503 (a custom area over 10,000 crimes) carry no body, clients act on the status
alone; a 429 is the page of the nginx in front of it, whose `limit_req` is the "15 a second, bursts of 30" leaky
bucket that data.police.uk documents. All are sent as text/html, as there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from openbeat.opendata import ratelimit
from openbeat.opendata.response_cache import Answer, etag_of, store

JsonData = dict[str, Any] | list[Any]

HTML = "text/html; charset=utf-8"
NOT_FOUND_BODY = b"Not Found"
TOO_MANY_REQUESTS_BODY = (
    b"<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n"
    b"<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
# Browsers may read these besides the safelisted ones (Last-Modified, Content-Type...): a client script revalidates
# with the ETag and backs off with Retry-After.
EXPOSED_HEADERS = "ETag, Retry-After"
PREFLIGHT_MAX_AGE = "86400"


class ApiError(Exception):
    """A refusal, answered with data.police.uk's status and body for it."""

    def __init__(self, status: int, body: bytes = b"", content_type: str = HTML) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND_BODY)


def bad_request() -> ApiError:
    return ApiError(400)


def service_unavailable() -> ApiError:
    return ApiError(503)


def too_many_requests(retry_after: int) -> HttpResponse:
    response = HttpResponse(TOO_MANY_REQUESTS_BODY, status=429, content_type=HTML)
    response["Retry-After"] = str(retry_after)
    return response


def encode(data: JsonData) -> bytes:
    # Compact UTF-8, key order as built: data.police.uk's own serialisation (the same bytes as json.dumps with
    # separators=(",", ":") and ensure_ascii=False, a test says), by orjson: a mile of crimes is ~750 KB of JSON,
    # which json.dumps took 8 ms to write and orjson 1 ms.
    return orjson.dumps(data)


def json_response(data: JsonData, status: int = 200) -> HttpResponse:
    return HttpResponse(encode(data), status=status, content_type="application/json")


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def _preflight(request: HttpRequest, allowed: tuple[str, ...]) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ", ".join((*allowed, "OPTIONS"))
    # The API takes no credentials, so whatever headers a script sends are harmless.
    response["Access-Control-Allow-Headers"] = request.headers.get("Access-Control-Request-Headers", "") or "*"
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    response["Allow"] = response["Access-Control-Allow-Methods"]
    return response


def _serve(request: HttpRequest, endpoint: Callable[..., JsonData], args: Any, kwargs: Any) -> HttpResponse:
    def build() -> bytes:
        return encode(endpoint(request, *args, **kwargs))

    if request.method == "POST":  # a long poly in the body: not kept, the body is part of the question
        body = build()
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag_of(body)
        return response
    return answer_response(request, store.get_or_build(request.build_absolute_uri(), build))


def answer_response(request: HttpRequest, answer: Answer) -> HttpResponse:
    """A kept GET answer with its validators, or a 304 when the client's copy matches."""
    response = HttpResponse(answer.body, content_type="application/json")
    response["ETag"] = answer.etag
    response["Last-Modified"] = http_date(answer.last_modified)
    # Clients may keep an answer but must ask again each time (a 304 when unchanged): a change shows at once.
    response["Cache-Control"] = "no-cache"
    conditional = get_conditional_response(
        request, etag=answer.etag, last_modified=answer.last_modified, response=response
    )
    return conditional if conditional is not None else response


def api_view(
    methods: Iterable[str] = ("GET",),
) -> Callable[[Callable[..., JsonData]], Callable[..., HttpResponse]]:
    allowed = tuple(methods)
    if "GET" in allowed and "HEAD" not in allowed:
        allowed = (*allowed, "HEAD")

    def decorator(endpoint: Callable[..., JsonData]) -> Callable[..., HttpResponse]:
        @functools.wraps(endpoint)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            verdict = ratelimit.check(request)
            if not verdict.allowed:
                return _cors(too_many_requests(verdict.retry_after))
            if request.method == "OPTIONS":
                return _cors(_preflight(request, allowed))
            if request.method not in allowed:
                return _cors(HttpResponse(status=405, headers={"Allow": ", ".join(allowed)}))
            try:
                response = _serve(request, endpoint, args, kwargs)
            except ApiError as error:
                response = HttpResponse(error.body, status=error.status, content_type=error.content_type)
            return _cors(response)

        view.csrf_exempt = True  # type: ignore[attr-defined]
        return view

    return decorator


def answer_kept(request: HttpRequest) -> HttpResponse | None:
    """A GET answered from this process's kept answers, counted by the rate limit as any other request; None
    when there is no fresh answer for the URL (the request then goes through the whole stack to its view)."""
    if request.method not in ("GET", "HEAD"):
        return None
    answer = store.fresh(request.build_absolute_uri())
    if answer is None:
        return None
    verdict = ratelimit.check(request)
    if not verdict.allowed:
        return _cors(too_many_requests(verdict.retry_after))
    return _cors(answer_response(request, answer))
