"""Credentials a network renews during any call (Bluesky's refreshed session, a rotated token) are saved, whatever
the call (test connection, posting, deleting, results, mentions) and whether it succeeded; a value the network
answered empty never replaces the stored one."""

import pytest

from openbeat.social import services
from openbeat.social.connectors import fake
from openbeat.social.connectors.base import ErrorKind
from openbeat.social.credentials import decrypt_credentials, encrypt_credentials
from openbeat.social.inbox import mentions_fetch
from openbeat.social.models import PostTarget
from openbeat.social.results import results_fetch

from .standin_fixtures import CREDENTIALS, bluesky_standin  # noqa: F401

pytestmark = pytest.mark.django_db
STORED = {"token": "app-password", "session": "old-session", "refresh": "old-refresh"}


@pytest.fixture
def account(world):
    account = world.west_account
    account.credentials = encrypt_credentials(STORED)
    account.save(update_fields=["credentials"])
    return account


def stored(account) -> dict[str, str]:
    account.refresh_from_db()
    return decrypt_credentials(account.credentials)


RENEWED = {"session": "new-session", "refresh": "", "token": ""}
KEPT = {"token": "app-password", "session": "new-session", "refresh": "old-refresh"}


@pytest.mark.parametrize("fails", [False, True], ids=["succeeded", "failed"])
def test_test_connection_keeps_renewed_credentials(world, account, fails):
    fake.renew_next(RENEWED)
    if fails:
        fake.fail_next(ErrorKind.PASSING, "The network is down")
    services.account_test(actor=world.hq, social_account=account)
    assert stored(account) == KEPT


def test_deleting_keeps_renewed_credentials(world, account, submitted):
    services.post_approve(post=submitted, approver=world.lead)
    target = submitted.targets.get()
    assert services.target_send(target_id=target.pk) == PostTarget.State.POSTED
    fake.renew_next(RENEWED)
    services.target_delete(target=PostTarget.objects.get(pk=target.pk), actor=world.lead)
    assert stored(account) == KEPT


def test_results_and_mentions_keep_renewed_credentials(account):
    from datetime import date

    fake.renew_next(RENEWED)
    results_fetch(account_id=account.pk, day=date.today())
    assert stored(account) == KEPT
    fake.renew_next({"session": "newer-session", "refresh": ""})
    mentions_fetch(account_id=account.pk)
    assert stored(account) == KEPT | {"session": "newer-session"}


def test_a_batch_saves_a_renewal_once_and_posts_with_it(world, account, submitted):
    services.post_approve(post=submitted, approver=world.lead)
    target = submitted.targets.get()
    connectors: dict = {}
    fake.renew_next(RENEWED)
    services.target_send(target_id=target.pk, connectors=connectors)
    assert stored(account) == KEPT
    connector = connectors[account.pk]
    assert connector.credentials_updated == {}  # saved, so the next call writes nothing
    assert connector.credentials["session"] == "new-session"


def test_a_bluesky_session_refreshed_by_the_stand_in_is_saved_with_the_app_password_kept(
    world,
    bluesky_standin,  # noqa: F811
):
    account = world.west_account
    bluesky_standin.access_ttl = 60  # the SDK refreshes a session within 15 minutes of its expiry
    account.network = "bluesky"
    account.base_url = bluesky_standin.base_url
    account.credentials = encrypt_credentials(CREDENTIALS["bluesky"])
    account.save(update_fields=["network", "base_url", "credentials"])
    services.account_test(actor=world.hq, social_account=account)  # signs in: the session is saved
    first = stored(account)
    assert first["app_password"] == CREDENTIALS["bluesky"]["app_password"]
    assert first["session"]
    services.account_test(actor=world.hq, social_account=account)  # resumes it, refreshed by the stand-in
    second = stored(account)
    assert bluesky_standin.sessions_refreshed >= 1
    assert bluesky_standin.sessions_created == 1
    assert second["session"] != first["session"]
    assert second["app_password"] == first["app_password"]
