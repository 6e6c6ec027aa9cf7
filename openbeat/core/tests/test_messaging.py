"""Transactional messages: kept until the transaction commits, sent through a real SMTP server, retried with
backoff when the server is away, given up after MAX_ATTEMPTS, and forgotten once delivered."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openbeat.core import sms
from openbeat.core.messaging import MAX_ATTEMPTS, email_send, sms_send, transactional_send
from openbeat.core.models import TransactionalMessage

State = TransactionalMessage.State
RESIDENT = "resident@example.com"


def _send_confirmation(**overrides) -> int:
    arguments = {
        "to": RESIDENT,
        "template": "test/confirm",
        "context": {"name": "Sam", "token": "t0k3n"},
        "purpose": "test.confirm",
        **overrides,
    }
    return email_send(**arguments)


def _smtp_mailer(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def mailer_down(settings, refused_port):
    settings.MAILERS = _smtp_mailer(refused_port)


class RefuseRecipients:
    """An SMTP server that answers RCPT TO with a fixed reply, quoting the address as real servers do."""

    def __init__(self, code: int) -> None:
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"{self.code} 5.1.1 <{address}>: Recipient address rejected"


@pytest.fixture
def smtp_refusing(settings):
    controllers = []

    def start(code: int) -> None:
        with socket.socket() as probe:  # aiosmtpd needs a port number to check that it is up
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(RefuseRecipients(code), hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.MAILERS = _smtp_mailer(port)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.mark.django_db
def test_an_email_is_kept_until_commit_then_sent_through_smtp_and_forgotten(
    smtp_server, message_templates, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Testshire Constabulary <alerts@police.example>"

    with django_capture_on_commit_callbacks(execute=True):
        pk = _send_confirmation(reply_to="team@police.example")
        message = TransactionalMessage.objects.get(pk=pk)
        assert message.state == State.CREATED
        assert message.purpose == "test.confirm"
        assert smtp_server.messages == []

    [sent] = smtp_server.messages
    assert smtp_server.envelopes[0].rcpt_tos == [RESIDENT]
    assert sent["Subject"] == "Confirm your subscription to Testshire Constabulary"
    assert sent["To"] == RESIDENT
    assert sent["From"] == "Testshire Constabulary <alerts@police.example>"
    assert sent["Reply-To"] == "team@police.example"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent.get_content_type() == "multipart/alternative"
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert "Hello Sam," in text
    assert "https://beat.police.example/confirm/t0k3n/" in text
    assert "<strong>Sam</strong>" in html
    assert 'href="https://beat.police.example/confirm/t0k3n/"' in html
    assert not TransactionalMessage.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_an_email_without_an_html_template_goes_as_plain_text_without_reply_to(
    smtp_server, message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to=RESIDENT, template="test/plain", context={}, purpose="test.plain")

    [sent] = smtp_server.messages
    assert sent.get_content_type() == "text/plain"
    assert sent.get_content().strip() == "Just text."
    assert sent["Reply-To"] is None


@pytest.mark.django_db(transaction=True)
def test_an_email_queued_in_a_transaction_leaves_only_when_it_commits(smtp_server, message_templates):
    with transaction.atomic():
        pk = _send_confirmation()
        assert smtp_server.messages == []

    assert len(smtp_server.messages) == 1
    assert not TransactionalMessage.objects.filter(pk=pk).exists()


@pytest.mark.django_db(transaction=True)
def test_an_email_queued_in_a_transaction_that_rolls_back_is_never_sent(smtp_server, message_templates):
    def change_that_fails() -> None:
        with transaction.atomic():
            _send_confirmation()
            raise RuntimeError("the change that wanted the email failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert TransactionalMessage.objects.count() == 0
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_a_mail_server_that_refuses_connections_is_a_temporary_failure_with_the_error_kept(
    mailer_down, message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pk = _send_confirmation()

    message = TransactionalMessage.objects.get(pk=pk)
    assert message.state == State.TEMPORARY_FAILURE
    assert message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")


@pytest.mark.django_db
def test_a_message_that_keeps_failing_becomes_a_permanent_failure_after_max_attempts(
    mailer_down, message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pk = _send_confirmation()

    for attempt in range(2, MAX_ATTEMPTS + 1):
        result = transactional_send.enqueue(pk)
        expected = State.PERMANENT_FAILURE if attempt == MAX_ATTEMPTS else State.TEMPORARY_FAILURE
        assert result.return_value == expected
        assert TransactionalMessage.objects.get(pk=pk).attempts == attempt

    assert transactional_send.enqueue(pk).return_value == "skipped"
    message = TransactionalMessage.objects.get(pk=pk)
    assert message.state == State.PERMANENT_FAILURE
    assert message.attempts == MAX_ATTEMPTS


@pytest.mark.django_db
def test_sending_a_delivered_message_again_does_nothing(
    smtp_server, message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pk = _send_confirmation()

    assert transactional_send.enqueue(pk).return_value == "skipped"
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_a_mail_server_refusing_the_address_is_a_permanent_failure_recorded_without_the_address(
    smtp_refusing, message_templates, django_capture_on_commit_callbacks
):
    smtp_refusing(550)
    with django_capture_on_commit_callbacks(execute=True):
        pk = _send_confirmation()

    message = TransactionalMessage.objects.get(pk=pk)
    assert message.state == State.PERMANENT_FAILURE
    assert message.attempts == 1
    assert message.last_error.startswith("SMTPRecipientsRefused: 550")
    assert RESIDENT not in message.last_error


@pytest.mark.django_db
def test_a_mail_server_deferring_the_address_is_a_temporary_failure(
    smtp_refusing, message_templates, django_capture_on_commit_callbacks
):
    smtp_refusing(450)
    with django_capture_on_commit_callbacks(execute=True):
        pk = _send_confirmation()

    assert TransactionalMessage.objects.get(pk=pk).state == State.TEMPORARY_FAILURE


# The worker closes its database connection when done, so this cannot run inside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_on_the_database_backend_a_temporary_failure_is_retried_later_and_then_delivered(
    smtp_server, refused_port, message_templates, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    working_mailer = settings.MAILERS
    settings.MAILERS = _smtp_mailer(refused_port)
    pk = _send_confirmation()  # autocommit: queued at once

    before = timezone.now()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    after = timezone.now()

    message = TransactionalMessage.objects.get(pk=pk)
    assert message.state == State.TEMPORARY_FAILURE
    assert message.attempts == 1
    [retry] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retry.task_path == "openbeat.core.messaging.transactional_send"
    assert retry.args_kwargs == {"args": [pk], "kwargs": {}}
    assert before + timedelta(seconds=30) <= retry.run_after <= after + timedelta(seconds=30)

    # The worker leaves the retry alone until its time; then, with the mail server back, it is delivered.
    settings.MAILERS = working_mailer
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert TransactionalMessage.objects.get(pk=pk).attempts == 1
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert len(smtp_server.messages) == 1
    assert not TransactionalMessage.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_an_sms_goes_through_the_transport_after_commit_and_is_forgotten(
    message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pk = sms_send(to="+447700900123", template="test/code", context={"code": "482913"}, purpose="test.code")
        assert TransactionalMessage.objects.get(pk=pk).channel == TransactionalMessage.Channel.SMS
        assert sms.outbox == []

    [sent] = sms.outbox
    assert sent.to == "+447700900123"
    assert sent.body == "Testshire Constabulary: your code is 482913"
    assert sent.reference == f"tx-{pk}"
    assert not TransactionalMessage.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_an_sms_with_an_unknown_transport_fails_with_the_reason_kept(
    message_templates, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "carrier-pigeon"
    with django_capture_on_commit_callbacks(execute=True):
        pk = sms_send(to="+447700900123", template="test/code", context={"code": "1"}, purpose="test.code")

    message = TransactionalMessage.objects.get(pk=pk)
    assert message.state == State.TEMPORARY_FAILURE
    assert "Unknown SMS_BACKEND 'carrier-pigeon'" in message.last_error


@pytest.mark.django_db
def test_every_email_comes_from_the_forces_name_at_the_configured_address(settings):
    """Sign-in links, confirmations and digests come from the force as alerts do, never from "OpenBeat"."""
    from openbeat.core.messaging import from_header
    from openbeat.core.models import Force

    settings.DEFAULT_FROM_EMAIL = "OpenBeat <alerts@police.example>"
    settings.FORCE_NAME = "Demoshire Police"
    assert from_header() == "Demoshire Police <alerts@police.example>"  # no force row yet: the setting
    Force.objects.create(code="testshire", name="Testshire Constabulary", short_code="TC")
    assert from_header() == "Testshire Constabulary <alerts@police.example>"
