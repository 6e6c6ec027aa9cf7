"""Watch schemes (Neighbourhood Watch, Farm Watch, Shop Watch, ...) and their coordinators.

A scheme's area is GeoJSON in WGS84, like a neighbourhood's boundary (no GDAL): either drawn (a circle around a
postcode, or a shape pasted by staff) or the union of chosen neighbourhoods. Its bounding box and centre are
plain indexed columns, so "the nearest schemes" and "which schemes is this point inside" pre-filter in SQL on
SQLite and PostgreSQL alike before exact distances and shapely (see selectors.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from openbeat.areas.models import Division, Neighbourhood

NAME_MAX = 160
DESCRIPTION_MAX = 2000
MAX_HOUSEHOLDS = 1_000_000


class Scheme(models.Model):
    class Kind(models.TextChoices):
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood Watch"
        FARM = "farm", "Farm Watch"
        SHOP = "shop", "Shop Watch"
        PUB = "pub", "Pub Watch"
        BUSINESS = "business", "Business Watch"
        HORSE = "horse", "Horse Watch"
        ALLOTMENT = "allotment", "Allotment Watch"
        WATER = "water", "Boat and Waterways Watch"
        OTHER = "other", "Other watch scheme"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the force to verify it"
        VERIFIED = "verified", "Verified"
        SUSPENDED = "suspended", "Suspended"

    class AreaSource(models.TextChoices):
        DRAWN = "drawn", "Drawn on the map"
        NEIGHBOURHOODS = "neighbourhoods", "Chosen neighbourhoods"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=NAME_MAX)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEIGHBOURHOOD)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="watch_schemes")
    # The postcode the scheme was registered at (its centre for a drawn circle).
    postcode = models.CharField(max_length=8, blank=True)
    area_source = models.CharField(max_length=20, choices=AreaSource.choices, default=AreaSource.DRAWN)
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="watch_schemes")
    area = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon, WGS84.")
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    centre_lon = models.FloatField()
    centre_lat = models.FloatField()
    households = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [("manage_scheme", "Can verify, suspend and edit watch schemes")]
        indexes = [
            # "Nearest": a box around the point on the centre, verified schemes only.
            models.Index(fields=["status", "centre_lat", "centre_lon"], name="scheme_centre_idx"),
            # "Inside": schemes whose bounding box holds the point.
            models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="scheme_bbox_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("schemes:detail", kwargs={"slug": self.slug})

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def bbox(self) -> tuple[Any, Any, Any, Any] | None:
        if self.min_lon is None:
            return None
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


class Coordinator(models.Model):
    """A scheme's coordinator, known through a verified email address (the magic link). Their contact details are
    shown on the public page only if they choose (`show_contact`), and they join the In the Know coordinators'
    group only if they ask to (`itk_opt_in`, with the words they agreed to)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="coordinators")
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=30, blank=True)
    show_contact = models.BooleanField(default=False)
    itk_opt_in = models.BooleanField(default=False)
    itk_wording = models.TextField(blank=True)
    is_lead = models.BooleanField(default=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The In the Know subscription made for them (pending until they confirm it); id only, no cross-app FK.
    itk_subscriber_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_lead", "name"]
        constraints = [models.UniqueConstraint(fields=["scheme", "email"], name="coordinator_scheme_email")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None
