"""SMS transports: the development ones, and GOV.UK Notify through the real notifications-python-client against
a local stand-in that checks what Notify checks (notify_standin.py)."""

import json
import time
import uuid

import jwt
import pytest
import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from openbeat.core import sms
from openbeat.core.messaging import sms_send
from openbeat.core.models import TransactionalMessage
from openbeat.core.sms import TransportError, get_sms_transport
from openbeat.core.tests.notify_standin import BODY_TEMPLATE_ID

MOBILE = "+447700900123"
State = TransactionalMessage.State


def _send(to: str = MOBILE) -> str:
    return get_sms_transport().send(to=to, body="Your code is 482913", reference="tx-42")


def test_an_unknown_sms_backend_is_a_clear_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"

    with pytest.raises(ValueError, match=r"Unknown SMS_BACKEND 'carrier-pigeon': one of \['console', 'file'"):
        get_sms_transport()


def test_the_locmem_transport_collects_messages_in_the_outbox():
    message_id = _send()

    assert sms.outbox == [sms.SentSms(to=MOBILE, body="Your code is 482913", reference="tx-42")]
    assert message_id == "locmem-1"


def test_the_file_transport_writes_one_json_file_per_message_under_var_sms(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.VAR_DIR = tmp_path

    message_id = _send()

    [written] = (tmp_path / "sms").iterdir()
    assert written.name.endswith(f"{message_id}.json")
    record = json.loads(written.read_text())
    assert record["to"] == MOBILE
    assert record["body"] == "Your code is 482913"
    assert record["reference"] == "tx-42"
    assert record["at"]


def test_the_console_transport_prints_the_message(settings, capsys):
    settings.SMS_BACKEND = "console"

    _send()

    assert "SMS to +447700900123 (tx-42):\nYour code is 482913" in capsys.readouterr().out


# --- GOV.UK Notify ----------------------------------------------------------------------------------------------


def test_notify_receives_the_number_template_body_and_reference(notify_sms):
    message_id = _send()

    [request] = notify_sms.requests
    assert request.method == "POST"
    assert request.path == "/v2/notifications/sms"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "phone_number": MOBILE,
        "template_id": BODY_TEMPLATE_ID,
        "personalisation": {"body": "Your code is 482913"},
        "reference": "tx-42",
    }
    [notification] = notify_sms.sent
    assert message_id == notification.id
    assert notification.body == "Your code is 482913"


def test_notify_accepts_a_uk_mobile_written_the_national_way(notify_sms):
    _send(to="07700 900123")

    assert notify_sms.sent[0].phone_number == MOBILE


def test_notify_refusing_an_invalid_number_is_a_permanent_failure(notify_sms):
    with pytest.raises(TransportError) as refusal:
        _send(to="+33612345678")

    assert refusal.value.permanent
    assert "phone_number Not a UK mobile number" in refusal.value.message
    assert notify_sms.requests[0].status_code == 400
    assert notify_sms.sent == []


def test_notify_refusing_an_unknown_template_is_a_permanent_failure(notify_sms, settings):
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())

    with pytest.raises(TransportError) as refusal:
        _send()

    assert refusal.value.permanent
    assert "Template not found" in refusal.value.message


def test_notify_refusing_a_key_it_does_not_know_is_a_permanent_failure(notify_sms, settings):
    settings.NOTIFY_API_KEY = f"openbeat_test-{notify_sms.service_id}-{uuid.uuid4()}"

    with pytest.raises(TransportError) as refusal:
        _send()

    assert refusal.value.permanent
    assert notify_sms.requests[0].status_code == 403
    assert "AuthError" in refusal.value.message


def test_notify_failing_inside_is_a_temporary_failure(notify_sms):
    notify_sms.fail_next(500)

    with pytest.raises(TransportError) as failure:
        _send()

    assert not failure.value.permanent
    assert "500" in failure.value.message


def test_notify_rate_limiting_is_a_temporary_failure(notify_sms):
    notify_sms.rate_limit = 1
    _send()

    with pytest.raises(TransportError) as failure:
        _send()

    assert not failure.value.permanent
    assert notify_sms.requests[1].status_code == 429
    assert len(notify_sms.sent) == 1


def test_notify_out_of_reach_is_a_temporary_failure(notify_sms, settings, refused_port):
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{refused_port}"

    with pytest.raises(TransportError) as failure:
        _send()

    assert not failure.value.permanent
    assert notify_sms.requests == []


