"""The suite's guard against personal data in logs: it sees the record as written, before the formatters scrub it."""

from __future__ import annotations

import logging

import pytest

from openbeat.core.tests.log_guard import PersonalDataCatcher, personal_data_in


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("confirmation sent to jane.doe@example.com", "an email address"),
        ("SMS to 07700 900123 failed", "a phone number"),
        ("no neighbourhood for PR1 2AB", "a postcode"),
        ("no neighbourhood for pr12ab", "a postcode"),
    ],
)
def test_personal_data_is_recognised(text: str, kind: str) -> None:
    assert personal_data_in(text) == [kind]


def test_ids_counts_and_timings_are_not_personal_data() -> None:
    assert personal_data_in("batch 3f2a9c1e-77b0-4d2e-9a41-0c5be8d1f2aa: 250 sent in 1.42 s (alert 17)") == []


# The suite's own guard sees these records too (they reach the root logger): they log personal data on purpose.
@pytest.mark.personal_data_in_logs
def test_the_forces_own_sending_address_is_allowed(settings) -> None:
    settings.DEFAULT_FROM_EMAIL = "In the Know <alerts@force.example>"
    catcher = PersonalDataCatcher()
    logger = logging.getLogger("openbeat.test.guard")
    logger.addHandler(catcher)
    try:
        logger.warning("sending as %s", "alerts@force.example")
    finally:
        logger.removeHandler(catcher)
    assert catcher.caught == []


@pytest.mark.personal_data_in_logs
def test_a_record_is_caught_before_the_formatters_scrub_it() -> None:
    catcher = PersonalDataCatcher()
    logger = logging.getLogger("openbeat.test.guard")
    logger.addHandler(catcher)
    try:
        logger.warning("bounce for %s", "resident@example.org")
        try:
            raise ValueError("no subscriber with phone 07700 900123")
        except ValueError:
            logger.exception("lookup failed")
        logger.info("alert 12 sent to 340 subscribers")
    finally:
        logger.removeHandler(catcher)
    assert len(catcher.caught) == 2
    assert "an email address" in catcher.caught[0]
    assert "a phone number" in catcher.caught[1]
    # What the guard reports says where, not what: the address itself is not repeated.
    assert "resident@example.org" not in catcher.caught[0]


@pytest.mark.personal_data_in_logs
def test_the_test_smtp_servers_own_log_is_not_ours() -> None:
    catcher = PersonalDataCatcher()
    logger = logging.getLogger("mail.log")
    logger.addHandler(catcher)
    try:
        logger.info("%r recip: %s", ("127.0.0.1", 40000), "resident@example.org")
    finally:
        logger.removeHandler(catcher)
    assert catcher.caught == []


@pytest.mark.personal_data_in_logs
def test_the_path_django_logs_for_a_404_is_the_clients_not_ours() -> None:
    catcher = PersonalDataCatcher()
    logger = logging.getLogger("django.request")
    logger.addHandler(catcher)
    try:
        logger.warning("%s: %s", "Not Found", "/reports/status/PR1 2AB/")
        logger.warning("%s: %s", "Bad Request for resident@example.org", "/x/")
    finally:
        logger.removeHandler(catcher)
    assert len(catcher.caught) == 1
    assert "an email address" in catcher.caught[0]
