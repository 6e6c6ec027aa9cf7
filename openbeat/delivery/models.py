"""The outbox: one Delivery per (alert, subscriber, channel), persisted before anything is sent.

States are GOV.UK Notify's (created, sending, delivered, temporary-failure, permanent-failure,
technical-failure), plus two of ours for what the hand-off rules decide:

    created ──claim──> sending ──transport ok──> delivered (SMTP accepted / Notify said delivered)
       │                  ├──4xx, refused────────> temporary-failure ──retry (backoff)──> sending ...
       │                  ├──5xx, invalid────────> permanent-failure
       │                  └──our own bug─────────> technical-failure
       ├──held (night only / quiet hours)──> stays created with `not_before` in the future
       ├──over the daily cap──> digested (goes out in tomorrow's digest instead)
       └──rules say no (paused, below min priority)──> skipped

"sending" for email means handed to the SMTP server and not yet confirmed. A batch claims its rows under a
lease (BatchLease) that its worker renews while it lives; a worker killed mid-batch leaves rows in sending
under a lease that expires, and the scheduler's sweep puts them back (see outbox.py for why at most the
message in flight on each connection can repeat).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from openbeat.alerts.models import Alert
from openbeat.areas.models import Division, Neighbourhood
from openbeat.subscriptions.models import Subscriber


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class Delivery(models.Model):
    class State(models.TextChoices):
        CREATED = "created", "Created"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        TEMPORARY_FAILURE = "temporary-failure", "Temporary failure"
        PERMANENT_FAILURE = "permanent-failure", "Permanent failure"
        TECHNICAL_FAILURE = "technical-failure", "Technical failure"
        DIGESTED = "digested", "Gathered into the daily digest"
        SKIPPED = "skipped", "Not sent (subscriber's rules)"

    FINAL_STATES = (
        State.DELIVERED,
        State.PERMANENT_FAILURE,
        State.TECHNICAL_FAILURE,
        State.DIGESTED,
        State.SKIPPED,
    )

    # The fill writes a million rows in one statement and pays for every index a million times: no index of
    # its own on alert (unique_delivery and delivery_alert_state_idx both start with it) nor on division
    # (always read together with the alert).
    #
    # No foreign key constraints in the database either (db_constraint=False; Django still applies on_delete):
    # PostgreSQL checks each of them per row at commit, and the check on the subscriber takes a share lock
    # on every subscriber's row, rewriting the whole subscriber table. At 1M recipients that was 14 s of
    # the fill's commit. The fill takes all three ids from rows it joins in the same transaction.
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", db_index=False, db_constraint=False
    )
    # SET_NULL: erasing a subscriber keeps the alert's anonymous counts (delivery's eraser blanks the rest).
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, related_name="deliveries", db_constraint=False
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CREATED)
    # Signed into tracking links and used as Message-ID / Notify reference: never the sequential id alone.
    # The fill leaves it empty and the batch that claims the row gives it one (outbox._claim): a million
    # random values and their unique index, written in the fill's one statement, were a fifth of its time.
    token = models.UUIDField(null=True, default=uuid.uuid4, editable=False)
    # The division the subscriber's home is in when the alert went out: replies and stats are per division.
    division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The subscriber's home neighbourhood when the alert went out, for the statistics by neighbourhood (the
    # subscriber may move or be erased later; the figures stay where they were sent). Neither indexed nor
    # constrained, like division: read only with the alert.
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    language = models.CharField(max_length=10, default="en")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Why a failure happened, in a few words staff can group by ("mailbox unavailable", "invalid number").
    failure_reason = models.CharField(max_length=60, blank=True)
    # Held until then: retries' backoff, a night-only subscriber's morning, SMS quiet hours.
    not_before = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    # The BatchLease under which the row was last claimed (outbox._claim). A plain id, not a foreign key: the
    # lease row goes when its batch ends and the row keeps the number; a row in sending whose lease has
    # expired belongs to a worker that died.
    lease_id = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "subscriber", "channel"], name="unique_delivery"),
            # Partial: rows without a token yet are not in it (PostgreSQL would index their NULLs).
            models.UniqueConstraint(
                fields=["token"], condition=models.Q(token__isnull=False), name="delivery_token_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["alert", "state"], name="delivery_alert_state_idx"),
            # Only rows in sending, found by the lease that claimed them (a batch's release, the sweep) or by
            # how long they have been there (rows without a lease): a fill writes none of its million created
            # rows into it. SMS waiting for Notify's receipt stay here, so a lease's rows are sought, not scanned.
            models.Index(
                fields=["lease_id", "sent_at"], name="delivery_sending_idx", condition=models.Q(state="sending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.pk} of alert {self.alert_id}"


class BatchLease(models.Model):
    """A batch's hold on the deliveries it claimed, for as long as the worker sending them lives.

    `batch_send` takes one with its claim (each claimed row records its id) and a thread of the worker renews
    it every third of DELIVERY_LEASE_SECONDS; the batch deletes it when it ends. A lease past `expires_at`
    was left by a worker that died: the sweep (outbox_sweep, run by the scheduler) deletes it, returns its
    rows to created, queues its batch again and marks its task result failed. Deleting the row is what
    hands the rows over, so a worker that only stalled finds its lease gone at its next renewal and stops.
    """

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    # The task run that holds it (a django.tasks result id), so the sweep can close a result left "running".
    task_result_id = models.CharField(max_length=64, blank=True)
    # Host and process, for whoever reads the table.
    holder = models.CharField(max_length=200, blank=True)
    taken_at = models.DateTimeField()
    renewed_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"lease {self.pk} on {self.channel} deliveries {self.first_id}-{self.last_id} of alert {self.alert_id}"


class Rating(models.Model):
    """ "Was this useful?" 1-5 from a message, one per delivery (a second click changes it)."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    # Comments are hidden until a moderator shows them: they are free text from the public (names, addresses,
    # abuse despite the form's advice) and the statistics page is read by everyone who may view the alert.
    # A changed comment is hidden again (feedback.rating_record).
    comment_shown = models.BooleanField(default=False)
    comment_moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment_moderated_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_range")
        ]
        permissions = [("moderate_rating", "Can show or hide residents' rating comments")]

    def __str__(self) -> str:
        return f"{self.score}/5 for delivery {self.delivery_id}"


