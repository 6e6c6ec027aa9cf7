"""Dispatch: when an approved alert goes, that it goes once, never when cancelled or expired, and the hand-off."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django.utils import timezone
from freezegun import freeze_time

from openbeat.alerts import handoff
from openbeat.alerts.models import Alert
from openbeat.alerts.services import alert_approve, alert_cancel, alert_dispatch, alert_mark_sent, alert_submit
from openbeat.alerts.tasks import alert_dispatch_task
from openbeat.alerts.tests.lifecycle_world import compose, make_world, set_threshold, subscribe
from openbeat.audit.models import AuditEntry
from openbeat.core import pagecache

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(west, east):
    world = make_world(west, east)
    set_threshold(100)
    subscribe(world.west_a, count=2)
    subscribe(world.west_a, count=1, email=False, sms=True)
    return world


@pytest.fixture
def pipeline():
    """A delivery pipeline that records what it was handed; removed again after the test."""
    calls: list[dict] = []

    def record(*, alert, audience):
        calls.append({"alert": alert, "email": audience.email.tolist(), "sms": audience.sms.tolist()})

    handoff.register(record)
    yield calls
    handoff.register(None)


def approved(world, **fields):
    """An alert submitted under the threshold (so approved). Its dispatch task waits for a commit that never
    comes inside a test's transaction: the test dispatches by hand."""
    return alert_submit(alert=compose(world, world.officer_west, **fields), actor=world.officer_west)


def dispatches(alert):
    return AuditEntry.objects.filter(action="alerts.alert.dispatch", target_id=str(alert.pk)).count()


