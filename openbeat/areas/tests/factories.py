"""Factories for the geography. Boundaries are small squares laid out on a grid so they never overlap."""

from __future__ import annotations

import itertools
from typing import Any

import factory

from openbeat.areas import geo
from openbeat.areas.models import Division, Neighbourhood, Postcode, Station
from openbeat.areas.services import boundary_fields

_squares = itertools.count()


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


def next_square() -> dict[str, Any]:
    n = next(_squares)
    return square(-3.0 + (n % 50) * 0.02, 53.5 + (n // 50) * 0.02)


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Division {n}")
    code = factory.Sequence(lambda n: f"division-{n}")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    """A neighbourhood with a square boundary; pass boundary=None for one without."""

    class Meta:
        model = Neighbourhood

    code = factory.Sequence(lambda n: f"NB{n:03d}")
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    division = factory.SubFactory(DivisionFactory)

    @classmethod
    def _create(cls, model_class: type[Neighbourhood], *args: Any, **kwargs: Any) -> Neighbourhood:
        boundary = kwargs.pop("boundary", None) if "boundary" in kwargs else next_square()
        kwargs.update(boundary_fields(boundary))
        neighbourhood = super()._create(model_class, *args, **kwargs)
        # Factories write rows directly, not through neighbourhood_upsert: tell this process's index.
        geo.invalidate()
        return neighbourhood


_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postcode(n: int) -> str:
    """A distinct, format-valid postcode in the demo's fictional DM area for each n."""
    letters = _INWARD_LETTERS[n // 9 % 20] + _INWARD_LETTERS[n // 180 % 20]
    return f"DM{n // 3600 % 98 + 1} {n % 9 + 1}{letters}"


class PostcodeFactory(factory.django.DjangoModelFactory):
    """A postcode at the centre point of its neighbourhood."""

    class Meta:
        model = Postcode

    postcode = factory.Sequence(_postcode)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    lat = factory.LazyAttribute(lambda o: o.neighbourhood.centroid_lat if o.neighbourhood else 51.5)
    lon = factory.LazyAttribute(lambda o: o.neighbourhood.centroid_lon if o.neighbourhood else -0.1)


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"Station {n}")
    address = "1 High Street"
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    division = factory.LazyAttribute(lambda o: o.neighbourhood.division)
    lat = factory.LazyAttribute(lambda o: o.neighbourhood.centroid_lat)
    lon = factory.LazyAttribute(lambda o: o.neighbourhood.centroid_lon)
    opening_hours = "Mon-Fri 8am-6pm"
