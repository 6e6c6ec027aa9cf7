"""Email that comes back: anymail tracking events (sent through anymail's real `tracking` signal, as its webhooks
send them) mapped onto deliveries; hard bounces counted to the force's limit; complaints."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from anymail.signals import AnymailTrackingEvent, tracking

from openbeat.alerts.models import Alert
from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.audit.models import AuditEntry
from openbeat.delivery.bounces import (
    connect_signals,
    email_stopped_count,
    hard_bounces_in_a_row,
    record_bounce,
    record_complaint,
)
from openbeat.delivery.models import Channel, Delivery, DeliverySettings
from openbeat.delivery.tests.pipeline_world import sending_alert, subscribers
from openbeat.subscriptions.models import Consent, Subscriber

pytestmark = pytest.mark.django_db

State = Delivery.State
AT = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
STOPPED = "delivery.subscriber.email_stopped"


@pytest.fixture(autouse=True)
def _listening(settings):
    settings.DELIVERY_TRANSPORT_FAKE = True
    connect_signals()


@pytest.fixture
def subscriber(west):
    (subscriber,) = subscribers(NeighbourhoodFactory(division=west), 1)
    return subscriber


def limit(value: int) -> None:
    rules = DeliverySettings.load()
    rules.hard_bounce_limit = value
    rules.save()


def emailed(subscriber: Subscriber, state: str = State.DELIVERED, **fields) -> Delivery:
    """An email delivery of a new alert to `subscriber`, newer than the ones before."""
    return Delivery.objects.create(
        alert=sending_alert(), subscriber=subscriber, channel=Channel.EMAIL, state=state, **fields
    )


def event(delivery: Delivery | None, event_type: str, **fields) -> None:
    """Send anymail's tracking signal as its webhook views do, for the message `delivery` was sent as."""
    message_id = f"<{delivery.token}@openbeat.invalid>" if delivery else f"<{uuid.uuid4()}@openbeat.invalid>"
    values = {"event_type": event_type, "timestamp": AT, "message_id": message_id, "esp_event": {}, **fields}
    tracking.send(sender=object, event=AnymailTrackingEvent(**values), esp_name="TestESP")


def bounce(delivery: Delivery) -> None:
    event(delivery, "bounced", mta_response="550 5.1.1 <resident@example.com>: Recipient address rejected")


def stopped(subscriber: Subscriber) -> bool:
    subscriber.refresh_from_db()
    return subscriber.email_stopped


# --- Counting hard bounces to the limit -----------------------------------------------------------------------


def test_email_stops_at_the_forces_limit_of_hard_bounces_in_a_row(subscriber):
    limit(3)
    first, second, third = emailed(subscriber), emailed(subscriber), emailed(subscriber)

    bounce(first)
    bounce(second)
    assert not stopped(subscriber)

    bounce(third)
    assert stopped(subscriber)


def test_staff_are_told_in_the_audit_trail_without_personal_data(subscriber, west):
    limit(2)
    first, second = emailed(subscriber), emailed(subscriber)

    bounce(first)
    bounce(second)

    entry = AuditEntry.objects.get(action=STOPPED)
    assert entry.actor is None
    assert entry.division == west
    assert entry.target_id == str(subscriber.pk)
    assert entry.data == {"reason": "hard bounces", "hard_bounces": 2, "alert": second.alert_id, "delivery": second.pk}
    assert subscriber.email not in str(entry.data)
    assert subscriber.email not in entry.target_label


def test_a_delivered_message_between_bounces_starts_the_count_again(subscriber):
    limit(3)
    first, _, third, fourth = (emailed(subscriber) for _ in range(4))

    bounce(first)
    bounce(third)
    bounce(fourth)

    assert hard_bounces_in_a_row(delivery=fourth) == 2
    assert not stopped(subscriber)


def test_bounces_arriving_out_of_order_still_join_up(subscriber):
    """The bounce of the middle message comes last: until then it looks delivered and breaks the run."""
    limit(3)
    first, second, third = emailed(subscriber), emailed(subscriber), emailed(subscriber)
    bounce(first)
    bounce(third)
    assert not stopped(subscriber)

    bounce(second)

    assert hard_bounces_in_a_row(delivery=second) == 3
    assert stopped(subscriber)


