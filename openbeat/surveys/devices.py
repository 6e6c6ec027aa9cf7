"""The officer's offline app: which surveys an officer carries (assignments), the phones that carry them
(devices), and the batches of responses those phones send back.

Who may do what (following the survey rules in services.py):
- assign or unassign an officer: whoever may manage the survey (`services.survey_can_manage`); the officer must be
  a survey user (any survey permission) of the survey's division, or any such user for a force-wide survey;
- set up a phone: any survey user, for themselves;
- see and revoke devices: their officer, and whoever manages surveys (`surveys.manage_survey`) in the officer's
  division (HQ: every division).

A device's bearer token is never stored: only its SHA-256. It is handed to the app once, in exchange (by POST) for
a one-time setup code shown in the back office, valid for `SURVEYS_DEVICE_SETUP_MINUTES` (default 15). The code
is kept hashed too. Responses are stored by `services.response_submit` (idempotent by client id, conflicts kept),
so a batch sent twice, or cut off half-way and sent again, stores each response once.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from openbeat.audit.services import log_action
from openbeat.core.users import RequestUser, StaffUser
from openbeat.staff.scope import scope_for
from openbeat.surveys import services
from openbeat.surveys.models import (
    Channel,
    OfficerDevice,
    ResponseCapture,
    Survey,
    SurveyAssignment,
    SurveyVersion,
)

SURVEY_PERMISSIONS = ("manage_survey", "view_survey_results")
# Without confusable characters (0/O, 1/I/L), so a code read off one screen is typed right on another.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
BATCH_MAX = 50


class DeviceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# Who


def is_survey_user(user: RequestUser) -> bool:
    return bool(
        user is not None and user.is_authenticated and any(user.has_perm(f"surveys.{p}") for p in SURVEY_PERMISSIONS)
    )


def survey_users() -> QuerySet[Any]:
    """Active staff logins holding a survey permission through a group, directly, or as superusers."""
    perm = Q(content_type__app_label="surveys", codename__in=SURVEY_PERMISSIONS)
    from django.contrib.auth.models import Permission

    perms = Permission.objects.filter(perm)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=perms) | Q(user_permissions__in=perms))
        .distinct()
    )


def assignable_officers(survey: Survey) -> QuerySet[Any]:
    users = survey_users()
    if survey.division_id is not None:
        users = users.filter(staff_profile__division_id=survey.division_id)
    return users.order_by("last_name", "first_name", "username")


def device_can_manage(user: RequestUser, device: OfficerDevice) -> bool:
    """Revoke: the device's own officer, or a survey manager whose scope holds the officer's division."""
    if user is None or not user.is_authenticated:
        return False
    if device.officer_id == user.pk:
        return True
    if not user.has_perm("surveys.manage_survey"):
        return False
    scope = scope_for(user)
    if scope.force_wide:
        return True
    profile = getattr(device.officer, "staff_profile", None)
    return profile is not None and scope.allows_division(profile.division_id)


def devices_for(user: RequestUser) -> QuerySet[OfficerDevice]:
    devices = OfficerDevice.objects.select_related("officer", "revoked_by")
    if user is None or not user.is_authenticated:
        return devices.none()
    own = Q(officer=user)
    if user.has_perm("surveys.manage_survey"):
        scope = scope_for(user)
        if scope.force_wide:
            return devices
        return devices.filter(own | Q(officer__staff_profile__division_id__in=scope.division_ids))
    return devices.filter(own)


# Assignments


def assignment_add(
    *, survey: Survey, officer: StaffUser, actor: StaffUser, request: HttpRequest | None = None
) -> SurveyAssignment:
    if not services.survey_can_manage(actor, survey):
        raise services.SurveyPermissionError("You cannot change this survey")
    if not assignable_officers(survey).filter(pk=officer.pk).exists():
        raise services.SurveyPermissionError("This person cannot be given this survey")
    assignment, created = SurveyAssignment.objects.get_or_create(
        survey=survey, officer=officer, defaults={"assigned_by": actor}
    )
    if created:
        log_action("surveys.assignment.add", actor=actor, target=survey, request=request, data={"officer": officer.pk})
    return assignment


def assignment_remove(*, survey: Survey, officer_id: int, actor: StaffUser, request: HttpRequest | None = None) -> None:
    if not services.survey_can_manage(actor, survey):
        raise services.SurveyPermissionError("You cannot change this survey")
    deleted, _ = SurveyAssignment.objects.filter(survey=survey, officer_id=officer_id).delete()
    if deleted:
        log_action(
            "surveys.assignment.remove", actor=actor, target=survey, request=request, data={"officer": officer_id}
        )


def assigned_surveys(officer: StaffUser) -> list[tuple[Survey, SurveyVersion]]:
    """The open surveys assigned to `officer`, each with the version to answer."""
    surveys = (
        Survey.objects.filter(assignments__officer=officer, state=Survey.State.OPEN, current_version__isnull=False)
        .select_related("current_version")
        .order_by("title")
    )
    return [(s, s.current_version) for s in surveys if s.current_version is not None]


# Devices


def device_create(*, officer: StaffUser, label: str, request: HttpRequest | None = None) -> tuple[OfficerDevice, str]:
    """A new device for `officer` and its one-time setup code (shown once, kept hashed)."""
    if not is_survey_user(officer):
        raise services.SurveyPermissionError("You cannot use the survey app")
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))
    minutes = int(getattr(settings, "SURVEYS_DEVICE_SETUP_MINUTES", 15))
    device = OfficerDevice.objects.create(
        officer=officer,
        label=label.strip()[:80] or "Phone",
        setup_code_hash=_sha256(code),
        setup_expires_at=timezone.now() + timedelta(minutes=minutes),
    )
    log_action("surveys.device.create", actor=officer, target=device, request=request, data={"label": device.label})
    return device, code


def device_activate(*, code: str) -> tuple[OfficerDevice, str]:
    """Exchange a setup code for the device's token (once): DeviceError if unknown, used, expired or revoked."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH:
        raise DeviceError("Enter the 8-character code shown in the back office")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = (
            OfficerDevice.objects.select_for_update()
            .filter(setup_code_hash=_sha256(normalised), token_hash__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if device is None or device.setup_expires_at is None or device.setup_expires_at < timezone.now():
            raise DeviceError("This code is not valid: it may have been used or expired. Set up the phone again")
        device.token_hash = _sha256(token)
        device.setup_code_hash = ""
        device.setup_expires_at = None
        device.last_seen_at = timezone.now()
        device.save(update_fields=["token_hash", "setup_code_hash", "setup_expires_at", "last_seen_at"])
    log_action("surveys.device.activate", actor=device.officer, target=device, data={"label": device.label})
    return device, token


def device_for_token(token: str) -> OfficerDevice | None:
    if not token or len(token) > 200:
        return None
    return OfficerDevice.objects.select_related("officer", "revoked_by").filter(token_hash=_sha256(token)).first()


def device_seen(device: OfficerDevice, *, synced: bool = False) -> None:
    now = timezone.now()
    device.last_seen_at = now
    fields = ["last_seen_at"]
    if synced:
        device.last_sync_at = now
        fields.append("last_sync_at")
    device.save(update_fields=fields)


def device_revoke(
    *, device: OfficerDevice, actor: StaffUser, reason: str, request: HttpRequest | None = None
) -> OfficerDevice:
    if not device_can_manage(actor, device):
        raise services.SurveyPermissionError("You cannot switch off this device")
    if not reason.strip():
        raise DeviceError("Say why the device is being switched off")
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.revoked_by = actor
        device.revoked_reason = reason.strip()[:300]
        device.setup_code_hash = ""
        device.save(update_fields=["revoked_at", "revoked_by", "revoked_reason", "setup_code_hash"])
        log_action(
            "surveys.device.revoke",
            actor=actor,
            target=device,
            request=request,
            data={"officer": device.officer_id, "reason": device.revoked_reason},
        )
    return device


def revoked_message(device: OfficerDevice) -> str:
    from openbeat.core.models import Force

    when = timezone.localtime(device.revoked_at).strftime("%-d %B %Y") if device.revoked_at else ""
    return (
        f"This phone was switched off by {Force.current().name} on {when}. "
        "The answers still waiting on it cannot be sent from it. Do not delete the app or its data: "
        "speak to your supervisor, who can tell you what to do with them."
    )


# Sync


@dataclass
class ItemResult:
    client_id: str
    status: str  # stored, duplicate, conflict, invalid
    errors: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"client_id": self.client_id, "status": self.status}
        if self.errors:
            body["errors"] = self.errors
        return body


def _coordinate(value: Any, limit: int) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return None
    return number if abs(number) <= limit else None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    # Before 2000 is a phone's clock gone wrong (and year 1 in a far time zone is year 0 in UTC: no datetime).
    if parsed is None or parsed.year < 2000:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    # A device's clock far in the future is not believed: the server's time instead.
    return min(parsed, timezone.now())


def _one(device: OfficerDevice, item: Any, assigned: dict[int, Survey]) -> ItemResult:
    if not isinstance(item, dict):
        return ItemResult("", "invalid", {"": "Each response must be an object"})
    raw_id = item.get("client_id")
    try:
        client_id = uuid.UUID(raw_id) if isinstance(raw_id, str) else None
    except ValueError:
        client_id = None
    if client_id is None:
        return ItemResult(str(raw_id)[:40] if raw_id is not None else "", "invalid", {"client_id": "Not a UUID"})
    result_id = str(client_id)
    survey_id, number = item.get("survey"), item.get("version")
    if not isinstance(survey_id, int) or isinstance(survey_id, bool) or survey_id not in assigned:
        return ItemResult(result_id, "invalid", {"survey": "This survey is not assigned to you"})
    if not isinstance(number, int) or isinstance(number, bool):
        return ItemResult(result_id, "invalid", {"version": "Give the version number"})
    version = SurveyVersion.objects.filter(survey_id=survey_id, number=number).select_related("survey").first()
    if version is None:
        return ItemResult(result_id, "invalid", {"version": "No such version of this survey"})
    submitted_at = _when(item.get("submitted_at"))
    if submitted_at is None:
        return ItemResult(result_id, "invalid", {"submitted_at": "Give the time as ISO 8601"})
    location = item.get("location")
    latitude = longitude = None
    if location is not None:
        if not isinstance(location, dict):
            return ItemResult(result_id, "invalid", {"location": "Not a location"})
        if location.get("consent") is True:
            latitude, longitude = _coordinate(location.get("latitude"), 90), _coordinate(location.get("longitude"), 180)
            if latitude is None or longitude is None:
                return ItemResult(result_id, "invalid", {"location": "Not a location"})
    try:
        with transaction.atomic():
            submitted = services.response_submit(
                client_id=client_id,
                version=version,
                answers=item.get("answers"),  # type: ignore[arg-type]  # logic.validate refuses a non-dict
                channel=Channel.OFFICER,
                submitted_at=submitted_at,
            )
            if submitted.outcome is services.Outcome.CREATED:
                ResponseCapture.objects.create(
                    response=submitted.response,
                    device=device,
                    officer=device.officer,
                    latitude=latitude,
                    longitude=longitude,
                )
            elif submitted.conflict is not None:
                # The reviewer sees who sent the conflicting answers and from which phone.
                submitted.conflict.submitted_by = device.officer
                submitted.conflict.device = device.label[:100]
                submitted.conflict.save(update_fields=["submitted_by", "device"])
    except services.AnswersInvalid as error:
        return ItemResult(result_id, "invalid", error.errors)
    status = {
        services.Outcome.CREATED: "stored",
        services.Outcome.DUPLICATE: "duplicate",
        services.Outcome.CONFLICT: "conflict",
    }[submitted.outcome]
    return ItemResult(result_id, status)


def responses_receive(*, device: OfficerDevice, items: list[Any]) -> list[ItemResult]:
    """Store a batch from a device (not revoked: the view checks): one result per item, in order."""
    if device.is_revoked:
        raise DeviceError(revoked_message(device))
    assigned = {survey.pk: survey for survey, _ in assigned_surveys(device.officer)}
    # A closed survey stays assigned: answers taken before it closed are refused by response_submit, with reason.
    for survey in Survey.objects.filter(assignments__officer=device.officer, state=Survey.State.CLOSED):
        assigned.setdefault(survey.pk, survey)
    results = [_one(device, item, assigned) for item in items]
    device_seen(device, synced=True)
    return results
