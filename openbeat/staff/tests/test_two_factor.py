"""The optional second factor: real TOTP codes computed from the device's key, no mocks."""

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


@pytest.fixture(autouse=True)
def _no_retry_delay(settings):
    # django-otp makes each retry after a wrong code wait 1, 2, 4... seconds; these tests retry at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def hq(client):
    user = staff_user(roles.HQ_MEDIA, None, username="hq")
    client.post("/admin/login/", {"username": "hq", "password": PASSWORD})
    return user


def test_setting_it_up_shows_a_qr_code_and_confirms_with_a_real_code(client, hq):
    page = client.get("/admin/2fa/setup/").content.decode()
    assert "<svg" in page
    secret = re.search(r"<code>([A-Z2-7=]+)</code>", page).group(1)
    device = TOTPDevice.objects.get(user=hq)
    assert not device.confirmed
    assert secret == base64.b32encode(device.bin_key).decode()

    wrong = client.post("/admin/2fa/setup/", {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()

    response = client.post("/admin/2fa/setup/", {"token": code_for(device), "next": "/admin/stations/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/stations/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="staff.2fa.enable", actor=hq).exists()


@pytest.fixture
def enrolled(hq):
    device = TOTPDevice.objects.create(user=hq, name="Authenticator app", confirmed=True)
    return device


def test_after_the_password_the_back_office_asks_for_the_code(client, enrolled):
    client.logout()
    client.post("/admin/login/", {"username": "hq", "password": PASSWORD})
    response = client.get("/admin/stations/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/2fa/verify/?next=%2Fadmin%2Fstations%2F"

    bad = client.post("/admin/2fa/verify/", {"token": "12345a", "next": "/admin/stations/"})
    assert bad.status_code == 200
    assert client.get("/admin/stations/").status_code == 302

    good = client.post("/admin/2fa/verify/", {"token": code_for(enrolled), "next": "/admin/stations/"})
    assert good["Location"] == "/admin/stations/"
    assert client.get("/admin/stations/").status_code == 200


def test_the_next_address_cannot_leave_the_site(client, enrolled):
    client.logout()
    client.post("/admin/login/", {"username": "hq", "password": PASSWORD})
    response = client.post("/admin/2fa/verify/", {"token": code_for(enrolled), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_removing_it_needs_a_current_code(client, enrolled):
    client.logout()
    client.post("/admin/login/", {"username": "hq", "password": PASSWORD})
    client.post("/admin/2fa/verify/", {"token": code_for(enrolled)})
    refused = client.post("/admin/2fa/remove/", {"token": "000000"})
    assert "Enter a current code" in refused.content.decode()
    assert TOTPDevice.objects.filter(pk=enrolled.pk).exists()
    accepted = client.post("/admin/2fa/remove/", {"token": code_for(enrolled, offset=1)})
    assert accepted.status_code == 302
    assert not TOTPDevice.objects.filter(pk=enrolled.pk).exists()


def test_when_required_staff_without_a_device_are_sent_to_set_one_up(client, hq, settings):
    settings.STAFF_REQUIRE_2FA = True
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/setup/")


def test_without_a_device_and_not_required_the_back_office_opens(client, hq):
    assert client.get("/admin/").status_code == 200
