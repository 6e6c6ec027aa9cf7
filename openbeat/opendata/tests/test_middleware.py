"""A kept API answer is served before the rest of the middleware stack, counted by the rate limit, with the same
answer, validators and CORS as through the view; anything else goes on to the view."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from openbeat.core.pagecache import generation
from openbeat.opendata import ratelimit
from openbeat.opendata.middleware import ApiAnswerMiddleware

pytestmark = pytest.mark.django_db

URL = "/api/lancashire/PR11"


def _never(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the request went on to the rest of the stack")


def _stack(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"from the view", status=299)


def test_a_kept_answer_skips_the_rest_of_the_stack(api: Client, world: Any) -> None:
    first = api.get(URL)
    response = ApiAnswerMiddleware(_never)(RequestFactory().get(URL))
    assert response.status_code == 200
    assert response.content == first.content
    assert response["ETag"] == first["ETag"]
    assert response["Last-Modified"] == first["Last-Modified"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_a_kept_answer_still_gets_a_304(api: Client, world: Any) -> None:
    etag = api.get(URL)["ETag"]
    response = ApiAnswerMiddleware(_never)(RequestFactory().get(URL, HTTP_IF_NONE_MATCH=etag))
    assert response.status_code == 304


def test_a_first_question_goes_to_the_view(world: Any) -> None:
    assert ApiAnswerMiddleware(_stack)(RequestFactory().get(URL)).status_code == 299


def test_an_answer_kept_before_a_change_goes_to_the_view(api: Client, world: Any) -> None:
    api.get(URL)
    generation.change()  # what any write to the force's public data does
    assert ApiAnswerMiddleware(_stack)(RequestFactory().get(URL)).status_code == 299


def test_a_post_and_other_paths_go_to_the_view(api: Client, world: Any) -> None:
    api.get(URL)
    assert ApiAnswerMiddleware(_stack)(RequestFactory().post(URL)).status_code == 299
    assert ApiAnswerMiddleware(_stack)(RequestFactory().get("/neighbourhoods/PR11/")).status_code == 299


def test_the_kept_answer_is_counted_by_the_rate_limit(
    api: Client, world: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPENDATA_RATE_EXEMPT = []
    settings.OPENDATA_RATE_BURST = 3
    # One instant: a burst of 3 at 15 a second is a 0.2 s window, which a slow first request could outlast.
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_000_000.5)
    assert api.get(URL).status_code == 200  # the first of three, through the view
    statuses = [ApiAnswerMiddleware(_never)(RequestFactory().get(URL)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
