"""Contract tests for the Open311 GeoReport v2 read side: services, definitions, requests, errors, formats."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from defusedxml import ElementTree as ET
from django.test import Client
from django.utils import timezone

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.reports.models import Question, Report, ReportType
from openbeat.reports.tests.factories import QuestionFactory, ReportFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def get(client: Client, path: str, **params: str) -> tuple[int, object]:
    response = client.get(f"{BASE}/{path}", params)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


def assert_error(body: object, code: int) -> None:
    assert isinstance(body, list)
    assert len(body) == 1
    assert body[0]["code"] == code
    assert body[0]["description"]


@pytest.fixture(autouse=True)
def _no_seeded_types(db):
    """The default types seeded after migrate would share these tests' slugs: start from none."""
    ReportType.objects.all().delete()


@pytest.fixture
def crime():
    report_type = ReportTypeFactory(slug="crime", name="Report a crime", kind="crime", summary="Non-emergency crime.")
    QuestionFactory(report_type=report_type, key="what", label="What happened?", kind=Question.Kind.TEXTAREA)
    QuestionFactory(
        report_type=report_type,
        key="vehicle",
        label="Was a vehicle involved?",
        kind=Question.Kind.YES_NO,
    )
    QuestionFactory(
        report_type=report_type,
        key="kind",
        label="What kind of vehicle?",
        kind=Question.Kind.CHOICE,
        choices=[{"value": "car", "label": "A car"}, {"value": "van", "label": "A van"}],
        condition={"question": "vehicle", "in": ["yes"]},
    )
    QuestionFactory(
        report_type=report_type,
        key="seen",
        label="What did you see?",
        kind=Question.Kind.MULTICHOICE,
        choices=[{"value": "people", "label": "People"}],
        required=False,
    )
    QuestionFactory(report_type=report_type, key="when", label="When?", kind=Question.Kind.DATE)
    QuestionFactory(report_type=report_type, key="count", label="How many?", kind=Question.Kind.NUMBER)
    return report_type


def test_services_lists_active_open311_types_only(client, crime):
    ReportTypeFactory(slug="complaint", open311=False)
    ReportTypeFactory(slug="retired", active=False)
    status, body = get(client, "services.json")
    assert status == 200
    assert [s["service_code"] for s in body] == ["crime"]
    assert body[0] == {
        "service_code": "crime",
        "service_name": "Report a crime",
        "description": "Non-emergency crime.",
        "metadata": True,
        "type": "realtime",
        "keywords": "crime",
        "group": "Non-emergency crime",
    }


def test_service_definition_maps_questions_to_attributes(client, crime):
    status, body = get(client, "services/crime.json")
    assert status == 200
    assert body["service_code"] == "crime"
    by_code = {a["code"]: a for a in body["attributes"]}
    assert [a["code"] for a in body["attributes"]] == ["what", "vehicle", "kind", "seen", "when", "count"]
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3, 4, 5, 6]
    assert {code: a["datatype"] for code, a in by_code.items()} == {
        "what": "text",
        "vehicle": "singlevaluelist",
        "kind": "singlevaluelist",
        "seen": "multivaluelist",
        "when": "datetime",
        "count": "number",
    }
    assert by_code["vehicle"]["values"] == [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
    assert by_code["kind"]["values"] == [{"key": "car", "name": "A car"}, {"key": "van", "name": "A van"}]
    # Open311 cannot express "only when": a conditional question is optional and says when it applies.
    assert by_code["kind"]["required"] is False
    assert "vehicle" in by_code["kind"]["datatype_description"]
    assert by_code["what"]["required"] is True
    assert by_code["seen"]["required"] is False
    assert by_code["what"]["description"] == "What happened?"
    assert "values" not in by_code["what"]


@pytest.mark.parametrize("path", ["services/nope.json", "services/complaint.json", "requests/XX-2026-000001.json"])
def test_unknown_things_are_404_in_open311_format(client, crime, path):
    ReportTypeFactory(slug="complaint", open311=False)
    status, body = get(client, path)
    assert status == 404
    assert_error(body, 404)


def test_unknown_endpoint_and_wrong_method_answer_open311_errors(client):
    # Including paths the specific patterns cannot match, such as a newline in the id (found by schemathesis).
    for path in ("nothing-here", "requests/m%0A.json", "services/%F1%9D.json%0A"):
        status, body = get(client, path)
        assert status == 404
        assert_error(body, 404)
    response = client.delete(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert_error(json.loads(response.content), 405)


def test_request_shows_public_fields_only(client, crime):
    neighbourhood = NeighbourhoodFactory(name="Mill Hill")
    report = ReportFactory(
        report_type=crime,
        neighbourhood=neighbourhood,
        division=neighbourhood.division,
        lat=neighbourhood.centroid_lat + 0.001234,
        lon=neighbourhood.centroid_lon - 0.002345,
        postcode="DM1 1AB",
        address="12 Secret Street",
        answers={"what": "My neighbour Jo Bloggs took my bike"},
        answers_shown=[{"key": "what", "label": "What happened?", "answer": "My neighbour Jo Bloggs took my bike"}],
        reporter_name="Priya Reporter",
        reporter_email="priya@example.com",
        reporter_phone="07700900123",
        public_note="An officer will visit.",
    )
    status, body = get(client, f"requests/{report.reference}.json")
    assert status == 200
    assert len(body) == 1
    item = body[0]
    assert item["service_request_id"] == report.reference
    assert item["status"] == "open"
    assert item["status_notes"] == "An officer will visit."
    assert item["service_code"] == "crime"
    assert item["address"] == "Mill Hill"
    assert item["agency_responsible"] == neighbourhood.division.name
    assert item["lat"] == round(neighbourhood.centroid_lat, 5)
    assert item["long"] == round(neighbourhood.centroid_lon, 5)
    assert item["requested_datetime"] == timezone.localtime(report.created_at).isoformat(timespec="seconds")
    text = json.dumps(body)
    for private in ("Priya", "priya@example.com", "07700900123", "Secret Street", "DM1 1AB", "Jo Bloggs", "bike"):
        assert private not in text
    assert str(round(report.lat, 6)) not in text


def test_request_without_location_has_no_point(client, crime):
    report = ReportFactory(report_type=crime, division=None)
    _, body = get(client, f"requests/{report.reference}.json")
    assert body[0]["lat"] is None
    assert body[0]["long"] is None
    assert body[0]["address"] == ""


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Report.Status.NEW, "open"),
        (Report.Status.TRIAGED, "open"),
        (Report.Status.ASSIGNED, "open"),
        (Report.Status.AWAITING_REPORTER, "open"),
        (Report.Status.CLOSED, "closed"),
    ],
)
def test_status_mapping(client, crime, status, expected):
    report = ReportFactory(report_type=crime, status=status)
    _, body = get(client, f"requests/{report.reference}.json")
    assert body[0]["status"] == expected


