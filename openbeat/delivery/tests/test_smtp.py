"""Alert email through a real local SMTP server (aiosmtpd): what arrives, how the server's replies become
outcomes, connections kept open across a batch and several in parallel; and the other transports
get_transport picks (Django mailers incl. django-anymail, the fake, SMS for development)."""

import asyncio
import smtplib
import socket
import ssl
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.core import mail
from django.urls import resolve

from openbeat.alerts.models import AlertTranslation
from openbeat.core import sms
from openbeat.delivery import links
from openbeat.delivery.messages import build_emails, build_sms, iter_emails
from openbeat.delivery.models import Channel, Delivery
from openbeat.delivery.tests.pipeline_world import sending_alert, subscribers
from openbeat.delivery.transports import fake, get_transport
from openbeat.delivery.transports.base import OutgoingEmail
from openbeat.delivery.transports.core_sms import CoreSmsTransport
from openbeat.delivery.transports.fake import FakeTransport
from openbeat.delivery.transports.mailer import MailerTransport
from openbeat.delivery.transports.smtp import SmtpTransport, smtp_error, smtp_options
from openbeat.delivery.transports.smtp_message import data_block, serialise

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _started(handler, **kwargs) -> tuple[Controller, int]:
    """A real aiosmtpd server for `handler` on a free local port, running."""
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, port


class Mailbox:
    """An SMTP server's handler that refuses recipients on cue and counts the sessions it served."""

    def __init__(self, *, pipelining: bool = False) -> None:
        self.pipelining = pipelining
        self.envelopes: list = []
        self.sessions: list = []
        self.servers: list = []
        self.refuse: dict[str, str] = {}  # a substring of the address -> the reply to RCPT TO
        self.data_reply = "250 OK"
        self.stall_once = 0.0  # seconds the next reply to the content is held back
        self.session_cap = 0  # sessions after the first this many are refused at MAIL
        self.lock = threading.Lock()

    def _seen(self, server, session) -> None:
        with self.lock:
            if not any(s is session for s in self.sessions):
                self.sessions.append(session)
                self.servers.append(server)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:  # aiosmtpd reads pipelined commands as they come; it just does not offer it
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self._seen(server, session)
        if self.session_cap and [s is session for s in self.sessions].index(True) >= self.session_cap:
            return "432 4.3.2 Concurrent connections limit exceeded"  # what Exchange Online says
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._seen(server, session)
        for marker, reply in self.refuse.items():
            if marker in address:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_once:
            self.stall_once, stall = 0, self.stall_once
            await asyncio.sleep(stall)
        if not self.data_reply.startswith("2"):
            return self.data_reply
        with self.lock:
            self.envelopes.append(envelope)
        return self.data_reply

    @property
    def recipients(self) -> list[str]:
        return [to for e in self.envelopes for to in e.rcpt_tos]


@pytest.fixture(params=["one command at a time", "pipelining"])
def mailbox(request, settings):
    handler = Mailbox(pipelining=request.param == "pipelining")
    controller, port = _started(handler)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    handler.controller = controller
    try:
        yield handler
    finally:
        controller.stop()


def _deliveries(count=1, *, alert=None, **fields):
    alert = alert or sending_alert(body="See [the map](https://example.org/map).", link_url="https://police.example/a")
    people = subscribers(None, count, **fields)
    Delivery.objects.bulk_create([Delivery(alert=alert, subscriber=p, channel=Channel.EMAIL) for p in people])
    return list(Delivery.objects.filter(alert=alert).select_related("alert", "subscriber").order_by("pk"))


def _email(n: int, to: str = "") -> OutgoingEmail:
    return OutgoingEmail(
        delivery_id=n, to=to or f"resident{n}@example.com", subject=f"Alert {n}", text="Hello", html="<p>Hello</p>"
    )


def _path_kwargs(url: str) -> dict:
    return resolve(urlsplit(url).path).kwargs


