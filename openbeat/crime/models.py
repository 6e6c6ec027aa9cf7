"""Street-level crime as data.police.uk publishes it, placed in the force's neighbourhoods.

Shaped so a later data.police.uk-compatible API can answer from these columns alone:

- `crimes-street` and `crimes-at-location`: a month and a point (or an area's bbox) -> the (month, lat, lon)
  index; `crimes-no-location`: a month and a category with no point -> the same index (NULL latitude);
- `outcomes-for-crime`: the persistent id -> its own index;
- `crime-categories`: CrimeCategory; `crimes-street-dates`: the distinct months (the month index);
- the neighbourhood page: counts by (neighbourhood, month, category), a covering index.

Points are integer microdegrees (`lat_e6`, `lon_e6`), not floats: data.police.uk publishes six decimals, which
an integer keeps exactly (the API writes "53.762598" back as it came, and `crimes-at-location` groups crimes
on the exact anonymised point, which float equality makes fragile); two 4-byte integers are also half the size
of two doubles in every row and in the (month, lat, lon) index, which matters at a million rows a month.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from openbeat.areas.models import Neighbourhood

MICRO = 1_000_000


class CrimeCategory(models.Model):
    """One of data.police.uk's categories (seeded by a migration from crime.categories)."""

    # The API's slug ("violent-crime") is the key: a crime's category is readable and filterable without a join.
    slug = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(
        max_length=100, help_text="As data.police.uk names it, e.g. 'Violence and sexual offences'."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "crime categories"

    def __str__(self) -> str:
        return self.name


class CrimeImport(models.Model):
    """One file imported (or the demo's generated crimes): what it held and what became of it."""

    file_name = models.CharField(max_length=255)
    first_month = models.DateField(null=True, blank=True)
    last_month = models.DateField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    without_location = models.PositiveIntegerField(default=0)
    outside_force = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first rejected lines, 'line N: reason'.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who ran it, kept when the account goes: a username, or "command line (as <system user>)".
    actor_label = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        permissions = [("view_crime_import", "Can see the crime imports")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class Crime(models.Model):
    """One row of a data.police.uk street-level CSV."""

    # data.police.uk's "Crime ID" (64 hex characters); empty for anti-social behaviour.
    persistent_id = models.CharField(max_length=64, blank=True)
    # What makes a row the same row on a second import: a hash of the month, the persistent id (or, without one,
    # every field but the outcome) and the row's occurrence among rows that share them. Rows of a file can be
    # identical (two ASB reports at one anonymised point), so the occurrence number tells them apart.
    row_key = models.CharField(max_length=32, unique=True)
    month = models.DateField(help_text="The first day of the month.")
    category = models.ForeignKey(CrimeCategory, on_delete=models.PROTECT, related_name="+")
    lat_e6 = models.IntegerField(null=True, blank=True, help_text="Latitude in millionths of a degree (WGS84).")
    lon_e6 = models.IntegerField(null=True, blank=True, help_text="Longitude in millionths of a degree (WGS84).")
    location = models.CharField(max_length=255, blank=True, help_text="'On or near ...', or 'No Location'.")
    lsoa_code = models.CharField(max_length=12, blank=True)
    lsoa_name = models.CharField(max_length=100, blank=True)
    reported_by = models.CharField(max_length=100, blank=True)
    falls_within = models.CharField(max_length=100, blank=True)
    outcome_category = models.CharField(max_length=150, blank=True, help_text="The last outcome, as written.")
    outcome_month = models.DateField(null=True, blank=True, help_text="When the last outcome was given, if known.")
    context = models.TextField(blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="crimes"
    )
    # A point outside every neighbourhood boundary (data.police.uk lists crimes the force recorded elsewhere).
    outside_force = models.BooleanField(default=False)
    # The import that first brought the row in; deleting an import (the demo's) deletes its rows.
    source = models.ForeignKey(CrimeImport, on_delete=models.CASCADE, null=True, blank=True, related_name="crimes")

    class Meta:
        indexes = [
            models.Index(fields=["neighbourhood", "month", "category"], name="crime_nbh_month_cat_idx"),
            models.Index(fields=["month", "lat_e6", "lon_e6"], name="crime_month_point_idx"),
            models.Index(fields=["persistent_id"], name="crime_persistent_id_idx"),
            # The force's figures for a month (every neighbourhood page's "the force: N per 1,000"), counted from
            # the index alone: a month of a large force is some 100,000 rows.
            models.Index(fields=["month", "neighbourhood"], name="crime_month_nbh_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.month:%Y-%m} {self.location}"

    @property
    def latitude(self) -> Decimal | None:
        return None if self.lat_e6 is None else Decimal(self.lat_e6).scaleb(-6)

    @property
    def longitude(self) -> Decimal | None:
        return None if self.lon_e6 is None else Decimal(self.lon_e6).scaleb(-6)

    @property
    def month_text(self) -> str:
        return f"{self.month:%Y-%m}"


class CrimeCount(models.Model):
    """Crimes counted by import, month, neighbourhood, category and last outcome: what the neighbourhood page
    reads instead of the crimes themselves.

    A neighbourhood's year is a few hundred of these rows however many crimes there are, and the force's month
    (every page's "the force: N per 1,000") a few thousand, so a page's first render after a change stays cheap
    with a million crimes. `services.crime_counts_refresh` rebuilds a month's rows from the crimes after every
    write; the import is part of the key so that deleting an import (the demo's, or a failed one) deletes its
    counts with its crimes, by cascade, with nothing to remember.
    """

    source = models.ForeignKey(CrimeImport, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    month = models.DateField()
    # As on Crime: a deleted neighbourhood's crimes are no one's, and so are their counts.
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.ForeignKey(CrimeCategory, on_delete=models.CASCADE, related_name="+")
    outcome_category = models.CharField(max_length=150, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["neighbourhood", "month"], name="crimecount_nbh_month_idx"),
            models.Index(fields=["month", "neighbourhood"], name="crimecount_month_nbh_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.category_id} {self.month:%Y-%m}"
