"""Contract tests for Open311 `POST requests`: api_key, attributes to answers, routing, errors; hypothesis on POST."""

from __future__ import annotations

import json

import pytest
from defusedxml import ElementTree as ET
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory
from openbeat.audit.models import AuditEntry
from openbeat.core.models import Force
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


def submission(key: str, **fields: str) -> dict:
    """A valid submission (an unrouted free-text address) with `key`; `fields` add to it or replace."""
    data = {"api_key": key, "service_code": "incident", "address_string": "Mill Lane", "attribute[what]": "x"}
    return {**data, "attribute[road]": "no", **fields}


WRONG_KEY = [{"code": 403, "description": "A valid api_key is required to submit requests."}]


def test_a_wrong_key_is_refused_without_using_up_the_write_limit(api_key, incident, settings):
    settings.OPEN311_RATE_LIMITS = {"write": (2, 3600)}
    for wrong in ["", "ob311_wrong", "ob311_" + "x" * 40, api_key + "x", "not a key"]:
        assert post(Client(), submission(wrong)) == (403, WRONG_KEY)
    # The write limit counts the key's own submissions only: the wrong ones above used up none of it.
    assert [post(Client(), submission(api_key))[0] for _ in range(3)] == [201, 201, 429]
    assert Report.objects.count() == 2


def test_each_key_has_its_own_write_limit(api_key, incident, settings):
    settings.OPEN311_RATE_LIMITS = {"write": (2, 3600)}
    other = open311.key_create(name="Another partner", actor=None)[1]
    same_address = Client(REMOTE_ADDR="192.0.2.1")
    assert [post(same_address, submission(api_key))[0] for _ in range(3)] == [201, 201, 429]
    # A second partner behind the same address is not held up by the first.
    assert [post(same_address, submission(other))[0] for _ in range(3)] == [201, 201, 429]
    # The limit goes with the key, not the address: a new address does not reset it.
    response = Client(REMOTE_ADDR="198.51.100.7").post(URL, submission(api_key))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert json.loads(response.content) == [
        {"code": 429, "description": "Too many submissions with this api_key; try again later."}
    ]
    assert Report.objects.count() == 4


def test_wrong_keys_have_a_limit_of_their_own_per_address(api_key, incident, settings):
    settings.OPEN311_RATE_LIMITS = {"bad_key": (3, 3600)}
    guesser = Client(REMOTE_ADDR="203.0.113.5")
    assert [post(guesser, submission(f"ob311_guess{n}"))[0] for n in range(4)] == [403, 403, 403, 429]
    assert guesser.post(URL, submission("ob311_guess"))["Retry-After"] == "3600"
    # Guessing from an address never holds up a valid key used from it, nor wrong keys elsewhere.
    assert post(guesser, submission(api_key))[0] == 201
    assert post(Client(REMOTE_ADDR="192.0.2.1"), submission("ob311_typo")) == (403, WRONG_KEY)


def test_a_point_outside_the_force_area_is_refused_and_one_inside_accepted(
    api_key, incident, settings, django_capture_on_commit_callbacks
):
    neighbourhood = NeighbourhoodFactory()
    data = submission(api_key, email="sam@example.com")
    del data["address_string"]
    with django_capture_on_commit_callbacks(execute=True):
        status, body = post(Client(), {**data, "lat": "51.50735", "long": "-0.12776"})  # London: not this force
    assert status == 400
    [error] = body
    assert set(error) == {"code", "description"}
    assert error["code"] == 400
    assert "outside the area" in error["description"]
    assert Force.current().name in error["description"]
    assert "https://www.police.uk/pu/find-a-police-force/" in error["description"]
    assert Report.objects.count() == 0
    assert mail.outbox == []

    # XML clients get the same error as Open311's XML error list; the link to use instead is a setting.
    settings.REPORTS_FIND_FORCE_URL = "https://police.example/other-forces"
    response = Client().post(URL.replace(".json", ".xml"), {**data, "lat": "51.50735", "long": "-0.12776"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.findtext("error/code") == "400"
    assert "https://police.example/other-forces" in root.findtext("error/description")

    lat, lon = str(neighbourhood.centroid_lat), str(neighbourhood.centroid_lon)
    with django_capture_on_commit_callbacks(execute=True):
        status, body = post(Client(), {**data, "lat": lat, "long": lon})
    assert status == 201, body
    report = Report.objects.get()
    assert (report.neighbourhood, report.division) == (neighbourhood, neighbourhood.division)
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]


def test_without_boundaries_a_point_goes_to_the_force_wide_queue(api_key, incident):
    NeighbourhoodFactory(boundary=None)
    data = submission(api_key, lat="51.50735", long="-0.12776")
    del data["address_string"]
    status, body = post(Client(), data)
    assert status == 201, body
    assert Report.objects.get().division is None


@pytest.mark.parametrize(
    ("address", "mentions"),
    [
        ("{outside}", "outside the area"),
        ("1 High Street, Elsewhere {outside}", "outside the area"),
        ("ZZ9 9ZZ", "we do not know the postcode ZZ9 9ZZ"),
    ],
)
def test_an_address_string_postcode_outside_the_area_or_unknown_is_refused(api_key, incident, address, mentions):
    NeighbourhoodFactory()
    outside = PostcodeFactory(neighbourhood=None)  # known, but in none of the force's neighbourhoods
    status, body = post(Client(), submission(api_key, address_string=address.format(outside=outside.postcode)))
    assert status == 400, body
    assert body[0]["code"] == 400
    assert mentions in body[0]["description"]
    assert "https://www.police.uk/pu/find-a-police-force/" in body[0]["description"]
    assert Report.objects.count() == 0


def test_a_postcode_written_in_an_address_string_routes_it(api_key, incident):
    postcode = PostcodeFactory()
    address = f"12 Mill Lane, Preston {postcode.postcode.lower().replace(' ', '')}"
    assert post(Client(), submission(api_key, address_string=address))[0] == 201
    report = Report.objects.get()
    assert (report.postcode, report.neighbourhood, report.address) == (
        postcode.postcode,
        postcode.neighbourhood,
        address,
    )
    # A postcode-shaped word we do not know, inside other text, may be no postcode at all: kept as text.
    assert post(Client(), submission(api_key, address_string="Flat A1 2nd floor, Mill Lane"))[0] == 201
    assert Report.objects.latest("pk").division is None


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