def test_alert_emails_arrive_with_their_headers_and_both_parts(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Alerts <alerts@police.example>"
    settings.DELIVERY_REPLY_TO = "team@police.example"
    deliveries = _deliveries(2)
    transport = get_transport("email")
    assert isinstance(transport, SmtpTransport)

    outcomes = list(transport.send_batch(build_emails(deliveries)))
    transport.close()

    assert sorted(o.delivery_id for o in outcomes if o.ok) == [d.pk for d in deliveries]
    by_id = {o.delivery_id: o for o in outcomes}
    received = {m["To"]: m for m in smtp_server.messages}
    for delivery in deliveries:
        message = received[delivery.subscriber.email]
        assert message["Message-ID"] == f"<{delivery.token}@police.example>"
        assert by_id[delivery.pk].provider_id == message["Message-ID"]
        assert message["From"] == "Demoshire Police <alerts@police.example>"
        assert message["Reply-To"] == "team@police.example"
        assert message["Subject"] == "Emergency: Burglaries on Mill Lane"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/in-the-know/unsubscribe/" in message["List-Unsubscribe"]
        assert message["Date"]
        text = message.get_body(("plain",)).get_content()
        page = message.get_body(("html",)).get_content()
        for part in (text, page):
            assert links.reply_url(delivery) in part
            assert all(links.rating_url(delivery, n) in part for n in range(1, 6))
            assert "/in-the-know/manage/" in part
            assert "/d/c/" in part
            assert "https://police.example/a" not in part
        assert '<html lang="en" dir="ltr">' in page
        assert "<h1" in page
    assert smtp_server.envelopes[0].mail_from == "alerts@police.example"


def test_a_welsh_subscriber_receives_the_welsh_translation(smtp_server):
    alert = sending_alert(title="Road closed", body="The bridge is shut.")
    AlertTranslation.objects.create(alert=alert, language="cy", title="Ffordd ar gau", body="Mae'r bont ar gau.")
    people = subscribers(None, 1, language="cy")
    Delivery.objects.create(alert=alert, subscriber=people[0], channel=Channel.EMAIL, language="cy")
    deliveries = list(Delivery.objects.filter(alert=alert).select_related("alert", "subscriber"))

    transport = SmtpTransport(connections=1)
    assert all(o.ok for o in transport.send_batch(build_emails(deliveries)))
    transport.close()

    (message,) = smtp_server.messages
    assert message["Subject"] == "Argyfwng: Ffordd ar gau"  # the frame (the priority) in Welsh too
    assert "Mae'r bont ar gau." in message.get_body(("plain",)).get_content()
    assert '<html lang="cy"' in message.get_body(("html",)).get_content()


def test_a_refused_mailbox_is_a_permanent_failure_and_the_batch_goes_on(mailbox):
    mailbox.refuse["gone"] = "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown"
    transport = SmtpTransport(connections=1)
    outcomes = list(transport.send_batch([_email(1), _email(2, "gone@example.com"), _email(3)]))
    transport.close()

    assert [o.ok for o in outcomes] == [True, False, True]
    error = outcomes[1].error
    assert error.permanent
    assert error.reason == "mailbox unavailable"
    assert "gone@example.com" not in error.message
    assert "[recipient]" in error.message
    assert mailbox.recipients == ["resident1@example.com", "resident3@example.com"]
    assert len(mailbox.sessions) == 1


def test_a_4xx_reply_is_a_temporary_failure(mailbox):
    mailbox.refuse["busy"] = "451 4.3.0 Try again later"
    transport = SmtpTransport(connections=1)
    (outcome,) = transport.send_batch([_email(1, "busy@example.com")])
    transport.close()
    assert not outcome.ok
    assert not outcome.error.permanent
    assert outcome.error.reason == "server error"


def test_a_4xx_reply_to_the_message_itself_is_temporary(mailbox):
    mailbox.data_reply = "452 4.2.2 Mailbox full"
    transport = SmtpTransport(connections=1)
    (outcome,) = transport.send_batch([_email(1)])
    transport.close()
    assert not outcome.ok
    assert not outcome.error.permanent
    assert outcome.error.reason == "mailbox full"


@pytest.mark.parametrize(
    ("code", "reply", "permanent", "reason"),
    [
        (550, b"5.1.1 User unknown", True, "mailbox unavailable"),
        (553, b"Invalid address", True, "invalid address"),
        (552, b"5.2.2 Over quota", True, "mailbox full"),
        (554, b"5.7.1 Rejected for policy reasons", True, "rejected by policy"),
        (599, b"Whatever", True, "rejected"),
        (421, b"Service not available", False, "server busy"),
        (450, b"Mailbox busy", False, "mailbox busy"),
        (499, b"Odd", False, "deferred"),
    ],
)
def test_smtp_replies_map_to_permanent_or_temporary_with_a_short_reason(code, reply, permanent, reason):
    error = smtp_error(code, reply)
    assert (error.permanent, error.reason) == (permanent, reason)


@pytest.mark.parametrize(
    "address",
    [
        "not-an-address",
        "a@b@",
        "two@example.com\r\nBcc: x@y.z",
        "sïan@example.com",
        '"quoted"@example.com',
        "a(comment)@example.com",
        "a,b@example.com",
        "a;b@example.com",
        "x@[127.0.0.1]",
        "back\\slash@example.com",
    ],
)
def test_an_address_smtp_cannot_carry_is_a_permanent_failure_without_a_connection(mailbox, address):
    transport = SmtpTransport(connections=1)
    (outcome,) = transport.send_batch([_email(1, address)])
    assert outcome.error.permanent
    assert outcome.error.reason == "invalid address"
    assert transport.sessions == 0


def test_an_international_domain_is_sent_in_punycode(mailbox):
    transport = SmtpTransport(connections=1)
    (outcome,) = transport.send_batch([_email(1, "sian@bücher.example")])
    transport.close()
    assert outcome.ok
    assert mailbox.recipients == ["sian@xn--bcher-kva.example"]


def test_a_refused_connection_is_a_temporary_failure(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 2}}}  # fmt: skip
    transport = SmtpTransport(connections=1)
    outcomes = list(transport.send_batch([_email(1), _email(2)]))
    assert [(o.ok, o.error.permanent, o.error.reason) for o in outcomes] == [(False, False, "connection refused")] * 2


