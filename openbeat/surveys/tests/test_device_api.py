"""The officer's app's device API: set-up by one-time code, bearer tokens, revoked and unknown devices, batches
that are safe to send twice, conflicts kept, invalid items, surveys not assigned, the rate limit, and fuzzing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from openbeat.audit.models import AuditEntry
from openbeat.surveys import devices
from openbeat.surveys.models import (
    Channel,
    OfficerDevice,
    Response,
    ResponseCapture,
    ResponseConflict,
    SurveyAssignment,
)
from openbeat.surveys.tests.conftest import build_survey

pytestmark = pytest.mark.django_db

API = "/officer/surveys/api/"


@pytest.fixture
def assigned(world, survey):
    devices.assignment_add(survey=survey, officer=world.officer, actor=world.lead)
    return survey


@pytest.fixture
def token(world, assigned) -> str:
    _, code = devices.device_create(officer=world.officer, label="Work phone")
    _, token = devices.device_activate(code=code)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(path: str, body: Any, token: str | None = None) -> Any:
    return Client().post(
        API + path, data=json.dumps(body), content_type="application/json", **(bearer(token) if token else {})
    )


def item(survey, answers: dict[str, Any], *, client_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": client_id or str(uuid.uuid4()),
        "survey": survey.pk,
        "version": survey.current_version.number,
        "answers": answers,
        "submitted_at": "2026-12-01T10:15:00+00:00",
        **extra,
    }


def test_a_setup_code_gives_the_token_once_and_only_its_hash_is_kept(world, assigned):
    device, code = devices.device_create(officer=world.officer, label="Work phone")
    response = post("setup/", {"code": code.lower()[:4] + "-" + code[4:]})  # typed loosely: still the code
    assert response.status_code == 200
    token = response.json()["token"]
    device.refresh_from_db()
    assert token not in (device.token_hash, device.setup_code_hash)
    assert device.is_set_up
    again = post("setup/", {"code": code})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_code"
    assert AuditEntry.objects.filter(action="surveys.device.activate").exists()
    assert token not in json.dumps(list(AuditEntry.objects.values("data")), default=str)


def test_an_expired_code_is_refused(world, assigned):
    device, code = devices.device_create(officer=world.officer, label="Work phone")
    OfficerDevice.objects.filter(pk=device.pk).update(setup_expires_at=timezone.now() - timedelta(seconds=1))
    response = post("setup/", {"code": code})
    assert response.status_code == 400
    assert "expired" in response.json()["message"]


def test_the_app_downloads_the_assigned_open_surveys_only(world, assigned, token):
    other = build_survey(world.lead, division=world.west, slug="not-assigned")
    from openbeat.surveys import services

    services.survey_publish(survey=other, actor=world.lead)
    response = Client().get(API + "assigned/", **bearer(token))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert [s["slug"] for s in body["surveys"]] == [assigned.slug]
    assert body["surveys"][0]["definition"] == assigned.current_version.definition
    assert body["surveys"][0]["privacy_notice"] == assigned.privacy_notice


def test_no_token_or_an_unknown_one_is_401_with_a_message(world, assigned):
    for headers in ({}, bearer("not-a-token"), {"HTTP_AUTHORIZATION": "Basic abc"}):
        response = Client().get(API + "assigned/", **headers)
        assert response.status_code == 401
        assert response.json()["error"] == "unknown_device"
        assert response.json()["message"]


def test_a_revoked_device_is_refused_with_the_message_the_app_shows(world, assigned, token, ids):
    device = OfficerDevice.objects.get()
    devices.device_revoke(device=device, actor=world.lead, reason="Reported lost")
    for response in (
        Client().get(API + "assigned/", **bearer(token)),
        post("responses/", {"responses": [item(assigned, ids.answers(postcode=world.west_postcode))]}, token),
    ):
        assert response.status_code == 403
        body = response.json()
        assert body["error"] == "revoked"
        assert "switched off by" in body["message"]
        assert "speak to your supervisor" in body["message"]
    assert not Response.objects.exists()


def test_a_phone_of_an_officer_whose_account_is_switched_off_sends_nothing(world, assigned, token, ids):
    world.officer.is_active = False
    world.officer.save(update_fields=["is_active"])
    for response in (
        Client().get(API + "assigned/", **bearer(token)),
        post("responses/", {"responses": [item(assigned, ids.answers(postcode=world.west_postcode))]}, token),
    ):
        assert response.status_code == 403
        assert response.json()["error"] == "account_inactive"
    assert not Response.objects.exists()


def test_a_batch_sent_twice_stores_each_response_once(world, assigned, token, ids):
    batch = [
        item(assigned, ids.answers(postcode=world.west_postcode)),
        item(
            assigned,
            ids.answers(postcode=world.west_postcode, seen=False),
            location={"consent": True, "latitude": 53.7654321, "longitude": -2.7012345},
        ),
        item(assigned, ids.answers(postcode=world.west_postcode), location={"consent": False, "latitude": 1.0}),
    ]
    first = post("responses/", {"responses": batch}, token)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["stored", "stored", "stored"]
    second = post("responses/", {"responses": batch}, token)
    assert [r["status"] for r in second.json()["results"]] == ["duplicate", "duplicate", "duplicate"]
    assert Response.objects.count() == 3
    assert set(Response.objects.values_list("channel", flat=True)) == {Channel.OFFICER}
    with_place = ResponseCapture.objects.get(response__client_id=batch[1]["client_id"])
    assert (with_place.latitude, with_place.longitude) == (Decimal("53.7654"), Decimal("-2.7012"))
    without = ResponseCapture.objects.get(response__client_id=batch[2]["client_id"])
    assert without.latitude is None
    assert without.longitude is None
    assert without.officer == world.officer
    device = OfficerDevice.objects.get()
    assert device.last_sync_at is not None


def test_different_answers_under_a_used_id_are_a_conflict_kept_for_review(world, assigned, token, ids):
    client_id = str(uuid.uuid4())
    post(
        "responses/",
        {"responses": [item(assigned, ids.answers(postcode=world.west_postcode), client_id=client_id)]},
        token,
    )
    changed = item(assigned, ids.answers(postcode=world.west_postcode, safe=1), client_id=client_id)
    response = post("responses/", {"responses": [changed]}, token)
    assert response.json()["results"] == [{"client_id": client_id, "status": "conflict"}]
    assert Response.objects.count() == 1
    conflict = ResponseConflict.objects.get()
    assert conflict.answers[str(ids.safe.pk)] == 1
    # The reviewer is told who sent the conflicting answers, and from which phone.
    assert conflict.submitted_by == world.officer
    assert conflict.device == OfficerDevice.objects.get().label


def test_invalid_items_are_reported_one_by_one_and_the_others_stored(world, assigned, token, ids):
    good = item(assigned, ids.answers(postcode=world.west_postcode))
    batch = [
        good,
        item(assigned, {}),  # required questions unanswered
        {**item(assigned, {}), "client_id": "nope"},
        {**item(assigned, {}), "version": 99},
        {**item(assigned, {}), "submitted_at": "yesterday"},
        "not an object",
    ]
    response = post("responses/", {"responses": batch}, token)
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["stored", "invalid", "invalid", "invalid", "invalid", "invalid"]
    assert str(ids.seen.pk) in results[1]["errors"]
    assert Response.objects.count() == 1


def test_a_survey_not_assigned_to_the_officer_is_refused(world, assigned, token, ids):
    other_survey = build_survey(world.other, division=world.east, slug="east-survey")
    from openbeat.surveys import services

    services.survey_publish(survey=other_survey, actor=world.other)
    other_survey.refresh_from_db()
    response = post("responses/", {"responses": [item(other_survey, {})]}, token)
    assert response.json()["results"][0]["status"] == "invalid"
    assert "not assigned" in response.json()["results"][0]["errors"]["survey"]
    # Unassigned after download: refused too.
    SurveyAssignment.objects.all().delete()
    response = post("responses/", {"responses": [item(assigned, ids.answers(postcode=world.west_postcode))]}, token)
    assert response.json()["results"][0]["status"] == "invalid"
    assert not Response.objects.exists()


def test_bad_bodies_are_4xx_with_an_error_body(token):
    client = Client()
    for body in (b"{", b"[]", b'{"responses": []}', b'{"responses": "x"}', "\u00e9".encode("latin-1")):
        response = client.post(API + "responses/", data=body, content_type="application/json", **bearer(token))
        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"
    too_many = {"responses": [{}] * (devices.BATCH_MAX + 1)}
    assert post("responses/", too_many, token).status_code == 413
    assert Client().get(API + "responses/", **bearer(token)).status_code == 405


def test_each_device_is_rate_limited(settings, token):
    settings.SURVEYS_DEVICE_LIMIT = 3
    statuses = [Client().get(API + "assigned/", **bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert Client().get(API + "assigned/", **bearer(token)).json()["error"] == "rate_limited"


def test_setup_tries_are_rate_limited(settings):
    settings.SURVEYS_SETUP_LIMIT = 2
    statuses = [post("setup/", {"code": "AAAAAAAA"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
_item = st.fixed_dictionaries(
    {},
    optional={
        "client_id": st.uuids().map(str) | st.text(max_size=40),
        "survey": st.integers() | _json,
        "version": st.integers(min_value=-2, max_value=3) | _json,
        "answers": _json,
        "submitted_at": st.datetimes().map(lambda d: d.isoformat()) | st.text(max_size=40),
        "location": st.fixed_dictionaries(
            {}, optional={"consent": st.booleans() | _json, "latitude": _json, "longitude": _json}
        )
        | _json,
    },
)
_fuzz = hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_fuzz
@given(items=st.lists(_item | _json, min_size=1, max_size=5), raw=st.binary(max_size=200))
def test_the_api_never_fails_on_anything_sent(settings, world, assigned, token, items, raw):
    settings.SURVEYS_DEVICE_LIMIT = 10_000
    for entry in items:
        if isinstance(entry, dict) and isinstance(entry.get("survey"), int) and entry.get("survey", 0) % 2:
            entry["survey"] = assigned.pk
    response = post("responses/", {"responses": items}, token)
    assert response.status_code in (200, 400, 413)
    if response.status_code == 200:
        assert {r["status"] for r in response.json()["results"]} <= {"stored", "duplicate", "conflict", "invalid"}
    raw_response = Client().post(API + "responses/", data=raw, content_type="application/json", **bearer(token))
    assert raw_response.status_code in (200, 400, 413)
    assert post("setup/", {"code": raw.decode("latin-1")}).status_code in (400, 429)
