"""Engagement figures: channel accounts, the groups they report under, metrics and observations.

Everything shown (totals, growth, rates, shares) is computed from observations when asked; nothing derived
is stored. Figures OpenBeat knows itself (subscribers, alerts, reports) are not copied here either: they come
from the metric sources other apps register (`openbeat.core.metric_sources`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from openbeat.areas.models import Division, Neighbourhood


class ReportingGroup(models.Model):
    """What accounts report under: a division, or a group the force defines (Corporate, Specialist, Cadets)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    division = models.OneToOneField(
        Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="reporting_group"
    )
    sort_order = models.PositiveSmallIntegerField(
        default=0,
        help_text="Reports list groups in this order (lowest first). An import puts the groups it creates after "
        "the existing ones, in the order the file first names them.",
    )

    class Meta:
        # The force's own order, never alphabetical: ties (groups made before sort_order was set) by creation.
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    class Platform(models.TextChoices):
        FACEBOOK = "facebook", "Facebook"
        X = "x", "X (Twitter)"
        INSTAGRAM = "instagram", "Instagram"
        YOUTUBE = "youtube", "YouTube"
        WEBSITE = "website", "Website"
        ITK = "itk", "In the Know"
        OTHER = "other", "Other"

    platform = models.CharField(max_length=12, choices=Platform.choices)
    name = models.CharField(max_length=160, help_text="The handle or page name, e.g. '@LancsPolice'.")
    group = models.ForeignKey(ReportingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts")
    # A channel's own reported total (e.g. "all Facebook pages" from a platform summary): compared with the sum
    # of the channel's accounts by the data-quality checks, never added to it.
    is_channel_total = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "name"]
        constraints = [models.UniqueConstraint(fields=["platform", "name"], name="account_platform_name_unique")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.name}"


class Metric(models.Model):
    """A named measure and how it may be combined."""

    class Aggregation(models.TextChoices):
        # Stock: a level at a moment (followers). A period's figure is the value at its end; accounts add up.
        STOCK = "stock", "Level at the end of the period (e.g. followers)"
        # Flow: counted during the period (reach, engagements, sessions). Months and accounts add up.
        FLOW = "flow", "Counted during the period (e.g. page views)"
        # Unique counts (monthly users, reach as unique people): months cannot be summed into a period's
        # figure, nor accounts into a channel's. Shown per month; a period total is refused with a reason.
        UNIQUE = "unique", "Unique people counted per period (e.g. users): not additive"
        # Score: a mean over respondents (a survey index, 0-100). Never summed over months or accounts; a period's
        # figure is one month's only (metric sources' scores carry their respondents and are combined exactly).
        SCORE = "score", "A mean score of respondents (e.g. a survey index): not additive"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices, default=Aggregation.FLOW)
    standard = models.BooleanField(default=False, editable=False)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    format = models.CharField(max_length=30)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    # For native exports that carry no account: the account the file belongs to.
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    path = models.CharField(max_length=300, blank=True, help_text="Under PRIVATE_STORAGE_ROOT while queued.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[\"line 4: value 'abc' is not a number\", ...]")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format}: {self.filename}"


class Observation(models.Model):
    """One figure: (period, account, group, metric, value, dimension). Re-importing overwrites, never adds."""

    class Granularity(models.TextChoices):
        MONTH = "month", "Month"
        DAY = "day", "Day"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="observations")
    # The group the figure counts for when it is not the account's own: one "In the Know" account counts its
    # registered users per division. Null: the account's group, so such figures follow the account when the back
    # office moves it. Read the group a figure counts for with `selectors.observations_with_group`.
    group = models.ForeignKey(
        ReportingGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="attributed_observations"
    )
    # `group` as a key that is never null (0: the account's own), for the uniqueness below: NULLs never clash in
    # a unique index, on SQLite or PostgreSQL, so a nullable column alone would let a figure be written twice.
    group_key = models.GeneratedField(
        expression=Coalesce("group", models.Value(0)), output_field=models.BigIntegerField(), db_persist=True
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="observations")
    granularity = models.CharField(max_length=5, choices=Granularity.choices)
    # The first day of the month for MONTH; the day for DAY.
    period_start = models.DateField()
    # "" for the whole; "device:mobile", "source:social" for a share of it.
    dimension = models.CharField(max_length=80, default="", blank=True)
    # Optional: figures that belong to one neighbourhood (events held there), for the gap map.
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    value = models.FloatField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "group_key", "metric", "granularity", "period_start", "dimension"],
                name="observation_unique",
            )
        ]
        indexes = [models.Index(fields=["metric", "granularity", "period_start"], name="observation_period_idx")]
        permissions = [
            ("view_insights", "Can see the insights dashboard and board report"),
            ("import_observations", "Can import and enter engagement figures"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.period_start} {self.value}"


class ReportBuild(models.Model):
    """A board report built for a period (by hand or by the monthly task), kept for download."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    period_from = models.CharField(max_length=7, help_text="YYYY-MM")
    period_to = models.CharField(max_length=7, help_text="YYYY-MM")
    format = models.CharField(max_length=5)
    # The report's choices beyond the period and area: comparison, grouping, threshold_pct (build.report_build's
    # keyword arguments, as board_report's options give them); empty: the defaults.
    options = models.JSONField(default=dict, blank=True)
    division = models.ForeignKey(Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    path = models.CharField(max_length=300, blank=True, help_text="Under PRIVATE_STORAGE_ROOT/reports.")
    error = models.CharField(max_length=300, blank=True)
    scheduled = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Board report {self.period_from} to {self.period_to} ({self.format})"


@register_setting(icon="table")
class InsightsSettings(BaseGenericSetting):
    board_emails = models.TextField(
        blank=True, help_text="The Strategic Engagement Board's list: one address per line. Sent a link each month."
    )
    monthly_report = models.BooleanField(default=True, help_text="Build last month's board report on the 1st.")
    # A neighbourhood is flagged on the gap map when its rate is below this share of the force rate.
    gap_flag_share = models.FloatField(default=0.5, help_text="e.g. 0.5: flag below half the force rate.")

    class Meta:
        verbose_name = "Insights settings"
