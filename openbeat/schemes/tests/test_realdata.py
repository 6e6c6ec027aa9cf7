"""Nearest-scheme search on the real Lancashire neighbourhoods and Code-Point postcodes (../shared/data; skipped
when absent): 400 schemes registered at real postcodes, then the finder for 60 other real postcodes against a
brute-force answer over every scheme (distances and point-in-polygon with no index, no box)."""

import random

import numpy as np
import pytest
import shapely
from django.db import transaction
from shapely.geometry import shape

from openbeat.areas import geo
from openbeat.areas.importers.boundaries import import_geojson_boundaries
from openbeat.areas.importers.postcodes import import_postcodes
from openbeat.areas.models import Postcode
from openbeat.areas.postcodes import postcode_locate
from openbeat.schemes import selectors, services
from openbeat.schemes.geometry import RADIUS_CHOICES, distances_m
from openbeat.schemes.models import Scheme

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

SCHEMES = 400
LOOKUPS = 60


@pytest.fixture(scope="module")
def lancashire(shared_data, django_db_setup, django_db_blocker):
    root = shared_data / "lancashire"
    with django_db_blocker.unblock(), transaction.atomic():
        geo.invalidate()
        import_geojson_boundaries(
            sorted((root / "boundaries").glob("*_wards.geojson")), mapping=root / "neighbourhoods.csv"
        )
        import_postcodes([root / "postcodes-codepoint"])
        rng = random.Random(2026)
        in_force = list(Postcode.objects.filter(neighbourhood__isnull=False).values_list("postcode", flat=True))
        rng.shuffle(in_force)
        registered, others = in_force[:SCHEMES], in_force[SCHEMES : SCHEMES + LOOKUPS]
        for n, postcode in enumerate(registered):
            coordinator = services.scheme_register(
                name=f"Watch {n}",
                kind=rng.choice(Scheme.Kind.values),
                postcode=postcode,
                radius_m=rng.choice(RADIUS_CHOICES),
                households=rng.randint(5, 300),
                coordinator_name=f"Coordinator {n}",
                email=f"c{n}@example.com",
            )
            coordinator.email_verified_at = coordinator.created_at
            coordinator.save()
        # Most verified, some left pending: those must never be found.
        Scheme.objects.filter(pk__in=list(Scheme.objects.values_list("pk", flat=True))[: SCHEMES * 9 // 10]).update(
            status=Scheme.Status.VERIFIED
        )
        yield registered, others
        transaction.set_rollback(True)
    geo.invalidate()


def _brute(lat, lon):
    schemes = list(Scheme.objects.filter(status=Scheme.Status.VERIFIED))
    metres = distances_m(lat, lon, [s.centre_lat for s in schemes], [s.centre_lon for s in schemes])
    order = np.lexsort(([s.pk for s in schemes], metres))[: selectors.NEAREST]
    inside = sorted(s.pk for s in schemes if shapely.intersects_xy(shape(s.area), lon, lat))
    return [schemes[i].pk for i in order], inside


def test_the_finder_agrees_with_brute_force_on_real_postcodes(lancashire):
    _, others = lancashire
    insides = 0
    for postcode in others:
        location = postcode_locate(postcode)
        finding = selectors.find(location)
        nearest, inside = _brute(location.lat, location.lon)
        assert [n.scheme.pk for n in finding.nearest] == nearest, postcode
        assert sorted(s.pk for s in finding.inside) == inside, postcode
        assert all(n.inside == (n.scheme.pk in inside) for n in finding.nearest)
        assert finding.nearest == sorted(finding.nearest, key=lambda n: n.distance_m)
        insides += bool(inside)
    assert len(others) == LOOKUPS


def test_every_schemes_own_postcode_is_inside_it_and_it_is_the_nearest(lancashire):
    _registered, _ = lancashire
    for scheme in Scheme.objects.filter(status=Scheme.Status.VERIFIED)[:50]:
        finding = selectors.find(postcode_locate(scheme.postcode))
        assert scheme in finding.inside
        assert finding.nearest[0].distance_m == pytest.approx(0, abs=0.01)
        assert finding.nearest[0].scheme.centre_lat == scheme.centre_lat


def test_schemes_are_placed_in_the_division_of_their_postcode(lancashire):
    for scheme in Scheme.objects.select_related("division")[:50]:
        assert scheme.division == postcode_locate(scheme.postcode).neighbourhood.division
