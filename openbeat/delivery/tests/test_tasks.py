"""Sending a batch: claim, rules, build, send, record each outcome; retries, recovery and finishing the alert.

The transport is the fake one (transports/fake.py): recipients' addresses decide its outcomes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from openbeat.alerts.models import Alert, Priority
from openbeat.delivery import messages, outbox
from openbeat.delivery.models import Delivery, DeliverySettings, DigestItem
from openbeat.delivery.outbox import batch_ranges, outbox_fill_for_alert, outbox_recover
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers

pytestmark = pytest.mark.django_db

State = Delivery.State


def filled(alert, email=(), sms=()):
    outbox_fill_for_alert(alert=alert, audience=audience(email=list(email), sms=list(sms)))
    return alert


def run_batch(alert_id, channel, first, last):
    """Run one batch task inline, as a worker would (the task's context gives it a result id)."""
    return outbox.batch_send(alert_id=alert_id, channel=channel, first_id=first, last_id=last, task_result_id="t")


def send_all(alert, channel="email"):
    """Run every batch of the alert on a channel, as the worker would."""
    for first, last in batch_ranges(alert_id=alert.pk, channel=channel):
        run_batch(alert.pk, channel, first, last)
    alert.refresh_from_db()


def states(alert):
    return dict(Delivery.objects.filter(alert=alert).values_list("subscriber__email", "state"))


def test_a_batch_sends_each_due_delivery_once_records_it_and_marks_the_alert_sent(fake):
    people = subscribers(None, 3)
    alert = filled(sending_alert(), email=people)

    send_all(alert)

    assert sorted(m.to for m in fake.sent) == sorted(p.email for p in people)
    for delivery in Delivery.objects.filter(alert=alert):
        assert delivery.state == State.DELIVERED
        assert delivery.attempts == 1
        assert delivery.provider_id == f"fake-{delivery.pk}"
        assert delivery.sent_at is not None
        assert delivery.delivered_at is not None
    assert alert.state == Alert.State.SENT


def test_a_batch_run_again_never_sends_a_delivered_message_again(fake):
    people = subscribers(None, 3)
    alert = filled(sending_alert(), email=people)
    send_all(alert)
    send_all(alert)
    assert len(fake.attempted) == 3
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_two_workers_claiming_the_same_batch_never_share_a_row():
    alert = filled(sending_alert(), email=subscribers(None, 5))
    (first, last), now = batch_ranges(alert_id=alert.pk, channel="email")[0], timezone.now()
    one = outbox._claim(alert_id=alert.pk, channel="email", first_id=first, last_id=last, now=now)
    two = outbox._claim(alert_id=alert.pk, channel="email", first_id=first, last_id=last, now=now)
    assert len(one) == 5
    assert two == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENDING}


def test_a_batch_only_touches_its_own_alert_channel_and_id_range(fake):
    people = subscribers(None, 4, sms=True)
    alert, other = filled(sending_alert(), email=people, sms=people), filled(sending_alert(), email=people)
    ids = sorted(Delivery.objects.filter(alert=alert, channel="email").values_list("pk", flat=True))

    run_batch(alert.pk, "email", ids[0], ids[1])

    assert Delivery.objects.filter(state=State.DELIVERED).count() == 2
    assert set(Delivery.objects.filter(state=State.DELIVERED).values_list("pk", flat=True)) == set(ids[:2])
    assert not Delivery.objects.filter(alert=other).exclude(state=State.CREATED).exists()
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.SENDING


def test_a_temporary_failure_is_retried_with_backoff_then_becomes_permanent(fake):
    (unlucky,) = subscribers(None, 1, address="temp-fail")
    (lucky,) = subscribers(None, 1)
    start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with freeze_time(start) as clock:
        alert = filled(sending_alert(), email=[unlucky, lucky])
        send_all(alert)
        delivery = Delivery.objects.get(subscriber=unlucky)
        assert (delivery.state, delivery.attempts, delivery.failure_reason) == (
            State.TEMPORARY_FAILURE,
            1,
            "temporarily unavailable",
        )
        assert delivery.not_before == start + timedelta(seconds=30)
        assert "451" in delivery.last_error
        assert alert.state == Alert.State.SENDING

        send_all(alert)  # not due yet: nothing sent
        assert len(fake.attempted) == 2

        waits = [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1)]
        for attempt, wait in enumerate(waits, start=2):
            clock.tick(wait)
            send_all(alert)
            delivery.refresh_from_db()
            assert delivery.attempts == attempt
        assert delivery.state == State.PERMANENT_FAILURE
        assert delivery.not_before is not None  # when it would have gone again, kept for staff
    assert len(fake.attempted) == 6
    assert Delivery.objects.get(subscriber=lucky).attempts == 1
    assert alert.state == Alert.State.SENT


def test_a_permanent_failure_is_final_with_its_reason(fake):
    (gone,) = subscribers(None, 1, address="perm-fail")
    alert = filled(sending_alert(), email=[gone])
    send_all(alert)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.failure_reason, delivery.attempts) == (
        State.PERMANENT_FAILURE,
        "mailbox unavailable",
        1,
    )
    assert "550" in delivery.last_error
    assert alert.state == Alert.State.SENT


