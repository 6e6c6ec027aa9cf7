"""The whole suite's guard against personal data in logs (issue 23): a test fails when a log record it caused
carries what looks like an email address, a UK phone number or a UK postcode.

The formatters scrub such text from every finished line (openbeat.core.logs), but that is a guard for the code
that forgets, not a licence: this looks at the record as the code wrote it (its message, arguments and
traceback), before any scrubbing, so code that logs a resident's details fails its own tests. The force's own
sending addresses (settings.DEFAULT_FROM_EMAIL, SERVER_EMAIL) are not personal data and are allowed.

A test that logs such text on purpose (to test the scrubbing itself) says so with
`@pytest.mark.personal_data_in_logs`.
"""

from __future__ import annotations

import logging
import threading
from email.utils import parseaddr

from openbeat.core.logs import EMAIL, PHONE, POSTCODE

# Loggers that are not OpenBeat's: aiosmtpd, the real SMTP server the tests stand in for the force's mail server,
# logs every envelope's sender and recipients at INFO. In production that server is the force's own.
NOT_OURS = frozenset({"mail.log"})

_KINDS = (("an email address", EMAIL), ("a phone number", PHONE), ("a postcode", POSTCODE))


def _allowed_addresses() -> set[str]:
    from django.conf import settings

    return {
        parseaddr(str(getattr(settings, name, "")))[1].lower()
        for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL")
        if getattr(settings, name, "")
    }


def personal_data_in(text: str, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """What kinds of personal data the text holds (empty: none)."""
    found = []
    for kind, pattern in _KINDS:
        matches = pattern.findall(text)
        if kind == "an email address":
            matches = [m for m in matches if m.lower() not in allowed]
        if matches:
            found.append(kind)
    return found


class PersonalDataCatcher(logging.Handler):
    """Attached to the root logger for one test: notes every record that carries personal data."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.allowed = _allowed_addresses()
        self.caught: list[str] = []
        self._lock_caught = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in NOT_OURS:
            return
        if record.name == "django.request" and isinstance(record.args, tuple) and len(record.args) == 2:
            # Django's "Not Found: <path>" names the path a client asked for, which OpenBeat never builds from
            # personal data (a finder's postcode goes in the query string, which Django does not log): what
            # looks like a postcode there is the fuzz tests' random paths. The reason is still checked.
            record = logging.makeLogRecord({**record.__dict__, "args": (record.args[0], "<path>")})
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its message: check both as they are
            text = f"{record.msg} {record.args}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        kinds = personal_data_in(text, self.allowed)
        if kinds:
            with self._lock_caught:
                self.caught.append(f"{record.name} {record.levelname} logged {' and '.join(kinds)}: {_excerpt(record)}")


def _excerpt(record: logging.LogRecord) -> str:
    # The test data's details are not real, but the excerpt stays scrubbed all the same: it says where, not what.
    from openbeat.core.logs import scrub

    return scrub(str(record.msg))[:200]
