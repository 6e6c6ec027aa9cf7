"""Social media publishing: the force's accounts (one per insights account), compositions posted to several of
them, the approvals they need, each account's attempt at posting, and the tamper-evident record of it all.

A `Post` is written once; each account it goes to has a `PostTarget`, which carries its own variant text and
its own posting state. A target's `idempotency_key` is set when the target is made and never changed: it is
sent with every attempt and used to find the post after a worker died mid-call (services.target_send).
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from openbeat.social.connectors import MODULES

# How a demo account is marked wherever staff see it (account list, composer, calendar, post page).
DEMO_LABEL = "Demo (stand-in)"

NETWORK_CHOICES = [(key, key.capitalize() if key != "x" else "X") for key in MODULES]


@register_setting(icon="cog")
class SocialSettings(BaseGenericSetting):
    """Force-wide choices for social media publishing, edited by administrators in Settings."""

    corporate_second_approver = models.BooleanField(
        default=True,
        help_text="Posts to accounts marked corporate need a second approver (two people, neither the author).",
    )
    ledger_retention_days = models.PositiveIntegerField(
        default=2557, help_text="How long the record of approved, posted and deleted posts is kept (days)."
    )

    class Meta:
        verbose_name = "social media publishing"


def validate_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(f"Not a valid pattern: {error}") from error


class LegalPattern(models.Model):
    """A wording that risks contempt of court or names someone who must not be named: the approver must confirm
    each one found before a post is approved. `pattern` is a regular expression, matched ignoring case."""

    label = models.CharField(max_length=120, help_text="What the approver is told, e.g. 'A child may be named'.")
    pattern = models.CharField(
        max_length=500, validators=[validate_pattern], help_text="A regular expression, matched ignoring case."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class SocialAccount(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECTING = "needs_reconnecting", "Needs reconnecting"
        DISCONNECTED = "disconnected", "Disconnected"

    account = models.OneToOneField("insights.Account", on_delete=models.PROTECT, related_name="social")
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    base_url = models.URLField(blank=True, help_text="The server, e.g. https://mastodon.social (Mastodon, Bluesky).")
    # Fernet-encrypted JSON (social.credentials); never shown again after saving, never logged.
    credentials = models.TextField(blank=True, editable=False)
    requires_approval = models.BooleanField(default=True)
    corporate = models.BooleanField(
        default=False, help_text="A corporate account: a second approver when the force's settings say so."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DISCONNECTED)
    status_reason = models.CharField(max_length=300, blank=True)
    handle = models.CharField(max_length=200, blank=True)
    # A demo account (load_demo): it talks only to its network's local stand-in, never to the real network
    # (services.connector_of refuses any other address), and staff see it marked wherever it is listed.
    is_demo = models.BooleanField(default=False, editable=False)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account__platform", "account__name"]
        permissions = [("manage_socialaccount", "Can connect social media accounts and change their credentials")]

    def __str__(self) -> str:
        return self.account.name

    @property
    def demo_label(self) -> str:
        """What staff see beside a demo account's name ("" for a real one)."""
        return DEMO_LABEL if self.is_demo else ""

    @property
    def division_id(self) -> int | None:
        group = self.account.group
        return group.division_id if group is not None else None


