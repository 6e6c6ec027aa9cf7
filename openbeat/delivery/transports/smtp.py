"""Alert email over SMTP: sessions kept open across batches, several at once driven by one thread.

Outcomes: the server accepting the message is delivered (for SMTP, "handed on"; bounces come back later
through the provider's webhooks). A 4xx reply, a refused connection or a timeout is a temporary failure (the
pipeline retries with backoff); a 5xx reply or an address we cannot send to is permanent, with a short
`reason` staff can group by. A session the server will not open (a refused greeting, failed STARTTLS or
login) is a temporary failure too, whatever its code: it is no fault of the recipient's, and the messages
go when the settings are mended. Errors never quote the recipient's address (servers often do).

Several sessions, one thread. The transport keeps `connections` SMTP sessions busy at once, all driven from
the caller's thread: each session's socket is non-blocking, one poll() waits for whichever server replies
next, and that reply moves its session's transaction on a step (MAIL, RCPT, DATA, the content). There is no
thread per connection: passing every reply between threads (locks, queues, the GIL) cost the sending
process more CPU than the SMTP conversation itself. Opening a session (greeting, EHLO, STARTTLS, AUTH) is
done blocking through smtplib, once per session; a session that cannot be opened takes no more messages
in that batch, and when none can, the batch's remaining messages fail at once with the same error. A
server that offers PIPELINING (RFC 2920) gets MAIL, RCPT and DATA in one write, which halves the round
trips per message: over a real network, where each round trip is milliseconds, that is what limits a
session's rate.

Outcomes are yielded grouped as `send_groups` describes (transports.base), and as late as they can be: a
session goes on through MAIL, RCPT and DATA for its next message while its last outcome waits, and the
group is yielded once a session needs it recorded (its next content, the step after which the server can
accept the message, waits for that), once it holds one outcome per session, or once nothing else is under
way. So each group is one statement for the caller, recording overlaps the round trips, and a worker
killed mid-batch leaves at most one accepted, unrecorded message per session.
"""

from __future__ import annotations

import math
import re
import select
import smtplib
import ssl
import time
from collections.abc import Iterator
from email.utils import parseaddr
from typing import Any

from django.conf import settings

from .base import Messages, Outcome, OutgoingEmail, TransportError
from .smtp_message import data_block, envelope_address, serialise

DEFAULT_CONNECTIONS = 8
_READ_SIZE = 65536

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
    "4.3.2": "server busy",
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
_AUTH_CODES = frozenset({530, 534, 535, 538})
_ENHANCED = re.compile(rb"\b([45]\.\d{1,3}\.\d{1,3})\b")
_NOT_ACCEPTING = re.compile(rb"\b4\.3\.2\b")
# A non-blocking socket that cannot read or write yet (a TLS socket may want either for either).
_NOT_READY = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


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


