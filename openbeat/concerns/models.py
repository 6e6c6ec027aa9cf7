"""Residents' concerns ("voice your concerns"): each month a resident picks up to three of the force's concerns
for a neighbourhood, with an optional comment that only staff read.

A response counts once the resident has confirmed it from an emailed link: until then it is a
`PendingConcernResponse` (private: it shows nowhere). One confirmed response per person per neighbourhood per
month: a later one replaces it. Neither row keeps the email address, only a keyed hash of it that is different for
each neighbourhood and month (`services.email_hash`), so responses cannot be linked across months or to a person.
"""

from __future__ import annotations

import uuid

from django.db import models

from openbeat.areas.models import Neighbourhood

COMMENT_MAX = 500
MAX_CHOICES = 3


class Concern(models.Model):
    """One of the force's list of local concerns, edited in the back office."""

    name = models.CharField(max_length=80, unique=True)
    active = models.BooleanField(default=True, help_text="Inactive concerns are not offered to residents.")
    order = models.PositiveSmallIntegerField(default=100, help_text="Smaller numbers are listed first.")

    class Meta:
        ordering = ["order", "name"]
        permissions = [("view_concern_results", "Can see residents' concerns, with their comments")]

    def __str__(self) -> str:
        return self.name


class ConcernResponse(models.Model):
    """A confirmed response: counted in the month's results."""

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="concern_responses")
    month = models.CharField(max_length=7, help_text="YYYY-MM")
    email_hash = models.CharField(max_length=64)
    concerns = models.ManyToManyField(Concern, related_name="responses")
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "month", "email_hash"], name="concerns_one_per_person_month"
            )
        ]
        indexes = [models.Index(fields=["neighbourhood", "month"], name="concerns_nbh_month_idx")]

    def __str__(self) -> str:
        return f"Response for {self.neighbourhood_id} in {self.month}"


class PendingConcernResponse(models.Model):
    """A response waiting for its emailed link to be opened; deleted once confirmed or past the link's life."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    email_hash = models.CharField(max_length=64)
    concern_ids = models.JSONField(default=list)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"Unconfirmed response {self.public_id}"
