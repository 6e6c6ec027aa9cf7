"""Posting: at most once per account whatever fails, retries with backoff, revoked tokens, the dispatcher."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.social import services
from openbeat.social.connectors import fake
from openbeat.social.connectors.base import ErrorKind
from openbeat.social.models import LedgerEntry, PostTarget, SocialAccount

pytestmark = pytest.mark.django_db
S = PostTarget.State


@pytest.fixture
def approved(world, submitted) -> PostTarget:
    services.post_approve(post=submitted, approver=world.lead)
    return submitted.targets.get()


def send(target, *, at=None, **kw):
    return services.target_send(target_id=target.pk, now=at, **kw)


def test_an_approved_target_is_posted_once_and_recorded(approved):
    assert send(approved) == S.POSTED
    approved.refresh_from_db()
    assert approved.remote_id
    assert approved.url.startswith("https://fake.example/")
    assert approved.attempts == 1
    assert approved.posted_at is not None
    assert list(fake.STORE) == [str(approved.idempotency_key)]
    assert LedgerEntry.objects.filter(action="posted", data__target=approved.pk).exists()
    assert send(approved) == S.POSTED  # a second task for it does nothing
    assert fake.CALLS == ["post"]


def test_a_worker_that_died_after_the_record_and_before_the_call_posts_once_on_recovery(approved):
    assert send(approved, stop_before_network=True) == S.POSTING  # the worker dies here
    approved.refresh_from_db()
    assert approved.state == S.POSTING
    assert approved.attempts == 1
    assert services.targets_due() == []  # its lease still runs
    later = timezone.now() + services.STUCK_AFTER + timedelta(seconds=1)
    assert services.targets_due(later) == [approved.pk]
    assert send(approved, at=later) == S.POSTED
    assert fake.CALLS == ["find_post", "post"]  # looked up first, then posted
    assert [approved.text] == fake.FIND_TEXTS  # by its text: only Mastodon keeps idempotency keys
    assert len(fake.STORE) == 1


def test_credentials_the_network_renewed_are_kept_and_an_empty_value_never_replaces_one(approved):
    from openbeat.social.credentials import decrypt_credentials, encrypt_credentials

    account = approved.account
    account.credentials = encrypt_credentials({"token": "app-password", "session": "old"})
    account.save(update_fields=["credentials"])
    fake.renew_next({"session": "renewed", "token": ""})
    assert send(approved) == S.POSTED
    account.refresh_from_db()
    assert decrypt_credentials(account.credentials) == {"token": "app-password", "session": "renewed"}


def test_a_worker_that_died_after_the_network_took_the_post_never_posts_it_again(approved, monkeypatch):
    # The network call succeeds but the worker dies before writing the result.
    def die(done):  # the batch records what the network took here
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_posted", die)
    with pytest.raises(SystemExit):
        send(approved)
    monkeypatch.undo()
    approved.refresh_from_db()
    assert approved.state == S.POSTING
    later = timezone.now() + services.STUCK_AFTER + timedelta(seconds=1)
    assert send(approved, at=later) == S.POSTED
    assert fake.CALLS == ["post", "find_post"]  # found by its key: no second post
    assert len(fake.STORE) == 1


def test_an_unknown_outcome_is_looked_up_before_any_new_attempt(approved):
    fake.fail_next(ErrorKind.UNKNOWN_OUTCOME, "The network did not answer in time")
    assert send(approved) == S.POSTING
    approved.refresh_from_db()
    assert approved.last_error == "The network did not answer in time"
    retry_at = approved.next_attempt_at
    assert retry_at - timezone.now() > timedelta(seconds=50)  # 1 minute's backoff
    assert send(approved, at=retry_at) == S.POSTED
    assert fake.CALLS == ["post", "find_post", "post"]
    approved.refresh_from_db()
    assert approved.attempts == 2


def test_passing_errors_back_off_1_5_15_60_minutes_then_fail(approved):
    delays = []
    at = timezone.now()
    for _ in range(services.MAX_ATTEMPTS - 1):
        fake.fail_next(ErrorKind.PASSING, "The network is down")
        assert send(approved, at=at) == S.APPROVED
        approved.refresh_from_db()
        delays.append(round((approved.next_attempt_at - at).total_seconds() / 60))
        at = approved.next_attempt_at
    assert delays == [1, 5, 15, 60]
    fake.fail_next(ErrorKind.PASSING, "The network is down")
    assert send(approved, at=at) == S.FAILED
    approved.refresh_from_db()
    assert approved.last_error == "The network is down"
    assert approved.attempts == services.MAX_ATTEMPTS
    assert fake.STORE == {}


def test_a_rate_limit_waits_at_least_as_long_as_the_network_says(approved):
    fake.fail_next(ErrorKind.RATE_LIMITED, "Too many posts", retry_after=900)
    assert send(approved) == S.APPROVED
    approved.refresh_from_db()
    assert approved.next_attempt_at - timezone.now() > timedelta(minutes=14)


def test_a_rejected_post_fails_with_the_networks_words(approved):
    fake.fail_next(ErrorKind.REJECTED, "The image was rejected: too large")
    assert send(approved) == S.FAILED
    approved.refresh_from_db()
    assert approved.last_error == "The image was rejected: too large"
    assert services.targets_due(timezone.now() + timedelta(days=1)) == []


def test_a_revoked_token_marks_the_account_tells_staff_and_the_post_waits(world, approved):
    fake.fail_next(ErrorKind.REVOKED, "The access token has expired")
    assert send(approved) == S.NEEDS_ATTENTION
    account = SocialAccount.objects.get(pk=world.west_account.pk)
    assert account.status == SocialAccount.Status.NEEDS_RECONNECTING
    assert account.status_reason == "The access token has expired"
    assert services.targets_due(timezone.now() + timedelta(days=1)) == []
    # The author and HQ (who manage accounts) are emailed through the transactional mail.
    from openbeat.core.models import TransactionalMessage

    recipients = set(TransactionalMessage.objects.values_list("to", flat=True))
    assert {"officer@police.example", "hq@police.example"} <= recipients
    # Reconnected: the post is looked up, then posted, once.
    services.account_test(actor=world.hq, social_account=account)
    approved.refresh_from_db()
    assert approved.state == S.POSTING
    assert send(approved) == S.POSTED
    assert fake.CALLS == ["post", "account_info", "find_post", "post"]


def test_a_target_for_an_account_needing_reconnection_is_not_posted(world, approved):
    SocialAccount.objects.filter(pk=world.west_account.pk).update(status=SocialAccount.Status.NEEDS_RECONNECTING)
    assert send(approved) == S.NEEDS_ATTENTION
    assert fake.CALLS == []


def test_the_scheduler_job_queues_due_targets(approved):
    from openbeat.scheduler.jobs import dispatch_due_social_posts

    assert dispatch_due_social_posts().startswith("1 queued")  # tasks run inline in tests
    approved.refresh_from_db()
    assert approved.state == S.POSTED


def test_a_failed_target_can_be_tried_again(world, approved):
    fake.fail_next(ErrorKind.CREDITS, "The account's API credits are spent")
    assert send(approved) == S.FAILED
    services.target_retry(target=PostTarget.objects.get(pk=approved.pk), actor=world.lead)
    approved.refresh_from_db()
    assert approved.state == S.POSTING
    assert approved.attempts == 0
    assert send(approved) == S.POSTED


def test_deleting_a_posted_post_takes_it_down_and_records_who(world, approved):
    send(approved)
    services.target_delete(target=PostTarget.objects.get(pk=approved.pk), actor=world.lead)
    assert PostTarget.objects.get(pk=approved.pk).state == S.DELETED
    assert fake.STORE == {}
    assert LedgerEntry.objects.get(action="deleted").actor_label == "lead-west"


def test_another_division_cannot_delete(world, approved):
    send(approved)
    with pytest.raises(services.SocialPermissionError):
        services.target_delete(target=PostTarget.objects.get(pk=approved.pk), actor=world.other)


def _approved_targets(world, count: int, accounts) -> list[PostTarget]:
    from openbeat.social.tests.conftest import make_post

    for account in accounts:
        account.requires_approval = False
        account.save(update_fields=["requires_approval"])
    targets = []
    for n in range(count):
        post = make_post(world.hq, accounts, text=f"Lock your bikes tonight ({n}).")
        services.post_submit(post=post, actor=world.hq)
        targets += list(post.targets.all())
    return targets


def test_due_targets_are_queued_in_batches_of_one_account(world, monkeypatch):
    targets = _approved_targets(world, 3, [world.west_account, world.east_account])
    PostTarget.objects.filter(pk__in=[t.pk for t in targets]).update(state=S.APPROVED)
    batches: list[list[int]] = []

    class Recorder:
        def enqueue(self, ids):
            batches.append(list(ids))

    monkeypatch.setattr(services, "targets_send_task", lambda: Recorder())
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    assert services.dispatch_due() == 6
    accounts = {t.pk: t.account_id for t in targets}
    assert sorted(len(batch) for batch in batches) == [1, 1, 2, 2]  # 3 per account, at most 2 a batch
    assert all(len({accounts[pk] for pk in batch}) == 1 for batch in batches)
    assert sorted(pk for batch in batches for pk in batch) == sorted(accounts)


def test_a_batch_posts_each_target_once_with_one_connector_per_account(world, monkeypatch):
    targets = _approved_targets(world, 3, [world.west_account])
    PostTarget.objects.filter(pk__in=[t.pk for t in targets]).update(state=S.APPROVED)
    built = []
    connector_of = services.connector_of
    monkeypatch.setattr(services, "connector_of", lambda account: built.append(account.pk) or connector_of(account))
    ids = [t.pk for t in targets]
    assert services.targets_send(target_ids=ids) == {S.POSTED: 3}
    assert built == [world.west_account.pk]
    assert services.targets_send(target_ids=ids) == {S.POSTED: 3}  # a repeated batch posts nothing again
    assert fake.CALLS == ["post", "post", "post"]
