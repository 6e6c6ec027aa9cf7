"""NotifySmsTransport: the contract with GOV.UK Notify, through the real notifications-python-client against the
local stand-in (core/tests/notify_standin.py), which checks what Notify checks (JWT, schema, template)."""

from __future__ import annotations

import uuid

import pytest

from openbeat.core.tests.notify_standin import BODY_TEMPLATE_ID, notify_server, notify_sms
from openbeat.delivery.transports import get_transport
from openbeat.delivery.transports.base import OutgoingSms
from openbeat.delivery.transports.notify_sms import NotifySmsTransport

__all__ = ["notify_server", "notify_sms"]


def sms(delivery_id: int, to: str = "+447700900123", body: str = "Burglaries on Mill Lane. Lock your doors."):
    return OutgoingSms(delivery_id=delivery_id, to=to, body=body, reference=str(uuid.uuid4()))


def send(*messages: OutgoingSms):
    transport = NotifySmsTransport()
    try:
        return list(transport.send_batch(messages))
    finally:
        transport.close()


def test_each_message_reaches_notify_with_the_body_template_and_the_delivery_token_as_reference(notify_sms):
    first, second = sms(1), sms(2, to="07700 900456", body="Second")

    outcomes = send(first, second)

    assert [o.ok for o in outcomes] == [True, True]
    accepted = notify_sms.sent
    assert [n.reference for n in accepted] == [first.reference, second.reference]
    assert [n.template_id for n in accepted] == [BODY_TEMPLATE_ID, BODY_TEMPLATE_ID]
    assert accepted[0].personalisation == {"body": first.body}
    assert accepted[0].body == first.body
    assert accepted[1].phone_number == "+447700900456"


def test_the_outcome_carries_notifys_notification_id_for_each_delivery_in_order(notify_sms):
    outcomes = send(sms(7), sms(8))

    assert [o.delivery_id for o in outcomes] == [7, 8]
    assert [o.provider_id for o in outcomes] == [n.id for n in notify_sms.sent]


def test_a_batch_uses_one_client_and_signs_every_request(notify_sms):
    transport = NotifySmsTransport()
    outcomes = list(transport.send_batch([sms(1), sms(2), sms(3)]))
    client = transport._client
    transport.close()

    assert all(o.ok for o in outcomes)
    assert client is not None
    assert transport._client is None
    assert [r.status_code for r in notify_sms.requests] == [201, 201, 201]
    assert all(r.headers["authorization"].startswith("Bearer ") for r in notify_sms.requests)


def test_get_transport_gives_notify_when_the_sms_backend_is_notify(notify_sms):
    assert isinstance(get_transport("sms"), NotifySmsTransport)


def test_a_number_notify_refuses_fails_for_good_as_an_invalid_number_without_stopping_the_batch(notify_sms):
    outcomes = send(sms(1, to="+33612345678"), sms(2))

    refused, sent = outcomes
    assert not refused.ok
    assert refused.error is not None
    assert refused.error.permanent
    assert refused.error.reason == "invalid number"
    assert "Not a UK mobile number" in refused.error.message
    assert "33612345678" not in refused.error.message
    assert sent.ok
    assert len(notify_sms.sent) == 1


def test_a_template_notify_does_not_know_fails_for_good(notify_sms, settings):
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())

    [outcome] = send(sms(1))

    assert outcome.error is not None
    assert outcome.error.permanent
    assert outcome.error.reason == "message refused"
    assert "Template not found" in outcome.error.message


def test_a_text_longer_than_notify_allows_fails_for_good(notify_sms):
    [outcome] = send(sms(1, body="x" * 919))

    assert outcome.error is not None
    assert outcome.error.permanent
    assert outcome.error.reason == "message refused"


def test_a_key_notify_refuses_fails_for_good(notify_sms, settings):
    settings.NOTIFY_API_KEY = f"openbeat_test-{notify_sms.service_id}-{uuid.uuid4()}"

    [outcome] = send(sms(1))

    assert outcome.error is not None
    assert outcome.error.permanent
    assert outcome.error.reason == "Notify key refused"
    assert outcome.error.message.startswith("Notify 403")


def test_a_server_error_at_notify_is_temporary_and_the_next_message_is_still_tried(notify_sms):
    notify_sms.fail_next(500)

    first, second = send(sms(1), sms(2))

    assert first.error is not None
    assert not first.error.permanent
    assert first.error.reason == "Notify unavailable"
    assert second.ok


def test_a_rate_limit_is_temporary_and_the_rest_of_the_batch_is_not_tried(notify_sms):
    notify_sms.fail_next(429)

    outcomes = send(sms(1), sms(2), sms(3))

    assert [o.ok for o in outcomes] == [False, False, False]
    assert [o.delivery_id for o in outcomes] == [1, 2, 3]
    assert all(o.error is not None and not o.error.permanent for o in outcomes)
    assert {o.error.reason for o in outcomes if o.error} == {"Notify rate limit"}
    assert len(notify_sms.requests) == 1


def test_an_unreachable_notify_is_temporary_for_the_whole_batch_after_one_try(notify_sms, settings, refused_port):
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{refused_port}"

    outcomes = send(sms(1), sms(2))

    assert [o.ok for o in outcomes] == [False, False]
    assert all(o.error is not None and not o.error.permanent for o in outcomes)
    assert {o.error.reason for o in outcomes if o.error} == {"Notify unreachable"}


@pytest.fixture
def refused_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
