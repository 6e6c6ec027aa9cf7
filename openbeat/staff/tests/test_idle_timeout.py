"""A staff session left idle is signed out; background polling does not keep it alive."""

import time

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.middleware import StaffIdleTimeoutMiddleware
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db
KEY = StaffIdleTimeoutMiddleware.SESSION_KEY


@pytest.fixture
def signed_in(client):
    hq = staff_user(roles.HQ_MEDIA, None, username="hq")
    client.force_login(hq)
    assert client.get("/admin/").status_code == 200
    return client


def idle_for(client, seconds: int) -> None:
    session = client.session
    session[KEY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_past_the_timeout_is_signed_out_and_told_why(signed_in, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 1800
    idle_for(signed_in, 1801)
    response = signed_in.get("/admin/stations/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=%2Fadmin%2Fstations%2F"
    assert "_auth_user_id" not in signed_in.session
    page = signed_in.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert AuditEntry.objects.filter(action="staff.session.expired").exists()


def test_activity_within_the_timeout_keeps_the_session(signed_in, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 1800
    idle_for(signed_in, 1700)
    assert signed_in.get("/admin/stations/").status_code == 200
    idle_for(signed_in, 1700)  # the clock restarted at the last page opened
    assert signed_in.get("/admin/").status_code == 200


def test_background_polling_does_not_count_as_activity(signed_in, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 1800
    idle_for(signed_in, 1700)
    assert signed_in.get("/admin/", headers={"Sec-Fetch-Mode": "cors"}).status_code == 200
    idle_for_now = signed_in.session[KEY]
    assert int(time.time()) - idle_for_now >= 1700  # a poll did not move the clock
    idle_for(signed_in, 1801)
    assert signed_in.get("/admin/", headers={"Sec-Fetch-Mode": "cors"}).status_code == 302