def test_an_alert_approved_without_a_send_time_is_sent_once_the_change_commits(
    world, django_capture_on_commit_callbacks, caplog
):
    alert = compose(world, world.officer_west)
    with (
        caplog.at_level(logging.WARNING, logger="openbeat.alerts.services"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        alert_submit(alert=alert, actor=world.officer_west)
    # One task queued after the commit (besides the public page cache's notice of the change).
    assert len([c for c in callbacks if c is not pagecache._after_commit]) == 1

    alert.refresh_from_db()
    assert alert.state == Alert.State.SENT
    assert alert.sending_at is not None
    assert alert.sent_at is not None
    assert (alert.audience_email, alert.audience_sms, alert.audience_subscribers) == (2, 1, 3)
    assert "no delivery pipeline installed" in caplog.text
    sent = AuditEntry.objects.get(action="alerts.alert.sent")
    assert sent.actor is None
    assert sent.data["audience_subscribers"] == 3
    assert sent.division == world.west


def test_dispatching_twice_sends_once(world):
    alert = approved(world)
    alert_dispatch(alert_id=alert.pk)
    first = Alert.objects.get(pk=alert.pk)
    subscribe(world.west_a)  # someone joins afterwards: a second run must not recount or resend
    again = alert_dispatch(alert_id=alert.pk)

    assert again.state == Alert.State.SENT
    assert again.sent_at == first.sent_at
    assert again.audience_subscribers == 3
    assert dispatches(alert) == 1
    assert AuditEntry.objects.filter(action="alerts.alert.sent").count() == 1


def test_an_alert_another_worker_has_taken_is_left_alone(world, pipeline):
    alert = approved(world)
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENDING)
    assert alert_dispatch(alert_id=alert.pk).state == Alert.State.SENDING
    assert pipeline == []
    assert dispatches(alert) == 0


def test_the_registered_pipeline_is_handed_the_audience_and_owns_the_alert_until_it_marks_it_sent(world, pipeline):
    alert = approved(world)
    dispatched = alert_dispatch(alert_id=alert.pk)

    assert dispatched.state == Alert.State.SENDING
    assert len(pipeline) == 1
    assert pipeline[0]["alert"].pk == alert.pk
    assert len(pipeline[0]["email"]) == 2
    assert len(pipeline[0]["sms"]) == 1
    assert alert_dispatch(alert_id=alert.pk).state == Alert.State.SENDING
    assert len(pipeline) == 1

    assert alert_mark_sent(alert=dispatched).state == Alert.State.SENT
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.SENT
    alert_mark_sent(alert=dispatched)
    assert AuditEntry.objects.filter(action="alerts.alert.sent").count() == 1


def test_a_failing_pipeline_leaves_the_alert_approved_for_the_next_run(world):
    def broken(*, alert, audience):
        raise RuntimeError("outbox unavailable")

    alert = approved(world)
    handoff.register(broken)
    try:
        with pytest.raises(RuntimeError):
            alert_dispatch(alert_id=alert.pk)
        assert Alert.objects.get(pk=alert.pk).state == Alert.State.APPROVED
        out = io.StringIO()
        call_command("dispatch_due_alerts", stdout=out)
        assert "1 failed" in out.getvalue()
    finally:
        handoff.register(None)
    call_command("dispatch_due_alerts", stdout=io.StringIO())
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.SENT


def test_a_cancelled_alert_is_never_sent_even_when_its_task_fires(world, django_capture_on_commit_callbacks, pipeline):
    alert = compose(world, world.officer_west)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert_submit(alert=alert, actor=world.officer_west)
    alert_cancel(alert=alert, actor=world.officer_west)
    for callback in callbacks:  # the queued task runs after the cancellation
        callback()

    assert Alert.objects.get(pk=alert.pk).state == Alert.State.CANCELLED
    assert pipeline == []
    assert dispatches(alert) == 0
    assert alert_dispatch_task.call(alert.pk) == "cancelled"


def test_an_expired_alert_is_cancelled_instead_of_sent(world, pipeline):
    alert = approved(world, expires_at=timezone.now() + timedelta(hours=1))
    with freeze_time(timezone.now() + timedelta(hours=2)):
        result = alert_dispatch(alert_id=alert.pk)

    assert result.state == Alert.State.CANCELLED
    assert result.cancelled_at is not None
    assert pipeline == []
    entry = AuditEntry.objects.get(action="alerts.alert.cancel", target_id=str(alert.pk))
    assert entry.actor is None
    assert entry.data["reason"] == "expired"


def test_a_scheduled_alert_is_not_dispatched_before_its_time(world, django_capture_on_commit_callbacks):
    send_at = timezone.now() + timedelta(days=1)
    alert = compose(world, world.officer_west, send_at=send_at)
    with django_capture_on_commit_callbacks(execute=True):
        alert_submit(alert=alert, actor=world.officer_west)  # the test backend cannot defer: nothing queued

    assert Alert.objects.get(pk=alert.pk).state == Alert.State.APPROVED
    assert alert_dispatch(alert_id=alert.pk).state == Alert.State.APPROVED
    out = io.StringIO()
    call_command("dispatch_due_alerts", stdout=out)
    assert "0 alerts due" in out.getvalue()
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.APPROVED

    with freeze_time(send_at + timedelta(minutes=1)):
        call_command("dispatch_due_alerts", stdout=out)
    assert "1 alerts due: 1 sent" in out.getvalue()
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.SENT
    assert dispatches(alert) == 1


def test_on_a_backend_that_can_defer_the_task_is_queued_for_the_send_time(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    set_threshold(0)
    send_at = timezone.now() + timedelta(days=1)
    alert = alert_submit(alert=compose(world, world.officer_west, send_at=send_at), actor=world.officer_west)
    with django_capture_on_commit_callbacks(execute=True):
        alert_approve(alert=alert, approver=world.lead_west)

    results = task_backends["default"].results
    assert len(results) == 1
    assert results[0].task.name == alert_dispatch_task.name
    assert results[0].task.run_after == send_at
    assert results[0].args == [alert.pk]


def test_on_a_backend_that_can_defer_an_alert_to_send_now_is_queued_now(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    alert = compose(world, world.officer_west)
    with django_capture_on_commit_callbacks(execute=True):
        alert_submit(alert=alert, actor=world.officer_west)

    results = task_backends["default"].results
    assert len(results) == 1
    assert results[0].task.run_after is None
