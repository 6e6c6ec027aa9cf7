"""Citizens in Policing: monthly counts of volunteers per division, the imports that brought them, and the
volunteering opportunities shown to the public.

`VolunteerCount` is one division's figure for one role in one month: the headcount at the month's end, and how
many joined and left during it. Counts are aggregates typed in by staff or imported from a file; no individual
volunteer is ever stored. They feed the board report's Citizens in Policing section through a metric source
(metrics.py), so insights never reads this table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    SPECIAL_CONSTABLE = "special_constable", "Special constables"
    POLICE_SUPPORT_VOLUNTEER = "police_support_volunteer", "Police support volunteers"
    CADET = "cadet", "Volunteer police cadets"
    MINI_POLICE = "mini_police", "Mini police"


class ImportBatch(models.Model):
    """One file of counts brought in (back-office upload or the management command): what it held and which of
    its lines could not be used, so staff can mend them and import the file again."""

    class Via(models.TextChoices):
        UPLOAD = "upload", "Back-office upload"
        COMMAND = "command", "Management command"

    file_name = models.CharField(max_length=255)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.UPLOAD)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rows_ok = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    # [{"line": 3, "message": "role 'sergeant' is not one of ..."}], in file order.
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows_ok} rows imported, {self.rows_bad} bad)"


class VolunteerCount(models.Model):
    class Source(models.TextChoices):
        ENTERED = "entered", "Entered in the back office"
        IMPORTED = "imported", "Imported from a file"

    division = models.ForeignKey("areas.Division", on_delete=models.PROTECT, related_name="volunteer_counts")
    month = models.DateField(help_text="The first day of the month the figures are for.")
    role = models.CharField(max_length=30, choices=Role.choices)
    headcount = models.PositiveIntegerField(help_text="How many at the end of the month.")
    joiners = models.PositiveIntegerField(default=0)
    leavers = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="counts")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["division", "month", "role"]
        permissions = [
            ("view_counts", "Can see Citizens in Policing counts"),
            ("manage_counts", "Can enter and import Citizens in Policing counts"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["division", "month", "role"], name="volunteercount_division_month_role"),
            # PositiveIntegerField already refuses negatives on most databases; said here so that every database
            # (and a reader of the schema) holds the rule.
            models.CheckConstraint(
                condition=Q(headcount__gte=0) & Q(joiners__gte=0) & Q(leavers__gte=0),
                name="volunteercount_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["month"], name="volunteercount_month_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.division_id} for {self.month:%Y-%m}: {self.headcount}"


class Opportunity(models.Model):
    """A volunteering role the public can read about and register interest in (through Do It Online)."""

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    role = models.CharField(max_length=30, choices=Role.choices)
    summary = models.CharField(max_length=300, help_text="One or two sentences, shown in the list.")
    body = models.TextField(help_text="What the role involves, who can apply and the time it takes.")
    # None: a force-wide opportunity, changed only by force-wide staff.
    division = models.ForeignKey(
        "areas.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="volunteer_opportunities"
    )
    closes_on = models.DateField(null=True, blank=True, help_text="Leave empty if it is always open.")
    live = models.BooleanField(default=False, help_text="Shown on the public site.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["closes_on", "title"]
        verbose_name_plural = "opportunities"
        permissions = [("manage_opportunity", "Can create and change volunteering opportunities")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("volunteers:detail", kwargs={"slug": self.slug})

    @property
    def scope_label(self) -> str:
        return f"{self.division.name} division" if self.division is not None else "The whole force"
