"""Logs as JSON lines, each with the request's id, and never a resident's email address, phone number or postcode.

- `RequestIdMiddleware` gives each request an id: the one the force's proxy sent (X-Request-ID, when it looks like
  an id), else a new one; it is returned in the response's X-Request-ID, so a resident's "reference" from an
  error page or a proxy's log line finds the application's lines.
- `RequestIdFilter` adds it to every record logged while the request runs (a context variable: right for threads
  and for async code alike).
- The formatters (JSON lines by default, LOG_FORMAT=text for plain lines) replace, in the finished line with its
  traceback, what looks like an email address, a UK phone number or a UK postcode; a guard for the code that
  forgets, not a licence to log personal data (openbeat/core/tests/test_logs.py).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as JsonFormatterBase

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

# An address starts where a run of the characters it may hold starts (the lookbehind): without it, a long run with
# no "@" (a URL-encoded query) was tried again from each of its characters, in time that grew with the square of
# its length (a 200 KB query string took a minute). The same addresses match.
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# UK numbers: +44 or 0, then 9 or 10 digits, spaces, dots or dashes between.
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?|0)(?:\d[\s.-]?){9,10}(?!\w)")
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", re.IGNORECASE)


# A log line is cut to this once scrubbed (cut first, an address across the cut would be logged in part): nobody
# reads past this much of a line, and a 200 KB query string should not make a 200 KB log line.
SCRUB_MAX_CHARS = 8192


def scrub(text: str) -> str:
    text = POSTCODE.sub("[postcode]", PHONE.sub("[phone]", EMAIL.sub("[email]", text)))
    if len(text) > SCRUB_MAX_CHARS:
        text = f"{text[:SCRUB_MAX_CHARS]}… [{len(text) - SCRUB_MAX_CHARS} more characters not logged]"
    return text


def request_id_for(sent: str) -> str:
    """The proxy's id when it looks like one, else a new one."""
    return sent if _SAFE_ID.fullmatch(sent) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = request_id_for(request.headers.get("X-Request-ID", ""))
        # Not reset on the way out: Django logs a 4xx or 5xx response (django.request) after the middleware has
        # returned, and that line must carry the id too. The next request in this thread sets its own.
        request_id.set(value)
        response = self.get_response(request)
        response["X-Request-ID"] = value
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """Plain lines (LOG_FORMAT=text, for development), scrubbed of personal data, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class JsonFormatter(JsonFormatterBase):
    """One JSON object per line: time, level, logger, message, request_id (and any `extra`), scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))
