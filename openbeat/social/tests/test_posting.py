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
    # Reconnected: never tried, so there is nothing to look up: it is approved again and posted once.
    services.account_test(actor=world.hq, social_account=SocialAccount.objects.get(pk=world.west_account.pk))
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    assert send(approved) == S.POSTED
    assert fake.CALLS == ["account_info", "post"]


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


def test_a_batch_is_claimed_before_any_network_call_and_recorded_together(world):
    targets = _approved_targets(world, 3, [world.west_account])
    ids = [t.pk for t in targets]
    PostTarget.objects.filter(pk__in=ids).update(state=S.APPROVED)
    # Every target of the batch is POSTING with its attempt counted (its idempotency record) before the first call.
    assert services._send_batch(ids, stop_before_network=True) == dict.fromkeys(ids, S.POSTING)
    assert set(PostTarget.objects.filter(pk__in=ids).values_list("state", "attempts")) == {(S.POSTING, 1)}
    assert fake.CALLS == []
    later = timezone.now() + services.STUCK_AFTER + timedelta(seconds=1)
    assert services._send_batch(ids, now=later) == dict.fromkeys(ids, S.POSTED)
    assert fake.CALLS == ["find_post", "post"] * 3
    posted = LedgerEntry.objects.filter(action="posted")
    assert sorted(posted.values_list("data__target", flat=True)) == sorted(ids)
    from openbeat.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="social.target.posted").count() == 3
    from openbeat.social.ledger import ledger_verify

    assert ledger_verify() is None


def test_a_target_posted_by_the_network_but_taken_over_meanwhile_is_not_recorded_twice(world, monkeypatch):
    targets = _approved_targets(world, 2, [world.west_account])
    ids = [t.pk for t in targets]
    PostTarget.objects.filter(pk__in=ids).update(state=S.APPROVED)
    real_post = fake.FakeConnector.post

    def post_then_lose_the_second(self, outgoing):
        posted = real_post(self, outgoing)
        # While the first batch waits, another worker recorded the second target (its lease ran out).
        PostTarget.objects.filter(pk=ids[1]).update(state=S.POSTED)
        return posted

    monkeypatch.setattr(fake.FakeConnector, "post", post_then_lose_the_second)
    assert services._send_batch(ids) == {ids[0]: S.POSTED, ids[1]: S.POSTED}
    assert LedgerEntry.objects.filter(action="posted").count() == 1


def test_the_dispatch_queues_a_target_again_only_after_a_lease(world, monkeypatch):
    targets = _approved_targets(world, 1, [world.west_account])
    PostTarget.objects.filter(pk=targets[0].pk).update(state=S.APPROVED, queued_at=None)
    queued: list[list[int]] = []

    class Recorder:
        def enqueue(self, ids):
            queued.append(list(ids))

    monkeypatch.setattr(services, "targets_send_task", lambda: Recorder())
    now = timezone.now()
    assert services.dispatch_due(now) == 1
    assert PostTarget.objects.get(pk=targets[0].pk).queued_at == now
    # Still waiting for a worker a minute later: not queued again.
    assert services.dispatch_due(now + timedelta(minutes=1)) == 0
    # No worker took it within a lease (a lost task): queued again.
    assert services.dispatch_due(now + services.STUCK_AFTER + timedelta(seconds=1)) == 1
    assert queued == [[targets[0].pk], [targets[0].pk]]
    # A worker's claim clears the mark, so a retry after a backoff is dispatched when it is due.
    fake.fail_next(ErrorKind.PASSING, "The network is down")
    later = now + services.STUCK_AFTER + timedelta(seconds=2)
    assert services.target_send(target_id=targets[0].pk, now=later) == S.APPROVED
    target = PostTarget.objects.get(pk=targets[0].pk)
    assert target.queued_at is None
    assert services.dispatch_due(target.next_attempt_at) == 1


def test_a_target_released_for_now_is_marked_queued_once_its_transaction_commits(
    world, django_capture_on_commit_callbacks
):
    for account in [world.west_account]:
        account.requires_approval = False
        account.save(update_fields=["requires_approval"])
    from openbeat.social.tests.conftest import make_post

    post = make_post(world.hq, [world.west_account])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_submit(post=post, actor=world.hq)
    target = post.targets.get()
    assert target.queued_at is None
    for callback in callbacks:
        if "enqueue" not in getattr(callback, "__qualname__", ""):
            callback()
    target.refresh_from_db()
    assert target.queued_at is not None
    assert services.dispatch_due() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_post_each_target_once_and_keep_one_ledger_chain(world):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from openbeat.social.ledger import ledger_verify

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one connection: batches cannot run concurrently")
    targets = _approved_targets(world, 12, [world.west_account, world.east_account])
    ids = [t.pk for t in targets]
    PostTarget.objects.filter(pk__in=ids).update(state=S.APPROVED)
    LedgerEntry.objects.all().delete()
    fake.reset()  # a transactional test runs the tasks queued on submitting: forget those posts

    def batch(order):
        try:
            return services.targets_send(target_ids=order)
        finally:
            connection.close()

    # Four workers handed the same targets in different orders (a batch queued twice, overlapping batches).
    orders = [ids, list(reversed(ids)), ids[::2] + ids[1::2], ids[1::2] + ids[::2]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(batch, orders))
    assert set(PostTarget.objects.filter(pk__in=ids).values_list("state", flat=True)) == {S.POSTED}
    assert fake.CALLS.count("post") == len(ids)
    assert LedgerEntry.objects.filter(action="posted").count() == len(ids)
    assert ledger_verify() is None


def test_a_slow_batch_renews_the_lease_of_the_targets_it_has_not_reached(world, settings, monkeypatch):
    import time

    settings.SOCIAL_POSTING_LEASE_SECONDS = 0.4
    targets = _approved_targets(world, 3, [world.west_account])
    ids = [t.pk for t in targets]
    PostTarget.objects.filter(pk__in=ids).update(state=S.APPROVED)
    fake.reset()
    real_post = fake.FakeConnector.post
    leases = []

    def slow_post(self, outgoing):
        leases.append(PostTarget.objects.get(pk=ids[-1]).next_attempt_at)
        time.sleep(0.25)
        return real_post(self, outgoing)

    monkeypatch.setattr(fake.FakeConnector, "post", slow_post)
    assert services._send_batch(ids) == dict.fromkeys(ids, S.POSTED)
    assert leases[1] > leases[0]  # renewed before the second call, half a lease after the claim
    assert fake.CALLS == ["post"] * 3  # each target posted once
    assert len(fake.STORE) == 3


def test_a_target_another_worker_took_over_meanwhile_is_left_to_it(world, settings, monkeypatch):
    import time

    settings.SOCIAL_POSTING_LEASE_SECONDS = 0.4
    targets = _approved_targets(world, 2, [world.west_account])
    ids = [t.pk for t in targets]
    PostTarget.objects.filter(pk__in=ids).update(state=S.APPROVED)
    fake.reset()
    real_post = fake.FakeConnector.post

    def slow_post(self, outgoing):
        # The batch is slow: the second target's lease is taken by another worker (a new lease of its own).
        PostTarget.objects.filter(pk=ids[1]).update(next_attempt_at=timezone.now() + timedelta(hours=1))
        time.sleep(0.25)
        return real_post(self, outgoing)

    monkeypatch.setattr(fake.FakeConnector, "post", slow_post)
    assert services._send_batch(ids) == {ids[0]: S.POSTED, ids[1]: S.POSTING}
    assert len(fake.STORE) == 1
