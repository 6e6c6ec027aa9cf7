"""SMS transports behind one small interface: `get_sms_transport().send(to=..., body=..., reference=...)`.

`SMS_BACKEND` picks one: `file` (development: one file per message under var/sms/), `console`, `locmem`
(tests: messages collect in `sms.outbox`), or `notify` (GOV.UK Notify, with `NOTIFY_API_KEY` and
`NOTIFY_SMS_TEMPLATE_ID`, a template whose whole content is `((body))`). Modelled on healthchecks'
transports: a failure raises `TransportError`, `permanent=True` when trying again cannot help.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class SmsTransport(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str:
        """Send one SMS; return the provider's id for it."""
        ...


@dataclass
class SentSms:
    to: str
    body: str
    reference: str


# The locmem transport's outbox, like django.core.mail.outbox.
outbox: list[SentSms] = []


class LocmemSms:
    def send(self, *, to: str, body: str, reference: str) -> str:
        outbox.append(SentSms(to=to, body=body, reference=reference))
        return f"locmem-{len(outbox)}"


class ConsoleSms:
    def send(self, *, to: str, body: str, reference: str) -> str:
        print(f"SMS to {to} ({reference}):\n{body}\n")
        return f"console-{uuid.uuid4()}"


class FileSms:
    def send(self, *, to: str, body: str, reference: str) -> str:
        folder = Path(settings.VAR_DIR) / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        message_id = f"file-{uuid.uuid4()}"
        record = {"to": to, "body": body, "reference": reference, "at": timezone.now().isoformat()}
        (folder / f"{timezone.now():%Y%m%d-%H%M%S}-{message_id}.json").write_text(json.dumps(record, indent=2))
        return message_id


class NotifySms:
    def __init__(self) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        kwargs = {"base_url": settings.NOTIFY_BASE_URL} if settings.NOTIFY_BASE_URL else {}
        self.client = NotificationsAPIClient(settings.NOTIFY_API_KEY, **kwargs)
        self.template_id = settings.NOTIFY_SMS_TEMPLATE_ID

    def send(self, *, to: str, body: str, reference: str) -> str:
        from notifications_python_client.errors import HTTPError

        try:
            response = self.client.send_sms_notification(
                phone_number=to, template_id=self.template_id, personalisation={"body": body}, reference=reference
            )
        except HTTPError as error:
            # Notify answers 400 for a bad number or template and 403 for a bad key: retrying will not help.
            permanent = getattr(error, "status_code", 500) in (400, 403)
            raise TransportError(f"Notify refused the SMS: {error}", permanent=permanent) from error
        except Exception as error:  # connection errors and timeouts from requests
            raise TransportError(f"Notify could not be reached: {error}") from error
        return str(response["id"])


_TRANSPORTS: dict[str, Callable[[], SmsTransport]] = {
    "locmem": LocmemSms,
    "console": ConsoleSms,
    "file": FileSms,
    "notify": NotifySms,
}


def get_sms_transport() -> SmsTransport:
    try:
        return _TRANSPORTS[settings.SMS_BACKEND]()
    except KeyError as error:
        raise ValueError(f"Unknown SMS_BACKEND {settings.SMS_BACKEND!r}: one of {sorted(_TRANSPORTS)}") from error
