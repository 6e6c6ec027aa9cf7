import datetime

import pytest
from django.utils import timezone

from openbeat.core.metric_sources import metric_sources
from openbeat.schemes.metrics import scheme_figures
from openbeat.schemes.models import Scheme
from openbeat.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def _at(y, m, d):
    return timezone.make_aware(datetime.datetime(y, m, d, 12))


def test_verified_schemes_are_counted_per_division_at_each_months_end(west, east):
    make_scheme(division=west, lat=53.8, lon=-2.7, verified_at=_at(2026, 1, 10))
    make_scheme(division=west, lat=53.8, lon=-2.7, verified_at=_at(2026, 2, 10))
    make_scheme(
        division=west,
        lat=53.8,
        lon=-2.7,
        verified_at=_at(2026, 1, 5),
        status=Scheme.Status.SUSPENDED,
        suspended_at=_at(2026, 2, 20),
    )
    make_scheme(division=east, lat=53.8, lon=-2.2, verified_at=_at(2026, 3, 1))
    make_scheme(division=east, lat=53.8, lon=-2.2, status=Scheme.Status.PENDING)
    figures = {(f.division, f.month): f.value for f in scheme_figures(first_month="2026-01", last_month="2026-03")}
    assert figures == {
        ("west", "2026-01"): 2.0,
        ("west", "2026-02"): 2.0,  # one verified in February, one suspended in February
        ("west", "2026-03"): 2.0,
        ("east", "2026-01"): 0.0,
        ("east", "2026-02"): 0.0,
        ("east", "2026-03"): 1.0,
    }
    first = next(iter(scheme_figures(first_month="2026-01", last_month="2026-01")))
    assert (first.metric, first.aggregation) == ("nhw_schemes", "stock")


def test_the_source_is_registered_for_insights():
    assert metric_sources()["schemes"] is scheme_figures
