"""Contract tests for Open311 `POST requests`: api_key, attributes to answers, routing, errors; hypothesis on POST."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory
from openbeat.audit.models import AuditEntry
from openbeat.reports import open311
from openbeat.reports.models import Question, Report, ReportType
from openbeat.reports.tests.factories import QuestionFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.json"


@pytest.fixture(autouse=True)
def _no_seeded_types(db):
    """The default types seeded after migrate would share these tests' slugs: start from none."""
    ReportType.objects.all().delete()


@pytest.fixture
def api_key() -> str:
    return open311.key_create(name="FixMyStreet", actor=None)[1]


@pytest.fixture
def incident():
    report_type = ReportTypeFactory(slug="incident", name="Report an incident", location=ReportType.Location.REQUIRED)
    QuestionFactory(report_type=report_type, key="what", label="What happened?", kind=Question.Kind.TEXTAREA)
    QuestionFactory(
        report_type=report_type,
        key="road",
        label="Is it about a road?",
        kind=Question.Kind.YES_NO,
    )
    QuestionFactory(
        report_type=report_type,
        key="vehicles",
        label="Which vehicles?",
        kind=Question.Kind.MULTICHOICE,
        choices=[{"value": "car", "label": "Car"}, {"value": "bike", "label": "Bike"}],
        condition={"question": "road", "in": ["yes"]},
    )
    QuestionFactory(report_type=report_type, key="when", label="When?", kind=Question.Kind.DATE, required=False)
    return report_type


def post(client: Client, data: dict) -> tuple[int, object]:
    response = client.post(URL, data)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


def test_submit_creates_a_routed_report(api_key, incident, django_capture_on_commit_callbacks):
    neighbourhood = NeighbourhoodFactory()
    # A browser-style client that enforces CSRF: the API must not need a token.
    client = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        status, body = post(
            client,
            {
                "api_key": api_key,
                "service_code": "incident",
                "lat": str(neighbourhood.centroid_lat),
                "long": str(neighbourhood.centroid_lon),
                "attribute[what]": "A car on the pavement",
                "attribute[road]": "yes",
                "attribute[vehicles][]": ["car", "bike"],
                "attribute[when]": "2026-01-05T22:15:00Z",
                "email": "sam@example.com",
                "first_name": "Sam",
                "last_name": "Jones",
                "phone": "07700 900123",
            },
        )
    assert status == 201, body
    report = Report.objects.get()
    assert body == [
        {"service_request_id": report.reference, "service_notice": body[0]["service_notice"], "account_id": None}
    ]
    assert report.source == Report.Source.OPEN311
    assert report.report_type == incident
    assert report.neighbourhood == neighbourhood
    assert report.division == neighbourhood.division
    assert report.answers["what"] == "A car on the pavement"
    assert report.answers["vehicles"] == ["car", "bike"]
    assert report.answers["when"] == "2026-01-05"
    assert (report.reporter_name, report.reporter_email) == ("Sam Jones", "sam@example.com")
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]
    assert AuditEntry.objects.filter(action="reports.report.submit", target_id=str(report.pk)).exists()
    # What was submitted is readable through the API, without the personal data.
    detail = json.loads(client.get(f"/open311/v2/requests/{report.reference}.json").content)
    assert detail[0]["status"] == "open"
    assert "Sam" not in json.dumps(detail)


def test_description_and_postcode_address(api_key, incident):
    postcode = PostcodeFactory()
    status, body = post(
        Client(),
        {
            "api_key": api_key,
            "service_code": "incident",
            "address_string": postcode.postcode.lower(),
            "description": "Shouting in the street",
            "attribute[road]": "no",
        },
    )
    assert status == 201, body
    report = Report.objects.get()
    assert report.answers["what"] == "Shouting in the street"
    assert report.postcode == postcode.postcode
    assert report.neighbourhood == postcode.neighbourhood
    assert report.reporter_email == ""
    assert mail.outbox == []