def test_smtp_refusals_of_the_address_count_like_provider_bounces(subscriber):
    """The SMTP transport records a 5xx to RCPT as "mailbox unavailable" without a webhook."""
    limit(3)
    emailed(subscriber, state=State.PERMANENT_FAILURE, failure_reason="mailbox unavailable")
    emailed(subscriber, state=State.PERMANENT_FAILURE, failure_reason="mailbox unavailable")

    bounce(emailed(subscriber))

    assert stopped(subscriber)


def test_failures_that_are_not_about_the_address_neither_count_nor_break_the_run(subscriber):
    limit(3)
    first, policy, second, third = (emailed(subscriber) for _ in range(4))
    bounce(first)
    event(policy, "rejected", reject_reason="blocked")
    bounce(second)
    assert not stopped(subscriber)

    bounce(third)

    assert stopped(subscriber)


def test_sms_deliveries_play_no_part_in_the_email_count(subscriber):
    limit(2)
    first = emailed(subscriber)
    Delivery.objects.create(alert=sending_alert(), subscriber=subscriber, channel=Channel.SMS, state=State.DELIVERED)
    bounce(first)

    bounce(emailed(subscriber))

    assert stopped(subscriber)


def test_a_limit_of_zero_never_stops_email(subscriber):
    limit(0)

    for _ in range(5):
        bounce(emailed(subscriber))

    assert not stopped(subscriber)


def test_a_repeated_bounce_event_tells_staff_once(subscriber):
    limit(1)
    delivery = emailed(subscriber)

    bounce(delivery)
    bounce(delivery)
    bounce(emailed(subscriber))

    assert AuditEntry.objects.filter(action=STOPPED).count() == 1


def test_a_bounce_of_an_erased_subscribers_delivery_is_recorded_without_counting(subscriber):
    delivery = emailed(subscriber)
    Delivery.objects.filter(pk=delivery.pk).update(subscriber=None)
    delivery.refresh_from_db()

    assert record_bounce(delivery=delivery, hard=True) is False

    delivery.refresh_from_db()
    assert delivery.state == State.PERMANENT_FAILURE


def test_a_hard_bounce_needs_a_reason_that_counts(subscriber):
    with pytest.raises(ValueError, match="a hard bounce's reason is one of"):
        record_bounce(delivery=emailed(subscriber), hard=True, reason="blocked by policy")


def test_the_stopped_count_for_staff_statistics_is_by_home_division(subscriber, west, east):
    limit(1)
    bounce(emailed(subscriber))
    subscribers(NeighbourhoodFactory(division=east), 2, email_stopped=True)
    subscribers(NeighbourhoodFactory(division=east), 3)

    assert email_stopped_count() == 3
    assert email_stopped_count(division_ids=[west.pk]) == 1
    assert email_stopped_count(division_ids=[east.pk]) == 2
    assert email_stopped_count(division_ids=[]) == 0


# --- Complaints -----------------------------------------------------------------------------------------------


def test_a_complaint_stops_email_at_once_and_withdraws_consent_to_contact(subscriber, east):
    consent = Consent.objects.create(
        subscriber=subscriber, purpose=Consent.Purpose.CONTACT, wording="Yes", source="web", given_at=AT
    )
    delivery = emailed(subscriber, division=east)

    event(delivery, "complained")

    assert stopped(subscriber)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    entry = AuditEntry.objects.get(action=STOPPED)
    assert entry.data == {"reason": "complaint", "alert": delivery.alert_id, "delivery": delivery.pk}
    assert entry.division == east  # the division the message went to, before where the person lives now
    subscriber.refresh_from_db()
    # Stopped, not unsubscribed: SMS is another channel the person chose.
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_a_second_complaint_tells_staff_nothing_new(subscriber):
    delivery = emailed(subscriber)

    assert record_complaint(delivery=delivery) is True
    assert record_complaint(delivery=delivery) is False

    assert AuditEntry.objects.filter(action=STOPPED).count() == 1


# --- Other tracking events ------------------------------------------------------------------------------------


def test_a_delivered_event_confirms_a_delivery_still_sending_and_keeps_the_first_time(subscriber):
    delivery = emailed(subscriber, state=State.SENDING)

    event(delivery, "delivered")
    event(delivery, "delivered", timestamp=datetime(2026, 11, 25, tzinfo=UTC))

    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.delivered_at == AT


