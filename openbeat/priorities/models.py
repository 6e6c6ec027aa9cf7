"""A neighbourhood's priorities ("you said, we did"): what residents said, what the team will do, and, once done,
what it did. Each change of status is an update (dated, with a note), kept and published as the priority's
history. A draft (not published) is seen only in the back office.

Where a priority came from is kept: a kind (PACT meeting, residents' concerns, survey, other) with free text and
a link. A later PACT-meetings app links a meeting through `source_reference`/`source_url` (its own page), so this
table needs no foreign key to an app that does not exist yet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from openbeat.areas.models import Neighbourhood


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Source(models.TextChoices):
    PACT = "pact", "PACT meeting"
    CONCERNS = "concerns", "Residents' concerns"
    SURVEY = "survey", "Survey"
    OTHER = "other", "Other"


class Priority(models.Model):
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="priorities")
    issue = models.TextField(help_text="What residents said: the problem, in their words where possible.")
    action = models.TextField(blank=True, help_text="What the team will do about it.")
    date_set = models.DateField(help_text="The day it was agreed, usually at a PACT meeting.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    date_done = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text='What the team did ("we did"), once done.')
    source_kind = models.CharField(max_length=20, choices=Source.choices, default=Source.PACT)
    source_reference = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(blank=True)
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_set", "-pk"]
        verbose_name_plural = "priorities"
        permissions = [("manage_priority", "Can set and update neighbourhood priorities")]

    def __str__(self) -> str:
        short = " ".join(self.issue.split())
        return short[:80] + ("…" if len(short) > 80 else "")

    def get_absolute_url(self) -> str:
        return reverse("priorities:detail", kwargs={"code": self.neighbourhood.code, "pk": self.pk})

    @property
    def is_done(self) -> bool:
        return self.status == Status.DONE


class PriorityUpdate(models.Model):
    """One dated note on a priority, with the status it had from then: never edited, so the history is kept."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.get_status_display()}"
