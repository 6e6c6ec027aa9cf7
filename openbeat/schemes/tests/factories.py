"""Schemes for tests: a circle of `radius_m` around a point, verified unless told otherwise."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from openbeat.schemes.geometry import area_fields, circle
from openbeat.schemes.models import Coordinator, Scheme

_n = itertools.count()


def make_scheme(
    *, division: Any, lat: float, lon: float, radius_m: float = 300, status: str = Scheme.Status.VERIFIED, **fields: Any
) -> Scheme:
    n = next(_n)
    values: dict[str, Any] = {
        "name": f"Scheme {n}",
        "slug": f"scheme-{n}",
        "kind": Scheme.Kind.NEIGHBOURHOOD,
        "households": 40,
        "postcode": "PR1 1AB",
        **area_fields(circle(lat=lat, lon=lon, radius_m=radius_m)),
        "centre_lat": lat,
        "centre_lon": lon,
        "status": status,
        "verified_at": timezone.now() if status == Scheme.Status.VERIFIED else None,
    }
    values.update(fields)
    return Scheme.objects.create(division=division, **values)


def make_coordinator(scheme: Scheme, *, verified: bool = True, **fields: Any) -> Coordinator:
    n = next(_n)
    values: dict[str, Any] = {
        "name": f"Coordinator {n}",
        "email": f"coordinator{n}@example.com",
        "email_verified_at": timezone.now() if verified else None,
        "is_lead": True,
    }
    values.update(fields)
    return Coordinator.objects.create(scheme=scheme, **values)