class Post(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CANCELLED = "cancelled", "Cancelled"

    text = models.TextField()
    link = models.URLField(blank=True, max_length=500)
    # One image, checked by content (core.uploads.clean_image), kept in private storage under social/.
    image_file = models.CharField(max_length=100, blank=True)
    image_mime = models.CharField(max_length=40, blank=True)
    image_alt = models.CharField(max_length=1500, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="social_posts"
    )
    alert = models.ForeignKey("alerts.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="social_posts")
    division = models.ForeignKey(
        "areas.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="social_posts"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text="Empty: as soon as approved.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_post", "Can approve social media posts written by someone else")]

    def __str__(self) -> str:
        return self.text[:60]


class Approval(models.Model):
    """One approver's yes, with the legal warnings they confirmed (by label)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_warnings = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "approver"], name="social_approval_once")]

    def __str__(self) -> str:
        return f"{self.approver} approved {self.post}"


class PostTarget(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved, waiting to post"
        POSTING = "posting", "Posting"
        POSTED = "posted", "Posted"
        FAILED = "failed", "Failed"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        CANCELLED = "cancelled", "Cancelled"
        DELETED = "deleted", "Deleted"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="targets")
    variant_text = models.TextField(blank=True, help_text="This network's own wording; empty: the post's text.")
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The network's own handle for this post, stored by an attempt before the call that publishes (Instagram's
    # media container id): a later attempt looks at it first, and the network publishes a container only once.
    attempt_handle = models.CharField(max_length=200, blank=True, editable=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    remote_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(blank=True, max_length=500)
    posted_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # When the dispatcher next looks at it: the scheduled time, a retry's backoff, or (while POSTING) when a
    # worker that has not finished is taken for dead and the post looked up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    posting_started_at = models.DateTimeField(null=True, blank=True)
    # When a task for it was queued and no worker has taken it yet: the dispatcher queues it again only after a
    # lease (services.targets_due). Cleared when a worker claims it.
    queued_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="social_target_once_per_account")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="social_target_due_idx")]

    def __str__(self) -> str:
        return f"{self.post} → {self.account}"

    @property
    def text(self) -> str:
        return self.variant_text or self.post.text


class LedgerHead(models.Model):
    """One row, updated first by every append: the lock that keeps concurrent appends in one chain."""

    appended = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.appended} entries appended"


class LedgerEntry(models.Model):
    """One entry of the tamper-evident record: `hash` is sha256 over the previous entry's hash and this entry's
    canonical JSON (ledger.py)."""

    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    actor_label = models.CharField(max_length=150, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.hash[:12]}"


class InboxItem(models.Model):
    """A reply to or mention of one of the force's accounts, for the shared inbox (inbox.py). The author's handle
    and text are personal data: never logged, and done items are deleted after SOCIAL_INBOX_RETENTION_DAYS."""

    class State(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        DONE = "done", "Done"

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="inbox_items")
    remote_id = models.CharField(max_length=200)
    author = models.CharField(max_length=200)
    text = models.TextField()
    url = models.URLField(blank=True, max_length=500)
    created_at = models.DateTimeField()
    in_reply_to = models.ForeignKey(
        PostTarget, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbox_items"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Same trigger words as In the Know replies (delivery.feedback.triggers_in): shown so staff see why.
    escalated = models.BooleanField(default=False)
    matched_words = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-escalated", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["account", "remote_id"], name="social_inbox_once")]
        indexes = [models.Index(fields=["state", "done_at"], name="social_inbox_state_idx")]

    def __str__(self) -> str:
        return f"Inbox item {self.pk} ({self.account})"


class InboxReply(models.Model):
    """The force's answer to an inbox item, sent to the network as a reply in the item's thread (replies.py). Sent
    at most once, as a post is: `idempotency_key` is set when the reply is written and never changed; the reply is
    put in SENDING with its attempt counted (committed) before each network call, and one found in SENDING after
    its lease is looked up on the network before it is sent again. The text is the force's own words (kept in the
    ledger too); the item's author and text are not copied here."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"
        NEEDS_ATTENTION = "needs_attention", "Waiting for the account to be reconnected"

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_warnings = models.JSONField(default=list, blank=True)
    mark_done = models.BooleanField(default=True, help_text="Mark the item done once the reply is sent.")
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    remote_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(blank=True, max_length=500)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, help_text="Said plainly, for staff.")
    # As PostTarget's: when the dispatcher next looks at it (a retry's backoff, or while SENDING the lease after
    # which its worker is taken for dead and the reply looked up), when the current attempt started, and when a
    # task for it was queued and not yet taken.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="social_reply_due_idx")]

    def __str__(self) -> str:
        return f"Reply {self.pk} to inbox item {self.item_id}"