def test_an_unexpected_error_while_sending_fails_only_that_message(fake):
    people = subscribers(None, 2) + subscribers(None, 1, address="tech-fail") + subscribers(None, 2)
    alert = filled(sending_alert(), email=people)
    send_all(alert)
    by_state = states(alert)
    assert [email for email, state in by_state.items() if state == State.TECHNICAL_FAILURE] == [people[2].email]
    assert sum(state == State.DELIVERED for state in by_state.values()) == 4
    assert "RuntimeError" in Delivery.objects.get(state=State.TECHNICAL_FAILURE).last_error
    assert alert.state == Alert.State.SENT


def test_a_message_that_cannot_be_built_fails_alone(fake, monkeypatch):
    people = subscribers(None, 3)
    alert = filled(sending_alert(), email=people)
    broken = Delivery.objects.get(subscriber=people[1]).pk
    real = messages._email

    def build_one(delivery, *args):
        if delivery.pk == broken:
            raise ValueError("a template bug")
        return real(delivery, *args)

    monkeypatch.setattr(messages, "_email", build_one)
    send_all(alert)
    assert Delivery.objects.get(pk=broken).state == State.TECHNICAL_FAILURE
    assert "ValueError: a template bug" in Delivery.objects.get(pk=broken).last_error
    assert Delivery.objects.filter(state=State.DELIVERED).count() == 2
    assert alert.state == Alert.State.SENT


def test_rows_left_sending_by_a_dead_worker_go_again_once_stale_but_not_before(fake):
    people = subscribers(None, 3)
    alert = filled(sending_alert(), email=people)
    now = timezone.now()
    stale, fresh, _ = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=stale.pk).update(state=State.SENDING, sent_at=now - timedelta(minutes=11))
    Delivery.objects.filter(pk=fresh.pk).update(state=State.SENDING, sent_at=now - timedelta(minutes=1))

    send_all(alert)

    assert Delivery.objects.get(pk=stale.pk).state == State.DELIVERED
    assert Delivery.objects.get(pk=fresh.pk).state == State.SENDING  # its worker may still be sending it
    assert alert.state == Alert.State.SENDING
    assert len(fake.sent) == 2


def test_sms_accepted_by_notify_waits_in_sending_for_the_callback_and_is_never_recovered(fake):
    texters = subscribers(None, 2, email=False, sms=True)
    alert = filled(sending_alert(), sms=texters)
    send_all(alert, channel="sms")
    for delivery in Delivery.objects.all():
        assert delivery.state == State.SENDING
        assert delivery.provider_id == f"fake-{delivery.pk}"
    assert alert.state == Alert.State.SENDING

    assert outbox_recover(older_than=timedelta(0)) == 0
    Delivery.objects.update(state=State.DELIVERED)  # what Notify's callbacks do
    assert outbox.alert_finish_if_done(alert_id=alert.pk) is True


def test_outbox_recover_returns_stranded_rows_and_requeues_the_stalled_alert(
    queued, django_capture_on_commit_callbacks
):
    alert = filled(sending_alert(), email=subscribers(None, 3))
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk")[0].pk).update(
        state=State.SENDING, sent_at=timezone.now() - timedelta(minutes=20)
    )
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_recover(older_than=timedelta(0)) == 1
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.CREATED}
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 0
    assert [(r.task.name, r.args[0], r.args[1]) for r in queued] == [("deliveries_send", alert.pk, "email")]


def test_outbox_recover_leaves_an_alert_that_is_still_moving(queued, django_capture_on_commit_callbacks):
    people = subscribers(None, 3)
    alert = filled(sending_alert(), email=people)
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk")[0].pk).update(
        state=State.DELIVERED, sent_at=timezone.now()
    )
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_recover(older_than=timedelta(minutes=10))
    assert queued == []
    assert alert.state == Alert.State.SENDING


def test_outbox_recover_finishes_an_alert_with_nothing_left_to_send():
    alert = filled(sending_alert(), email=subscribers(None, 1))
    Delivery.objects.update(state=State.DELIVERED, sent_at=timezone.now() - timedelta(hours=1))
    outbox_recover(older_than=timedelta(minutes=10))
    alert.refresh_from_db()
    assert alert.state == Alert.State.SENT


def test_the_outbox_recover_command_reports_what_it_returned():
    filled(sending_alert(), email=subscribers(None, 2))
    Delivery.objects.update(state=State.SENDING, sent_at=timezone.now() - timedelta(minutes=5))
    out = io.StringIO()
    call_command("outbox_recover", stdout=out)
    assert out.getvalue().strip() == "0 deliveries returned to the outbox"
    call_command("outbox_recover", "--older-than", "60", stdout=out)
    assert "2 deliveries returned to the outbox" in out.getvalue()