@pytest.mark.django_db
def test_an_sms_sent_through_notify_is_forgotten_once_notify_accepts_it(
    notify_sms, message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pk = sms_send(to=MOBILE, template="test/code", context={"code": "482913"}, purpose="test.code")

    [notification] = notify_sms.sent
    assert notification.phone_number == MOBILE
    assert notification.personalisation == {"body": "Testshire Constabulary: your code is 482913"}
    assert notification.reference == f"tx-{pk}"
    assert not TransactionalMessage.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_an_sms_notify_fails_to_take_is_kept_as_a_temporary_failure(
    notify_sms, message_templates, django_capture_on_commit_callbacks
):
    notify_sms.fail_next(500)
    with django_capture_on_commit_callbacks(execute=True):
        pk = sms_send(to=MOBILE, template="test/code", context={"code": "482913"}, purpose="test.code")

    message = TransactionalMessage.objects.get(pk=pk)
    assert message.state == State.TEMPORARY_FAILURE
    assert message.attempts == 1
    assert "Internal server error" in message.last_error


@pytest.mark.django_db
def test_an_sms_to_a_number_notify_refuses_is_a_permanent_failure_at_once(
    notify_sms, message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pk = sms_send(to="+4477009", template="test/code", context={"code": "482913"}, purpose="test.code")

    message = TransactionalMessage.objects.get(pk=pk)
    assert message.state == State.PERMANENT_FAILURE
    assert message.attempts == 1


# --- the stand-in itself: what later delivery code will rely on -------------------------------------------------


def test_the_standin_reports_a_message_moving_from_created_to_delivered(notify_sms):
    client = NotificationsAPIClient(notify_sms.api_key, base_url=notify_sms.base_url)
    delivered = _send()
    failing = _send(to="07700900002")

    assert notify_sms.notifications[delivered].status == "created"
    statuses = [client.get_notification_by_id(delivered)["status"] for _ in range(3)]
    assert statuses == ["sending", "delivered", "delivered"]
    final = [client.get_notification_by_id(failing) for _ in range(2)][-1]
    assert final["status"] == "permanent-failure"
    assert final["reference"] == "tx-42"
    assert final["type"] == "sms"
    assert final["completed_at"]


def test_the_standin_answers_an_unknown_notification_with_404(notify_sms):
    client = NotificationsAPIClient(notify_sms.api_key, base_url=notify_sms.base_url)

    with pytest.raises(HTTPError) as missing:
        client.get_notification_by_id(str(uuid.uuid4()))

    assert missing.value.status_code == 404
    assert missing.value.message == [{"error": "NoResultFound", "message": "No result found"}]


@pytest.mark.parametrize(
    ("authorization", "status", "message"),
    [
        (None, 401, "Unauthorized: authentication token must be provided"),
        ("Basic abc", 401, "Unauthorized: authentication bearer scheme must be used"),
        ("stale", 403, "Error: Your system clock must be accurate to within 30 seconds"),
        ("wrong-service", 403, "Invalid token: service not found"),
        ("not-a-jwt", 403, "Invalid token: signature, api token is not valid"),
    ],
)
def test_the_standin_refuses_tokens_as_notify_does(notify_server, authorization, status, message):
    tokens = {
        "stale": jwt.encode({"iss": notify_server.service_id, "iat": int(time.time()) - 120}, notify_server.secret),
        "wrong-service": jwt.encode({"iss": str(uuid.uuid4()), "iat": int(time.time())}, notify_server.secret),
        "not-a-jwt": "not-a-jwt",
    }
    headers = {}
    if authorization in tokens:
        headers["Authorization"] = f"Bearer {tokens[authorization]}"
    elif authorization:
        headers["Authorization"] = authorization

    response = requests.post(f"{notify_server.base_url}/v2/notifications/sms", json={}, headers=headers, timeout=5)

    assert response.status_code == status
    assert response.json() == {"status_code": status, "errors": [{"error": "AuthError", "message": message}]}


def test_the_standin_requires_the_template_placeholders(notify_server):
    template_id = str(uuid.uuid4())
    notify_server.templates[template_id] = "Hello ((name)), your code is ((code))"
    client = NotificationsAPIClient(notify_server.api_key, base_url=notify_server.base_url)

    with pytest.raises(HTTPError) as refusal:
        client.send_sms_notification(phone_number=MOBILE, template_id=template_id, personalisation={"name": "Sam"})

    assert refusal.value.status_code == 400
    assert refusal.value.message == [{"error": "BadRequestError", "message": "Missing personalisation: code"}]
