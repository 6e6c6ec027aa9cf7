"""An alert email as SMTP carries it: the envelope address, and the whole message serialised by hand.

Each message is serialised into one MIME string (multipart/alternative, both parts UTF-8, each sent as it is
when it is plain ASCII with short lines, else quoted-printable): the stdlib `email` package's generator costs
far more per message than the sending itself, and every part of an alert email is text we built.
"""

from __future__ import annotations

import binascii
import re
import secrets
import time
from email.header import Header
from email.utils import formatdate
from functools import lru_cache
from typing import Any

from .base import OutgoingEmail, TransportError

# "=_" never occurs in quoted-printable text ("=" is always followed by hex or a line end), and a part sent
# as it is must not contain it (_part): a safe boundary.
_BOUNDARY = "=_openbeat_" + secrets.token_hex(8)
_PART_HEAD = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: {}\r\n\r\n'
_MAX_LINE = 998  # octets, without the CRLF (RFC 5322)
# One @, nothing SMTP would read as syntax around it (quotes, comments, brackets, separators, whitespace):
# what `parseaddr(to)[1] == to` checked, at a fraction of its cost per message.
_PLAIN_ADDRESS = re.compile(r'[^\s<>()\[\]\\,;:@"]+@[^\s<>()\[\]\\,;:@"]+')


@lru_cache(maxsize=256)
def _encoded_header(value: str) -> str:
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name="Subject").encode()


def envelope_address(to: str) -> str:
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


def data_block(message: bytes) -> bytes:
    """The message as DATA sends it: dot-stuffed (RFC 5321 4.5.2), ending in CRLF and the lone dot.

    What smtplib's (?m)^\\. substitution does, without scanning with a regex."""
    content = message.replace(b"\n.", b"\n..")
    if content.startswith(b"."):
        content = b"." + content
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    return content + b".\r\n"
