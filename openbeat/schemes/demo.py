"""The demo's watch schemes: about twenty across the demo's neighbourhoods, most verified, a few waiting for staff,
each with a coordinator or two (some showing their contact details), so the finder, the scheme pages, the back
office's queue and the board report's scheme count all have something in them.

Written straight to the tables (the demo's people confirmed nothing by email) and down in the demo's register, so
`demo_reset` removes them, coordinators too. Nobody is signed up to In the Know: that needs a person's own consent.
Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from openbeat.areas.models import Neighbourhood, Postcode
from openbeat.demo.registry import demo_tag, demo_tagged
from openbeat.schemes.geometry import RADIUS_CHOICES, area_fields, circle
from openbeat.schemes.models import Coordinator, Scheme

COUNT = 20
_STREETS = [
    "Mill Lane",
    "Church Street",
    "Orchard Close",
    "Station Road",
    "Beech Grove",
    "Meadow View",
    "Park Avenue",
    "Chapel Row",
    "Willow Drive",
    "Moss Lane",
    "Kingsway",
    "Fell View",
    "Canal Side",
    "Brook Street",
    "Hall Farm",
    "Market Place",
    "Elm Road",
    "Victoria Terrace",
    "Holly Bank",
    "Ridgeway",
    "Abbey Fold",
    "Priory Walk",
]
_KINDS = [Scheme.Kind.NEIGHBOURHOOD] * 12 + [
    Scheme.Kind.FARM,
    Scheme.Kind.FARM,
    Scheme.Kind.SHOP,
    Scheme.Kind.PUB,
    Scheme.Kind.HORSE,
    Scheme.Kind.ALLOTMENT,
    Scheme.Kind.BUSINESS,
    Scheme.Kind.WATER,
]
_FIRST = ["Pat", "Sam", "Alex", "Jo", "Chris", "Ruth", "Imran", "Priya", "Gareth", "Siobhan", "Tom", "Aisha"]
_LAST = ["Jones", "Patel", "Hughes", "Khan", "Walsh", "Taylor", "Singh", "Murphy", "Clarke", "Ahmed"]


def step_schemes(ctx: Any) -> str:
    if demo_tagged(Scheme.objects.all()).exists():
        return "already there"
    neighbourhoods = list(
        demo_tagged(Neighbourhood.objects.filter(centroid_lat__isnull=False))
        .select_related("division")
        .order_by("code")
    )
    if not neighbourhoods:
        return "skipped: no demo neighbourhoods"
    rng = random.Random(getattr(ctx, "rng", random.Random(22)).random())
    now = timezone.now()
    made: list[Any] = []
    with transaction.atomic():
        for i in range(COUNT):
            neighbourhood = neighbourhoods[(i * 7) % len(neighbourhoods)]
            postcode = Postcode.objects.filter(neighbourhood=neighbourhood).order_by("postcode").first()
            lat = postcode.lat if postcode else float(neighbourhood.centroid_lat or 0)
            lon = postcode.lon if postcode else float(neighbourhood.centroid_lon or 0)
            kind = _KINDS[i % len(_KINDS)]
            name = f"{_STREETS[i % len(_STREETS)]} {Scheme.Kind(kind).label}"
            pending = i % 7 == 6  # a few for the back office's queue
            verified_at = now - timedelta(days=rng.randint(20, 700))
            fields = area_fields(circle(lat=lat, lon=lon, radius_m=rng.choice(RADIUS_CHOICES[:4])))
            fields.update(centre_lat=lat, centre_lon=lon)
            scheme = Scheme.objects.create(
                slug=_free_slug(name),
                name=name,
                kind=kind,
                description=f"Neighbours around {_STREETS[i % len(_STREETS)]} in {neighbourhood.name} looking out "
                "for each other, with a newsletter every month.",
                division=neighbourhood.division,
                postcode=postcode.postcode if postcode else "",
                households=rng.randint(12, 260),
                status=Scheme.Status.PENDING if pending else Scheme.Status.VERIFIED,
                verified_at=None if pending else verified_at,
                **fields,
            )
            made.append(scheme)
            for n in range(1 if i % 3 else 2):
                person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
                made.append(
                    Coordinator.objects.create(
                        scheme=scheme,
                        name=person,
                        email=f"{slugify(person)}.{i}{n}@example.org",
                        phone=f"07700 900{rng.randint(100, 999)}" if n == 0 and i % 2 else "",
                        show_contact=i % 4 == 0,
                        is_lead=n == 0,
                        email_verified_at=verified_at - timedelta(days=2),
                    )
                )
        demo_tag(objs=made)
    schemes = sum(isinstance(obj, Scheme) for obj in made)
    return f"{schemes} watch schemes with {len(made) - schemes} coordinators"


def _free_slug(name: str) -> str:
    base, n = slugify(name), 2
    slug = base
    while Scheme.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
