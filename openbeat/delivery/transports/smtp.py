"""Alert email over SMTP: connections kept open across a batch, several in parallel, replies mapped to outcomes.

Each message is serialised by hand into one MIME string (multipart/alternative, both parts UTF-8, each sent
as it is when it is plain ASCII with short lines, else quoted-printable) and sent with smtplib's commands:
the stdlib `email` package's generator costs far more per message than the sending itself, and every part
of an alert email is text we built.

Outcomes: the server accepting the message is delivered (for SMTP, "handed on"; bounces come back later
through the provider's webhooks). A 4xx reply, a refused connection or a timeout is a temporary failure (the
pipeline retries with backoff); a 5xx reply or an address we cannot send to is permanent, with a short
`reason` staff can group by. Errors never quote the recipient's address (servers often do).

With `connections` > 1, a batch is shared out over that many threads, each with its own connection, and
outcomes are yielded as they come (not in input order), grouped as `send_groups` describes (transports.base).
A connection goes through MAIL, RCPT and DATA for its next message while the caller records its last
outcome, and waits for that record only before sending the message's content, the step after which the
server can accept it. Recording thus overlaps the SMTP round trips instead of adding to them, and a worker
killed mid-batch still leaves at most one accepted, unrecorded message per connection.
"""

from __future__ import annotations

import binascii
import contextlib
import queue
import re
import secrets
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from email.header import Header
from email.utils import formatdate, parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings

from .base import Messages, Outcome, OutgoingEmail, TransportError

DEFAULT_CONNECTIONS = 4
# "=_" never occurs in quoted-printable text ("=" is always followed by hex or a line end), and a part sent
# as it is must not contain it (_part): a safe boundary.
_BOUNDARY = "=_openbeat_" + secrets.token_hex(8)
_PART_HEAD = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: {}\r\n\r\n'
_MAX_LINE = 998  # octets, without the CRLF (RFC 5322)
# One @, nothing SMTP would read as syntax around it (quotes, comments, brackets, separators, whitespace):
# what `parseaddr(to)[1] == to` checked, at a fraction of its cost per message.
_PLAIN_ADDRESS = re.compile(r'[^\s<>()\[\]\\,;:@"]+@[^\s<>()\[\]\\,;:@"]+')
_DONE = object()
# How long the first outcome of a group waits for the other connections' (see _gather).
GATHER_SECONDS = 0.001
_STOP_POLL_SECONDS = 0.05

# Enhanced status codes (RFC 3463) say more than the basic reply code: read them first.
_ENHANCED_REASONS = {
    "5.1.1": "mailbox unavailable",
    "5.1.2": "invalid address",
    "5.1.3": "invalid address",
    "5.1.6": "mailbox unavailable",
    "5.1.10": "mailbox unavailable",
    "5.2.1": "mailbox disabled",
    "5.2.2": "mailbox full",
    "5.7.1": "rejected by policy",
    "4.2.2": "mailbox full",
}
_CODE_REASONS = {
    421: "server busy",
    450: "mailbox busy",
    451: "server error",
    452: "mailbox full",
    501: "invalid address",
    550: "mailbox unavailable",
    551: "mailbox unavailable",
    552: "mailbox full",
    553: "invalid address",
    554: "rejected",
}
_ENHANCED = re.compile(rb"\b([45]\.\d{1,3}\.\d{1,3})\b")


def smtp_options() -> dict[str, Any]:
    return dict(settings.MAILERS["default"].get("OPTIONS", {}))


def smtp_error(code: int, reply: bytes, *, to: str = "") -> TransportError:
    """A TransportError for an SMTP reply: 5xx permanent, anything else temporary."""
    enhanced = _ENHANCED.search(reply)
    reason = (enhanced and _ENHANCED_REASONS.get(enhanced.group(1).decode())) or _CODE_REASONS.get(code, "")
    permanent = 500 <= code < 600
    text = f"{code} {reply.decode(errors='replace')}"
    if to:
        text = re.sub(re.escape(to), "[recipient]", text, flags=re.IGNORECASE)
    return TransportError(text[:300], permanent=permanent, reason=reason or ("rejected" if permanent else "deferred"))