def test_a_server_that_never_answers_is_a_temporary_timeout(settings):
    with socket.socket() as silent:  # accepts connections (the backlog) but never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        options = {"host": "127.0.0.1", "port": silent.getsockname()[1], "timeout": 0.3}
        transport = SmtpTransport(connections=1, options=options)
        (outcome,) = transport.send_batch([_email(1)])
    assert not outcome.ok
    assert not outcome.error.permanent
    assert outcome.error.reason == "timeout"


def test_a_reply_that_never_comes_mid_message_is_a_temporary_timeout_and_the_batch_goes_on(mailbox):
    mailbox.stall_once = 2.0
    options = {**smtp_options(), "timeout": 0.3}
    transport = SmtpTransport(connections=1, options=options)
    outcomes = list(transport.send_batch([_email(1), _email(2)]))
    transport.close()
    assert [(o.ok, o.error and (o.error.permanent, o.error.reason)) for o in outcomes] == [
        (False, (False, "timeout")),
        (True, None),
    ]
    assert transport.sessions == 2  # the stalled session was dropped, the next message had a new one


def test_a_relay_that_caps_sessions_gets_the_batch_over_the_sessions_it_accepts(mailbox):
    mailbox.session_cap = 2
    transport = SmtpTransport(connections=4)
    outcomes = list(transport.send_batch(_email(n) for n in range(30)))
    transport.close()
    refused = [o for o in outcomes if not o.ok]
    # One message for each session over the cap, to be retried; the rest went over the two it accepts.
    assert [(o.error.permanent, o.error.reason) for o in refused] == [(False, "server busy")] * 2
    assert sorted(mailbox.recipients) == sorted(f"resident{o.delivery_id}@example.com" for o in outcomes if o.ok)
    assert len(mailbox.envelopes) == 28


