"""Writes to urgent warnings: publish a sent alert as a CAP warning, update it, cancel it.

Who may: `cap.issue_warning`, and the alert in view for them as the alerts app decides (`alert_problem(...,
"view")`: their division's alerts; force-wide alerts only for force-wide staff). Each write makes one new
`CapMessage` (msgType Alert, Update or Cancel) whose `references` name every earlier message of the warning, and
writes the audit log (`cap.warning.<verb>`). Nothing issued is ever changed.

Signing (cap.signing) happens inside the transaction that writes the message: when it fails, nothing is written,
the failure is audited (`cap.warning.signing_failed`) and `CapSigningError` reaches the caller to tell staff.

Errors, each with a `.message`: `WarningPermissionError` (a PermissionDenied), `WarningStateError`,
`CapSigningError`, and `ValidationError` keyed by field name.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from openbeat.alerts.markdown import render_text
from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alert_problem
from openbeat.audit.services import log_action
from openbeat.cap import document, signing
from openbeat.cap.area import area_of
from openbeat.cap.models import CapMessage, Category, Certainty, Severity, Status, Urgency, UrgentWarning
from openbeat.core.models import Force
from openbeat.core.paths import absolute_url
from openbeat.core.users import RequestUser, StaffUser

logger = logging.getLogger(__name__)

FIELDS = (
    "status",
    "category",
    "event",
    "urgency",
    "severity",
    "certainty",
    "headline",
    "description",
    "instruction",
    "instructions",
    "expires_at",
)
MAX_TEXT = 10_000
DEFAULT_NOTE = "This warning has been cancelled."


class WarningStateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WarningPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------- checks


def warning_problem(user: RequestUser, alert: Alert) -> str | None:
    """Why `user` may not publish, update or cancel a warning about `alert` (a sentence), or None."""
    if user is None or not user.is_authenticated or not user.has_perm("cap.issue_warning"):
        return "You do not have permission to publish urgent warnings"
    return alert_problem(user, alert, "view")


def warning_can_issue(user: RequestUser, alert: Alert) -> bool:
    return warning_problem(user, alert) is None


def _check(user: RequestUser, alert: Alert) -> None:
    problem = warning_problem(user, alert)
    if problem:
        raise WarningPermissionError(problem)


def warning_defaults(alert: Alert) -> dict[str, Any]:
    """What the form starts with: the alert's own words, and its expiry if it has one still ahead."""
    expires = alert.expires_at if alert.expires_at and alert.expires_at > timezone.now() else None
    return {
        "status": Status.ACTUAL,
        "category": Category.SECURITY,
        "event": "Police incident",
        "headline": alert.title[:160],
        "description": render_text(alert.body)[:MAX_TEXT],
        "expires_at": expires,
    }


def _text(value: Any) -> str:
    return str(value or "").strip()


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, choices, message in (
        ("status", Status, "Choose whether this is a real warning or a test"),
        ("category", Category, "Choose a category"),
        ("urgency", Urgency, "Choose how urgent it is"),
        ("severity", Severity, "Choose how severe it is"),
        ("certainty", Certainty, "Choose how certain it is"),
    ):
        clean[name] = values.get(name)
        if clean[name] not in choices.values:
            errors[name] = message
    for name, limit, label in (
        ("event", 100, "what kind of event it is"),
        ("headline", 160, "a headline"),
        ("description", MAX_TEXT, "a description"),
        ("instruction", MAX_TEXT, "what people should do"),
    ):
        clean[name] = text = " ".join(_text(values.get(name)).split()) if limit <= 160 else _text(values.get(name))
        if not text:
            errors[name] = f"Enter {label}"
        elif len(text) > limit:
            errors[name] = f"Enter {label} in {limit:,} characters or fewer"
    instructions = values.get("instructions") or {}
    if not isinstance(instructions, dict) or not all(isinstance(v, str) for v in instructions.values()):
        errors["instructions"] = "The instructions in other languages must be text"
        instructions = {}
    clean["instructions"] = {str(k): v.strip()[:MAX_TEXT] for k, v in instructions.items() if v.strip()}
    expires = values.get("expires_at")
    clean["expires_at"] = expires
    if not isinstance(expires, datetime) or timezone.is_naive(expires):
        errors["expires_at"] = "Enter when the warning expires"
    elif expires <= timezone.now():
        errors["expires_at"] = "The expiry must be in the future"
    if errors:
        raise ValidationError(errors)
    return clean


# ---------------------------------------------------------------------------------------------- the message


def cap_sender() -> str:
    """CAP's `sender`: settings.CAP_SENDER, else the site's host name (no spaces or commas either way)."""
    sender = getattr(settings, "CAP_SENDER", "") or urlsplit(settings.BASE_URL).hostname or "openbeat"
    return "".join(c for c in sender if not c.isspace() and c not in ",<&")


