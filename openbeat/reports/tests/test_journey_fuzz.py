"""Hypothesis throws arbitrary POSTs at every public form of the journey and the status pages: never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbeat.reports.status_tokens import status_token_make
from openbeat.reports.tests.factories import ReportFactory
from openbeat.reports.tests.test_journey import BASE, build_type
from openbeat.staff.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

FIELDS = ["what", "vehicle", "details", "when", "postcode", "address", "lat", "lon", "officer", "action", "remove",
          "name", "email", "phone", "website", "reference", "body", "file"]  # fmt: skip
PAGES = ["questions/1/", "questions/2/", "questions/3/", "location/", "officer/", "evidence/", "about-you/",
         "check-your-answers/"]  # fmt: skip

values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "road", "asb", "nan", "inf", "-1e400", "DM1 1AA", "2026-02-30", "99:99", "a@b", "0", "\x00"]),
    st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,8})?", fullmatch=True),
)
posts = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=20), st.lists(values, max_size=3), max_size=8)


@pytest.fixture
def world(settings, tmp_path, west):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    settings.REPORTS_SUBMIT_LIMIT = 10**6
    report_type = build_type(asks_named_officer=True)
    OfficerFactory(division=west)
    report = ReportFactory(report_type=report_type, neighbourhood__division=west)
    return report


def _clean(data: dict[str, list[str]]) -> dict[str, list[str]]:
    # A NUL cannot be sent in a field's name by a browser (nor by the test client).
    return {k.replace("\x00", ""): vs for k, vs in data.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(PAGES), posts), min_size=1, max_size=6))
def test_journey_posts_never_fail(world, steps):
    client = Client(REMOTE_ADDR="10.1.1.1")
    # A draft that has got some way, so later pages are reached too.
    client.post(BASE + "questions/1/", {"what": "road"})
    client.post(BASE + "questions/2/", {"vehicle": "AB12 CDE"})
    client.post(BASE + "questions/3/", {"details": "Noise"})
    for page, data in steps:
        response = client.post(BASE + page, _clean(data))
        assert response.status_code < 500, (page, data)
        assert client.get(BASE + page).status_code < 500


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=posts, path=st.sampled_from(["", "report/reply/", "report/add-file/", "sign-out/"]))
def test_status_posts_never_fail(world, data, path):
    client = Client(REMOTE_ADDR="10.1.1.2")
    client.post(f"/report/status/link/{status_token_make(world)}/")
    response = client.post("/report/status/" + path, _clean(data))
    assert response.status_code < 500, (path, data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(max_size=200))
def test_any_status_link_is_refused_politely(world, token):
    response = Client().post("/report/status/link/", {"t": token})  # not a route: 404, never 500
    assert response.status_code == 404
    if token:
        response = Client().post(f"/report/status/link/{quote(token, safe='')}/")
        assert response.status_code in (400, 404, 410)
