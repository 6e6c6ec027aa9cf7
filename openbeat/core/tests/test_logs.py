"""Log lines: JSON with the request's id, and no email address, phone number or postcode, tracebacks included."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from openbeat.core import logs


def _json_line(record: logging.LogRecord) -> dict[str, Any]:
    formatter = logs.JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    logs.RequestIdFilter().filter(record)
    return dict(json.loads(formatter.format(record)))


def _record(message: str, *args: Any, exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord("openbeat.test", logging.WARNING, __file__, 1, message, args, exc_info)


@pytest.mark.parametrize(
    "text",
    [
        "sent to jane.doe+alerts@example.co.uk",
        "SMS to 07700 900123 failed",
        "SMS to +447700900123 failed",
        "call 01772 614444",
        "postcode PR1 2AB not found",
        "postcode pr12ab not found",
    ],
)
def test_personal_data_never_reaches_a_line(text: str) -> None:
    line = _json_line(_record("%s", text))
    assert line["message"] != text
    for secret in ("jane.doe", "900123", "614444", "2AB", "2ab"):
        assert secret not in json.dumps(line)


def test_other_numbers_and_ids_are_kept() -> None:
    text = "alert 12345 sent 3000 messages in 2.5 s (batch 7f3c9e2a41b04d55)"
    assert _json_line(_record(text))["message"] == text


def test_a_very_long_line_is_cut_after_it_is_scrubbed() -> None:
    query = "poly=" + "%3A".join(f"53.{i:06d}%2C-2.7" for i in range(10_000))  # a 10,000-point polygon by GET
    text = f"Bad request to /api/crimes-street/all-crime?{query} from a@b.example or 07700 900123"

    line = logs.scrub(text)

    assert len(line) < logs.SCRUB_MAX_CHARS + 100
    # Counted once scrubbed: the address and the number became "[email]" and "[phone]", 9 characters fewer.
    assert line.endswith(f"… [{len(text) - 9 - logs.SCRUB_MAX_CHARS} more characters not logged]")
    assert "a@b.example" not in line  # cut off: never logged at all
    assert "900123" not in line
    assert logs.scrub("Sent to a@b.example, PR1 2AB") == "Sent to [email], [postcode]"  # short lines as before


@pytest.mark.parametrize("offset", [3, 10, 16])
def test_an_address_across_the_cut_leaves_no_part_of_itself(offset) -> None:
    address = "jane.doe@mail.example"  # the cut falls `offset` characters into it
    text = "x" * (logs.SCRUB_MAX_CHARS - offset) + " " + address + " and more"

    line = logs.scrub(text)

    assert "jane" not in line
    assert "doe" not in line
    assert line.startswith("x" * (logs.SCRUB_MAX_CHARS - offset) + " [")  # the placeholder, cut where it falls


def test_a_traceback_is_scrubbed_too() -> None:
    try:
        raise ValueError("no subscriber jane@example.org")
    except ValueError as error:
        record = _record("failed", exc_info=(type(error), error, error.__traceback__))
    line = _json_line(record)
    assert "jane@example.org" not in json.dumps(line)
    assert "[email]" in line["exc_info"]


def test_a_line_is_json_with_level_logger_and_time() -> None:
    line = _json_line(_record("hello"))
    assert line["level"] == "WARNING"
    assert line["logger"] == "openbeat.test"
    assert line["message"] == "hello"
    assert line["time"]


@pytest.mark.django_db
def test_a_request_gets_an_id_on_its_lines_and_in_its_response(client: Client, caplog: Any) -> None:
    seen: list[str] = []

    class Spy(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logs.RequestIdFilter().filter(record)
            seen.append(record.request_id)  # type: ignore[attr-defined]

    logger = logging.getLogger("django.request")
    spy = Spy()
    logger.addHandler(spy)
    try:
        response = client.get("/no-such-page-at-all/")
    finally:
        logger.removeHandler(spy)
    assert response.status_code == 404
    assert len(response["X-Request-ID"]) == 32
    assert seen
    assert seen[0] == response["X-Request-ID"]


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_when_it_looks_like_one(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="req-0123456789abcdef")["X-Request-ID"] == "req-0123456789abcdef"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>"
    assert len(replaced) == 32