def _connection_error(error: BaseException) -> TransportError:
    if isinstance(error, ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        reason = "timeout"  # smtplib reports a reply that never came as a disconnection
    elif isinstance(error, smtplib.SMTPServerDisconnected):
        reason = "server disconnected"
    else:
        reason = "connection error"
    return TransportError(f"{type(error).__name__}: {error}"[:300], permanent=False, reason=reason)


def _session_error(error: smtplib.SMTPException) -> TransportError:
    """The server would not open a session for us: temporary, whatever the code (see the module's doc)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _connection_error(error)
    code = getattr(error, "smtp_code", 0)
    reply = getattr(error, "smtp_error", b"")
    text = f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}" if code else str(error)
    reason = "authentication failed" if code in _AUTH_CODES else "session refused"
    return TransportError(f"{type(error).__name__}: {text}"[:300], permanent=False, reason=reason)


# A session's steps through one message.
_IDLE, _MAIL, _RCPT, _DATA, _WAITING, _CONTENT, _RESET = range(7)
_EXPECTED = {_MAIL: (250,), _RCPT: (250, 251), _DATA: (354,), _CONTENT: (250,)}


class _Poller:
    """The open sessions' sockets, for one poll() over all of them."""

    def __init__(self) -> None:
        self.poll = select.poll()
        self.sessions: dict[int, SmtpSession] = {}

    def add(self, session: SmtpSession, fd: int) -> None:
        self.poll.register(fd, select.POLLIN)
        self.sessions[fd] = session

    def remove(self, fd: int) -> None:
        self.poll.unregister(fd)
        del self.sessions[fd]

    def want_write(self, fd: int, on: bool) -> None:
        self.poll.modify(fd, select.POLLIN | select.POLLOUT if on else select.POLLIN)

    def wait(self, seconds: float) -> list[tuple[SmtpSession, int]]:
        if not self.sessions:
            return []
        ready = self.poll.poll(max(0, math.ceil(seconds * 1000)))
        return [(self.sessions[fd], events) for fd, events in ready]


class SmtpSession:
    """One SMTP session: opened on first use, then stepped through each message as its replies arrive.

    `begin`, `readable`, `acknowledge` and `expire` each return the Outcome of the session's message when
    that step finished it, else None."""

    def __init__(self, options: dict[str, Any], poller: _Poller) -> None:
        self.options = options
        self.poller = poller
        self.timeout = float(options.get("timeout") or 30)
        self.sessions = 0
        self.smtp: smtplib.SMTP | None = None
        self.sock: Any = None
        self.fd = -1
        self.step = _IDLE
        self.deadline = math.inf
        self.inbuf = b""
        self.outbuf = b""
        self.writing = False
        # Outcomes this session reported that the caller has not yet recorded: no content goes while any are.
        self.unrecorded = 0
        self.broken: TransportError | None = None  # the session could not be opened, in this batch
        self.sender = self.to = self.provider_id = ""
        self.data = b""
        self.delivery_id = 0
        self.attempt = 0
        self.pipelined = False  # the server offers PIPELINING
        self.refusal: TransportError | None = None  # the first refusal in the message's transaction

    # --- the caller's side ---

    def begin(self, message: OutgoingEmail, sender: str) -> Outcome | None:
        self.delivery_id = message.delivery_id
        self.provider_id = message.headers.get("Message-ID", "")
        try:
            self.to = envelope_address(message.to)
        except TransportError as error:
            return self._failed(error)
        self.sender = sender
        self.data = data_block(serialise(message, to=self.to))
        self.attempt = 1
        return self._start()

    def refuse(self, message: OutgoingEmail, error: TransportError) -> Outcome:
        """A message this session fails without trying (none of the batch's sessions could be opened)."""
        return self._done(Outcome(delivery_id=message.delivery_id, ok=False, error=error))

    def readable(self, events: int) -> Outcome | None:
        """The poller says the socket can be read (or written, when output is waiting)."""
        if self.sock is None:
            return None  # dropped since the poll (its events are stale)
        if events & select.POLLOUT and self.outbuf:
            lost = self._flush()
            if lost is not None or self.sock is None or not events & ~select.POLLOUT:
                return lost
        try:
            chunk = self.sock.recv(_READ_SIZE)
            while isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():  # decrypted, not yet read
                chunk += self.sock.recv(_READ_SIZE)
        except _NOT_READY:
            return None
        except OSError as error:
            return self._lost(error)
        if not chunk:
            return self._lost(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
        self.inbuf += chunk
        outcome = None
        while self.sock is not None and (reply := self._reply()) is not None:
            outcome = self._on_reply(*reply) or outcome
        return outcome

    def acknowledge(self) -> Outcome | None:
        """The caller recorded one of this session's outcomes: content held for that may go now."""
        self.unrecorded -= 1
        if self.unrecorded == 0 and self.step == _WAITING:
            return self._send(self.data, _CONTENT)
        return None

    def expire(self, now: float) -> Outcome | None:
        if now < self.deadline:
            return None
        in_message = self.step not in (_IDLE, _RESET)
        self.drop()
        if in_message:
            return self._failed(TransportError("TimeoutError: no reply from the server", reason="timeout"))
        return None

    def close(self) -> None:
        """End the session politely (QUIT) if it is between messages, else drop it."""
        smtp, sock = self.smtp, self.sock
        if smtp is None:
            return
        if self.step != _IDLE:
            self.drop()
            return
        self._forget()
        try:
            sock.settimeout(self.timeout)
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def drop(self) -> None:
        """Close the socket without another word: a message without its final dot is discarded by the server."""
        smtp = self.smtp
        self._forget()
        if smtp is not None:
            smtp.close()

    # --- the conversation ---

    def _start(self) -> Outcome | None:
        if self.sock is None:
            try:
                self._open()
            except TransportError as error:
                self.broken = error
                return self._failed(error)
        self.refusal = None
        mail = f"MAIL FROM:<{self.sender}>\r\n"
        if self.pipelined:  # RFC 2920: MAIL, RCPT and DATA in one write, then their three replies
            mail += f"RCPT TO:<{self.to}>\r\nDATA\r\n"
        return self._send(mail.encode(), _MAIL)

    def _open(self) -> None:
        host = self.options.get("host", "localhost")
        port = int(self.options.get("port", 25))
        smtp: smtplib.SMTP
        try:
            if self.options.get("use_ssl"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=self.timeout)
        except smtplib.SMTPException as error:
            raise _session_error(error) from error
        except OSError as error:
            raise _connection_error(error) from error
        try:
            if self.options.get("use_tls"):
                smtp.starttls(context=ssl.create_default_context())
            if self.options.get("username"):
                smtp.login(self.options["username"], self.options.get("password", ""))
            smtp.ehlo_or_helo_if_needed()
        except smtplib.SMTPException as error:
            smtp.close()
            raise _session_error(error) from error
        except OSError as error:
            smtp.close()
            raise _connection_error(error) from error
        except BaseException:
            smtp.close()
            raise
        self.sessions += 1
        self.pipelined = smtp.has_extn("pipelining")
        self.smtp, self.sock = smtp, smtp.sock
        self.sock.setblocking(False)
        self.fd = self.sock.fileno()
        self.poller.add(self, self.fd)

    def _forget(self) -> None:
        if self.sock is not None:
            self.poller.remove(self.fd)
        self.smtp = self.sock = None
        self.fd = -1
        self.inbuf = self.outbuf = b""
        self.writing = False
        self.step = _IDLE
        self.deadline = math.inf

    def _send(self, data: bytes, step: int) -> Outcome | None:
        self.step = step
        self.deadline = time.monotonic() + self.timeout
        if self.outbuf:
            self.outbuf += data
            return None
        self.outbuf = data
        return self._flush()

    def _flush(self) -> Outcome | None:
        try:
            sent = self.sock.send(self.outbuf)
        except _NOT_READY:
            sent = 0
        except OSError as error:
            return self._lost(error)
        self.outbuf = self.outbuf[sent:]
        if bool(self.outbuf) != self.writing:  # rare: only output the socket's buffer could not take is polled for
            self.writing = not self.writing
            self.poller.want_write(self.fd, self.writing)
        return None

    def _reply(self) -> tuple[int, bytes] | None:
        """The next complete reply in the input, as (code, text); -1 for a reply that is not SMTP."""
        buf = self.inbuf
        start, lines = 0, []
        while (end := buf.find(b"\n", start)) >= 0:
            line = buf[start : end + 1].rstrip(b"\r\n")
            start = end + 1
            lines.append(line[4:])
            if line[3:4] != b"-":
                self.inbuf = buf[start:]
                code = int(line[:3]) if line[:3].isdigit() else -1
                return code, b"\n".join(lines)
        return None

    def _on_reply(self, code: int, text: bytes) -> Outcome | None:
        step = self.step
        if step in (_IDLE, _RESET):
            # RSET's reply (or the lone dot's, below); or, between messages, a server closing the session (421
            # on its idle timeout).
            if step == _IDLE or code == 421:
                self.drop()
            self.step, self.deadline = _IDLE, math.inf
            return None
        # A reply while the content waits for the record (_WAITING) is out of step: the server gave up on us.
        if code not in _EXPECTED.get(step, ()) and self.refusal is None:
            self.refusal = smtp_error(code, text, to=self.to)
            if code in (421, -1):  # the server is going away (or is not speaking SMTP): a new session next time
                self.drop()
                return self._failed(self.refusal)
            if _NOT_ACCEPTING.search(text):
                # X.3.2, "not accepting messages" (a relay's cap on concurrent sessions says so): this session
                # takes no more of the batch, the others carry on.
                self.drop()
                self.broken = self.refusal
                return self._failed(self.refusal)
        if step in (_MAIL, _RCPT):
            if self.pipelined:  # the next command is on its way already: so is its reply
                self.step = step + 1
                return None
            if self.refusal is None:
                return self._send(f"RCPT TO:<{self.to}>\r\n".encode() if step == _MAIL else b"DATA\r\n", step + 1)
        elif step == _DATA and code == 354:
            if self.refusal is not None:
                # A pipelined DATA accepted although MAIL or RCPT was refused: end the empty message.
                return self._refused(b".\r\n")
            if self.unrecorded:
                self.step, self.deadline = _WAITING, math.inf
                return None
            return self._send(self.data, _CONTENT)
        elif step == _CONTENT and code == 250:
            self.step, self.deadline = _IDLE, math.inf
            return self._done(Outcome(delivery_id=self.delivery_id, ok=True, provider_id=self.provider_id))
        return self._refused(b"RSET\r\n")

    def _refused(self, reset: bytes) -> Outcome:
        """The message was refused: clear the transaction (its reply ends the RESET step) and report it."""
        refusal = self.refusal or TransportError("Reply out of step", reason="server error")
        self._send(reset, _RESET)
        return self._failed(refusal)

    def _lost(self, error: BaseException) -> Outcome | None:
        """The connection broke. Mid-message, it is tried once more on a new session: dropped after the
        content, the message may have been taken, which is the single in-flight message that may repeat."""
        in_message = self.step not in (_IDLE, _RESET)
        self.drop()
        if not in_message:
            return None
        if self.attempt == 1:
            self.attempt = 2
            return self._start()
        return self._failed(TransportError(f"{type(error).__name__}: {error}"[:300], reason="server disconnected"))

    def _failed(self, error: TransportError) -> Outcome:
        return self._done(Outcome(delivery_id=self.delivery_id, ok=False, error=error))

    def _done(self, outcome: Outcome) -> Outcome:
        self.unrecorded += 1
        return outcome


class SmtpTransport:
    """Sends alert email through MAILERS["default"]'s SMTP server, over `connections` kept-open sessions."""

    channel = "email"

    def __init__(self, *, connections: int | None = None, options: dict[str, Any] | None = None) -> None:
        count = connections or int(getattr(settings, "DELIVERY_SMTP_CONNECTIONS", DEFAULT_CONNECTIONS))
        options = smtp_options() if options is None else options
        self.poller = _Poller()
        self.pool = [SmtpSession(options, self.poller) for _ in range(max(1, count))]
        self.sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    @property
    def sessions(self) -> int:
        """SMTP sessions opened so far (sessions reused across a batch open one each)."""
        return sum(session.sessions for session in self.pool)

    def send_batch(self, messages: Messages) -> Iterator[Outcome]:
        for group in self.send_groups(messages):
            yield from group

    def send_groups(self, messages: Messages) -> Iterator[list[Outcome]]:
        emails: Iterator[OutgoingEmail] = iter(messages)  # type: ignore[arg-type]  # the email channel's transport
        pool = self.pool
        pending: list[tuple[Outcome, SmtpSession]] = []
        exhausted = False
        for session in pool:
            session.broken = None
        self._settle()
        try:
            while True:
                if not exhausted:
                    exhausted = self._begin(emails, pending)
                moving = [s for s in pool if s.step not in (_IDLE, _WAITING)]
                if pending and (len(pending) >= len(pool) or not moving or any(s.step == _WAITING for s in pool)):
                    # Outcomes are recorded once a session needs that (its next content waits for it), a group is
                    # as large as it can be, or nothing else is under way: as few statements as can be.
                    done, pending = pending, []
                    yield [outcome for outcome, _ in done]
                    # The caller asked for more: it has recorded the group.
                    for _, session in done:
                        if (outcome := session.acknowledge()) is not None:
                            pending.append((outcome, session))
                    continue
                if not moving:  # and nothing pending (yielded above)
                    if exhausted:
                        return
                    continue
                for session, events in self.poller.wait(min(s.deadline for s in moving) - time.monotonic()):
                    if (outcome := session.readable(events)) is not None:
                        pending.append((outcome, session))
                now = time.monotonic()
                for session in moving:
                    if (outcome := session.expire(now)) is not None:
                        pending.append((outcome, session))
        finally:
            # The caller stopped early (or building a message failed): abandon the messages under way (their
            # servers discard them). Those already sent whole are the one per session that may repeat.
            for session in pool:
                if session.step != _IDLE:
                    session.drop()

    def _begin(self, emails: Iterator[OutgoingEmail], pending: list[tuple[Outcome, SmtpSession]]) -> bool:
        """Start the next messages on idle sessions; True once there are no more messages."""
        for session in self.pool:
            while session.step == _IDLE and session.broken is None:
                message = next(emails, None)
                if message is None:
                    return True
                if (outcome := session.begin(message, self.sender)) is not None:
                    pending.append((outcome, session))
        if all(session.broken is not None for session in self.pool):
            # No session will take messages (none could be opened, or the server is not accepting): the rest of
            # the batch fails now, as the last attempt did.
            session = self.pool[-1]
            for message in emails:
                pending.append((session.refuse(message, session.broken), session))  # type: ignore[arg-type]
            return True
        return False

    def _settle(self) -> None:
        """Read what idle sessions were sent since the last batch: a server that closed one, or said 421
        on its idle timeout, gets a new session rather than a failed message."""
        for session, events in self.poller.wait(0):
            session.readable(events)

    def close(self) -> None:
        for session in self.pool:
            session.close()
