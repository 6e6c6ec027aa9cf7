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
