"""Alert email over SMTP: connections kept open across a batch, several in parallel, replies mapped to outcomes.

Each message is serialised by hand into one MIME string (multipart/alternative, both parts quoted-printable
UTF-8) and handed to smtplib's `sendmail`: the stdlib `email` package's generator costs far more per message
than the sending itself, and every part of an alert email is text we built.

Outcomes: the server accepting the message is delivered (for SMTP, "handed on"; bounces come back later
through the provider's webhooks). A 4xx reply, a refused connection or a timeout is a temporary failure (the
pipeline retries with backoff); a 5xx reply or an address we cannot send to is permanent, with a short
`reason` staff can group by. Errors never quote the recipient's address (servers often do).

With `connections` > 1, a batch is shared out over that many threads, each with its own connection, and
outcomes are yielded as they come (not in input order). Up to `connections` messages are then in flight at
once, which is what a worker killed mid-batch can leave unconfirmed.
"""

from __future__ import annotations

import binascii
import queue
import re
import secrets
import smtplib
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from email.header import Header
from email.utils import formatdate, parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings

from .base import Outcome, OutgoingEmail, OutgoingSms, TransportError

DEFAULT_CONNECTIONS = 4
# "=_" never occurs in quoted-printable text ("=" is always followed by hex or a line end): a safe boundary.
_BOUNDARY = "=_openbeat_" + secrets.token_hex(8)
# One @, nothing SMTP would read as syntax around it (quotes, comments, brackets, separators, whitespace):
# what `parseaddr(to)[1] == to` checked, at a fraction of its cost per message.
_PLAIN_ADDRESS = re.compile(r'[^\s<>()\[\]\\,;:@"]+@[^\s<>()\[\]\\,;:@"]+')
_DONE = object()

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


def _qp(text: str) -> bytes:
    return binascii.b2a_qp(text.replace("\r\n", "\n").replace("\n", "\r\n").encode(), istext=True)


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
    part = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    return b"".join(
        (
            "\r\n".join(head).encode(),
            f"\r\n\r\n--{_BOUNDARY}\r\n{part.format('plain')}".encode(),
            _qp(message.text),
            f"\r\n--{_BOUNDARY}\r\n{part.format('html')}".encode(),
            _qp(message.html),
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

    def send(self, sender: str, to: str, data: bytes) -> None:
        for attempt in (1, 2):
            try:
                if self.smtp is None:
                    self.smtp = self._open()
                self.smtp.sendmail(sender, [to], data)
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

    def _send_one(self, connection: SmtpConnection, message: OutgoingEmail) -> Outcome:
        try:
            to = _envelope_address(message.to)
            connection.send(self.sender, to, serialise(message, to=to))
        except TransportError as error:
            return Outcome(delivery_id=message.delivery_id, ok=False, error=error)
        return Outcome(delivery_id=message.delivery_id, ok=True, provider_id=message.headers.get("Message-ID", ""))

    def send_batch(self, messages: Iterable[OutgoingEmail] | Iterable[OutgoingSms]) -> Iterator[Outcome]:
        emails: Iterable[OutgoingEmail] = messages  # type: ignore[assignment]  # the email channel's transport
        if len(self.pool) == 1:
            for message in emails:
                yield self._send_one(self.pool[0], message)
            return
        yield from self._send_parallel(emails)

    def _send_parallel(self, messages: Iterable[OutgoingEmail]) -> Iterator[Outcome]:
        source = iter(messages)
        lock = threading.Lock()
        stop = threading.Event()
        results: queue.SimpleQueue[Any] = queue.SimpleQueue()

        def work(connection: SmtpConnection) -> None:
            try:
                while not stop.is_set():
                    with lock:
                        message = next(source, None)
                    if message is None:
                        break
                    results.put(self._send_one(connection, message))
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
                item = results.get()
                if item is _DONE:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item
        finally:
            # The caller stopped early (or a thread failed): let in-flight messages finish, take no new ones.
            stop.set()
            for thread in threads:
                thread.join()

    def close(self) -> None:
        for connection in self.pool:
            connection.close()