def test_free_text_address_is_kept_unrouted(api_key, incident):
    status, _ = post(
        Client(),
        {
            "api_key": api_key,
            "service_code": "incident",
            "address_string": "Outside the chip shop, Mill Lane",
            "attribute[what]": "Fighting",
            "attribute[road]": "no",
        },
    )
    assert status == 201
    report = Report.objects.get()
    assert report.address == "Outside the chip shop, Mill Lane"
    assert report.division is None


@pytest.mark.parametrize("key", [None, "", "ob311_wrong", "revoked"])
def test_a_valid_api_key_is_required(api_key, incident, key):
    data = {"service_code": "incident", "address_string": "Mill Lane", "attribute[what]": "x", "attribute[road]": "no"}
    if key == "revoked":
        revoked, key = open311.key_create(name="Old", actor=None)
        open311.key_revoke(key=revoked, actor=None)
    if key is not None:
        data["api_key"] = key
    status, body = post(Client(), data)
    assert status == 403
    assert body[0]["code"] == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "status", "mentions"),
    [
        ({"service_code": "nope"}, 404, "service_code"),
        ({"service_code": "incident", "attribute[road]": "no", "attribute[what]": "x"}, 400, "location"),
        ({"service_code": "incident", "lat": "53.5", "attribute[what]": "x"}, 400, "long"),
        ({"service_code": "incident", "lat": "north", "long": "1", "attribute[what]": "x"}, 400, "lat"),
        ({"service_code": "incident", "lat": "91", "long": "1", "attribute[what]": "x"}, 400, "lat"),
        ({"service_code": "incident", "address_string": "Mill Lane", "attribute[road]": "no"}, 400, "what"),
        (
            {"service_code": "incident", "address_string": "A", "attribute[what]": "x", "attribute[road]": "maybe"},
            400,
            "road",
        ),
        (
            {
                "service_code": "incident",
                "address_string": "A",
                "attribute[what]": "x",
                "attribute[road]": "no",
                "email": "nope",
            },
            400,
            "email",
        ),
        ({"service_code": "incident", "jurisdiction_id": "elsewhere"}, 404, "jurisdiction"),
    ],
)
def test_invalid_submissions_are_4xx_with_a_description(api_key, incident, data, status, mentions):
    got, body = post(Client(), {"api_key": api_key, **data})
    assert got == status, body
    assert body[0]["code"] == status
    assert mentions in body[0]["description"]
    assert Report.objects.count() == 0


def test_writes_are_rate_limited(api_key, incident, settings):
    settings.OPEN311_RATE_LIMITS = {"write": (2, 3600)}
    data = {"api_key": api_key, "service_code": "incident", "address_string": "A", "attribute[what]": "x"}
    data["attribute[road]"] = "no"
    assert [post(Client(), data)[0] for _ in range(2)] == [201, 201]
    status, body = post(Client(), data)
    assert status == 429
    assert body[0]["code"] == 429
    assert Report.objects.count() == 2


FIELDS = ["service_code", "lat", "long", "address_string", "email", "first_name", "last_name", "phone",
          "description", "jurisdiction_id", "attribute[what]", "attribute[road]", "attribute[vehicles][]",
          "attribute[when]", "attribute[nope]"]  # fmt: skip
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
value = st.one_of(text, st.sampled_from(["incident", "yes", "no", "car", "53.5", "-2.1", "1e309", "nan", "2026-02-30"]))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FIELDS), st.one_of(value, st.lists(value, max_size=3)), max_size=10))
def test_fuzzed_posts_never_500(api_key, incident, settings, data):
    settings.OPEN311_RATE_LIMITS = {"write": (10**9, 60)}
    status, body = post(Client(), {"api_key": api_key, **data})
    assert status in (201, 400, 404), body
    if status == 201:
        assert Report.objects.filter(reference=body[0]["service_request_id"], source="open311").exists()
    else:
        assert body[0]["code"] == status
        assert body[0]["description"]


@pytest.mark.django_db
def test_nul_characters_are_refused_as_bad_input_not_a_server_error(client):
    # PostgreSQL refuses NUL in text; schemathesis found the 500 there.
    response = client.post("/open311/v2/requests.json", {"api_key": "x", "description": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "Parameters cannot contain NUL characters."}]
    assert client.get("/open311/v2/requests.json", {"status": "open\x00"}).status_code == 400
