"""Neighbourhood events: PACT meetings, beat surgeries, street stalls, crime-prevention sessions, force-wide events.

An event is generic on purpose: a PACT meeting (questions, minutes, actions) is another app's model that attaches
to it one-to-one, and the event's `public_id` is its address on the public site and its iCalendar UID.

Scope: one neighbourhood (`neighbourhood` set, `division` its division), a division (`division` only) or the
whole force (`force_wide`, neither set). Staff change only their division's events (staff.scope); the
force-wide ones only force-wide staff.

States: draft -> published -> cancelled (with a reason). A published or cancelled event is public. Every change
to a published event increments `sequence` (iCalendar SEQUENCE, so calendars take the change) and keeps an
`EventRevision` saying what changed, who, when.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import reverse

from openbeat.areas.models import Division, Neighbourhood


class Event(models.Model):
    class Kind(models.TextChoices):
        PACT = "pact", "PACT meeting"
        SURGERY = "surgery", "Beat surgery"
        STALL = "stall", "Street stall"
        PREVENTION = "prevention", "Crime-prevention session"
        FORCE = "force", "Force-wide event"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        BOTH = "both", "In person and online"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True, help_text="Markdown, as in alerts.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.IN_PERSON)
    address = models.TextField(blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    force_wide = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    cancel_reason = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The In the Know alert that told subscribers about this event: one at most, so publishing twice sends once.
    notice_alert = models.OneToOneField(
        "alerts.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="event_notice"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        permissions = [("manage_event", "Can create, change, publish and cancel events")]
        indexes = [models.Index(fields=["state", "starts_at"]), models.Index(fields=["updated_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(force_wide=True, division__isnull=True, neighbourhood__isnull=True))
                | Q(force_wide=False, division__isnull=False),
                name="event_scope_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"public_id": self.public_id})

    @property
    def is_public(self) -> bool:
        return self.state in (self.State.PUBLISHED, self.State.CANCELLED)

    @property
    def in_person(self) -> bool:
        return self.attendance in (self.Attendance.IN_PERSON, self.Attendance.BOTH)

    @property
    def online(self) -> bool:
        return self.attendance in (self.Attendance.ONLINE, self.Attendance.BOTH)

    @property
    def meeting_page(self) -> str:
        """The PACT meeting's own page (questions, the live page) when one is attached (the meetings app's
        one-to-one `meeting`, read by name: events does not import meetings), else ''."""
        meeting = self._attached_meeting()
        return meeting.get_absolute_url() if meeting is not None else ""

    @property
    def public_online_url(self) -> str:
        """The online link everyone may see: none for a meeting whose stream is for registered residents only
        (its page hands the link to them alone), else `online_url`."""
        meeting = self._attached_meeting()
        if meeting is not None and getattr(meeting, "registered_only", False):
            return ""
        return self.online_url

    def _attached_meeting(self) -> Any:
        try:
            return getattr(self, "meeting", None)
        except ObjectDoesNotExist:
            return None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def scope_label(self) -> str:
        if self.force_wide:
            return "The whole force"
        if self.neighbourhood_id is not None and self.neighbourhood is not None:
            return self.neighbourhood.name
        return f"{self.division.name} division" if self.division is not None else ""


class EventRevision(models.Model):
    """One change to a published event (or its publication or cancellation): what changed, who, when."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revisions")
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=20)  # "published", "changed", "cancelled"
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]} as text
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} #{self.sequence} {self.action}"
