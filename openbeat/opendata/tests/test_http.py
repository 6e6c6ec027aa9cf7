"""The API's serving rules (opendata.http): data.police.uk's error bodies, CORS, ETag / Last-Modified with 304s,
and answers kept in memory but never stale once the data changes."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client, RequestFactory

from openbeat.opendata.http import api_view, bad_request, encode, not_found, service_unavailable
from openbeat.priorities import services as priority_services

pytestmark = pytest.mark.django_db


def test_an_answer_has_an_etag_and_a_last_modified(api: Client, world: Any) -> None:
    response = api.get("/api/lancashire/PR11")
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")


def test_a_matching_if_none_match_gets_a_304(api: Client, world: Any) -> None:
    etag = api.get("/api/lancashire/PR11/priorities")["ETag"]
    again = api.get("/api/lancashire/PR11/priorities", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_matching_if_modified_since_gets_a_304(api: Client, world: Any) -> None:
    last_modified = api.get("/api/lancashire/PR11/priorities")["Last-Modified"]
    assert api.get("/api/lancashire/PR11/priorities", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_new_priority_shows_at_once(api: Client, world: Any) -> None:
    before = api.get("/api/lancashire/PR11/priorities")
    priority_services.priority_create(
        actor=world.officer,
        neighbourhood=world.ingol,
        issue="Parking on the verge",
        date_set=datetime.date(2026, 2, 1),
        published=True,
    )
    after = api.get("/api/lancashire/PR11/priorities", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()[0]["issue"] == "Parking on the verge"
    assert after["ETag"] != before["ETag"]


def test_a_repeat_question_is_answered_from_memory(api: Client, world: Any, django_assert_num_queries: Any) -> None:
    api.get("/api/lancashire/PR11")
    with django_assert_num_queries(0):
        assert api.get("/api/lancashire/PR11").status_code == 200


def test_any_origin_may_read_the_api(api: Client, world: Any) -> None:
    assert api.get("/api/forces", HTTP_ORIGIN="https://example.org")["Access-Control-Allow-Origin"] == "*"


def test_errors_also_carry_the_cors_header(api: Client, world: Any) -> None:
    assert api.get("/api/forces/nowhere")["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_is_answered(api: Client, world: Any) -> None:
    response = api.options(
        "/api/forces",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-requested-with",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "x-requested-with"


def test_a_wrong_force_is_data_police_uks_404(api: Client, world: Any) -> None:
    response = api.get("/api/forces/metropolitan")
    assert response.status_code == 404
    assert response.content == b"Not Found"


@pytest.mark.parametrize(
    "path", ["metropolitan/neighbourhoods", "lancashire/NOPE", "lancashire/NOPE/boundary", "metropolitan/PR11/events"]
)
def test_a_wrong_force_or_neighbourhood_is_404(api: Client, world: Any, path: str) -> None:
    assert api.get(f"/api/{path}").status_code == 404


@pytest.mark.parametrize("q", ["", "53.7", "a,b", "nan,1", "1,inf", "1,2,3"])
def test_a_malformed_point_is_400_with_no_body(api: Client, world: Any, q: str) -> None:
    response = api.get("/api/locate-neighbourhood", {"q": q})
    assert response.status_code == 400
    assert response.content == b""


def test_a_point_outside_the_force_is_404(api: Client, world: Any) -> None:
    assert api.get("/api/locate-neighbourhood", {"q": "51.5,-0.12"}).status_code == 404


def test_another_method_is_405(api: Client, world: Any) -> None:
    response = api.post("/api/forces")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@api_view()
def refuses(request: HttpRequest, how: str) -> dict[str, Any]:
    raise {"400": bad_request, "404": not_found, "503": service_unavailable}[how]()


@pytest.mark.parametrize(("how", "body"), [("400", b""), ("404", b"Not Found"), ("503", b"")])
def test_each_refusal_has_data_police_uks_status_and_body(how: str, body: bytes) -> None:
    response = refuses(RequestFactory().get("/api/x"), how)
    assert response.status_code == int(how)
    assert response.content == body


def test_a_refusal_is_sent_as_html_as_data_police_uk_does() -> None:
    assert refuses(RequestFactory().get("/api/x"), "503")["Content-Type"].startswith("text/html")


def test_answers_are_written_as_json_dumps_would_write_them():
    data = [{"name": "Ingol &amp; Cottam", "id": 12, "nothing": None, "é": ["Wrexham \u2013 Ŵ", 1.5, True]}]

    assert encode(data) == json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
