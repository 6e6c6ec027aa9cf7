import datetime

import pytest
from django.test import Client

from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.crime.importers.street import import_crimes
from openbeat.crime.tests.factories import CrimeFactory, crime_csv

pytestmark = pytest.mark.django_db

SEP = datetime.date(2026, 9, 1)


def page(neighbourhood):
    response = Client().get(neighbourhood.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_section_shows_counts_rates_trend_outcomes_and_caveats():
    here = NeighbourhoodFactory(name="Hereford", population=2000)
    CrimeFactory.create_batch(
        3, neighbourhood=here, month=SEP, category_id="burglary", outcome_category="Awaiting court outcome",
        location="On or near Secret Street",
    )  # fmt: skip

    body = page(here)

    assert "Crime in your area" in body
    assert "In September 2026, 3 crimes and incidents of anti-social behaviour were recorded in Hereford." in body
    assert "Burglary" in body
    assert "1.5 per 1,000 residents" in body
    assert "Awaiting court outcome" in body
    assert "<svg" in body
    assert "August 2026" in body
    assert "https://data.police.uk/about/" in body
    assert "not crimes" in body
    # Counts only: no crime's street or point on this page.
    assert "Secret Street" not in body


def test_a_neighbourhood_without_crimes_says_so():
    NeighbourhoodFactory(code="B1", population=1000)
    CrimeFactory(month=SEP)
    quiet = NeighbourhoodFactory(name="Quietby", population=1000)

    body = page(quiet)

    assert "No crimes recorded in Quietby in September 2026." in body
    assert "0.0 per 1,000 residents" in body


def test_no_figures_at_all_says_none_are_published():
    body = page(NeighbourhoodFactory())

    assert "No crime figures have been published for this area yet." in body


def test_an_import_shows_on_the_cached_page_at_once(tmp_path):
    here = NeighbourhoodFactory(name="Hereford", boundary=square(-2.0, 53.0, 0.1), population=1000)
    assert "No crime figures have been published" in page(here)  # now stored in the page cache
    path = tmp_path / "crimes.csv"
    path.write_text(crime_csv(",2026-09,T,T,-1.95,53.05,On or near Mill Lane,,,Drugs,,"), encoding="utf-8")

    import_crimes([path])

    assert "In September 2026, 1 crime or incident of anti-social behaviour was recorded in Hereford." in page(here)


@pytest.mark.parametrize("code", ["NOPE", "%00", "a" * 300, "<script>", "PR1%00"])
def test_odd_neighbourhood_codes_never_fail(code):
    CrimeFactory(month=SEP)
    for url in (f"/neighbourhoods/{code}/", f"/neighbourhoods/{code}/boundary.geojson"):
        assert Client().get(url).status_code in (301, 404)
