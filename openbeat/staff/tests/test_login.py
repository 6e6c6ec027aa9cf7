"""Staff sign-in: throttling per username and address that no stranger can turn against staff, an account lock
only for a distributed guess (with a notice to its owner), and an audit trail of sign-ins."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.django_db

STRANGER = "198.51.100.7"
COLLEAGUE = "203.0.113.20"


def sign_in(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def hq():
    return staff_user(roles.HQ_MEDIA, None, username="hq")


def test_a_correct_password_signs_in_and_is_logged(client, hq):
    response = sign_in(client, "hq", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="staff.login.success", actor=hq).exists()


def test_five_wrong_passwords_lock_the_username_from_that_address_with_a_clear_message(client, hq):
    for _ in range(5):
        assert "didn&#x27;t match" in sign_in(client, "hq", "wrong", STRANGER).content.decode()
    response = sign_in(client, "HQ", PASSWORD, STRANGER)  # even the right password, in any case
    assert response.status_code == 200
    assert "Too many failed sign-in attempts. Wait 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="staff.login.locked").exists()


def test_a_strangers_failures_do_not_lock_out_the_owner_at_their_own_address(client, hq):
    for _ in range(20):
        sign_in(client, "hq", "wrong", STRANGER)
    assert sign_in(client, "hq", PASSWORD, COLLEAGUE).status_code == 302
    assert client.session["_auth_user_id"] == str(hq.pk)
    assert not mail.outbox  # one address is not a distributed guess: no account lock, no notice


def test_another_username_can_still_sign_in_from_the_same_address(client, hq):
    other = staff_user(roles.HQ_MEDIA, None, username="hq2")
    for _ in range(5):
        sign_in(client, "hq", "wrong", STRANGER)
    assert sign_in(client, "hq2", PASSWORD, STRANGER).status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_the_lock_expires_after_the_window(client, hq, settings):
    for _ in range(5):
        sign_in(client, "hq", "wrong", STRANGER)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    )
    assert sign_in(client, "hq", PASSWORD, STRANGER).status_code == 302


def test_a_success_clears_that_addresss_failures(client, hq):
    for _ in range(4):
        sign_in(client, "hq", "wrong")
    assert sign_in(client, "hq", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="hq").exists()


def test_failures_keep_the_username_and_address_but_never_the_password(client, hq):
    sign_in(client, "hq", "a-secret-guess", STRANGER)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("hq", STRANGER, 1)
    assert "a-secret-guess" not in attempt.post_data
    assert "a-secret-guess" not in str(AuditEntry.objects.values_list("data", flat=True))


def test_a_guess_from_many_addresses_locks_the_account_and_tells_its_owner_once(
    client, hq, settings, django_capture_on_commit_callbacks
):
    addresses = [f"198.51.100.{n}" for n in range(1, 5)]  # 4 addresses x 5 failures = 20
    with django_capture_on_commit_callbacks(execute=True):
        for address in addresses:
            for _ in range(5):
                sign_in(client, "hq", "wrong", address)
        # The owner's own address is locked out too now: that is what an account lock is.
        refused = sign_in(client, "hq", PASSWORD, COLLEAGUE)
    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert [message.to for message in mail.outbox] == [[hq.email]]
    assert "20 times from 4 different addresses" in mail.outbox[0].body.replace("\n", " ")
    assert AuditEntry.objects.filter(action="staff.login.account_locked").count() == 1


def test_the_account_lock_needs_several_addresses(client, hq, settings):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 50
    for _ in range(30):
        sign_in(client, "hq", "wrong", STRANGER)
    assert sign_in(client, "hq", PASSWORD, COLLEAGUE).status_code == 302
