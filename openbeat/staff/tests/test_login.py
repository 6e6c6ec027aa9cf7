"""Staff sign-in: throttling against guessing, and an audit trail of sign-ins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.models import LoginFailure
from openbeat.staff.tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password})


@pytest.fixture
def hq():
    return staff_user(roles.HQ_MEDIA, None, username="hq")


def test_a_correct_password_signs_in_and_is_logged(client, hq):
    response = sign_in(client, "hq", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="staff.login.success", actor=hq).exists()


def test_five_wrong_passwords_lock_the_username_with_a_clear_message(client, hq):
    for _ in range(5):
        assert "didn&#x27;t match" in sign_in(client, "hq", "wrong").content.decode()
    response = sign_in(client, "HQ", PASSWORD)  # even the right password, in any case
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="staff.login.locked").exists()


def test_another_username_can_still_sign_in(client, hq):
    other = staff_user(roles.HQ_MEDIA, None, username="hq2")
    for _ in range(5):
        sign_in(client, "hq", "wrong")
    assert sign_in(client, "hq2", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_the_lock_expires_after_the_window(client, hq, settings):
    for _ in range(5):
        sign_in(client, "hq", "wrong")
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1))
    assert sign_in(client, "hq", PASSWORD).status_code == 302


def test_a_success_clears_earlier_failures(client, hq):
    for _ in range(4):
        sign_in(client, "hq", "wrong")
    assert sign_in(client, "hq", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="hq").exists()


def test_failures_keep_only_the_username_and_address(client, hq):
    sign_in(client, "hq", "a-secret-guess")
    failure = LoginFailure.objects.get()
    assert failure.username == "hq"
    assert failure.ip == "127.0.0.1"
    assert "a-secret-guess" not in str(AuditEntry.objects.values_list("data", flat=True))