def _issue(
    warning: UrgentWarning, *, actor: StaffUser, msg_type: str, note: str = "", all_clear: bool = False
) -> CapMessage:
    """Write the next message of `warning` (locked by the caller) as its fields now stand."""
    earlier = list(warning.messages.order_by("sent_at", "pk"))
    force = Force.current()
    alert = warning.alert
    sent = timezone.now().replace(microsecond=0)
    identifier = f"{force.code}-{sent:%Y%m%d}-{uuid.uuid4().hex}"
    fields = document.MessageFields(
        identifier=identifier,
        sender=cap_sender(),
        sent=sent,
        status=warning.status,
        msg_type=msg_type,
        references=" ".join(message.reference for message in earlier),
        note=note,
        category=warning.category,
        event=warning.event,
        urgency=warning.urgency,
        severity=warning.severity,
        certainty=warning.certainty,
        expires=warning.expires_at,
        sender_name=force.name,
        web=absolute_url(alert.get_absolute_url()),
        contact=force.phone_non_emergency,
        texts=document.texts_for(
            alert,
            headline=warning.headline,
            description=warning.description,
            instruction=warning.instruction,
            instructions=warning.instructions,
        ),
        area=area_of(alert),
        all_clear=all_clear,
    )
    root = document.build(fields)
    signed = signing.signing_configured()
    if signed:
        root = signing.sign(root)  # raises CapSigningError: the transaction writes nothing
    return CapMessage.objects.create(
        warning=warning,
        identifier=identifier,
        sender=fields.sender,
        sent_at=sent,
        status=warning.status,
        msg_type=msg_type,
        references=fields.references,
        headline=warning.headline,
        expires_at=warning.expires_at,
        xml=document.serialise(root),
        signed=signed,
        issued_by=actor,
    )


def _signing_failed(
    error: signing.CapSigningError, *, actor: StaffUser, alert: Alert, verb: str, request: HttpRequest | None
) -> None:
    logger.error("CAP message for alert %s not published: %s", alert.pk, error.message)
    log_action(
        "cap.warning.signing_failed",
        actor=actor,
        target=alert,
        data={"action": verb, "error": error.message[:500]},
        request=request,
    )


# ---------------------------------------------------------------------------------------------- writes


def warning_issue(*, alert: Alert, actor: StaffUser, request: HttpRequest | None = None, **fields: Any) -> CapMessage:
    """Publish a sent alert as an urgent warning: its first CAP message (msgType Alert)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"warning_issue() got unexpected fields: {', '.join(sorted(unknown))}")
    _check(actor, alert)
    if alert.state != Alert.State.SENT:
        raise WarningStateError("Only a sent alert can be published as an urgent warning")
    values = _clean(fields)
    try:
        with transaction.atomic():
            if UrgentWarning.objects.filter(alert=alert).exists():
                raise WarningStateError("This alert is already an urgent warning: update it instead")
            try:
                with transaction.atomic():
                    warning = UrgentWarning.objects.create(alert=alert, created_by=actor, **values)
            except IntegrityError as error:  # someone else published it a moment ago
                raise WarningStateError("This alert is already an urgent warning: update it instead") from error
            message = _issue(warning, actor=actor, msg_type=CapMessage.MsgType.ALERT)
            log_action(
                "cap.warning.issue",
                actor=actor,
                target=warning,
                data={"identifier": message.identifier, "status": message.status, "alert": alert.pk},
                request=request,
            )
    except signing.CapSigningError as error:
        _signing_failed(error, actor=actor, alert=alert, verb="issue", request=request)
        raise
    return message


def _locked(warning: UrgentWarning) -> UrgentWarning:
    return UrgentWarning.objects.select_for_update().select_related("alert").get(pk=warning.pk)


def warning_update(
    *, warning: UrgentWarning, actor: StaffUser, request: HttpRequest | None = None, **fields: Any
) -> CapMessage:
    """Change the warning (the fields given; the rest stay) and publish it again: a message of msgType Update."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"warning_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _check(actor, warning.alert)
    try:
        with transaction.atomic():
            warning = _locked(warning)
            if warning.is_cancelled:
                raise WarningStateError("A cancelled warning cannot be updated")
            current = {name: getattr(warning, name) for name in FIELDS}
            values = _clean({**current, **fields})
            changed = sorted(name for name in FIELDS if current[name] != values[name])
            for name, value in values.items():
                setattr(warning, name, value)
            warning.save()
            message = _issue(warning, actor=actor, msg_type=CapMessage.MsgType.UPDATE)
            log_action(
                "cap.warning.update",
                actor=actor,
                target=warning,
                data={"identifier": message.identifier, "fields": changed},
                request=request,
            )
    except signing.CapSigningError as error:
        _signing_failed(error, actor=actor, alert=warning.alert, verb="update", request=request)
        raise
    return message


def warning_cancel(
    *, warning: UrgentWarning, actor: StaffUser, note: str = "", request: HttpRequest | None = None
) -> CapMessage:
    """Withdraw the warning: a message of msgType Cancel (responseType AllClear) naming every earlier one. The
    warning stays in the Atom index for CAP_INDEX_RETENTION_HOURS, so aggregators see the cancellation."""
    _check(actor, warning.alert)
    note = " ".join(_text(note).split())
    if len(note) > 500:
        raise ValidationError({"note": "Enter the reason in 500 characters or fewer"})
    try:
        with transaction.atomic():
            warning = _locked(warning)
            if warning.is_cancelled:
                raise WarningStateError("This warning has already been cancelled")
            warning.cancelled_at = timezone.now()
            warning.save(update_fields=["cancelled_at", "updated_at"])
            message = _issue(
                warning,
                actor=actor,
                msg_type=CapMessage.MsgType.CANCEL,
                note=note or DEFAULT_NOTE,
                all_clear=True,
            )
            log_action(
                "cap.warning.cancel",
                actor=actor,
                target=warning,
                data={"identifier": message.identifier},
                request=request,
            )
    except signing.CapSigningError as error:
        _signing_failed(error, actor=actor, alert=warning.alert, verb="cancel", request=request)
        raise
    return message
