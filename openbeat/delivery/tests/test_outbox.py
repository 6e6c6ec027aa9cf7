"""Filling the outbox: one delivery per (alert, subscriber, channel) in bulk, then batch tasks on commit."""

from __future__ import annotations

import pytest

from openbeat.alerts import handoff
from openbeat.alerts.models import Alert, AlertTranslation
from openbeat.alerts.services import alert_dispatch
from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.delivery import outbox
from openbeat.delivery.models import Delivery
from openbeat.delivery.outbox import batch_ranges, outbox_fill_for_alert
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers

pytestmark = pytest.mark.django_db


def test_each_recipient_gets_one_delivery_per_channel_with_their_division(west, east):
    home_west, home_east = NeighbourhoodFactory(division=west), NeighbourhoodFactory(division=east)
    readers = subscribers(home_west, 2)
    texters = subscribers(home_east, 1, sms=True)
    alert = sending_alert()

    created = outbox_fill_for_alert(alert=alert, audience=audience(email=readers + texters, sms=texters))

    assert created == 4
    rows = set(Delivery.objects.values_list("subscriber_id", "channel", "division_id", "state", "attempts"))
    assert rows == {
        (readers[0].pk, "email", west.pk, "created", 0),
        (readers[1].pk, "email", west.pk, "created", 0),
        (texters[0].pk, "email", east.pk, "created", 0),
        (texters[0].pk, "sms", east.pk, "created", 0),
    }


def test_a_subscriber_without_a_home_neighbourhood_has_no_division():
    (homeless,) = subscribers(None, 1)
    outbox_fill_for_alert(alert=sending_alert(), audience=audience(email=[homeless]))
    assert Delivery.objects.get().division_id is None


def test_language_is_the_subscribers_when_the_alert_has_that_translation_else_english():
    welsh, polish, english = (
        subscribers(None, 1, language="cy"),
        subscribers(None, 1, language="pl"),
        subscribers(None, 1),
    )
    alert = sending_alert()
    AlertTranslation.objects.create(alert=alert, language="cy", title="Lladradau", body="Cloi eich drysau.")

    outbox_fill_for_alert(alert=alert, audience=audience(email=welsh + polish + english))

    languages = dict(Delivery.objects.values_list("subscriber_id", "language"))
    assert languages == {welsh[0].pk: "cy", polish[0].pk: "en", english[0].pk: "en"}


def test_filling_twice_creates_nothing_the_second_time(queued):
    people = subscribers(None, 3)
    alert = sending_alert()
    assert outbox_fill_for_alert(alert=alert, audience=audience(email=people)) == 3
    assert outbox_fill_for_alert(alert=alert, audience=audience(email=people)) == 0
    assert Delivery.objects.count() == 3
    # A fill that meets some of its own rows adds only the rest.
    more = subscribers(None, 2)
    assert outbox_fill_for_alert(alert=alert, audience=audience(email=people + more)) == 2
    assert sorted(Delivery.objects.values_list("subscriber_id", flat=True)) == sorted(p.pk for p in people + more)


def test_an_empty_audience_marks_the_alert_sent_at_once():
    alert = sending_alert()
    assert outbox_fill_for_alert(alert=alert, audience=audience()) == 0
    alert.refresh_from_db()
    assert alert.state == Alert.State.SENT