class Reply(models.Model):
    """A resident's reply to an alert, for the officers of their division (urgent ones to the contact centre)."""

    class State(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, related_name="replies")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="replies")
    division = models.ForeignKey(Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField()
    urgent = models.BooleanField(default=False, db_index=True)
    # Which trigger words made it urgent (shown to staff so they see why).
    triggers = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=15, choices=State.choices, default=State.NEW, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_replies"
    )
    # Who first took it on and when ("pick up"): an urgent reply's timer runs from created_at until then.
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    picked_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-urgent", "-created_at"]
        permissions = [
            ("handle_reply", "Can read, assign and close residents' replies"),
            ("view_reply_address", "Can see the email address of a reply's sender (each view is audit-logged)"),
        ]

    def __str__(self) -> str:
        return f"Reply {self.pk} to {self.alert_id}"

    def waited(self, now: datetime | None = None) -> timedelta:
        """How long it waited (or has been waiting) for someone to pick it up."""
        end = self.picked_up_at or now or timezone.now()
        return max(end - self.created_at, timedelta(0))

    @property
    def waited_minutes(self) -> int:
        return int(self.waited().total_seconds() // 60)


class ReplyAnswer(models.Model):
    """A member of staff's answer to a reply, emailed to the resident (feedback.reply_answer).

    Kept as the conversation: the answer's text, who wrote it and when. The resident's address is never
    stored here; the task that sends the answer reads it from the subscriber at send time.
    """

    class EmailState(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent by email"
        NO_ADDRESS = "no-address", "Not sent: the resident has no email address with us any more"

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # As the resident saw it signed, kept if the account goes.
    author_name = models.CharField(max_length=200)
    # The answer form's own key: a form sent twice (a double click, a retry) answers once.
    key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    email_state = models.CharField(max_length=12, choices=EmailState.choices, default=EmailState.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Answer {self.pk} to reply {self.reply_id}"


class DigestItem(models.Model):
    """An alert over a subscriber's daily cap, waiting for their next daily digest."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="digest_items")
    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="digest_item")
    sent_in_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Digest item {self.pk}"


# Whole words and phrases, one per line (feedback.triggers_in). Migration 0006 moves a force still on the
# earlier default list (OLD_TRIGGER_WORDS there) to this one.
DEFAULT_TRIGGER_WORDS = "\n".join(
    [
        "urgent",
        "emergency",
        "danger",
        "threat",
        "weapon",
        "knife",
        "gun",
        "suicide",
        "kill myself",
        "hurt",
        "attack",
        "help me",
        "being followed",
        "scared",
    ]
)


@register_setting(icon="mail")
class DeliverySettings(BaseGenericSetting):
    """What the force decides about delivering alerts (Settings > Delivery settings)."""

    daily_cap = models.PositiveSmallIntegerField(
        default=3,
        help_text="Non-urgent alerts a subscriber gets in a day; more are gathered into one daily digest. "
        "Urgent and emergency alerts always go straight through.",
    )
    sms_quiet_start = models.TimeField(default="21:00", help_text="No SMS from this time ...")
    sms_quiet_end = models.TimeField(default="08:00", help_text="... until this time (except emergencies).")
    day_starts = models.TimeField(default="07:00", help_text="Subscribers choose day and/or night delivery.")
    night_starts = models.TimeField(default="22:00")
    track_opens = models.BooleanField(
        default=False, help_text="Count email opens with an image pixel. Off by default; the privacy notice says so."
    )
    hard_bounce_limit = models.PositiveSmallIntegerField(
        default=3, help_text="Stop email to a subscriber after this many hard bounces in a row."
    )
    trigger_words = models.TextField(
        default=DEFAULT_TRIGGER_WORDS,
        help_text="One per line: a reply containing any of these is flagged urgent and the on-duty team is told.",
    )
    duty_email = models.EmailField(
        "on-duty team's email address",
        blank=True,
        help_text="Told at once of every urgent reply (a link to it, never its text). Use a monitored 24/7 inbox.",
    )
    duty_sms = models.CharField(
        "on-duty team's mobile number",
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(r"^\+[1-9][0-9]{6,14}$", "Enter the number in international form, e.g. +447700900123")
        ],
        help_text="Optional: also sent an SMS for every urgent reply. International form, e.g. +447700900123.",
    )

    class Meta:
        verbose_name = "Delivery settings"
