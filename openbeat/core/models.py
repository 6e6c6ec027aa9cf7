"""The public site frame's editable pages: home, and plain content pages (accessibility, privacy, cookies)."""

from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    subpage_types = ["core.ContentPage"]


class ContentPage(Page):
    """A plain page the force edits: accessibility statement, privacy notice, cookies, and so on."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField()
    show_in_footer = models.BooleanField(default=False)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_footer")]
    subpage_types = ["core.ContentPage"]


class TransactionalMessage(models.Model):
    """One email or SMS to one person, persisted before it is queued (see core.messaging); deleted once sent."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class State(models.TextChoices):
        # GOV.UK Notify's names; "delivered" rows are deleted, so they are never seen here.
        CREATED = "created", "Created"
        SENDING = "sending", "Sending"
        TEMPORARY_FAILURE = "temporary-failure", "Temporary failure"
        PERMANENT_FAILURE = "permanent-failure", "Permanent failure"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    # What it is for, e.g. "subscriptions.confirm": for counting failures without reading the content.
    purpose = models.CharField(max_length=60)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CREATED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} #{self.pk}"


class UsedLink(models.Model):
    """A single-use link that has been used, so that it is refused the second time (core.links).

    Only the SHA-256 of the link's token is kept, never the token or whose it was, and only until the link
    would have expired anyway: rows past `expires_at` are deleted whenever a link is used.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Used link {self.token_hash[:8]}"
