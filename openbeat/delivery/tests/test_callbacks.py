"""Provider callbacks: GOV.UK Notify's status callback for SMS deliveries (states, bearer token, garbage), and an
email provider's signed tracking webhook through django-anymail (Mailgun's, as mounted in urls_callbacks)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from openbeat.alerts.models import Alert
from openbeat.core.tests.notify_standin import notify_server, notify_sms
from openbeat.delivery.bounces import connect_signals
from openbeat.delivery.models import Channel, Delivery
from openbeat.delivery.tests.pipeline_world import sending_alert, subscribers
from openbeat.subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db
__all__ = ["notify_server", "notify_sms"]

TOKEN = "a-long-random-callback-token-from-notify-settings"
MAILGUN_KEY = "key-for-signing-mailgun-webhooks"
State = Delivery.State
NOTIFICATION = "2c303895-1c0d-420d-a6fc-3849a22b4c32"  # fixed, not uuid4(): xdist workers collect the same ids
COMPLETED = datetime(2026, 11, 24, 21, 5, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _callbacks_configured(settings):
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    settings.DELIVERY_TRANSPORT_FAKE = True
    # DeliveryConfig.ready() connects it too; idempotent (dispatch_uid), and here whatever apps.py does.
    connect_signals()


def sms_delivery(alert: Alert | None = None, **fields) -> Delivery:
    (subscriber,) = subscribers(None, 1, email=False, sms=True)
    values = {"state": State.SENDING, "provider_id": str(uuid.uuid4()), **fields}
    return Delivery.objects.create(alert=alert or sending_alert(), subscriber=subscriber, channel=Channel.SMS, **values)


def receipt(delivery: Delivery | None = None, status: str = "delivered", **fields) -> dict:
    """A delivery receipt as Notify documents it."""
    values = {
        "id": delivery.provider_id if delivery else str(uuid.uuid4()),
        "reference": str(delivery.token) if delivery else str(uuid.uuid4()),
        "to": "07700900123",
        "status": status,
        "created_at": "2026-11-24T21:05:00.000000Z",
        "completed_at": "2026-11-24T21:05:30.000000Z",
        "sent_at": "2026-11-24T21:05:01.000000Z",
        "notification_type": "sms",
    }
    return {**values, **fields}


def post_receipt(client, body, *, token: str | None = TOKEN, content_type="application/json"):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse("delivery:notify_callback"), data, content_type=content_type, headers=headers)


# --- Notify: states -------------------------------------------------------------------------------------------


def test_the_callback_is_at_the_documented_address():
    assert reverse("delivery:notify_callback") == "/d/callbacks/notify/"


def test_a_delivered_receipt_marks_the_sms_delivered_when_notify_completed_it(client):
    delivery = sms_delivery()

    response = post_receipt(client, receipt(delivery))

    assert response.status_code == 200
    assert response.json() == {"result": "updated"}
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.delivered_at == COMPLETED
    assert delivery.failure_reason == ""


@pytest.mark.parametrize(
    ("status", "state", "reason"),
    [
        ("permanent-failure", State.PERMANENT_FAILURE, "number not in use"),
        # Notify has already retried for days: for an alert that is final, with the reason kept.
        ("temporary-failure", State.PERMANENT_FAILURE, "phone unreachable"),
        ("technical-failure", State.TECHNICAL_FAILURE, "Notify technical failure"),
    ],
)
def test_a_failure_receipt_records_the_failure_and_its_reason(client, status, state, reason):
    delivery = sms_delivery()

    response = post_receipt(client, receipt(delivery, status=status))

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failure_reason) == (state, reason)
    assert delivery.last_error == f"Notify: {status}"
    assert delivery.delivered_at is None


def test_the_last_receipt_of_an_alert_marks_the_alert_sent(client, django_capture_on_commit_callbacks):
    alert = sending_alert()
    first, second = sms_delivery(alert), sms_delivery(alert)

    with django_capture_on_commit_callbacks(execute=True):
        post_receipt(client, receipt(first))
    alert.refresh_from_db()
    assert alert.state == Alert.State.SENDING

    with django_capture_on_commit_callbacks(execute=True):
        post_receipt(client, receipt(second, status="permanent-failure"))
    alert.refresh_from_db()
    assert alert.state == Alert.State.SENT


def test_a_receipt_arriving_before_the_pipeline_recorded_notifys_id_still_counts(client):
    delivery = sms_delivery(provider_id="")
    notification_id = str(uuid.uuid4())

    post_receipt(client, receipt(delivery, id=notification_id))

    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.provider_id == notification_id


def test_a_repeated_receipt_changes_nothing_and_is_answered_ok(client):
    delivery = sms_delivery()
    post_receipt(client, receipt(delivery))

    response = post_receipt(client, receipt(delivery, status="permanent-failure"))

    assert response.status_code == 200
    assert response.json() == {"result": "unchanged"}
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED


def test_a_receipt_for_a_notification_since_replaced_by_a_retry_is_stale_and_ignored(client):
    delivery = sms_delivery()

    response = post_receipt(client, receipt(delivery, id=str(uuid.uuid4()), status="permanent-failure"))

    assert response.json() == {"result": "unknown"}
    delivery.refresh_from_db()
    assert delivery.state == State.SENDING


# A fixed id, not uuid4(): every pytest-xdist worker must collect the same test ids.
@pytest.mark.parametrize("reference", ["0c9a4b2e-6f1d-4e55-9b1e-3d2f8a7c6b10", "tx-42", None, ""])
def test_a_receipt_for_a_reference_that_is_not_ours_is_answered_ok_so_notify_stops_retrying(client, reference):
    response = post_receipt(client, receipt(reference=reference))

    assert response.status_code == 200
    assert response.json() == {"result": "unknown"}


def test_an_email_deliverys_token_is_not_an_sms_reference(client):
    (subscriber,) = subscribers(None, 1)
    email = Delivery.objects.create(
        alert=sending_alert(), subscriber=subscriber, channel=Channel.EMAIL, state=State.SENDING
    )

    response = post_receipt(client, receipt(reference=str(email.token)))

    assert response.json() == {"result": "unknown"}
    email.refresh_from_db()
    assert email.state == State.SENDING


def test_an_email_receipt_from_the_notify_service_is_ignored(client):
    delivery = sms_delivery()

    response = post_receipt(client, receipt(delivery, notification_type="email"))

    assert response.json() == {"result": "ignored"}
    delivery.refresh_from_db()
    assert delivery.state == State.SENDING


def test_unreadable_timestamps_do_not_lose_the_status(client):
    delivery = sms_delivery()

    response = post_receipt(client, receipt(delivery, completed_at="yesterday", sent_at=None))

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.delivered_at is not None


def test_the_phone_number_is_never_logged(client, caplog):
    delivery = sms_delivery()

    with caplog.at_level(logging.DEBUG):
        post_receipt(client, receipt(delivery, to="07700900987"))

    assert "07700900987" not in caplog.text
    assert delivery.provider_id in caplog.text


def test_an_sms_alert_handed_to_notify_is_sent_when_notifys_receipts_come_back(
    client, notify_sms, settings, django_capture_on_commit_callbacks
):
    """End to end with the real pipeline, the real client and the stand-in: the receipts finish the alert."""
    from openbeat.delivery.outbox import batch_send

    settings.DELIVERY_TRANSPORT_FAKE = False
    alert = sending_alert()
    people = subscribers(None, 2, email=False, sms=True)
    for person, phone in zip(people, ["+447700900501", "+447700900502"], strict=True):
        # Numbers of our own: the helper's first ones are Notify's smoke-test numbers, which it does not keep.
        Subscriber.objects.filter(pk=person.pk).update(phone=phone)
    rows = [Delivery.objects.create(alert=alert, subscriber=person, channel=Channel.SMS) for person in people]
    batch_send(alert_id=alert.pk, channel=Channel.SMS, first_id=rows[0].pk, last_id=rows[-1].pk)
    accepted = {n.reference: n for n in notify_sms.sent}
    assert set(accepted) == {str(row.token) for row in rows}
    for row in rows:
        row.refresh_from_db()
        assert (row.state, row.provider_id) == (State.SENDING, accepted[str(row.token)].id)
    alert.refresh_from_db()
    assert alert.state == Alert.State.SENDING

    for notification, status in zip(accepted.values(), ["delivered", "permanent-failure"], strict=True):
        with django_capture_on_commit_callbacks(execute=True):
            body = receipt(id=notification.id, reference=notification.reference, status=status)
            assert post_receipt(client, body).json() == {"result": "updated"}

    alert.refresh_from_db()
    assert alert.state == Alert.State.SENT
    states = sorted(Delivery.objects.filter(alert=alert).values_list("state", flat=True))
    assert states == [State.DELIVERED, State.PERMANENT_FAILURE]


# --- Notify: authentication -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN[:-1], TOKEN + "x"])
def test_a_missing_or_wrong_bearer_token_is_refused(client, token):
    delivery = sms_delivery()

    response = post_receipt(client, receipt(delivery), token=token)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    delivery.refresh_from_db()
    assert delivery.state == State.SENDING


def test_the_token_must_come_in_the_bearer_scheme(client):
    response = client.post(
        reverse("delivery:notify_callback"),
        json.dumps(receipt()),
        content_type="application/json",
        headers={"Authorization": f"Basic {TOKEN}"},
    )

    assert response.status_code == 401


def test_without_a_configured_token_the_endpoint_does_not_exist(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""

    assert post_receipt(client, receipt(), token="").status_code == 404
    assert post_receipt(client, receipt(), token="anything").status_code == 404


def test_the_endpoint_only_accepts_post(client):
    response = client.get(reverse("delivery:notify_callback"), headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 405


def test_the_endpoint_needs_no_csrf_token(settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    delivery = sms_delivery()

    assert post_receipt(strict, receipt(delivery)).status_code == 200


# --- Notify: garbage ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{not json", "the body is not JSON"),
        (b"\xff\xfe\x00", "the body is not JSON"),
        ("", "the body is not JSON"),
        ("[1, 2]", "the body is not a JSON object"),
        ('"delivered"', "the body is not a JSON object"),
        ("[" * 100_000 + "]" * 100_000, "the body is not JSON"),
        (json.dumps({"reference": "x", "status": "delivered"}), "id is missing"),
        (json.dumps({"id": 7, "status": "delivered"}), "id is missing"),
        (json.dumps({"id": "n" * 500, "status": "delivered"}), "id is missing or not Notify's notification id"),
        (json.dumps({"id": NOTIFICATION, "reference": 5, "status": "delivered"}), "reference is not a string"),
        (json.dumps({"id": NOTIFICATION, "reference": "r", "status": "lost-in-space"}), "status is not one of"),
        (json.dumps({"id": NOTIFICATION, "reference": "r"}), "status is not one of"),
        (json.dumps({"id": NOTIFICATION, "reference": "r", "status": ["delivered"]}), "status is not one of"),
        (json.dumps({"id": [NOTIFICATION], "status": "delivered"}), "id is missing"),
    ],
)
def test_garbage_is_answered_400_in_json(client, body, error):
    response = post_receipt(client, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"].startswith(error)


# --- Email provider webhook (anymail, Mailgun) ----------------------------------------------------------------


def email_delivery(**fields) -> Delivery:
    (subscriber,) = subscribers(None, 1)
    values = {"state": State.DELIVERED, **fields}
    return Delivery.objects.create(alert=sending_alert(), subscriber=subscriber, channel=Channel.EMAIL, **values)


def mailgun_event(delivery: Delivery, event: str, *, key: str = MAILGUN_KEY, **event_data) -> str:
    """A Mailgun webhook body as Mailgun signs it (HMAC-SHA256 of timestamp + token)."""
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "event": event,
        "timestamp": time.time(),
        "recipient": delivery.subscriber.email,
        "message": {"headers": {"message-id": f"{delivery.token}@openbeat.invalid"}},
        **event_data,
    }
    return json.dumps(
        {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": data}
    )


def post_mailgun(client, body: str):
    return client.post(reverse("delivery:anymail_mailgun_tracking"), body, content_type="application/json")


def test_a_signed_mailgun_bounce_fails_the_email_delivery(client):
    delivery = email_delivery()

    response = post_mailgun(
        client,
        mailgun_event(
            delivery,
            "failed",
            severity="permanent",
            reason="bounce",
            **{"delivery-status": {"message": "550 5.1.1 <x@example.com> user unknown", "code": 550}},
        ),
    )

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == State.PERMANENT_FAILURE
    assert delivery.failure_reason == "bounced"
    assert delivery.last_error == "hard bounce 550 5.1.1"


def test_a_signed_mailgun_delivered_event_confirms_the_delivery(client):
    delivery = email_delivery(state=State.SENDING)

    assert post_mailgun(client, mailgun_event(delivery, "delivered")).status_code == 200

    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.delivered_at is not None


def test_a_mailgun_event_with_a_wrong_signature_is_refused_and_changes_nothing(client):
    delivery = email_delivery()

    response = post_mailgun(client, mailgun_event(delivery, "failed", severity="permanent", key="not-the-key"))

    assert response.status_code == 400
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED


def test_a_mailgun_event_for_a_message_that_is_not_ours_is_answered_ok(client):
    delivery = email_delivery()
    delivery.token = uuid.uuid4()  # not saved: the event names a token no delivery has

    assert post_mailgun(client, mailgun_event(delivery, "failed", severity="permanent")).status_code == 200


def test_without_a_signing_key_the_mailgun_webhook_does_not_exist(client, settings):
    settings.ANYMAIL = {}
    delivery = email_delivery()

    assert post_mailgun(client, mailgun_event(delivery, "failed", severity="permanent")).status_code == 404
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
