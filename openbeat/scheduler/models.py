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


class JobRun(models.Model):
    """One run of a periodic job, as the scheduler that took it recorded it: the run log the back office shows
    (Settings > Scheduled jobs) and the retention job prunes after JOB_RUNS_RETENTION_DAYS."""

    job = models.CharField(max_length=100, db_index=True)
    holder = models.CharField(max_length=200)
    started_at = models.DateTimeField(db_index=True)
    # Empty while the run is under way (or if its scheduler died mid-run).
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    outcome = models.CharField(max_length=300, blank=True)
    # True for the one run a scheduler makes as it starts, when the job's last time of day passed unrun.
    caught_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        permissions = [("view_scheduled_jobs", "Can see the scheduled jobs and their runs")]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def took(self) -> str:
        """How long the run took, in words ("0.4 s", "3 min 12 s"); empty while unfinished."""
        if self.finished_at is None:
            return ""
        seconds = (self.finished_at - self.started_at).total_seconds()
        if seconds < 60:
            return f"{seconds:.1f} s"
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
