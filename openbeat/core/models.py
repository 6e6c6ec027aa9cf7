"""The public site frame: the force and its branding, and the editable pages (home, accessibility, privacy,
cookies)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.templatetags.static import static
from django.urls import reverse
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from openbeat.core.home import home_context
from openbeat.core.uploads import validate_logo_image


class Force(models.Model):
    """The one force a deployment serves. Branding falls back to settings while no row exists.

    Its table was areas_force until the force moved here (core sits below areas and needs the branding).
    """

    code = models.CharField(max_length=40, unique=True, help_text="As data.police.uk names it, e.g. 'lancashire'.")
    name = models.CharField(max_length=120)
    short_code = models.CharField(
        max_length=6, help_text="Prefix of reference numbers, e.g. 'LC' gives LC-2026-004213."
    )
    primary_colour = models.CharField(max_length=7, default="#1d3f72")
    logo = models.ImageField(
        upload_to="force/",
        blank=True,
        validators=[validate_logo_image],
        help_text="A PNG or JPG image, at most 2MB. Shown in the header of every public page.",
    )
    logo_url = models.CharField(
        max_length=300, blank=True, help_text="The address of a logo hosted elsewhere, used when none is uploaded."
    )
    website = models.URLField(blank=True)
    phone_non_emergency = models.CharField(max_length=40, default="101")
    email_footer = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Shown at the foot of every email residents get (alerts and daily digests), e.g. how to "
        "contact the force. Plain text; a new line is kept.",
    )
    # Bumped whenever any boundary changes, so every process knows to rebuild its spatial index.
    boundaries_version = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Force:
        force: Force | None = Force.objects.order_by("pk").first()
        if force is None:
            force = Force(
                code="demo",
                name=settings.FORCE_NAME,
                short_code=settings.FORCE_SHORT_CODE,
                primary_colour=settings.FORCE_PRIMARY_COLOUR,
                logo_url=settings.FORCE_LOGO_URL,
            )
        return force

    def logo_src(self) -> str:
        """The logo's address: the uploaded image, else `logo_url`, else the static file OPENBEAT_FORCE_LOGO names,
        else "" (no logo)."""
        if self.logo:
            return reverse("core:force_logo", args=[PurePosixPath(self.logo.name or "").name])
        if self.logo_url:
            return self.logo_url
        if path := settings.OPENBEAT_FORCE_LOGO:
            try:
                return static(path)
            except ValueError:  # not in the static manifest: better no logo than every page failing
                return ""
        return ""


class HomePage(Page):
    """The force's front door: report online, get alerts, the latest alerts, find your neighbourhood."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    subpage_types = ["core.ContentPage"]

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # What apps above core offer the home page (the latest alerts, a local postcode for the hint).
        return {**super().get_context(request, *args, **kwargs), **home_context()}


class ContentPage(Page):
    """A plain page the force edits: accessibility statement, privacy notice, cookies, and so on."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField()
    show_in_footer = models.BooleanField(default=False)

    # Site search (openbeat.search) finds these by their summary and body as well as their title.
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
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
    # Extra email headers, e.g. List-Unsubscribe on a digest.
    headers = models.JSONField(default=dict, blank=True)
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
