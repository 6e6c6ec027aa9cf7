"""The reporter's way back to a report: no password, a link emailed to the address on the report.

Someone types a reference and an email address; if they match a report, the address is sent a signed link
(purpose-specific salt) that works for REPORTS_STATUS_LINK_MINUTES (an hour) and only once, so a forwarded or
leaked email opens nothing. Opening the link shows a button (a mail scanner's GET uses nothing up); pressing it
uses the link (core.links) and signs the browser in to that one report for an hour (`status_sign_in`), and
`status_report(request)` gives the report on every status page.

A token names the report's public id and a fingerprint of the reporter's address, so a link stops working if
the address on the report is corrected. The same answer is shown whether or not anything matched.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.core.links import link_use_once
from openbeat.core.messaging import email_send
from openbeat.core.paths import absolute_url
from openbeat.core.signing import timestamp_signer
from openbeat.reports.models import Report
from openbeat.subscriptions.tokens import TokenError, TokenExpired, TokenUsed, duration_text

__all__ = [
    "TokenError",
    "TokenExpired",
    "TokenUsed",
    "lifetime_text",
    "max_age",
    "status_link_request",
    "status_token_make",
    "status_token_read",
    "status_token_use",
]
_SALT = "openbeat.reports.status"
SESSION_KEY = "report_status"
SESSION_SECONDS = 60 * 60


def _fingerprint(report: Report) -> str:
    return hashlib.sha256(report.reporter_email.strip().lower().encode()).hexdigest()[:12]


def max_age() -> timedelta:
    return timedelta(minutes=settings.REPORTS_STATUS_LINK_MINUTES)


def lifetime_text() -> str:
    """How long a status link works, in words, from the value status_token_read checks."""
    return duration_text(max_age())


def status_token_make(report: Report) -> str:
    return timestamp_signer(_SALT).sign(f"{report.public_id}:{_fingerprint(report)}")


def status_token_read(token: str) -> Report:
    """The report a token is for; TokenExpired or TokenError (tampered, wrong purpose, address changed, gone)."""
    try:
        value = timestamp_signer(_SALT).unsign(token, max_age=max_age())
    except signing.SignatureExpired as error:
        raise TokenExpired() from error
    except signing.BadSignature as error:
        raise TokenError() from error
    public_id, _, fingerprint = value.partition(":")
    try:
        report = Report.objects.select_related("report_type").get(public_id=public_id)
    except Exception as error:  # no such report, or not a UUID (ValidationError)
        raise TokenError() from error
    if not report.reporter_email or fingerprint != _fingerprint(report):
        raise TokenError()
    return report


def status_token_use(token: str) -> Report:
    """Read a status link and mark it used: the report the first time, TokenUsed every time after."""
    report = status_token_read(token)
    # A valid link was signed no later than now, so it is dead by now + its lifetime: keep the record till then.
    if not link_use_once(token, expires_at=timezone.now() + max_age()):
        raise TokenUsed()
    return report


def status_link(report: Report) -> str:
    return absolute_url(reverse("reports:status_link", kwargs={"token": status_token_make(report)}))


def status_link_request(*, reference: str, email: str) -> bool:
    """Email a status link if `reference` and `email` belong to one report. True if sent (for tests and logs
    only: callers must answer the same either way)."""
    report = (
        Report.objects.select_related("report_type")
        .filter(reference__iexact=reference.strip(), reporter_email__iexact=email.strip())
        .first()
    )
    if report is None:
        return False
    email_send(
        to=report.reporter_email,
        template="reports/public/email/status_link",
        context={"report": report, "link": status_link(report), "lifetime": lifetime_text()},
        purpose="reports.status_link",
    )
    log_action("reports.report.status_link_sent", actor=None, target=report, data={})
    return True


# The reporter's session: one report at a time


def status_sign_in(request: HttpRequest, report: Report) -> None:
    # A fresh session key, so a link opened on a shared machine cannot ride an earlier session.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"id": report.pk, "until": time.time() + SESSION_SECONDS}
    log_action("reports.report.reporter_signed_in", actor=None, target=report, data={}, request=request)


def status_sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def status_report(request: HttpRequest) -> Report | None:
    data = request.session.get(SESSION_KEY)
    if not data or data.get("until", 0) < time.time():
        return None
    return Report.objects.select_related("report_type").filter(pk=data.get("id")).first()