def test_one_connection_is_reused_for_a_whole_batch(mailbox):
    transport = SmtpTransport(connections=1)
    outcomes = list(transport.send_batch([_email(n) for n in range(20)]))
    outcomes += list(transport.send_batch([_email(n) for n in range(20, 25)]))  # and for the next batch
    transport.close()
    assert all(o.ok for o in outcomes)
    assert len(mailbox.envelopes) == 25
    assert len(mailbox.sessions) == 1
    assert transport.sessions == 1


def test_a_dropped_connection_is_reopened_and_the_message_still_goes(mailbox):
    transport = SmtpTransport(connections=1)
    assert all(o.ok for o in transport.send_batch([_email(1)]))
    # The server closes the idle session, as servers do after their timeout.
    (server,) = mailbox.servers
    mailbox.controller.loop.call_soon_threadsafe(server.transport.close)
    for _ in range(100):
        if server.transport is None or server.transport.is_closing():
            break
        time.sleep(0.01)
    outcomes = list(transport.send_batch([_email(2), _email(3)]))
    transport.close()
    assert all(o.ok for o in outcomes)
    assert mailbox.recipients == [f"resident{n}@example.com" for n in (1, 2, 3)]
    assert len(mailbox.sessions) == 2


def test_lines_starting_with_a_dot_arrive_as_they_were_sent(mailbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Alerts <alerts@police.example>"
    text = ".leading\nmiddle . dot\n..two\n.\nend"
    message = OutgoingEmail(delivery_id=1, to="resident@example.com", subject="Dots", text=text, html="<p>.</p>")
    transport = SmtpTransport(connections=1)
    (outcome,) = transport.send_batch([message])
    transport.close()
    assert outcome.ok
    (envelope,) = mailbox.envelopes
    assert envelope.original_content == serialise(message, to="resident@example.com")
    assert "\r\n.leading\r\nmiddle . dot\r\n..two\r\n.\r\nend\r\n" in envelope.content.decode()
    assert envelope.mail_from == "alerts@police.example"
    assert envelope.rcpt_tos == ["resident@example.com"]


@pytest.mark.parametrize(
    ("content", "sent"),
    [
        (b"a\r\n.b\r\n", b"a\r\n..b\r\n.\r\n"),
        (b".at the very start\r\n", b"..at the very start\r\n.\r\n"),
        (b"no final line end\r\n.", b"no final line end\r\n..\r\n.\r\n"),
    ],
)
def test_data_is_dot_stuffed_and_ends_with_the_lone_dot(content, sent):
    assert data_block(content) == sent


def test_a_batch_is_shared_over_parallel_connections(mailbox):
    transport = SmtpTransport(connections=3)
    outcomes = list(transport.send_batch(_email(n) for n in range(60)))
    transport.close()
    assert sorted(o.delivery_id for o in outcomes if o.ok) == list(range(60))
    assert sorted(mailbox.recipients) == sorted(f"resident{n}@example.com" for n in range(60))
    assert len(mailbox.sessions) == 3
    assert transport.sessions == 3


def test_the_number_of_connections_comes_from_the_settings(mailbox, settings):
    settings.DELIVERY_SMTP_CONNECTIONS = 2
    transport = get_transport("email")
    assert isinstance(transport, SmtpTransport)
    assert len(transport.pool) == 2


def test_lazily_built_emails_go_out_over_parallel_connections(mailbox):
    deliveries = _deliveries(12)
    transport = SmtpTransport(connections=3)
    outcomes = list(transport.send_batch(iter_emails(deliveries)))
    transport.close()
    assert sorted(o.delivery_id for o in outcomes if o.ok) == [d.pk for d in deliveries]
    assert len(mailbox.envelopes) == 12


def test_stopping_early_sends_no_more_than_one_message_per_connection(mailbox):
    transport = SmtpTransport(connections=2)
    batch = transport.send_groups(_email(n) for n in range(50))
    first = next(batch)
    batch.close()  # the caller stops listening (e.g. its task is being cancelled), recording nothing more
    transport.close()
    assert all(outcome.ok for outcome in first)
    # Each connection may finish the message it had started; none gets past DATA with an outcome unrecorded.
    assert len(mailbox.envelopes) <= 2
    assert len(mailbox.envelopes) == len(set(mailbox.recipients))


def test_a_connection_sends_no_more_content_until_its_last_outcome_is_recorded(mailbox):
    transport = SmtpTransport(connections=2)
    groups = transport.send_groups(_email(n) for n in range(30))
    first = next(groups)
    time.sleep(0.5)  # the caller is slow to record: the connections wait at their next message's DATA
    assert len(mailbox.envelopes) <= 2  # one per connection at most, each already reported or about to be
    outcomes = first + [outcome for group in groups for outcome in group]
    transport.close()
    assert sorted(o.delivery_id for o in outcomes if o.ok) == list(range(30))
    assert len(mailbox.envelopes) == 30
    assert len(mailbox.sessions) == 2  # waiting did not cost a session


def test_outcomes_that_arrive_together_are_reported_together(mailbox):
    transport = SmtpTransport(connections=3)
    groups = list(transport.send_groups(_email(n) for n in range(60)))
    transport.close()
    assert sorted(o.delivery_id for group in groups for o in group) == list(range(60))
    assert max(len(group) for group in groups) <= 3  # never more than one unrecorded per connection
    assert len(groups) < 60  # some came in the same group


def test_an_anymail_provider_is_used_through_djangos_email_api(settings):
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    deliveries = _deliveries(2)
    transport = get_transport("email")
    assert isinstance(transport, MailerTransport)

    outcomes = list(transport.send_batch(build_emails(deliveries)))

    assert all(o.ok and o.provider_id != "" for o in outcomes)
    sent = {m.to[0]: m for m in mail.outbox}
    for delivery in deliveries:
        message = sent[delivery.subscriber.email]
        assert message.extra_headers["Message-ID"] == f"<{delivery.token}@openbeat.invalid>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.from_email == "Demoshire Police <no-reply@openbeat.invalid>"
        assert message.metadata == {"delivery_id": str(delivery.pk)}
        assert message.alternatives[0].mimetype == "text/html"


def _anymail_answering(response) -> MailerTransport:
    """A transport whose anymail test backend gives `response` for every message."""
    transport = MailerTransport()
    original = transport._email

    def answered(message, connection, anymail):
        email = original(message, connection, anymail)
        email.anymail_test_response = response
        return email

    transport._email = answered
    return transport


def test_an_anymail_rejection_is_permanent(settings):
    from anymail.message import AnymailRecipientStatus

    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    status = AnymailRecipientStatus(message_id=None, status="rejected")
    transport = _anymail_answering({"recipient_status": {"resident1@example.com": status}})
    (outcome,) = transport.send_batch([_email(1)])
    assert not outcome.ok
    assert outcome.error.permanent
    assert outcome.error.reason == "rejected"


def test_an_anymail_api_error_is_temporary(settings):
    from anymail.exceptions import AnymailAPIError

    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    transport = _anymail_answering(AnymailAPIError("Service unavailable", status_code=503))
    (outcome,) = transport.send_batch([_email(1)])
    assert not outcome.ok
    assert not outcome.error.permanent
    assert outcome.error.reason == "provider error"


def test_the_file_transport_writes_messages_for_development(settings, tmp_path):
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": tmp_path}}
    }
    deliveries = _deliveries(2)
    outcomes = list(get_transport("email").send_batch(build_emails(deliveries)))
    assert all(o.ok for o in outcomes)
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert written.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") == 2
    # The signed link stays a readable URL (not RFC 2047-encoded), so providers show one-click unsubscribe.
    assert written.count("List-Unsubscribe: <http") == 2
    assert "=?utf-8?q?=3Chttp" not in written