def _connection_error(error: OSError) -> TransportError:
    if isinstance(error, ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        reason = "timeout"  # smtplib reports a reply that never came as a disconnection
    elif isinstance(error, smtplib.SMTPServerDisconnected):
        reason = "server disconnected"
    else:
        reason = "connection error"
    return TransportError(f"{type(error).__name__}: {error}"[:300], permanent=False, reason=reason)


@lru_cache(maxsize=256)
def _encoded_header(value: str) -> str:
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name="Subject").encode()


def _envelope_address(to: str) -> str:
    """The address as SMTP can carry it (IDN domains in punycode), or a permanent 'invalid address'."""
    local, at, domain = to.rpartition("@")
    if not at or not local or not domain or not _PLAIN_ADDRESS.fullmatch(to):
        raise TransportError("Invalid address", permanent=True, reason="invalid address")
    if not local.isascii():
        raise TransportError("Address needs SMTPUTF8", permanent=True, reason="invalid address")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise TransportError("Invalid domain", permanent=True, reason="invalid address") from error
    return f"{local}@{domain}"


def _part(text: str) -> tuple[str, bytes]:
    """A body part's transfer encoding and bytes: as it is (7bit) when it can go so, else quoted-printable.

    Most alerts are ASCII with short lines, and the markup of the HTML part always is: sending such a part
    as it stands is what RFC 2045 prefers, and saves encoding every message. Anything else (accented
    letters, a line over SMTP's 998 octets, a bare CR, a NUL, our boundary) is quoted-printable."""
    text = text.replace("\r\n", "\n")
    if (
        text.isascii()
        and "\r" not in text
        and "\0" not in text
        and _BOUNDARY not in text
        and max(map(len, text.split("\n"))) <= _MAX_LINE
    ):
        return "7bit", text.replace("\n", "\r\n").encode("ascii")
    return "quoted-printable", binascii.b2a_qp(text.replace("\n", "\r\n").encode(), istext=True)


_date_cache: list[Any] = [0, ""]


def _date() -> str:
    # One formatted Date per second is plenty: formatting it for each message would cost more than the rest.
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return str(_date_cache[1])


def serialise(message: OutgoingEmail, *, to: str) -> bytes:
    """The whole message as bytes (CRLF line ends), ready for `sendmail`."""
    head = [f"To: {to}", f"Subject: {_encoded_header(message.subject)}", f"Date: {_date()}"]
    head += [f"{name}: {_encoded_header(value)}" for name, value in message.headers.items()]
    head += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{_BOUNDARY}"']
    text_encoding, text = _part(message.text)
    html_encoding, html = _part(message.html)
    return b"".join(
        (
            "\r\n".join(head).encode(),
            f"\r\n\r\n--{_BOUNDARY}\r\n{_PART_HEAD.format('plain', text_encoding)}".encode(),
            text,
            f"\r\n--{_BOUNDARY}\r\n{_PART_HEAD.format('html', html_encoding)}".encode(),
            html,
            f"\r\n--{_BOUNDARY}--\r\n".encode(),
        )
    )