def test_a_delivered_event_after_a_bounce_does_not_undo_it(subscriber):
    delivery = emailed(subscriber)
    bounce(delivery)

    event(delivery, "delivered")

    delivery.refresh_from_db()
    assert delivery.state == State.PERMANENT_FAILURE


def test_a_bounce_keeps_only_the_smtp_code_of_the_servers_answer(subscriber):
    delivery = emailed(subscriber)

    bounce(delivery)

    delivery.refresh_from_db()
    assert (delivery.failure_reason, delivery.last_error) == ("bounced", "hard bounce 550 5.1.1")


def test_a_rejection_for_a_bad_address_is_a_hard_bounce(subscriber):
    delivery = emailed(subscriber)

    event(delivery, "rejected", reject_reason="invalid")

    delivery.refresh_from_db()
    assert (delivery.state, delivery.failure_reason) == (State.PERMANENT_FAILURE, "invalid address")
    assert hard_bounces_in_a_row(delivery=delivery) == 1


def test_a_rejection_by_the_providers_policy_fails_the_delivery_without_counting_a_bounce(subscriber):
    delivery = emailed(subscriber)

    event(delivery, "rejected", reject_reason="blocked")

    delivery.refresh_from_db()
    assert (delivery.state, delivery.failure_reason) == (State.PERMANENT_FAILURE, "refused by the provider")
    assert hard_bounces_in_a_row(delivery=delivery) == 0


def test_a_provider_that_could_not_send_is_a_technical_failure(subscriber):
    delivery = emailed(subscriber, state=State.SENDING)

    event(delivery, "failed")

    delivery.refresh_from_db()
    assert (delivery.state, delivery.failure_reason) == (State.TECHNICAL_FAILURE, "provider could not send")


def test_a_deferral_is_noted_as_a_soft_bounce_and_changes_nothing_else(subscriber):
    limit(1)
    delivery = emailed(subscriber)

    event(delivery, "deferred", mta_response="451 4.2.0 mailbox full for jo@example.com")

    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.last_error == "soft bounce 451 4.2.0"
    assert not stopped(subscriber)


def test_opens_are_recorded_only_when_the_force_tracks_them(subscriber):
    delivery = emailed(subscriber)
    event(delivery, "opened")
    delivery.refresh_from_db()
    assert delivery.opened_at is None

    rules = DeliverySettings.load()
    rules.track_opens = True
    rules.save()
    event(delivery, "opened")

    delivery.refresh_from_db()
    assert delivery.opened_at == AT


def test_a_provider_click_records_the_first_click(subscriber):
    delivery = emailed(subscriber)

    event(delivery, "clicked", click_url="https://example.com/")
    event(delivery, "clicked", timestamp=datetime(2026, 11, 25, tzinfo=UTC))

    delivery.refresh_from_db()
    assert delivery.clicked_at == AT


def test_an_unsubscribe_at_the_provider_unsubscribes(subscriber):
    event(emailed(subscriber), "unsubscribed")

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_events_for_messages_that_are_not_ours_change_nothing(subscriber):
    delivery = emailed(subscriber)
    sms = Delivery.objects.create(alert=sending_alert(), subscriber=subscriber, channel=Channel.SMS)

    event(None, "bounced")
    event(sms, "bounced")
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type="bounced", message_id="0102018f-provider-own-id"),
        esp_name="TestESP",
    )

    assert Delivery.objects.filter(state=State.PERMANENT_FAILURE).count() == 0
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED


def test_a_provider_reporting_its_own_ids_is_matched_by_the_token_sent_as_metadata(subscriber):
    delivery = emailed(subscriber)

    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(
            event_type="bounced", message_id="provider-id-1", metadata={"openbeat_delivery": str(delivery.token)}
        ),
        esp_name="TestESP",
    )

    delivery.refresh_from_db()
    assert delivery.state == State.PERMANENT_FAILURE


def test_a_bounce_of_the_last_message_in_flight_finishes_the_alert(subscriber, django_capture_on_commit_callbacks):
    delivery = emailed(subscriber, state=State.SENDING)

    with django_capture_on_commit_callbacks(execute=True):
        bounce(delivery)

    delivery.alert.refresh_from_db()
    assert delivery.alert.state == Alert.State.SENT