def test_batches_are_queued_only_when_the_transaction_commits(queued, django_capture_on_commit_callbacks):
    people = subscribers(None, 3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox_fill_for_alert(alert=sending_alert(), audience=audience(email=people))
    assert queued == []
    for callback in callbacks:
        callback()
    assert len(queued) == 1


def test_one_task_per_thousand_deliveries_of_a_channel_covering_every_delivery(
    queued, django_capture_on_commit_callbacks
):
    people = subscribers(None, 2_345)
    alert = sending_alert()

    with django_capture_on_commit_callbacks(execute=True):
        outbox_fill_for_alert(alert=alert, audience=audience(email=people, sms=people[:10]))

    calls = [(r.args[1], r.args[2], r.args[3]) for r in queued]
    assert [r.task.name for r in queued] == ["deliveries_send"] * 4
    assert all(r.args[0] == alert.pk for r in queued)
    email_ranges = [(first, last) for channel, first, last in calls if channel == "email"]
    assert len(email_ranges) == 3
    for channel in ("email", "sms"):
        covered = set()
        for first, last in [(f, la) for c, f, la in calls if c == channel]:
            covered |= set(
                Delivery.objects.filter(channel=channel, pk__gte=first, pk__lte=last).values_list("pk", flat=True)
            )
        assert covered == set(Delivery.objects.filter(channel=channel).values_list("pk", flat=True))
    sizes = [Delivery.objects.filter(channel="email", pk__gte=f, pk__lte=la).count() for f, la in email_ranges]
    assert sizes == [1000, 1000, 345]


def test_batch_ranges_only_count_the_alerts_own_channel():
    people = subscribers(None, 5)
    first, second = sending_alert(), sending_alert()
    outbox_fill_for_alert(alert=first, audience=audience(email=people[:3]))
    outbox_fill_for_alert(alert=second, audience=audience(email=people, sms=[]))
    assert len(batch_ranges(alert_id=first.pk, channel="email", size=2)) == 2
    assert batch_ranges(alert_id=first.pk, channel="sms") == []


def test_the_delivery_app_is_the_pipeline_alert_dispatch_hands_off_to(queued, west, django_capture_on_commit_callbacks):
    from openbeat.alerts.tests.lifecycle_world import compose, make_world, set_threshold, subscribe
    from openbeat.areas.tests.factories import DivisionFactory

    handoff.register(outbox.outbox_fill_for_alert)  # another app's test may have taken it out
    world = make_world(west, DivisionFactory())
    set_threshold(100)
    subscribe(world.west_a, count=3)
    from openbeat.alerts.services import alert_submit

    alert = alert_submit(alert=compose(world, world.officer_west), actor=world.officer_west)
    with django_capture_on_commit_callbacks(execute=True):
        alert_dispatch(alert_id=alert.pk)

    alert.refresh_from_db()
    assert alert.state == Alert.State.SENDING
    assert Delivery.objects.filter(alert=alert, channel="email").count() == 3
    assert set(Delivery.objects.values_list("division_id", flat=True)) == {west.pk}
    assert [r.task.name for r in queued if r.task.name == "deliveries_send"] == ["deliveries_send"]


def test_a_row_gets_its_token_when_first_claimed_and_keeps_it_on_a_retry():
    people = subscribers(None, 3)
    alert = sending_alert()
    outbox_fill_for_alert(alert=alert, audience=audience(email=people))
    assert list(Delivery.objects.values_list("token", flat=True)) == [None, None, None]
    first, last = batch_ranges(alert_id=alert.pk, channel="email")[0]

    claimed = outbox._claim(alert_id=alert.pk, channel="email", first_id=first, last_id=last, now=alert.created_at)

    tokens = dict(Delivery.objects.values_list("pk", "token"))
    assert sorted(claimed) == sorted(tokens)
    assert None not in tokens.values()
    assert len(set(tokens.values())) == 3
    retried = Delivery.objects.get(pk=claimed[0])
    Delivery.objects.filter(pk=retried.pk).update(state=Delivery.State.TEMPORARY_FAILURE)
    assert outbox._claim(alert_id=alert.pk, channel="email", first_id=first, last_id=last, now=alert.created_at) == [
        retried.pk
    ]
    assert Delivery.objects.get(pk=retried.pk).token == retried.token


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_group_of_outcomes_is_recorded_in_one_statement_and_failures_each(channel, django_assert_num_queries):
    from django.db import connection

    from openbeat.delivery.transports.base import Outcome, TransportError

    alert = sending_alert()
    outbox_fill_for_alert(alert=alert, audience=audience(**{channel: subscribers(None, 4)}))
    rows = list(Delivery.objects.filter(alert=alert).order_by("pk"))
    Delivery.objects.filter(alert=alert).update(state=Delivery.State.SENDING)
    group = [Outcome(delivery_id=row.pk, ok=True, provider_id=f"<{n}@example>") for n, row in enumerate(rows[:3])]
    error = TransportError("550 no such mailbox", permanent=True, reason="mailbox unavailable")
    group.append(Outcome(delivery_id=rows[3].pk, ok=False, error=error))
    counts: dict[str, int] = {"delivered": 0, "sending": 0, "permanent-failure": 0}

    with django_assert_num_queries(3), connection.cursor() as cursor:  # the group; the failure: read, write
        outbox._record_group(group, channel=channel, counts=counts, cursor=cursor)

    recorded = {d.pk: d for d in Delivery.objects.filter(alert=alert)}
    for n, row in enumerate(rows[:3]):
        assert recorded[row.pk].provider_id == f"<{n}@example>"
        assert recorded[row.pk].attempts == 1
        # SMTP's acceptance is delivery; Notify's is not yet (its callback says delivered).
        assert recorded[row.pk].state == ("delivered" if channel == "email" else "sending")
    assert recorded[rows[3].pk].state == Delivery.State.PERMANENT_FAILURE
    assert recorded[rows[3].pk].failure_reason == "mailbox unavailable"
    assert counts["permanent-failure"] == 1
    assert counts["delivered" if channel == "email" else "sending"] == 3


def test_a_late_email_success_leaves_a_row_that_is_no_longer_sending_alone():
    from django.db import connection

    from openbeat.delivery.transports.base import Outcome

    alert = sending_alert()
    outbox_fill_for_alert(alert=alert, audience=audience(email=subscribers(None, 2)))
    moved_on, sending = Delivery.objects.filter(alert=alert).order_by("pk")
    Delivery.objects.filter(pk=sending.pk).update(state=Delivery.State.SENDING)
    # Recovered meanwhile (its worker looked dead): back to created, to be sent by the next batch.
    Delivery.objects.filter(pk=moved_on.pk).update(state=Delivery.State.CREATED)
    group = [Outcome(delivery_id=row.pk, ok=True, provider_id=f"<{row.pk}@example>") for row in (moved_on, sending)]

    with connection.cursor() as cursor:
        outbox._record_group(group, channel="email", counts={"delivered": 0}, cursor=cursor)

    moved_on.refresh_from_db()
    sending.refresh_from_db()
    assert (moved_on.state, moved_on.attempts, moved_on.provider_id) == ("created", 0, "")
    assert (sending.state, sending.attempts, sending.provider_id) == ("delivered", 1, f"<{sending.pk}@example>")
    assert sending.delivered_at is not None
    assert sending.sent_at == sending.delivered_at