def test_requests_filters(client, crime):
    other = ReportTypeFactory(slug="lost")
    now = timezone.now()
    open_new = ReportFactory(report_type=crime, created_at=now - dt.timedelta(days=1))
    closed = ReportFactory(report_type=crime, status=Report.Status.CLOSED, created_at=now - dt.timedelta(days=10))
    lost = ReportFactory(report_type=other, created_at=now - dt.timedelta(days=2))
    old = ReportFactory(report_type=crime, created_at=now - dt.timedelta(days=120))
    hidden = ReportFactory(report_type=ReportTypeFactory(slug="complaint", open311=False))

    def ids(**params: str) -> list[str]:
        status, body = get(client, "requests.json", **params)
        assert status == 200, body
        return [r["service_request_id"] for r in body]

    # Default: the last 90 days, newest first, public types only.
    assert ids() == [open_new.reference, lost.reference, closed.reference]
    assert ids(status="open") == [open_new.reference, lost.reference]
    assert ids(status="closed") == [closed.reference]
    # GeoReport v2 allows a comma-separated list of statuses.
    assert ids(status="open,closed") == [open_new.reference, lost.reference, closed.reference]
    assert ids(status="closed, closed") == [closed.reference]
    assert ids(service_code="lost") == [lost.reference]
    assert ids(service_code="crime,lost", status="open") == [open_new.reference, lost.reference]
    start = (now - dt.timedelta(days=200)).isoformat()
    end = (now - dt.timedelta(days=5)).isoformat()
    assert ids(start_date=start, end_date=end) == [closed.reference, old.reference]
    assert ids(start_date=(now - dt.timedelta(days=200)).date().isoformat()) == [
        open_new.reference,
        lost.reference,
        closed.reference,
        old.reference,
    ]
    # By reference: other filters ignored, as GeoReport v2 says; non-public types never appear.
    assert set(ids(service_request_id=f"{old.reference}, {hidden.reference},{lost.reference}", status="closed")) == {
        old.reference,
        lost.reference,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"status": "open,pending"},
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45T99:00:00"},
    ],
)
def test_bad_filters_are_400(client, crime, params):
    status, body = get(client, "requests.json", **params)
    assert status == 400
    assert_error(body, 400)


def test_jurisdiction(client, crime):
    assert get(client, "services.json", jurisdiction_id="demo")[0] == 200
    status, body = get(client, "services.json", jurisdiction_id="elsewhere")
    assert status == 404
    assert_error(body, 404)


def test_xml_format(client, crime):
    report = ReportFactory(report_type=crime, public_note="Passed to the council")
    response = client.get(f"{BASE}/services.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    assert root.find("service/service_code").text == "crime"
    assert root.find("service/metadata").text == "true"

    root = ET.fromstring(client.get(f"{BASE}/services/crime.xml").content)
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")][:2] == ["what", "vehicle"]
    assert root.find("attributes/attribute[2]/values/value/key").text == "yes"

    root = ET.fromstring(client.get(f"{BASE}/requests/{report.reference}.xml").content)
    assert root.tag == "service_requests"
    assert root.findtext("request/status_notes") == "Passed to the council"

    response = client.get(f"{BASE}/requests.xml", {"status": "nope"})
    assert response.status_code == 400
    assert ET.fromstring(response.content).findtext("error/code") == "400"


def test_reads_are_rate_limited_per_client(client, crime, settings):
    settings.OPEN311_RATE_LIMITS = {"read": (3, 60)}
    assert [get(client, "services.json")[0] for _ in range(3)] == [200, 200, 200]
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    assert_error(json.loads(response.content), 429)
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert get(other, "services.json")[0] == 200


def test_openapi_document_is_served(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/discovery.json",
        "/services.json",
        "/services/{service_code}.json",
        "/requests.json",
        "/requests/{service_request_id}.json",
    }


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_document(client, settings, fmt):
    settings.BASE_URL = "https://openbeat.example.police.uk"
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        body = json.loads(response.content)
        endpoint = body["endpoints"][0]
        assert body["changeset"]
        assert body["contact"]
        assert "api_key" in body["key_service"]
        assert endpoint["url"] == "https://openbeat.example.police.uk/open311/v2"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["type"] == "production"
        assert set(endpoint["formats"]) == {"application/json", "text/xml"}
        # The endpoint it names answers.
        assert client.get("/open311/v2/services.json").status_code == 200
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "discovery"
        assert root.find("endpoints/endpoint/url").text == "https://openbeat.example.police.uk/open311/v2"
        assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
            "application/json",
            "text/xml",
        ]
