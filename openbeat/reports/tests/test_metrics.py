import datetime as dt

import pytest
from django.utils import timezone

from openbeat.core.metric_sources import figures, metric_sources
from openbeat.reports.metrics import report_figures
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


@pytest.fixture
def world(west, east):
    crime, lost = ReportTypeFactory(slug="m-crime"), ReportTypeFactory(slug="m-lost")
    west_a, west_b = ReportFactory(division=west).neighbourhood, ReportFactory(division=west).neighbourhood
    for when, report_type, neighbourhood in [
        (at(2026, 3, 1, 0), crime, west_a),  # the first minute of March, UK time
        (at(2026, 3, 31, 23), crime, west_a),
        (at(2026, 3, 15), lost, west_b),
        (at(2026, 4, 2), crime, west_b),
        (at(2026, 2, 28, 23), crime, west_a),  # outside the range asked for
    ]:
        ReportFactory(report_type=report_type, neighbourhood=neighbourhood, created_at=when)
    ReportFactory(report_type=crime, division=east, created_at=at(2026, 4, 10))
    ReportFactory(report_type=lost, division=None, created_at=at(2026, 4, 11))
    return {"west_a": west_a, "west_b": west_b}


def by(found, **match):
    return {
        (f.month, f.division, f.neighbourhood, f.dimension): f.value
        for f in found
        if all(getattr(f, k) == v for k, v in match.items())
    }


def test_reports_by_month_division_and_type(world, django_assert_max_num_queries):
    # The two reports that made the neighbourhoods are dated now, outside March-April 2026.
    with django_assert_max_num_queries(2):
        found = list(report_figures(first_month="2026-03", last_month="2026-04"))
    types = {k: v for k, v in by(found).items() if k[3].startswith("type:")}
    assert types == {
        ("2026-03", "west", None, "type:m-crime"): 2.0,
        ("2026-03", "west", None, "type:m-lost"): 1.0,
        ("2026-04", "west", None, "type:m-crime"): 1.0,
        ("2026-04", "east", None, "type:m-crime"): 1.0,
        ("2026-04", None, None, "type:m-lost"): 1.0,
    }
    assert all(f.metric == "reports_submitted" and f.aggregation == "flow" for f in found)


def test_totals_by_neighbourhood_add_up_to_the_type_figures(world):
    found = list(report_figures(first_month="2026-03", last_month="2026-04"))
    places = by(found, dimension="")
    west_a, west_b = world["west_a"].code, world["west_b"].code
    assert places[("2026-03", "west", west_a, "")] == 2.0
    assert places[("2026-03", "west", west_b, "")] == 1.0
    assert places[("2026-04", None, None, "")] == 1.0
    assert sum(places.values()) == sum(f.value for f in found if f.dimension.startswith("type:")) == 6.0


def test_the_source_is_registered_for_insights(world):
    assert "reports" in metric_sources()
    found = figures(first_month="2026-04", last_month="2026-04", only=["reports"])
    assert sum(f.value for f in found if f.dimension == "") == 3.0
