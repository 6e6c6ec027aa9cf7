"""A local stand-in for GOV.UK Notify's SMS API, so the real notifications-python-client can be tested end to end.

What it implements, from Notify's REST API documentation (docs.notifications.service.gov.uk/rest-api.html) and
its API's authentication code:

- Authentication: `Authorization: Bearer <JWT>`, the JWT signed HS256 with the secret part of an API key
  (`{key_name}-{service_id}-{secret}`, both UUIDs), `iss` = the service id, `iat` within 30 seconds of now.
  The signature is checked here by hand (hmac), not with the client's own library, so a client that signed
  wrongly would be caught. Failures answer 401/403 `AuthError`.
- `POST /v2/notifications/sms` with `phone_number`, `template_id`, optional `personalisation` and `reference`:
  schema errors answer 400 `ValidationError` (`phone_number Not a UK mobile number`, `template_id is not a
  valid UUID`, `... is a required property`); an unknown template or missing placeholders 400
  `BadRequestError`; success 201 with `id`, `reference`, `content{body, from_number}`, `uri`,
  `template{id, version, uri}`, `scheduled_for`. Every error body is `{"status_code": N, "errors": [{"error":
  "<Type>", "message": "..."}]}`.
- `GET /v2/notifications/{id}`: 200 with the notification and its `status`, 400 for an id that is not a UUID,
  404 `NoResultFound` for an unknown one.
- Limits: 429 `RateLimitError` past `rate_limit` requests per `rate_window` seconds, 429 `TooManyRequestsError`
  past `daily_limit` messages.

It behaves like a service using a *test* key: nothing is sent, each status request moves a message one step
along created → sending → delivered, except 07700900003 (ends `temporary-failure`) and 07700900002
(`permanent-failure`); the smoke-test numbers 07700900000/111/222 are accepted but not kept. The service may
not send to international numbers, so a non-UK number fails validation. Notify's prefixing of the service
name to the text is not reproduced. `fail_next(status)` makes the next requests fail as Notify would when it
is in trouble (500 `Exception`, 429 `RateLimitError`, ...).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# The template OpenBeat's NotifySms transport expects: its whole content is one placeholder.
BODY_TEMPLATE_ID = "0b7c5c1e-8a4d-4c55-9f57-3d2a6f0e1b21"

SMOKE_TEST_NUMBERS = {"447700900000", "447700900111", "447700900222"}
FINAL_STATUS_FOR_NUMBER = {"447700900003": "temporary-failure", "447700900002": "permanent-failure"}
SMS_MAX_LENGTH = 918  # six fragments of GSM text, Notify's limit
JWT_BOUND_SECONDS = 30
PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


class NotifyError(Exception):
    def __init__(self, status_code: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = {"status_code": status_code, "errors": [{"error": error, "message": message}]}


FAILURES = {
    429: ("RateLimitError", "Exceeded rate limit for key type TEST of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status_code: int = 0


@dataclass
class Notification:
    id: str
    phone_number: str
    template_id: str
    template_version: int
    personalisation: dict[str, Any]
    reference: str | None
    body: str
    created_at: datetime
    status: str = "created"
    sent_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass
class NotifyStandIn:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    sms_sender: str = "OpenBeat"
    templates: dict[str, str] = field(default_factory=lambda: {BODY_TEMPLATE_ID: "((body))"})
    rate_limit: int = 3000
    rate_window: float = 60.0
    daily_limit: int = 250_000
    requests: list[ReceivedRequest] = field(default_factory=list)
    notifications: dict[str, Notification] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._forced: deque[int] = deque()
        self._recent: deque[float] = deque()
        self._accepted_today = 0
        self._server: ThreadingHTTPServer | None = None

    # --- for tests -------------------------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return f"openbeat_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def sent(self) -> list[Notification]:
        """Messages accepted, oldest first (smoke-test numbers excluded, as Notify does not keep them)."""
        with self._lock:
            return list(self.notifications.values())

    def fail_next(self, status_code: int, times: int = 1) -> None:
        """Answer the next `times` requests with Notify's error for `status_code` (500, 429...)."""
        with self._lock:
            self._forced.extend([status_code] * times)

    def set_status(self, notification_id: str, status: str) -> None:
        with self._lock:
            self.notifications[notification_id].status = status

    def start(self) -> NotifyStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="notify-standin", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- the API ---------------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        record = ReceivedRequest(method=method, path=path, headers=headers, body=_json_or_text(raw))
        with self._lock:
            self.requests.append(record)
            try:
                status, body = self._route(method, path, headers, record.body)
            except NotifyError as error:
                status, body = error.status_code, error.body
            record.status_code = status
        return status, body

    def _route(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        path = path.split("?", 1)[0].rstrip("/")
        if method == "POST" and path == "/v2/notifications/sms":
            self._authenticate(headers)
            self._admit()
            return 201, self._send_sms(body)
        if method == "GET" and path.startswith("/v2/notifications/"):
            self._authenticate(headers)
            self._admit()
            return 200, self._status(path.rsplit("/", 1)[1])
        return 404, {"result": "error", "message": "The requested URL was not found on the server."}

    def _authenticate(self, headers: dict[str, str]) -> None:
        header = headers.get("authorization", "")
        if not header:
            raise NotifyError(401, "AuthError", "Unauthorized: authentication token must be provided")
        if header[:7].title() != "Bearer ":
            raise NotifyError(401, "AuthError", "Unauthorized: authentication bearer scheme must be used")
        claims = _verify_hs256(header[7:], secrets_for={self.service_id: [self.secret]})
        now = time.time()
        iat = claims["iat"]
        if not isinstance(iat, int | float) or abs(now - iat) > JWT_BOUND_SECONDS:
            raise NotifyError(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")

    def _admit(self) -> None:
        if self._forced:
            status = self._forced.popleft()
            error, message = FAILURES.get(status, ("Exception", "Internal server error"))
            raise NotifyError(status, error, message)
        now = time.monotonic()
        while self._recent and now - self._recent[0] > self.rate_window:
            self._recent.popleft()
        if len(self._recent) >= self.rate_limit:
            raise NotifyError(
                429,
                "RateLimitError",
                f"Exceeded rate limit for key type TEST of {self.rate_limit} requests per {self.rate_window:g} seconds",
            )
        self._recent.append(now)

    def _send_sms(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise NotifyError(400, "BadRequestError", "Invalid JSON supplied in POST data")
        for name in ("phone_number", "template_id"):
            if name not in body:
                raise NotifyError(400, "ValidationError", f"{name} is a required property")
        if not isinstance(body["template_id"], str) or not UUID_PATTERN.match(body["template_id"]):
            raise NotifyError(400, "ValidationError", "template_id is not a valid UUID")
        if not isinstance(body["phone_number"], str):
            raise NotifyError(400, "ValidationError", f"phone_number {body['phone_number']!r} is not of type string")
        number = _uk_mobile(body["phone_number"])
        reference = body.get("reference")
        if reference is not None and not isinstance(reference, str):
            raise NotifyError(400, "ValidationError", f"reference {reference!r} is not of type string")
        personalisation = body.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            raise NotifyError(400, "ValidationError", "personalisation is not of type object")
        template_id = body["template_id"].lower()
        if template_id not in self.templates:
            raise NotifyError(400, "BadRequestError", "Template not found")
        content = self.templates[template_id]
        missing = [name for name in dict.fromkeys(PLACEHOLDER.findall(content)) if name not in personalisation]
        if missing:
            raise NotifyError(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        text = PLACEHOLDER.sub(lambda m: str(personalisation[m.group(1)]), content)
        if len(text) > SMS_MAX_LENGTH:
            raise NotifyError(
                400,
                "BadRequestError",
                f"Text messages cannot be longer than {SMS_MAX_LENGTH} characters. "
                f"Your message is {len(text)} characters long.",
            )
        if self._accepted_today >= self.daily_limit:
            raise NotifyError(429, "TooManyRequestsError", f"Exceeded send limits ({self.daily_limit}) for today")
        self._accepted_today += 1
        notification = Notification(
            id=str(uuid.uuid4()),
            phone_number=number,
            template_id=template_id,
            template_version=1,
            personalisation=personalisation,
            reference=reference,
            body=text,
            created_at=datetime.now(UTC),
        )
        if number.lstrip("+") not in SMOKE_TEST_NUMBERS:
            self.notifications[notification.id] = notification
        return {
            "id": notification.id,
            "reference": reference,
            "content": {"body": text, "from_number": self.sms_sender},
            "uri": f"{self.base_url}/v2/notifications/{notification.id}",
            "template": {
                "id": template_id,
                "version": notification.template_version,
                "uri": f"{self.base_url}/v2/template/{template_id}",
            },
            "scheduled_for": None,
        }

    def _status(self, notification_id: str) -> dict[str, Any]:
        if not UUID_PATTERN.match(notification_id):
            raise NotifyError(400, "ValidationError", "notification_id is not a valid UUID")
        notification = self.notifications.get(notification_id.lower())
        if notification is None:
            raise NotifyError(404, "NoResultFound", "No result found")
        _advance(notification)
        return {
            "id": notification.id,
            "reference": notification.reference,
            "email_address": None,
            "phone_number": notification.phone_number,
            "line_1": None,
            "line_2": None,
            "line_3": None,
            "line_4": None,
            "line_5": None,
            "line_6": None,
            "postcode": None,
            "type": "sms",
            "status": notification.status,
            "template": {
                "id": notification.template_id,
                "version": notification.template_version,
                "uri": f"{self.base_url}/v2/template/{notification.template_id}/version/1",
            },
            "body": notification.body,
            "subject": None,
            "created_at": _iso(notification.created_at),
            "created_by_name": None,
            "sent_at": _iso(notification.sent_at),
            "completed_at": _iso(notification.completed_at),
        }


def _advance(notification: Notification) -> None:
    """One step along a test key's life of a message, so code that polls sees it move."""
    now = datetime.now(UTC)
    if notification.status == "created":
        notification.status, notification.sent_at = "sending", now
    elif notification.status == "sending":
        notification.status = FINAL_STATUS_FOR_NUMBER.get(notification.phone_number.lstrip("+"), "delivered")
        notification.completed_at = now


def _uk_mobile(raw: str) -> str:
    """Notify's UK mobile check (notifications-utils), for a service without international sending: +447..."""
    number = re.sub(r"[\s()\-]", "", raw).lstrip("+")
    if not number.isdigit():
        raise NotifyError(400, "ValidationError", "phone_number Must not contain letters or symbols")
    for prefix in ("0044", "44"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    number = number.removeprefix("0")
    if not number.startswith("7"):
        raise NotifyError(400, "ValidationError", "phone_number Not a UK mobile number")
    if len(number) > 10:
        raise NotifyError(400, "ValidationError", "phone_number Too many digits")
    if len(number) < 10:
        raise NotifyError(400, "ValidationError", "phone_number Not enough digits")
    return f"+44{number}"


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _verify_hs256(token: str, *, secrets_for: dict[str, list[str]]) -> dict[str, Any]:
    invalid = NotifyError(403, "AuthError", "Invalid token: signature, api token is not valid")
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(payload_b64))
        signature = _b64decode(signature_b64)
    except ValueError:
        raise invalid from None
    if header.get("alg") != "HS256":
        raise NotifyError(403, "AuthError", "Invalid token: algorithm used is not HS256")
    if "iss" not in claims:
        raise NotifyError(403, "AuthError", "Invalid token: iss field not provided")
    if "iat" not in claims:
        raise NotifyError(403, "AuthError", "Invalid token: iat field not provided")
    keys = secrets_for.get(claims["iss"])
    if keys is None:
        raise NotifyError(403, "AuthError", "Invalid token: service not found")
    signed = f"{header_b64}.{payload_b64}".encode()
    for secret in keys:
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
        if hmac.compare_digest(expected, signature):
            return claims
    raise invalid


def _json_or_text(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else None


def _handler_for(standin: NotifyStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, body = standin.handle(self.command, self.path, headers, raw)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: a request line per message would drown the test output."""

    return Handler


@pytest.fixture
def notify_server():
    """A running Notify stand-in that knows the `((body))` template (BODY_TEMPLATE_ID)."""
    standin = NotifyStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture
def notify_sms(settings, notify_server):
    """SMS_BACKEND=notify pointed at the stand-in, with a well-formed key for its service."""
    settings.SMS_BACKEND = "notify"
    settings.NOTIFY_API_KEY = notify_server.api_key
    settings.NOTIFY_SMS_TEMPLATE_ID = BODY_TEMPLATE_ID
    settings.NOTIFY_BASE_URL = notify_server.base_url
    return notify_server
