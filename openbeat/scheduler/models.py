"""One row per periodic job: which scheduler took it last, when, and until when it may hold it (services.py)."""

from __future__ import annotations

from django.db import models


class JobLock(models.Model):
    """The database lock that lets schedulers on several hosts run each job once per tick (services.py)."""

    name = models.CharField(max_length=100, primary_key=True)
    # Host and process of the scheduler that last took the job.
    holder = models.CharField(max_length=200, blank=True)
    # When a scheduler last took it: another takes it only a `gap` after (half the job's interval).
    started_at = models.DateTimeField(null=True, blank=True)
    # Set while a run is under way: until then nobody else takes it, and if its scheduler died mid-run the
    # job is free again from then on.
    held_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the last run did, or how it failed, in a few words.
    last_outcome = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.name