class SmtpConnection:
    """One SMTP session, opened on first use and reopened once if the server has dropped it."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.smtp: smtplib.SMTP | None = None
        self.sessions = 0

    def _open(self) -> smtplib.SMTP:
        host = self.options.get("host", "localhost")
        port = int(self.options.get("port", 25))
        timeout = self.options.get("timeout") or 30
        smtp: smtplib.SMTP
        if self.options.get("use_ssl"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if self.options.get("use_tls"):
                smtp.starttls(context=ssl.create_default_context())
            if self.options.get("username"):
                smtp.login(self.options["username"], self.options.get("password", ""))
        except BaseException:
            smtp.close()
            raise
        self.sessions += 1
        return smtp

    def send(self, sender: str, to: str, data: bytes, *, before_content: Callable[[], bool] | None = None) -> None:
        """One message. `before_content` is called once the server is ready for the content; False abandons
        the message (the session is dropped without the final dot, so the server discards it)."""
        for attempt in (1, 2):
            try:
                if self.smtp is None:
                    self.smtp = self._open()
                self._transaction(self.smtp, sender, to, data, before_content)
                return
            except smtplib.SMTPServerDisconnected as error:
                # Servers close idle sessions: reconnect once. Dropped during DATA, the message may have
                # been taken, which is the single in-flight message the pipeline documents may repeat.
                self.close()
                if attempt == 2:
                    raise _connection_error(error) from error
            except smtplib.SMTPRecipientsRefused as error:
                code, reply = next(iter(error.recipients.values()))
                raise smtp_error(code, reply, to=to) from error
            except smtplib.SMTPResponseException as error:
                reply = error.smtp_error if isinstance(error.smtp_error, bytes) else str(error.smtp_error).encode()
                if error.smtp_code in (421, -1):  # the server is going away: start a new session next time
                    self.close()
                raise smtp_error(error.smtp_code, reply, to=to) from error
            except OSError as error:
                self.close()
                raise _connection_error(error) from error

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _transaction(
        self, smtp: smtplib.SMTP, sender: str, to: str, data: bytes, before_content: Callable[[], bool] | None
    ) -> None:
        # smtplib's sendmail, split so the caller can act between DATA's go-ahead and the content.
        smtp.ehlo_or_helo_if_needed()
        # The addresses are plain already (_envelope_address, parseaddr): smtplib's mail() and rcpt() would
        # parse each again, which costs more than the command itself.
        code, reply = smtp.docmd("mail", f"FROM:<{sender}>")
        if code != 250:
            self._reset(smtp, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = smtp.docmd("rcpt", f"TO:<{to}>")
        if code not in (250, 251):
            self._reset(smtp, code)
            raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
        code, reply = smtp.docmd("data")
        if code != 354:
            self._reset(smtp, code)
            raise smtplib.SMTPDataError(code, reply)
        if before_content is not None and not before_content():
            self.smtp = None
            smtp.close()
            raise Abandoned()
        # Dot-stuffing (RFC 5321 4.5.2), what smtplib's (?m)^\. substitution does, without scanning with a regex.
        content = data.replace(b"\n.", b"\n..")
        if content.startswith(b"."):
            content = b"." + content
        if not content.endswith(b"\r\n"):
            content += b"\r\n"
        smtp.send(content + b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            self._reset(smtp, code)
            raise smtplib.SMTPDataError(code, reply)

    def _reset(self, smtp: smtplib.SMTP, code: int) -> None:
        if code == 421:
            return  # the server is closing the session: the error handler drops it
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            smtp.rset()


class Abandoned(Exception):
    """A message given up before its content was sent (the caller stopped): the server discarded it."""


def _gather(results: queue.SimpleQueue[Any], *, busy: int) -> list[Any]:
    """The next group: one item, then whatever the other connections report within GATHER_SECONDS.

    Recording four outcomes in one statement and commit costs the database little more than recording one
    (on PostgreSQL a commit per row was a third of the pipeline's CPU). The wait costs the connections
    nothing until they reach their next message's content, three round trips later, and it ends as soon
    as every busy connection has reported."""
    items = [results.get()]
    deadline = time.monotonic() + GATHER_SECONDS
    while len(items) < busy:
        remaining = deadline - time.monotonic()
        try:
            items.append(results.get(timeout=remaining) if remaining > 0 else results.get_nowait())
        except queue.Empty:
            break
    return items


class SmtpTransport:
    """Sends alert email through MAILERS["default"]'s SMTP server, over `connections` kept-open sessions."""

    channel = "email"

    def __init__(self, *, connections: int | None = None, options: dict[str, Any] | None = None) -> None:
        count = connections or int(getattr(settings, "DELIVERY_SMTP_CONNECTIONS", DEFAULT_CONNECTIONS))
        options = smtp_options() if options is None else options
        self.pool = [SmtpConnection(options) for _ in range(max(1, count))]
        self.sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    @property
    def sessions(self) -> int:
        """SMTP sessions opened so far (connections reused across a batch open one each)."""
        return sum(connection.sessions for connection in self.pool)

    def _send_one(
        self, connection: SmtpConnection, message: OutgoingEmail, before_content: Callable[[], bool] | None = None
    ) -> Outcome:
        try:
            to = _envelope_address(message.to)
            connection.send(self.sender, to, serialise(message, to=to), before_content=before_content)
        except TransportError as error:
            return Outcome(delivery_id=message.delivery_id, ok=False, error=error)
        return Outcome(delivery_id=message.delivery_id, ok=True, provider_id=message.headers.get("Message-ID", ""))

    def send_batch(self, messages: Messages) -> Iterator[Outcome]:
        for group in self.send_groups(messages):
            yield from group

    def send_groups(self, messages: Messages) -> Iterator[list[Outcome]]:
        emails: Iterable[OutgoingEmail] = messages  # type: ignore[assignment]  # the email channel's transport
        if len(self.pool) == 1:
            for message in emails:
                yield [self._send_one(self.pool[0], message)]
            return
        yield from self._send_parallel(emails)

    def _send_parallel(self, messages: Iterable[OutgoingEmail]) -> Iterator[list[Outcome]]:
        source = iter(messages)
        lock = threading.Lock()
        stop = threading.Event()
        results: queue.SimpleQueue[Any] = queue.SimpleQueue()

        def work(connection: SmtpConnection) -> None:
            # Released once the caller has recorded this connection's last outcome. A held Lock, not an Event:
            # it is made, waited on and released for every message, and an Event's Condition costs several
            # times as much in Python code.
            recorded: threading.Lock | None = None

            def before_content() -> bool:
                nonlocal recorded
                # Polled for `stop` too: an outcome still in the queue when the caller stopped is never
                # acknowledged.
                while recorded is not None and not recorded.acquire(timeout=_STOP_POLL_SECONDS):
                    if stop.is_set():
                        return False
                recorded = None  # acknowledged (a retry of the same message does not wait again)
                return not stop.is_set()

            try:
                while not stop.is_set():
                    with lock:
                        message = next(source, None)
                    if message is None:
                        break
                    try:
                        outcome = self._send_one(connection, message, before_content)
                    except Abandoned:
                        break
                    recorded = threading.Lock()
                    recorded.acquire()
                    results.put((outcome, recorded))
            except BaseException as error:  # a bug, not an SMTP reply: re-raised in the caller's thread
                results.put(error)
            finally:
                results.put(_DONE)

        threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in self.pool]
        for thread in threads:
            thread.start()
        finished = 0
        try:
            while finished < len(threads):
                items = _gather(results, busy=len(threads) - finished)
                group: list[Outcome] = []
                acknowledge: list[threading.Lock] = []
                for item in items:
                    if item is _DONE:
                        finished += 1
                    elif isinstance(item, BaseException):
                        raise item
                    else:
                        group.append(item[0])
                        acknowledge.append(item[1])
                if group:
                    yield group
                    # The caller asked for more: it has recorded the group.
                    for held in acknowledge:
                        held.release()
        finally:
            # The caller stopped early (or a thread failed): take no new message, and abandon those waiting
            # for an acknowledgement that will not come (their servers discard them).
            stop.set()
            for thread in threads:
                thread.join()

    def close(self) -> None:
        for connection in self.pool:
            connection.close()
