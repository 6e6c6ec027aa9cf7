"""The force's geography: divisions (BCUs), neighbourhoods, postcodes and stations.

The force itself (its name, reference prefix and branding) is `core.models.Force`: the public site frame needs
it, and core sits below areas.

Boundaries are stored as GeoJSON in WGS84 (no GDAL/GeoDjango); their bounding boxes are stored as plain
columns so that SQL can pre-filter before shapely does the exact test (see areas.geo).
"""

from __future__ import annotations

from django.db import models


class Division(models.Model):
    """A basic command unit (BCU). Staff scoping is by division."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    code = models.CharField(
        max_length=40, unique=True, help_text="The id the force publishes (data.police.uk), e.g. PR11."
    )
    name = models.CharField(max_length=160)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="neighbourhoods")
    # The feature this boundary came from (e.g. an ONS ward code), so re-imports match it again.
    boundary_ref = models.CharField(max_length=40, blank=True, db_index=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon, WGS84.")
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="nbh_bbox_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("areas:neighbourhood", kwargs={"code": self.code})

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.min_lon is None:
            return None
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)  # type: ignore[return-value]


class Postcode(models.Model):
    """A unit postcode, normalised ("PR1 1AB"), with its point and the neighbourhood that point falls in."""

    postcode = models.CharField(max_length=8, primary_key=True)
    lat = models.FloatField()
    lon = models.FloatField()
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="postcodes"
    )
    # The source's own area code (e.g. the ONS ward), kept for checking assignment quality.
    source_area = models.CharField(max_length=12, blank=True)

    def __str__(self) -> str:
        return self.postcode


class Station(models.Model):
    name = models.CharField(max_length=160)
    address = models.TextField()
    postcode = models.CharField(max_length=8, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="stations"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="stations")
    opening_hours = models.TextField(blank=True, help_text="One line per day or range, e.g. 'Mon-Fri 8am-6pm'.")
    front_counter = models.BooleanField(default=True, help_text="Open to the public.")
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