def test_the_django_smtp_mailer_keeps_list_unsubscribe_readable(smtp_server):
    outcomes = list(MailerTransport().send_batch(build_emails(_deliveries(1))))
    assert [o.ok for o in outcomes] == [True]
    (envelope,) = smtp_server.envelopes
    raw = envelope.content.decode()
    # Raw bytes: a parsed header would hide an RFC 2047-encoded value by decoding it.
    assert "List-Unsubscribe: <http" in raw
    assert "/in-the-know/unsubscribe/" in raw
    assert "=?utf-8?q?=3Chttp" not in raw


def test_the_fake_transport_is_chosen_for_tests_and_fails_on_cue(settings):
    settings.DELIVERY_TRANSPORT_FAKE = True
    fake.reset()
    transport = get_transport("email")
    assert isinstance(transport, FakeTransport)
    outcomes = list(transport.send_batch([_email(1), _email(2, "perm-fail@example.com"), _email(3, "temp-fail@x.uk")]))
    assert [(o.ok, o.error and o.error.permanent) for o in outcomes] == [(True, None), (False, True), (False, False)]
    assert [m.delivery_id for m in fake.sent] == [1]
    assert [m.delivery_id for m in fake.attempted] == [1, 2, 3]
    fake.reset()


def test_sms_in_development_goes_through_the_sms_backend(settings):
    settings.SMS_BACKEND = "locmem"
    alert = sending_alert(title="Road closed", body="The bridge is shut.")
    people = subscribers(None, 1, email=False, sms=True)
    Delivery.objects.create(alert=alert, subscriber=people[0], channel=Channel.SMS)
    deliveries = list(Delivery.objects.filter(alert=alert).select_related("alert", "subscriber"))
    transport = get_transport("sms")
    assert isinstance(transport, CoreSmsTransport)

    (outcome,) = transport.send_batch(build_sms(deliveries))

    assert outcome.ok
    (sent,) = sms.outbox
    assert sent.to == people[0].phone
    assert sent.body.startswith("Road closed\nThe bridge is shut.\n")
    assert sent.reference == str(deliveries[0].token)


