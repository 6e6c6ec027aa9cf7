"""In the Know subscribers: who they are, where they watch, what interests them, and their consents.

Contact details live on Subscriber; special-category answers (ethnicity, disability) and age band live
apart in Demographics, only with their own consent. Interests are also kept as a bitmask on the subscriber
(`interest_bits`, maintained by the services that change interests) so that audience resolution is one
indexed SQL query rather than a join per interest.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from openbeat.areas.models import Neighbourhood

# Bit 63 is the sign bit of a 64-bit integer: keep clear of it.
MAX_INTEREST_BIT = 62


class Interest(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", "Topic"
        GROUP = "group", "Interest group"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    bit = models.PositiveSmallIntegerField(unique=True, help_text=f"0-{MAX_INTEREST_BIT}; fixed once in use.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(bit__lte=MAX_INTEREST_BIT), name="interest_bit_range")]

    def __str__(self) -> str:
        return self.name

    @property
    def mask(self) -> int:
        return 1 << self.bit


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for email confirmation"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class Priority(models.IntegerChoices):
        INFORMATION = 0, "Information"
        NORMAL = 1, "Normal"
        URGENT = 2, "Urgent"
        EMERGENCY = 3, "Emergency"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(null=True, blank=True, unique=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(max_length=20, null=True, blank=True, help_text="E.164, e.g. +447700900123")
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    # No index on status: nearly everyone is active, and an index would tempt SQLite away from a fast scan.
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(max_length=10, default="en")
    interest_bits = models.BigIntegerField(default=0)
    # The home watched area's neighbourhood, kept on the row (by the services that set areas) so that the
    # common case, "alerts for where people live", needs no join. WatchedArea holds every area, home too.
    # Not indexed: an alert to many neighbourhoods scans faster than it seeks.
    home_neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # Channel choices per time of day, and the lowest priority wanted on each channel.
    email_day = models.BooleanField(default=True)
    email_night = models.BooleanField(default=True)
    sms_day = models.BooleanField(default=False)
    sms_night = models.BooleanField(default=False)
    email_min_priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.INFORMATION)
    sms_min_priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.URGENT)
    # Repeated hard bounces or a complaint stop email without unsubscribing the person.
    email_stopped = models.BooleanField(default=False)
    source = models.CharField(max_length=40, default="web")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [
            ("import_subscribers", "Can import subscribers from a file"),
            ("look_up_subscriber", "Can look a subscriber up by exact email or phone to help them (contact centre)"),
        ]

    def __str__(self) -> str:
        return f"Subscriber {self.public_id}"


class WatchedArea(models.Model):
    """Where a subscriber wants alerts for: home (one) and up to five more (work, a parent's street)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="areas")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="watchers")
    postcode = models.CharField(max_length=8, blank=True)
    # The postcode's point, for shapes drawn on a map; None when the area was picked as a whole neighbourhood.
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    is_home = models.BooleanField(default=False)
    label = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [
            # Covers "extra areas in these neighbourhoods" without touching the table.
            models.Index(fields=["is_home", "neighbourhood", "subscriber"], name="watchedarea_extra_idx"),
            models.Index(fields=["lon", "lat"], name="watchedarea_point_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "neighbourhood", "postcode"], name="unique_watched_area")
        ]

    def __str__(self) -> str:
        return f"{self.label or self.postcode or self.neighbourhood}"


class Demographics(models.Model):
    """Optional answers, stored apart from contact details and only with their own consent."""

    subscriber = models.OneToOneField(Subscriber, on_delete=models.CASCADE, related_name="demographics")
    age_band = models.CharField(max_length=20, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    disability = models.CharField(max_length=20, blank=True)
    consented_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Demographics of {self.subscriber_id}"


class Consent(models.Model):
    """What a subscriber agreed to: when, where, and the exact words they were shown."""

    class Purpose(models.TextChoices):
        CONTACT = "contact", "Receive In the Know messages"
        DEMOGRAPHICS = "demographics", "Use optional demographic answers"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    wording = models.TextField()
    source = models.CharField(max_length=60)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} consent of {self.subscriber_id}"


class ImportJob(models.Model):
    """A file of existing subscribers uploaded in the back office, imported by a background task.

    The uploaded file is kept under PRIVATE_STORAGE_ROOT (never served) only until the job finishes. The
    progress page polls this row; `errors` keeps the first rows refused ("line N: reason", no personal data).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=200, help_text="The name of the file on the uploader's computer.")
    # Relative to PRIVATE_STORAGE_ROOT; blank once the file has been deleted.
    stored_file = models.CharField(max_length=200, blank=True)
    # Used for rows whose consent_source column is empty.
    consent_source = models.CharField(max_length=52, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Subscriber import {self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class AssistedChange(models.Model):
    """A change the contact centre made on a resident's behalf, with the resident's say-so as staff recorded it.

    Written only by `assisted.py`, after the change itself went through the usual service. `note` says who
    called and when (it may name the caller): it goes with the subscriber when they are erased (CASCADE);
    the audit log keeps that a change was made, by whom, never the note.
    """

    class Kind(models.TextChoices):
        INTERESTS = "interests", "Changed interests"
        AREAS = "areas", "Changed areas"
        CHANNELS = "channels", "Changed how they are contacted"
        LANGUAGE = "language", "Changed language"
        STOP_SMS = "stop_sms", "Stopped text messages"
        UNSUBSCRIBE = "unsubscribe", "Stopped all messages"
        SEND_LINK = "send_link", "Sent a confirmation or sign-in link"
        ERASURE_START = "erasure_start", "Started an erasure (link to confirm sent)"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="assisted_changes")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Kept as text too, so the record still says who acted after a staff account is deleted.
    staff_label = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=500, help_text="What changed, in words; no contact details.")
    consent_statement = models.CharField(max_length=200, help_text="The exact words staff confirmed.")
    note = models.CharField(max_length=300, help_text="Who called and when, as staff wrote it.")
    notice_sent = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.subscriber_id}"
