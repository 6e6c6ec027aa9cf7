"""Campaigns, and the figures OpenBeat keeps for their results.

A campaign (e.g. a week of action against child sexual exploitation) groups Wagtail pages (any page type: news
and appeals included), In the Know alerts and events under one name and hashtag, with dates and aims. It belongs
to a division, or to the whole force (`division` empty); staff see and change their division's only (staff.scope).
Social posts are not rows here: the insights imports carry figures, and a campaign's hashtag selects those whose
dimension is `hashtag:<tag>` (selectors.social_figures).

`PageView` is the count of a public page's successful GETs per day, kept by OpenBeat itself (pageviews.py): no
address, browser or cookie, only (page, day, views). `CampaignReport` says which Do It Online report was made
through a campaign's link (reports' `campaign_links` hook): the report's id and time, nothing from the report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Campaign(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="In campaign links, e.g. /report/<type>/?campaign=<slug>."
    )
    hashtag = models.CharField(max_length=100, blank=True, help_text="Without the #, e.g. NotInMyCity.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    aims = models.TextField(blank=True)
    # None: a force-wide campaign, changed only by force-wide staff.
    division = models.ForeignKey(
        "areas.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    pages: models.ManyToManyField = models.ManyToManyField("wagtailcore.Page", blank=True, related_name="+")
    alerts = models.ManyToManyField("alerts.Alert", blank=True, related_name="campaigns")
    events = models.ManyToManyField("events.Event", blank=True, related_name="campaigns")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        permissions = [("manage_campaign", "Can create and change campaigns")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_label(self) -> str:
        return f"{self.division.name} division" if self.division is not None else "The whole force"


class PageView(models.Model):
    """A page's successful public GETs on one day (the force's local date). Nothing about who viewed it."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "day"], name="pageview_page_day_unique")]
        indexes = [models.Index(fields=["day"], name="pageview_day_idx")]

    def __str__(self) -> str:
        return f"page {self.page_id} on {self.day}: {self.views}"


class CampaignReport(models.Model):
    """A report made through a campaign's link: which campaign, which report, when (for counting only)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports_made")
    report = models.OneToOneField("reports.Report", on_delete=models.CASCADE, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "made_at"], name="campaignreport_made_idx")]

    def __str__(self) -> str:
        return f"report {self.report_id} via {self.campaign_id}"
