"""Crime factories: `CrimeFactory(neighbourhood=..., month=date(2026, 9, 1), category_id="burglary")`."""

from __future__ import annotations

import datetime
import hashlib
import itertools

import factory

from openbeat.crime.models import Crime
from openbeat.crime.services import categories_ensure, crime_counts_refresh

_keys = itertools.count()

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)


def _category(_crime: object) -> str:
    categories_ensure()
    return "burglary"


class CrimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crime

    row_key = factory.LazyFunction(lambda: hashlib.blake2b(str(next(_keys)).encode(), digest_size=16).hexdigest())
    month = datetime.date(2026, 9, 1)
    category_id = factory.LazyAttribute(_category)
    location = "On or near High Street"
    reported_by = "Testshire Police"
    falls_within = "Testshire Police"
    lat_e6 = factory.LazyAttribute(lambda o: round(o.neighbourhood.centroid_lat * 1e6) if o.neighbourhood else None)
    lon_e6 = factory.LazyAttribute(lambda o: round(o.neighbourhood.centroid_lon * 1e6) if o.neighbourhood else None)
    neighbourhood = factory.SubFactory("openbeat.areas.tests.factories.NeighbourhoodFactory")

    @classmethod
    def _after_postgeneration(cls, instance: Crime, create: bool, results: dict | None = None) -> None:
        # As every real writer does once its crimes are written: the page reads the counts, not the crimes.
        if create:
            crime_counts_refresh(months=[instance.month])


def crime_csv(*rows: str) -> str:
    """A street-level CSV with data.police.uk's header and these rows."""
    return "\n".join([HEADER, *rows]) + "\n"
