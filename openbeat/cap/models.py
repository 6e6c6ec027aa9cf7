"""Urgent warnings: a sent In the Know alert published to aggregators as OASIS CAP 1.2 messages.

A `Warning` holds what the officer chose about an alert (the CAP info fields) as they stand now; each time it is
issued, updated or cancelled a `CapMessage` is made, with the XML exactly as published. Aggregators (Google
Public Alerts, the WMO and IFRC alert hubs) require that a message, once out, never changes: an update or a
cancellation is a new message whose `references` name every earlier one. So a `CapMessage` is written once and
refuses to be saved again (`CapMessageImmutableError`); the warning's own fields change with each update.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from openbeat.alerts.models import Alert


class Status(models.TextChoices):
    # CAP's `status`: Test messages go through the live feed too; aggregators show them to nobody.
    ACTUAL = "Actual", "Actual"
    TEST = "Test", "Test (aggregators do not show it to the public)"


class Category(models.TextChoices):
    SAFETY = "Safety", "Safety: general emergency and public safety"
    SECURITY = "Security", "Security: law enforcement, military, homeland and local/private security"
    RESCUE = "Rescue", "Rescue and recovery"
    FIRE = "Fire", "Fire suppression and rescue"
    HEALTH = "Health", "Medical and public health"
    ENV = "Env", "Pollution and other environmental"
    TRANSPORT = "Transport", "Public and private transportation"
    INFRA = "Infra", "Utility, telecommunication, other non-transport infrastructure"
    CBRNE = "CBRNE", "Chemical, biological, radiological, nuclear or high-yield explosive"
    GEO = "Geo", "Geophysical (e.g. landslide)"
    MET = "Met", "Meteorological (e.g. flood, storm)"
    OTHER = "Other", "Other"


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", "Immediate: act now"
    EXPECTED = "Expected", "Expected: act within the next hour"
    FUTURE = "Future", "Future: act in the near future"
    PAST = "Past", "Past: no longer needed"
    UNKNOWN = "Unknown", "Unknown"


class Severity(models.TextChoices):
    EXTREME = "Extreme", "Extreme: extraordinary threat to life or property"
    SEVERE = "Severe", "Severe: significant threat to life or property"
    MODERATE = "Moderate", "Moderate: possible threat to life or property"
    MINOR = "Minor", "Minor: minimal to no known threat"
    UNKNOWN = "Unknown", "Unknown"


class Certainty(models.TextChoices):
    OBSERVED = "Observed", "Observed: determined to have occurred or to be ongoing"
    LIKELY = "Likely", "Likely: more likely than not"
    POSSIBLE = "Possible", "Possible: possible but not likely"
    UNLIKELY = "Unlikely", "Unlikely: not expected to occur"
    UNKNOWN = "Unknown", "Unknown"


class UrgentWarning(models.Model):
    """An alert published as an urgent warning, with the CAP details as they were last issued."""

    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, related_name="cap_warning")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTUAL)
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.SECURITY)
    event = models.CharField(max_length=100, help_text="What kind of event, e.g. 'Police incident'.")
    urgency = models.CharField(max_length=12, choices=Urgency.choices)
    severity = models.CharField(max_length=12, choices=Severity.choices)
    certainty = models.CharField(max_length=12, choices=Certainty.choices)
    headline = models.CharField(max_length=160)
    description = models.TextField()
    instruction = models.TextField()
    # The instruction in the alert's other languages, {"cy": "..."}; a language left out gets the English one.
    instructions = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("issue_warning", "Can publish sent alerts as urgent warnings (CAP) and update or cancel them")]

    def __str__(self) -> str:
        return self.headline

    @property
    def division(self) -> Any:
        """The alert's division (None: force-wide), for the audit log's division and scope checks."""
        return self.alert.division

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class CapMessageImmutableError(RuntimeError):
    pass


class CapMessage(models.Model):
    """One CAP `alert` message as issued. Never changed after it is written."""

    class MsgType(models.TextChoices):
        ALERT = "Alert", "Alert"
        UPDATE = "Update", "Update"
        CANCEL = "Cancel", "Cancel"

    warning = models.ForeignKey(UrgentWarning, on_delete=models.PROTECT, related_name="messages")
    identifier = models.CharField(max_length=100, unique=True)
    sender = models.CharField(max_length=200)
    sent_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    msg_type = models.CharField(max_length=10, choices=MsgType.choices)
    # CAP's `references`: "sender,identifier,sent" of every earlier message, space-separated ("" for the first).
    references = models.TextField(blank=True)
    headline = models.CharField(max_length=160)
    expires_at = models.DateTimeField(db_index=True)
    xml = models.TextField()
    signed = models.BooleanField(default=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return self.identifier

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise CapMessageImmutableError("An issued CAP message is never changed: issue an update instead")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cap:message", kwargs={"identifier": self.identifier})

    @property
    def reference(self) -> str:
        """This message as a later message's `references` names it."""
        from openbeat.cap.document import cap_time

        return f"{self.sender},{self.identifier},{cap_time(self.sent_at)}"