def test_sms_goes_through_notify_when_configured(settings):
    from openbeat.delivery.transports.notify_sms import NotifySmsTransport

    settings.SMS_BACKEND = "notify"
    assert isinstance(get_transport("sms"), NotifySmsTransport)


# --- PIPELINING (RFC 2920), against a server that answers from a script --------------------------------------


def _scripted(listener: socket.socket, script: list[tuple[bytes, bytes]], heard: list) -> None:
    """One session: it reads MAIL, RCPT and DATA before it answers any (a client that waits for the first
    reply would stall here), then the content or the command that clears the transaction."""
    connection, _ = listener.accept()
    with connection, connection.makefile("rb") as lines:
        connection.settimeout(5)
        connection.sendall(b"220 scripted ESMTP\r\n")
        lines.readline()
        connection.sendall(b"250-scripted\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        for replies, last in script:
            heard.append([lines.readline() for _ in range(3)])
            connection.sendall(replies)
            if replies.endswith(b"354 go ahead\r\n"):
                content = []
                while (line := lines.readline()) not in (b".\r\n", b""):
                    content.append(line)
                heard.append(b"".join(content))
            else:
                heard.append(lines.readline())
            connection.sendall(last)
        heard.append(lines.readline())
        connection.sendall(b"221 bye\r\n")


def test_a_server_that_offers_pipelining_gets_mail_rcpt_and_data_in_one_go(settings):
    settings.DEFAULT_FROM_EMAIL = "alerts@police.example"
    accepted = (b"250 ok\r\n250 ok\r\n354 go ahead\r\n", b"250 queued\r\n")
    script = [
        accepted,
        (b"250 ok\r\n550 5.1.1 no such user here\r\n554 no valid recipients\r\n", b"250 reset\r\n"),
        # DATA accepted although RCPT was refused: the client ends the empty message with the lone dot.
        (b"250 ok\r\n550 5.1.1 no such user here\r\n354 go ahead\r\n", b"554 no valid recipients\r\n"),
        accepted,
    ]
    heard: list = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        server = threading.Thread(target=_scripted, args=(listener, script, heard), daemon=True)
        server.start()
        options = {"host": "127.0.0.1", "port": listener.getsockname()[1], "timeout": 5}
        transport = SmtpTransport(connections=1, options=options)
        outcomes = list(transport.send_batch([_email(n) for n in range(1, 5)]))
        transport.close()
        server.join(5)
    assert [(o.ok, o.error and o.error.reason) for o in outcomes] == [
        (True, None),
        (False, "mailbox unavailable"),
        (False, "mailbox unavailable"),
        (True, None),
    ]
    assert outcomes[1].error.permanent  # 5xx
    for n in range(4):
        assert heard[2 * n] == [
            b"MAIL FROM:<alerts@police.example>\r\n",
            f"RCPT TO:<resident{n + 1}@example.com>\r\n".encode(),
            b"DATA\r\n",
        ]
    assert b"Subject: Alert 1\r\n" in heard[1]
    assert heard[3] == b"RSET\r\n"
    assert heard[5] == b""  # the lone dot: an empty message
    assert b"Subject: Alert 4\r\n" in heard[7]
    assert heard[8].lower() == b"quit\r\n"
    assert transport.sessions == 1


def test_a_session_the_server_closes_while_its_content_waits_for_the_record_fails_that_message_alone(settings):
    # Two sessions, served in this order. A: its first message's content is not answered yet. B: one message
    # accepted, then the next one's DATA is answered and, in the same packet, the server gives up (421). B's
    # content was waiting for the record of its first outcome (A is still busy, so no group was yielded).
    settings.DEFAULT_FROM_EMAIL = "alerts@police.example"
    heard: list = []

    def serve(listener: socket.socket) -> None:
        sessions = []
        for _ in range(2):
            connection, _ = listener.accept()
            lines = connection.makefile("rb")
            connection.settimeout(5)
            connection.sendall(b"220 scripted ESMTP\r\n")
            lines.readline()
            connection.sendall(b"250-scripted\r\n250 PIPELINING\r\n")
            heard.append([lines.readline() for _ in range(3)])
            sessions.append((connection, lines))
        (a, a_lines), (b, b_lines) = sessions
        for connection, lines in sessions:
            connection.sendall(b"250 ok\r\n250 ok\r\n354 go ahead\r\n")
            while lines.readline() not in (b".\r\n", b""):
                pass
        b.sendall(b"250 queued\r\n")
        heard.append([b_lines.readline() for _ in range(3)])
        b.sendall(b"250 ok\r\n250 ok\r\n354 go ahead\r\n421 4.4.2 closing: idle too long\r\n")
        b.close()
        a.sendall(b"250 queued\r\n")
        heard.append(a_lines.readline())
        a.sendall(b"221 bye\r\n")
        a.close()

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(2)
        server = threading.Thread(target=serve, args=(listener,), daemon=True)
        server.start()
        options = {"host": "127.0.0.1", "port": listener.getsockname()[1], "timeout": 5}
        transport = SmtpTransport(connections=2, options=options)
        outcomes = sorted(transport.send_batch([_email(n) for n in range(1, 4)]), key=lambda o: o.delivery_id)
        transport.close()
        server.join(5)
    assert [(o.ok, o.error and (o.error.permanent, o.error.reason)) for o in outcomes] == [
        (True, None),
        (True, None),
        (False, (False, "server busy")),
    ]
    assert heard[2][1] == b"RCPT TO:<resident3@example.com>\r\n"
    assert heard[3].lower() == b"quit\r\n"


# --- TLS and login: the sessions' sockets are driven without blocking, TLS records included ---------------

TLS = Path(__file__).parent / "tls"  # a self-signed certificate for localhost and 127.0.0.1, for tests only


class Secure(Mailbox):
    """A Mailbox that notes whether each message came over TLS and from a logged-in session."""

    def __init__(self) -> None:
        super().__init__()
        self.secured: list[tuple[bool, bool]] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.secured.append((server.transport.get_extra_info("ssl_object") is not None, session.authenticated))
        return await super().handle_DATA(server, session, envelope)


def _login(server, session, envelope, mechanism, auth_data):
    # handled=False: aiosmtpd answers a failure with its 535 (handled=True would leave the client waiting).
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"alerts", b"s3cret"), handled=False)


