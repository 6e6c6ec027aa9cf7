import pytest
import shapely
from shapely.geometry import shape

from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.crime.demo import generate_crimes
from openbeat.crime.models import Crime, CrimeImport
from openbeat.crime.selectors import neighbourhood_crime_summary

pytestmark = pytest.mark.django_db

TRIANGLE = {"type": "Polygon", "coordinates": [[[-2.0, 53.0], [-1.9, 53.0], [-2.0, 53.1], [-2.0, 53.0]]]}


@pytest.fixture
def places():
    return [
        NeighbourhoodFactory(code="D1", boundary=TRIANGLE, population=4000),
        NeighbourhoodFactory(code="D2", boundary=square(-1.8, 53.0, 0.05), population=None),
        NeighbourhoodFactory(code="D3", boundary=None),
    ]


def test_crimes_fall_inside_each_neighbourhoods_boundary(places):
    record = generate_crimes(neighbourhoods=places, months=12, seed=7, last_month="2026-09")

    assert record.created == Crime.objects.count() > 12 * 10
    for crime in Crime.objects.exclude(lat_e6=None).select_related("neighbourhood"):
        point = shapely.Point(crime.lon_e6 / 1e6, crime.lat_e6 / 1e6)
        assert shape(crime.neighbourhood.boundary).buffer(1e-6).contains(point)
    assert not Crime.objects.filter(neighbourhood=places[2]).exists()
    months = set(Crime.objects.values_list("month", flat=True))
    assert len(months) == 12
    assert max(months).isoformat() == "2026-09-01"


def test_categories_are_weighted_and_outcomes_plausible(places):
    generate_crimes(neighbourhoods=places, seed=7, last_month="2026-09")

    counts = {slug: Crime.objects.filter(category=slug).count() for slug in ("violent-crime", "robbery")}
    assert counts["violent-crime"] > counts["robbery"] * 5
    assert not Crime.objects.filter(category="anti-social-behaviour").exclude(outcome_category="").exists()
    assert not Crime.objects.filter(category="anti-social-behaviour").exclude(persistent_id="").exists()
    assert Crime.objects.filter(lat_e6=None).exists()  # a few without a location, as in the real files


def test_the_same_seed_gives_the_same_crimes_and_a_second_run_adds_none(places):
    first = generate_crimes(neighbourhoods=places, seed=7, last_month="2026-09")
    rows = sorted(Crime.objects.values_list("row_key", "category", "lat_e6", "lon_e6"))

    second = generate_crimes(neighbourhoods=places, seed=7, last_month="2026-09")

    assert second.pk == first.pk
    assert second.created == 0
    assert sorted(Crime.objects.values_list("row_key", "category", "lat_e6", "lon_e6")) == rows


def test_the_section_has_figures_and_deleting_the_record_removes_the_demo(places):
    record = generate_crimes(neighbourhoods=places, seed=7, last_month="2026-09")
    summary = neighbourhood_crime_summary(places[0])
    assert summary.total > 0
    assert all(m.count > 0 for m in summary.trend)

    record.delete()

    assert not Crime.objects.exists()
    assert not CrimeImport.objects.exists()
