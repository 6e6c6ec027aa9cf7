"""Plausible street-level crimes for the generated demo force, for the demo loader to call:

    generate_crimes(neighbourhoods=Neighbourhood.objects.filter(...), months=12, seed=2026)

Each neighbourhood gets, each month, a number of crimes near its population's share of a typical English rate
(about 7 a month per 1,000 residents, anti-social behaviour included), in data.police.uk's categories at
their usual national proportions, at random points inside its boundary (shapely), with outcomes that are
mostly "Under investigation" for the latest months and settled for older ones. A few have no location, as in
the real files.

Deterministic (same seed, same crimes) and idempotent: row keys come from the seed, the neighbourhood, the
month and a counter, so a second call creates nothing. All rows hang from one CrimeImport ("demo crimes
(seed N)"), which the demo loader registers; deleting it deletes the crimes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable

import numpy as np
import shapely
from django.utils import timezone
from shapely.geometry import shape

from openbeat.areas.models import Neighbourhood
from openbeat.core.months import last_complete_month, month_shift, month_start, months_between
from openbeat.crime.categories import ANTI_SOCIAL_BEHAVIOUR
from openbeat.crime.models import MICRO, Crime, CrimeImport
from openbeat.crime.services import categories_ensure, crime_counts_refresh, crimes_write

DEFAULT_SEED = 20_261_122
RATE_PER_1000_A_MONTH = 7.0
DEFAULT_POPULATION = 6_000  # a neighbourhood whose population is not known
NO_LOCATION_SHARE = 0.03
# England and Wales, roughly, 2023: shares of all crime and ASB.
CATEGORY_WEIGHTS: list[tuple[str, float]] = [
    ("violent-crime", 0.33), (ANTI_SOCIAL_BEHAVIOUR, 0.20), ("criminal-damage-arson", 0.08),
    ("other-theft", 0.07), ("shoplifting", 0.07), ("vehicle-crime", 0.06), ("public-order", 0.06),
    ("burglary", 0.04), ("other-crime", 0.02), ("drugs", 0.02), ("bicycle-theft", 0.01),
    ("possession-of-weapons", 0.01), ("robbery", 0.01), ("theft-from-the-person", 0.01),
]  # fmt: skip
SETTLED_OUTCOMES: list[tuple[str, float]] = [
    ("Investigation complete; no suspect identified", 0.45), ("Unable to prosecute suspect", 0.30),
    ("Awaiting court outcome", 0.08), ("Local resolution", 0.05), ("Offender given a caution", 0.04),
    ("Court result unavailable", 0.03), ("Further investigation is not in the public interest", 0.03),
    ("Action to be taken by another organisation", 0.02),
]  # fmt: skip
STREETS = ["Mill Lane", "Church Street", "Station Road", "Park Avenue", "High Street", "Victoria Road",
           "School Lane", "Chapel Street", "Market Place", "Brook Close", "Orchard Way", "Moor Lane",
           "Canal Street", "Queen Street", "Parking Area", "Supermarket", "Petrol Station",
           "Sports/Recreation Area"]  # fmt: skip


def _points_inside(geom: shapely.Geometry, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` random (lon, lat) points inside `geom`, drawn in its bbox and kept when inside."""
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    shapely.prepare(geom)
    found = np.empty((0, 2))
    while len(found) < count:
        candidates = rng.uniform((min_lon, min_lat), (max_lon, max_lat), size=(max(count * 2, 16), 2))
        inside = shapely.contains_xy(geom, candidates[:, 0], candidates[:, 1])
        found = np.vstack([found, candidates[inside]])
    return found[:count]


def _key(seed: int, code: str, month: str, n: int) -> str:
    return hashlib.blake2b(f"demo\x1f{seed}\x1f{code}\x1f{month}\x1f{n}".encode(), digest_size=16).hexdigest()


def generate_crimes(
    *,
    neighbourhoods: Iterable[Neighbourhood],
    months: int = 12,
    seed: int = DEFAULT_SEED,
    last_month: str | None = None,
) -> CrimeImport:
    """Crimes for `months` months ending with `last_month` (default: the last complete month) in each of
    `neighbourhoods` with a boundary. Returns the CrimeImport they hang from (its `created` counts this call's)."""
    categories_ensure()
    last = last_month or last_complete_month()
    month_list = months_between(month_shift(last, 1 - months), last)
    record, _ = CrimeImport.objects.get_or_create(
        file_name=f"demo crimes (seed {seed})",
        defaults={"started_at": timezone.now(), "actor_label": "demo loader"},
    )
    slugs, weights = zip(*CATEGORY_WEIGHTS, strict=True)
    outcomes, outcome_weights = zip(*SETTLED_OUTCOMES, strict=True)
    existing = set(CrimeImport.objects.filter(pk=record.pk).values_list("crimes__row_key", flat=True))
    new: list[Crime] = []
    for neighbourhood in sorted(neighbourhoods, key=lambda n: n.code):
        if not neighbourhood.boundary:
            continue
        # One generator per neighbourhood: adding a neighbourhood does not change the others' crimes.
        rng = random.Random(f"{seed}:{neighbourhood.code}")
        points_rng = np.random.default_rng(rng.getrandbits(64))
        geom = shape(neighbourhood.boundary)
        mean = (neighbourhood.population or DEFAULT_POPULATION) * RATE_PER_1000_A_MONTH / 1000
        mean *= rng.uniform(0.5, 1.6)  # some places are busier than others
        for age, month in enumerate(reversed(month_list)):
            seasonal = 1 + 0.15 * np.cos((int(month[5:7]) - 7) / 12 * 2 * np.pi)  # more in summer
            count = int(points_rng.poisson(mean * seasonal))
            points = _points_inside(geom, count, points_rng)
            for n in range(count):
                key = _key(seed, neighbourhood.code, month, n)
                if key in existing:
                    continue
                category = rng.choices(slugs, weights)[0]
                located = rng.random() >= NO_LOCATION_SHARE
                asb = category == ANTI_SOCIAL_BEHAVIOUR
                if asb:
                    outcome = ""
                elif age < 2 and rng.random() < 0.7:
                    outcome = "Under investigation"
                else:
                    outcome = rng.choices(outcomes, outcome_weights)[0]
                lon, lat = float(points[n][0]), float(points[n][1])
                new.append(
                    Crime(
                        row_key=key,
                        persistent_id="" if asb else hashlib.sha256(key.encode()).hexdigest(),
                        month=month_start(month),
                        category_id=category,
                        lat_e6=round(lat * MICRO) if located else None,
                        lon_e6=round(lon * MICRO) if located else None,
                        location=f"On or near {rng.choice(STREETS)}" if located else "No Location",
                        reported_by="Demoshire Police",
                        falls_within="Demoshire Police",
                        outcome_category=outcome,
                        neighbourhood=neighbourhood,
                        source=record,
                    )
                )
    crimes_write(new=new)
    crime_counts_refresh(months=[month_start(m) for m in month_list])
    record.created = len(new)
    record.rows = len(new) + len(existing - {None})
    record.first_month, record.last_month = month_start(month_list[0]), month_start(month_list[-1])
    record.finished_at = timezone.now()
    record.save()
    return record