@pytest.fixture
def trusted(monkeypatch):
    # How a force trusts its relay's certificate: OpenSSL's default verify paths, which SSL_CERT_FILE sets.
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "localhost.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS / "localhost.pem", TLS / "localhost.key")
    return context


@pytest.mark.parametrize("password", ["s3cret", "wrong"])
def test_starttls_and_login_send_every_message_over_a_secured_session(trusted, password):
    handler = Secure()
    controller, port = _started(
        handler, tls_context=trusted, require_starttls=True, auth_required=True, authenticator=_login
    )
    options = {"host": "localhost", "port": port, "timeout": 5, "use_tls": True, "username": "alerts",
               "password": password}  # fmt: skip
    try:
        transport = SmtpTransport(connections=3, options=options)
        outcomes = list(transport.send_batch(_email(n) for n in range(40)))
        transport.close()
    finally:
        controller.stop()
    if password == "wrong":
        # Not the recipients' fault: temporary, so the batch goes again once the settings are mended.
        failures = {(o.ok, o.error.permanent, o.error.reason) for o in outcomes}
        assert failures == {(False, False, "authentication failed")}
        assert len(outcomes) == 40
        assert handler.envelopes == []
        return
    assert sorted(o.delivery_id for o in outcomes if o.ok) == list(range(40))
    assert sorted(handler.recipients) == sorted(f"resident{n}@example.com" for n in range(40))
    assert handler.secured == [(True, True)] * 40
    assert transport.sessions == 3


