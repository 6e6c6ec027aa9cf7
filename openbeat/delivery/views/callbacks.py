"""Providers calling us back: GOV.UK Notify's SMS delivery receipts, and one email provider's tracking
webhook through django-anymail (its events are handled in bounces.py).

These endpoints are called by machines that retry on errors, so they answer 200 for anything well-formed,
known or not (Notify then stops retrying a reference that is not ours), 4xx for a bad token or garbage, and
are written never to answer 500 for what a caller sends.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from openbeat.delivery.sms_receipts import NOTIFY_STATUSES, sms_receipt_record

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def notify_status(request: HttpRequest) -> JsonResponse:
    """Notify's callback for a text message: `Authorization: Bearer <NOTIFY_CALLBACK_TOKEN>` and a JSON body
    with id, reference, to, status, created_at, sent_at, completed_at, notification_type."""
    expected = getattr(settings, "NOTIFY_CALLBACK_TOKEN", "")
    if not expected:
        raise Http404("Notify callbacks are not configured")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not constant_time_compare(given.strip(), expected):
        response = JsonResponse({"error": "missing or wrong bearer token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="notify-callbacks"'
        return response
    try:
        receipt = json.loads(request.body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; absurd nesting a RecursionError
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    problem = _receipt_problem(receipt)
    if problem:
        return JsonResponse({"error": problem}, status=400)
    if receipt.get("notification_type", "sms") != "sms":
        return JsonResponse({"result": "ignored"})
    result = sms_receipt_record(
        reference=receipt["reference"] or "",
        notification_id=str(uuid.UUID(receipt["id"])),
        status=receipt["status"],
        sent_at=_timestamp(receipt.get("sent_at")),
        completed_at=_timestamp(receipt.get("completed_at")),
    )
    # The notification id is Notify's, not personal data; the number (`to`) is never logged.
    logger.info("Notify receipt for notification %s: %s (%s)", receipt["id"], receipt["status"], result)
    return JsonResponse({"result": str(result)})


def _receipt_problem(receipt: Any) -> str:
    if not isinstance(receipt, dict):
        return "the body is not a JSON object"
    if not _is_uuid(receipt.get("id")):
        return "id is missing or not Notify's notification id"
    if receipt.get("reference") is not None and not isinstance(receipt["reference"], str):
        return "reference is not a string"
    if not isinstance(receipt.get("status"), str) or receipt["status"] not in NOTIFY_STATUSES:
        return f"status is not one of {', '.join(NOTIFY_STATUSES)}"
    return ""


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _timestamp(value: Any) -> datetime | None:
    """Notify's `2017-05-14T12:15:30.000000Z`; anything unreadable counts as absent rather than refusing a
    receipt whose status is what matters."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _mailgun_tracking_view() -> Any:
    from anymail.webhooks.mailgun import MailgunTrackingWebhookView

    return MailgunTrackingWebhookView.as_view()


@csrf_exempt
@require_POST
def mailgun_tracking(request: HttpRequest) -> HttpResponse:
    """Anymail's Mailgun tracking webhook, only once its signing key is set: with an empty key anyone could
    sign events (and anymail itself would fail with a 500 for a missing one)."""
    anymail_settings = getattr(settings, "ANYMAIL", {}) or {}
    if not anymail_settings.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        raise Http404("Mailgun webhooks are not configured")
    response: HttpResponse = _mailgun_tracking_view()(request)
    return response
