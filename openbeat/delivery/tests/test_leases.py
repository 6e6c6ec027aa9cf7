"""Leases on claimed deliveries: taken with the claim, renewed while the worker lives, swept when it dies.

outbox.py's docstring ("Leases") states the guarantees; test_fault.py kills a real worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone

from openbeat.delivery import outbox
from openbeat.delivery.models import BatchLease, Delivery
from openbeat.delivery.outbox import batch_ranges, outbox_fill_for_alert, outbox_recover, outbox_sweep
from openbeat.delivery.tests.conftest import DUMMY_TASKS
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers

pytestmark = pytest.mark.django_db

State = Delivery.State
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def batch_of(count=3, **fields):
    alert = sending_alert(**fields)
    outbox_fill_for_alert(alert=alert, audience=audience(email=subscribers(None, count)))
    first, last = batch_ranges(alert_id=alert.pk, channel="email")[0]
    return alert, first, last


def claimed_by_a_worker(alert, first, last, *, task_result_id=""):
    """What a worker leaves when it dies mid-batch: its lease, and its rows in sending under it."""
    lease, claimed = outbox._lease_and_claim(
        alert_id=alert.pk,
        channel="email",
        first_id=first,
        last_id=last,
        now=timezone.now(),
        task_result_id=task_result_id,
    )
    assert lease is not None
    assert claimed
    return lease


def expire(lease, ago=timedelta(seconds=1)):
    BatchLease.objects.filter(pk=lease.pk).update(expires_at=timezone.now() - ago, renewed_at=timezone.now() - ago)


def test_the_claim_takes_a_lease_that_each_claimed_row_records_and_the_batch_lets_it_go(fake, monkeypatch):
    alert, first, last = batch_of(3)
    seen = {}
    real_send = outbox._send

    def send(deliveries, **kwargs):
        seen["leases"] = list(BatchLease.objects.values("pk", "alert_id", "first_id", "last_id", "task_result_id"))
        seen["rows"] = set(Delivery.objects.values_list("lease_id", flat=True))
        return real_send(deliveries, **kwargs)

    monkeypatch.setattr(outbox, "_send", send)
    outbox.batch_send(alert_id=alert.pk, channel="email", first_id=first, last_id=last, task_result_id="run-1")

    (lease,) = seen["leases"]
    assert (lease["alert_id"], lease["first_id"], lease["last_id"], lease["task_result_id"]) == (
        alert.pk,
        first,
        last,
        "run-1",
    )
    assert seen["rows"] == {lease["pk"]}
    assert not BatchLease.objects.exists()  # ended with the batch
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.DELIVERED}


def test_a_batch_with_nothing_due_leaves_no_lease(fake):
    alert, first, last = batch_of(2)
    Delivery.objects.update(state=State.DELIVERED)
    outbox.batch_send(alert_id=alert.pk, channel="email", first_id=first, last_id=last)
    assert not BatchLease.objects.exists()


def test_an_expired_lease_is_swept_its_rows_returned_and_its_batch_queued_again(
    queued, django_capture_on_commit_callbacks
):
    alert, first, last = batch_of(3)
    lease = claimed_by_a_worker(alert, first, last)
    Delivery.objects.filter(pk=first).update(state=State.DELIVERED)  # recorded before the worker died
    queued.clear()

    assert outbox_sweep() == 0  # still within its lease: the worker may be alive
    expire(lease)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 2

    assert not BatchLease.objects.exists()
    rows = dict(Delivery.objects.values_list("pk", "state"))
    assert rows[first] == State.DELIVERED
    assert [state for pk, state in rows.items() if pk != first] == [State.CREATED, State.CREATED]
    assert set(Delivery.objects.filter(state=State.CREATED).values_list("lease_id", "sent_at")) == {(None, None)}
    assert [(r.task.name, list(r.args)) for r in queued] == [("deliveries_send", [alert.pk, "email", first, last])]
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 0  # once
    assert len(queued) == 1


def test_the_sweep_returns_only_the_dead_leases_rows_never_those_claimed_since_under_another(queued):
    alert, first, last = batch_of(3)
    dead = claimed_by_a_worker(alert, first, last)
    # One of its rows was taken back earlier and claimed again by a live batch (a lease of its own).
    live = BatchLease.objects.create(
        alert=alert,
        channel="email",
        first_id=first,
        last_id=last,
        taken_at=timezone.now(),
        renewed_at=timezone.now(),
        expires_at=timezone.now() + timedelta(seconds=30),
    )
    Delivery.objects.filter(pk=last).update(lease_id=live.pk)
    expire(dead)

    assert outbox_sweep() == 2
    assert Delivery.objects.get(pk=last).state == State.SENDING
    assert list(BatchLease.objects.values_list("pk", flat=True)) == [live.pk]


def test_sms_handed_to_notify_is_not_returned_with_its_expired_lease(queued):
    alert = sending_alert()
    outbox_fill_for_alert(alert=alert, audience=audience(sms=subscribers(None, 2, email=False, sms=True)))
    first, last = batch_ranges(alert_id=alert.pk, channel="sms")[0]
    lease, _ = outbox._lease_and_claim(
        alert_id=alert.pk, channel="sms", first_id=first, last_id=last, now=timezone.now(), task_result_id=""
    )
    Delivery.objects.filter(pk=first).update(provider_id="notify-1")  # accepted by Notify, waiting for its receipt
    expire(lease)
    assert outbox_sweep() == 1
    assert Delivery.objects.get(pk=first).state == State.SENDING


def test_a_renewal_pushes_the_expiry_on_and_one_after_the_sweep_finds_the_lease_lost(queued):
    alert, first, last = batch_of(2)
    lease = claimed_by_a_worker(alert, first, last)
    before = BatchLease.objects.get().expires_at

    assert lease.renew() is True
    assert BatchLease.objects.get().expires_at > before
    assert lease.held() is True

    expire(lease)
    outbox_sweep()
    assert lease.renew() is False
    assert lease.lost is True
    assert lease.held() is False


def test_a_renewal_that_comes_before_the_sweep_keeps_the_batch(queued):
    alert, first, last = batch_of(2)
    lease = claimed_by_a_worker(alert, first, last)
    expire(lease)  # late, but its worker is alive and renews before any sweeper comes
    assert lease.renew() is True
    assert outbox_sweep() == 0
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENDING}


def test_the_batch_renews_the_lease_itself_when_its_thread_fell_behind(queued, monkeypatch):
    alert, first, last = batch_of(1)
    lease = claimed_by_a_worker(alert, first, last)
    lease.keep()  # inside this test's transaction: no thread (it could not see the uncommitted lease)
    assert lease._thread is None
    before = BatchLease.objects.get().expires_at
    clock = time.monotonic()
    monkeypatch.setattr(outbox.time, "monotonic", lambda: clock + lease.seconds * 0.6)
    assert lease.held() is True
    assert BatchLease.objects.get().expires_at > before


@pytest.mark.django_db(transaction=True)
def test_a_thread_keeps_renewing_the_lease_while_the_batch_waits_and_stops_with_it(settings):
    settings.DELIVERY_LEASE_SECONDS = 0.6  # renewed every 0.2 s
    settings.TASKS = DUMMY_TASKS
    alert, first, last = batch_of(1)
    lease = claimed_by_a_worker(alert, first, last)
    lease.keep()
    try:
        expiries = set()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            expiries.add(BatchLease.objects.get().expires_at)
            assert outbox_sweep() == 0  # never expired while its process lives
            time.sleep(0.05)
    finally:
        lease.stop()
    assert len(expiries) >= 4
    last_expiry = BatchLease.objects.get().expires_at
    time.sleep(0.5)
    assert BatchLease.objects.get().expires_at == last_expiry  # no renewal once stopped


def test_a_batch_whose_lease_was_taken_back_stops_before_sending_another_message(
    fake, queued, monkeypatch, django_capture_on_commit_callbacks
):
    """A worker that stalled for a whole lease (the sweep gave its rows away) records what it had and stops
    at once: it lets no further message go."""
    alert, first, last = batch_of(6)
    real_record = outbox._record_group
    recorded = []
    clock = {"skew": 0.0}
    real_monotonic = time.monotonic
    monkeypatch.setattr(outbox.time, "monotonic", lambda: real_monotonic() + clock["skew"])

    def record(group, **kwargs):
        real_record(group, **kwargs)
        recorded.append(group)
        if len(recorded) == 2:  # meanwhile this process stalls; another host's sweep takes the batch back
            BatchLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
            outbox_sweep()
            clock["skew"] = 1_000.0

    monkeypatch.setattr(outbox, "_record_group", record)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = outbox.batch_send(alert_id=alert.pk, channel="email", first_id=first, last_id=last)

    assert len(fake.attempted) == 2
    assert counts["lease-lost"] == 1
    states = sorted(Delivery.objects.values_list("state", flat=True))
    assert states == [State.CREATED] * 4 + [State.DELIVERED] * 2
    assert [list(r.args) for r in queued] == [[alert.pk, "email", first, last]]  # by the sweep, once
    assert not BatchLease.objects.exists()


def test_a_new_run_of_a_batch_takes_back_its_range_from_an_expired_lease_at_once(fake):
    alert, first, last = batch_of(3)
    lease = claimed_by_a_worker(alert, first, last)
    expire(lease)
    outbox.batch_send(alert_id=alert.pk, channel="email", first_id=first, last_id=last)
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.DELIVERED}
    assert len(fake.sent) == 3


def test_rows_under_a_live_lease_are_left_however_long_they_have_been_sending(queued):
    """A slow relay can keep a batch going for more than STALE_AFTER: its lease, not the clock, says it lives."""
    alert, first, last = batch_of(2)
    claimed_by_a_worker(alert, first, last)
    Delivery.objects.update(sent_at=timezone.now() - timedelta(hours=1))
    assert outbox_recover() == 0
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENDING}
    # By hand, with --older-than 0: "no worker is running": everything in sending goes back.
    assert outbox_recover(older_than=timedelta(0)) == 2
    assert not BatchLease.objects.exists()


def test_rows_whose_lease_row_is_gone_come_back_after_stale_after():
    batch_of(2)
    Delivery.objects.update(state=State.SENDING, lease_id=999_999, sent_at=timezone.now() - timedelta(minutes=5))
    assert outbox_recover() == 0
    Delivery.objects.update(sent_at=timezone.now() - outbox.STALE_AFTER - timedelta(seconds=1))
    assert outbox_recover() == 2


# --- The task result a dead worker leaves "running" (django-tasks-db) ------------------------------------


def running_result(alert, first, last, *, started_ago):
    from django_tasks_db.models import DBTaskResult

    from openbeat.delivery.tasks import deliveries_send

    result = deliveries_send.enqueue(alert.pk, "email", first, last)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - started_ago, worker_ids=["killed"]
    )
    return DBTaskResult.objects.get(pk=result.id)


def deliveries_send_results():
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("status", "exception_class_path", "args_kwargs")
    )


def test_the_sweep_marks_the_dead_batchs_task_result_failed_and_queues_the_batch_again(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    alert, first, last = batch_of(2)
    result = running_result(alert, first, last, started_ago=timedelta(seconds=5))
    lease = claimed_by_a_worker(alert, first, last, task_result_id=str(result.pk))
    expire(lease)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 2

    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.finished_at is not None
    assert result.exception_class_path == "openbeat.delivery.outbox.WorkerLost"
    assert "stopped renewing its lease" in result.traceback
    assert "2 deliveries were returned to the outbox" in result.traceback
    assert result.task_result.errors[0].exception_class is outbox.WorkerLost  # the back office can show it
    statuses = [(status, args["args"]) for status, _, args in deliveries_send_results()]
    assert statuses == [
        (TaskResultStatus.FAILED, [alert.pk, "email", first, last]),
        ("READY", [alert.pk, "email", first, last]),
    ]


def test_a_task_result_left_running_without_a_lease_is_closed_after_a_lease_and_its_batch_queued(
    settings, django_capture_on_commit_callbacks
):
    """The worker died after taking the task and before its batch took a lease (or after letting it go)."""
    settings.TASKS = DB_TASKS
    alert, first, last = batch_of(2)
    young = running_result(alert, first, last, started_ago=timedelta(seconds=5))
    old = running_result(alert, first, last, started_ago=timedelta(seconds=outbox.lease_seconds() + 5))
    holding = running_result(alert, first, last, started_ago=timedelta(minutes=5))
    claimed_by_a_worker(alert, first, last, task_result_id=str(holding.pk))  # alive: its lease is renewed

    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()  # the frequent sweep reads leases only
    old.refresh_from_db()
    assert old.status == "RUNNING"
    with django_capture_on_commit_callbacks(execute=True):
        outbox_recover()

    for result in (young, old, holding):
        result.refresh_from_db()
    assert (young.status, old.status, holding.status) == ("RUNNING", "FAILED", "RUNNING")
    assert old.exception_class_path == "openbeat.delivery.outbox.WorkerLost"
    assert [s for s, _, _ in deliveries_send_results()].count("READY") == 1