@pytest.mark.parametrize("implicit_tls", [True, False])
def test_large_messages_arrive_whole_through_small_socket_buffers(trusted, monkeypatch, implicit_tls):
    opened = smtplib.SMTP._get_socket

    def small_buffer(self, host, port, timeout):
        # A send buffer far smaller than a message, so each content goes in many partial writes.
        sock = opened(self, host, port, timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
        return sock

    monkeypatch.setattr(smtplib.SMTP, "_get_socket", small_buffer)
    handler = Secure()
    controller, port = _started(handler, **({"ssl_context": trusted} if implicit_tls else {}))
    big = "A line of an alert, long enough to need many TLS records and partial writes.\n" * 3000  # 240 kB
    options = {"host": "localhost", "port": port, "timeout": 5, "use_ssl": implicit_tls}
    try:
        transport = SmtpTransport(connections=2, options=options)
        emails = [OutgoingEmail(delivery_id=n, to=f"r{n}@example.com", subject="Big", text=big, html="<p>x</p>")
                  for n in range(6)]  # fmt: skip
        outcomes = list(transport.send_batch(emails))
        transport.close()
    finally:
        controller.stop()
    assert all(o.ok for o in outcomes)
    assert len(handler.envelopes) == 6
    assert handler.secured == [(implicit_tls, None)] * 6  # no login asked for
    assert all(big.replace("\n", "\r\n") in envelope.content.decode() for envelope in handler.envelopes)
