"""In the Know alerts: what an officer composes, who it targets, and where it is in its life.

An alert's life (`Alert.State`):

    draft ──submit──> awaiting_approval ──approve──> approved ──(send now or at `send_at`)──> sending ──> sent
      │                     │  └──reject──> draft                  │
      └──(no approval needed: submit goes straight to approved)     └──cancel──> cancelled (before sending only)

Targeting is kept as JSON in the shape `alerts.targeting.spec_from_json` reads (documented there), so that
what was approved is exactly what is resolved at send time. Delivery (part 2) takes over at `sending`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from openbeat.areas.models import Division
from openbeat.subscriptions.models import Interest


class Priority(models.IntegerChoices):
    # The same scale as Subscriber.Priority: subscribers choose a minimum per channel.
    INFORMATION = 0, "Information"
    NORMAL = 1, "Normal"
    URGENT = 2, "Urgent"
    EMERGENCY = 3, "Emergency"


class Alert(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved (scheduled or ready to send)"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=150)
    # A safe subset of Markdown (alerts.markdown): rendered to HTML and to plain text, never raw HTML.
    body = models.TextField()
    interest = models.ForeignKey(Interest, on_delete=models.PROTECT, related_name="alerts")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    link_url = models.URLField(blank=True, help_text="Optional: a page with more information.")
    link_text = models.CharField(max_length=80, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Not sent after this time.")
    # The division that owns the alert (the author's); None for force-wide alerts by force-wide staff.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    targeting = models.JSONField(default=dict)
    # True when the targeting is the whole force (kept as a column so lists and approval rules can filter).
    force_wide = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    send_at = models.DateTimeField(null=True, blank=True, help_text="Empty: send as soon as approved.")
    # The audience as last counted (when submitted, approved, and finally resolved at send time).
    audience_email = models.PositiveIntegerField(default=0)
    audience_sms = models.PositiveIntegerField(default=0)
    audience_subscribers = models.PositiveIntegerField(default=0)
    # For a targeting with a demographic group only: the same three counts without its demographic rules, counted
    # at the same moment. What may be shown of the counts above is decided against these (alerts.disclosure).
    audience_base_email = models.PositiveIntegerField(null=True, blank=True)
    audience_base_sms = models.PositiveIntegerField(null=True, blank=True)
    audience_base_subscribers = models.PositiveIntegerField(null=True, blank=True)
    needs_approval = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="alerts_created"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts_approved"
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    # One image (alerts.media): decoded, resized and written again without metadata, kept privately under
    # PRIVATE_STORAGE_ROOT/alerts/ and served by OpenBeat (alerts:image) once the alert is public. The same
    # image goes with every translation.
    image_path = models.CharField(max_length=200, blank=True)
    image_alt = models.CharField("alt text", max_length=250, blank=True)
    image_digest = models.CharField(max_length=16, blank=True)  # in the image's address: a new image, a new URL
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("send_alert", "Can compose and send alerts within their division"),
            ("send_force_wide_alert", "Can compose alerts to the whole force"),
            ("approve_alert", "Can approve alerts composed by someone else"),
        ]
        indexes = [models.Index(fields=["state", "send_at"], name="alert_due_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("alerts:archive_detail", kwargs={"public_id": self.public_id})

    @property
    def targets_demographics(self) -> bool:
        """True when the targeting includes, requires or excludes a demographic group: then every count of its
        audience is a count of special-category answers, shown only as `alerts.disclosure` allows."""
        groups = (self.targeting or {}).get("demographics") or {}
        if not isinstance(groups, dict):
            return True  # not the shape spec_to_json writes: assume the worst
        return any(any(rules.values()) if isinstance(rules, dict) else bool(rules) for rules in groups.values())

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_cancellable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.AWAITING_APPROVAL, self.State.APPROVED)


class AlertTranslation(models.Model):
    """The alert in another language; subscribers whose preferred language this is get it instead."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10, help_text="A code from settings.SUBSCRIBER_LANGUAGES, e.g. 'cy'.")
    title = models.CharField(max_length=150)
    body = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "language"], name="unique_alert_language")]

    def __str__(self) -> str:
        return f"{self.alert} ({self.language})"


class AlertAttachment(models.Model):
    """A PDF sent with an alert as a link (alerts.media): checked by content, kept privately under
    PRIVATE_STORAGE_ROOT/alerts/, downloadable once the alert is public (staff who can see the alert: always)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=150)
    path = models.CharField(max_length=200)  # relative to PRIVATE_STORAGE_ROOT/alerts
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


@register_setting(icon="mail")
class AlertSettings(BaseGenericSetting):
    """What the force decides about alerts, edited in the back office (Settings > Alert settings)."""

    approval_threshold = models.PositiveIntegerField(
        default=5000,
        help_text="Alerts to more recipients than this need a second person's approval. Force-wide alerts always do.",
    )
    demographic_threshold = models.PositiveSmallIntegerField(
        "smallest demographic group shown",
        default=10,
        validators=[MinValueValidator(2)],
        help_text=(
            "Counts of residents chosen by their answers about themselves (age band, ethnic group, disability) are "
            "never shown below this: the live count, the alert's pages, its delivery figures and the audit log say "
            "'fewer than' instead, and hide any figure a small group could be worked out from."
        ),
    )

    class Meta:
        verbose_name = "Alert settings"


class AlertTemplate(models.Model):
    """A starting point for an alert: one of the force's (made by HQ, `owner` empty, seen by everyone who sends
    alerts) or an officer's own (private to them). Its words may hold placeholders, filled when it is used
    (alerts.alert_templates)."""

    name = models.CharField(max_length=100, help_text="What the template is for, as listed in the composer.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="alert_templates"
    )
    title = models.CharField(max_length=150)
    body = models.TextField()
    interest = models.ForeignKey(Interest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    link_url = models.URLField(blank=True)
    link_text = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("manage_force_templates", "Can create, change and delete the force's alert templates")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_force_template(self) -> bool:
        return self.owner_id is None


class SavedAudience(models.Model):
    """A named targeting (the same JSON as `Alert.targeting`), saved from the composer and picked in it again.
    Owned by a division (None: saved by force-wide staff, for them). Its count is never kept: it is counted
    again whenever it is used, and a targeting that no longer fits says so (alerts.saved_audiences)."""

    name = models.CharField(max_length=100)
    targeting = models.JSONField(default=dict)
    division = models.ForeignKey(Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
