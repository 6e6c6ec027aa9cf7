"""What Meta's Graph API connectors share (Facebook Pages, Instagram professional accounts): one `requests` session
with the token in the Authorization header, one call at a time, and the Graph API's errors read one way.

The Graph API answers {"error": {"code", "error_subcode", "message", "type", "is_transient"}}: code 190 (and 102,
10, 200 on permissions) means the token no longer works (reconnect); 4, 17, 32, 613 and 80001 are rate limits
(the wait read from the usage headers' estimated_time_to_regain_access, in minutes); 1, 2 and `is_transient` are
passing; 506 is a duplicate post; the rest refuse the post, in words each network chooses (`_refusal`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests

from openbeat.social.connectors.base import (
    Connector,
    ConnectorError,
    ErrorKind,
    request_was_sent,
    transport_failure,
)

DEFAULT_BASE_URL = "https://graph.facebook.com/v23.0"
TIMEOUT_SECONDS = 20
REVOKED_CODES = {190, 102, 10, 200}
RATE_CODES = {4, 17, 32, 613, 80001}
PASSING_CODES = {1, 2}
DUPLICATE_CODE = 506


def when(value: str) -> datetime:
    """A Graph API time (2026-01-31T12:00:00+0000) in UTC."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def rate_wait(headers: Any) -> int:
    """Seconds to wait after a rate limit, from the usage headers Meta sends (the longest wait named; 300 when
    none is)."""
    waits = []
    for name in ("x-business-use-case-usage", "x-page-usage", "x-app-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = [entry for group in usage.values() for entry in group] if isinstance(usage, dict) else []
        if name != "x-business-use-case-usage" and isinstance(usage, dict):
            entries = [usage]
        waits += [int(entry.get("estimated_time_to_regain_access") or 0) * 60 for entry in entries]
    return max([*waits, 0]) or 300


def error_label(error: dict[str, Any]) -> str:
    """The error's code, and its subcode after a slash (e.g. 9004/2207052): ConnectorError.code."""
    code = int(error.get("code") or 0)
    return f"{code}" + (f"/{error['error_subcode']}" if error.get("error_subcode") else "")


class GraphConnector(Connector):
    """A Graph API network. Subclasses set `token_field` (the credential sent as the bearer token) and
    `revoked_message`, and may word refusals their own way (`_refusal`)."""

    token_field: ClassVar[str]
    revoked_message: ClassVar[str]

    def __init__(self, *, base_url: str, credentials: dict[str, str]) -> None:
        super().__init__(base_url=base_url or DEFAULT_BASE_URL, credentials=credentials)
        self.session = requests.Session()
        # In a header, never in a URL: URLs are logged by proxies and by urllib3 at DEBUG.
        self.session.headers["Authorization"] = f"Bearer {credentials.get(self.token_field, '')}"

    def length(self, text: str) -> int:
        return len(text)

    def _request(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> Any:
        """One call; its JSON answer, or a ConnectorError. `write`: a call that publishes, whose lost answer
        means the outcome is unknown (the post is looked up before trying again)."""
        try:
            response = self.session.request(method, f"{self.base_url}/{path}", timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            # `from None`: the chained exception holds the request, and with it the token.
            raise transport_failure(self.label, sent=write and request_was_sent(exc)) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.ok and not (isinstance(body, dict) and "error" in body):
            return body
        raise self._error(response.status_code, body.get("error") or {}, response.headers)

    def _error(self, status: int, error: dict[str, Any], headers: Any) -> ConnectorError:
        code = int(error.get("code") or 0)
        label = error_label(error)
        if code in REVOKED_CODES or (error.get("type") == "OAuthException" and code == 0 and status == 401):
            return ConnectorError(self.revoked_message, kind=ErrorKind.REVOKED, code=label)
        if code in RATE_CODES or status == 429:
            wait = rate_wait(headers)
            return ConnectorError(
                f"{self.label}'s rate limit was reached: OpenBeat tries again in {wait} seconds.",
                kind=ErrorKind.RATE_LIMITED,
                retry_after=wait,
                code=label,
            )
        if code in PASSING_CODES or error.get("is_transient") or status >= 500:
            return ConnectorError(
                f"{self.label} had a problem. OpenBeat will try again later.", kind=ErrorKind.PASSING, code=label
            )
        return ConnectorError(self._refusal(code, error), kind=ErrorKind.REJECTED, code=label)

    def _refusal(self, code: int, error: dict[str, Any]) -> str:
        """Why the network refused the post, said plainly (never quoting the post or the token)."""
        if code == DUPLICATE_CODE:
            return f"{self.label} refused the post: the account posted the same text just before."
        return f"{self.label} refused the post as it is (it answered 'invalid parameter')."