def test_a_temporary_failure_queues_the_batch_again_for_when_it_is_due(
    fake, queued, django_capture_on_commit_callbacks
):
    alert = filled(sending_alert(), email=subscribers(None, 1, address="temp-fail"))
    queued.clear()
    (first, last), now = batch_ranges(alert_id=alert.pk, channel="email")[0], datetime(2026, 3, 2, 12, tzinfo=UTC)
    with freeze_time(now), django_capture_on_commit_callbacks(execute=True):
        run_batch(alert.pk, "email", first, last)
    assert [(list(r.args), r.task.run_after) for r in queued] == [
        ([alert.pk, "email", first, last], now + timedelta(seconds=30))
    ]


# 23:30 in London in March (GMT): night.
NIGHT = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


def test_the_subscribers_rules_hold_skip_or_digest_at_hand_off(fake, queued, django_capture_on_commit_callbacks):
    settings_row = DeliverySettings.load()
    settings_row.daily_cap = 0
    settings_row.save()
    day_only = subscribers(None, 1, email_night=False)
    paused = subscribers(None, 1, status="paused")
    anyone = subscribers(None, 1)
    alert = filled(sending_alert(priority=Priority.NORMAL), email=day_only + paused + anyone)
    queued.clear()

    with freeze_time(NIGHT), django_capture_on_commit_callbacks(execute=True):
        send_all(alert)

    held = Delivery.objects.get(subscriber=day_only[0])
    assert held.state == State.CREATED
    assert held.not_before == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # day_starts, 07:00 GMT
    skipped = Delivery.objects.get(subscriber=paused[0])
    assert (skipped.state, skipped.failure_reason) == (State.SKIPPED, "paused")
    digested = Delivery.objects.get(subscriber=anyone[0])
    assert digested.state == State.DIGESTED
    assert DigestItem.objects.get().delivery == digested
    assert fake.attempted == []
    assert [r.task.run_after for r in queued] == [held.not_before]
    assert alert.state == Alert.State.SENDING

    settings_row.daily_cap = 3
    settings_row.save()
    with freeze_time(held.not_before + timedelta(seconds=1)):
        send_all(alert)
    assert [m.to for m in fake.sent] == [day_only[0].email]
    assert alert.state == Alert.State.SENT


def test_queued_on_commit_the_batches_run_and_finish_the_alert(fake, django_capture_on_commit_callbacks):
    people = subscribers(None, 1_200, sms=False)
    alert = sending_alert()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_fill_for_alert(alert=alert, audience=audience(email=people))
    alert.refresh_from_db()
    assert alert.state == Alert.State.SENT
    assert len(fake.sent) == 1_200
    assert len({m.delivery_id for m in fake.sent}) == 1_200


def test_a_batch_over_a_real_smtp_server_with_parallel_connections_delivers_each_message_once(smtp_server, settings):
    settings.DELIVERY_SMTP_CONNECTIONS = 3
    people = subscribers(None, 250)
    alert = filled(sending_alert(), email=people)

    send_all(alert)

    received = sorted(address for envelope in smtp_server.envelopes for address in envelope.rcpt_tos)
    assert received == sorted(p.email for p in people)
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.DELIVERED}
    message_ids = {m["Message-ID"] for m in smtp_server.messages}
    tokens = {f"{token}" for token in Delivery.objects.values_list("token", flat=True)}
    assert {mid.strip("<>").split("@")[0] for mid in message_ids} == tokens
    assert alert.state == Alert.State.SENT


def test_a_recipient_whose_address_went_since_the_rules_ran_is_skipped_not_stranded(fake, monkeypatch):
    people = subscribers(None, 2)
    alert = filled(sending_alert(), email=people)
    gone = Delivery.objects.get(subscriber=people[0]).pk
    real = messages._email
    monkeypatch.setattr(messages, "_email", lambda d, *args: None if d.pk == gone else real(d, *args))

    send_all(alert)

    delivery = Delivery.objects.get(pk=gone)
    assert (delivery.state, delivery.failure_reason) == (State.SKIPPED, "no address")
    assert alert.state == Alert.State.SENT


def test_many_retries_in_a_batch_queue_one_follow_up_task_for_the_earliest(
    fake, queued, django_capture_on_commit_callbacks
):
    alert = filled(sending_alert(), email=subscribers(None, 5, address="temp-fail"))
    queued.clear()
    (first, last) = batch_ranges(alert_id=alert.pk, channel="email")[0]
    with django_capture_on_commit_callbacks(execute=True):
        run_batch(alert.pk, "email", first, last)
    earliest = min(Delivery.objects.values_list("not_before", flat=True))
    assert [r.task.run_after for r in queued] == [earliest]


def test_the_recovery_task_returns_stranded_rows_for_a_scheduler():
    from openbeat.delivery.tasks import outbox_recover_task

    filled(sending_alert(), email=subscribers(None, 1))
    Delivery.objects.update(state=State.SENDING, sent_at=timezone.now() - timedelta(hours=1))
    assert outbox_recover_task.call() == 1
    assert Delivery.objects.get().state == State.CREATED
