"""Views for the page cache's tests: one per kind of response the cache must keep or refuse."""

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import path
from django.views.decorators.cache import never_cache

from openbeat.core.ratelimit import ratelimit

calls: dict[str, int] = {}

PAGE = engines["django"].from_string(
    '<!doctype html><html><head><script nonce="{{ csp_nonce }}" src="/static/x.js"></script></head>'
    "<body>{{ text }}</body></html>"
)


def _page(request: HttpRequest, name: str, text: str = "") -> HttpResponse:
    calls[name] = calls.get(name, 0) + 1
    return HttpResponse(PAGE.render({"text": text or f"{name} {calls[name]}"}, request))


def plain(request: HttpRequest) -> HttpResponse:
    return _page(request, "plain")


def with_form(request: HttpRequest) -> HttpResponse:
    return _page(request, "form", text=f"form {get_token(request)}")


def token_field(request: HttpRequest) -> HttpResponse:
    return _page(request, "token-field", text='<input type="hidden" name="csrfmiddlewaretoken" value="x">')


def personal(request: HttpRequest) -> HttpResponse:
    response = _page(request, "personal")
    response.set_cookie("draft", "abc")
    return response


@never_cache
def uncached(request: HttpRequest) -> HttpResponse:
    return _page(request, "uncached")


@ratelimit(key="pagecache-test", limit=100, period=60)
def limited(request: HttpRequest) -> HttpResponse:
    return _page(request, "limited")


def missing(request: HttpRequest) -> HttpResponse:
    calls["missing"] = calls.get("missing", 0) + 1
    return HttpResponse("no", status=404)


def json(request: HttpRequest) -> HttpResponse:
    calls["json"] = calls.get("json", 0) + 1
    return HttpResponse("{}", content_type="application/json")


urlpatterns = [
    path("plain/", plain),
    path("form/", with_form),
    path("token-field/", token_field),
    path("personal/", personal),
    path("uncached/", uncached),
    path("limited/", limited),
    path("missing/", missing),
    path("json/", json),
    path("admin/plain/", plain),
]
