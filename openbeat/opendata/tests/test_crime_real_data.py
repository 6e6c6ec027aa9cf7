"""The real month (Lancashire, October 2022, 15,833 rows) imported with `manage.py import_crimes`, then asked for
through the API: the counts agree with the CSV read directly. Skipped without ../shared/data."""

import csv
import math
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from openbeat.core.models import Force

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

PRESTON = (53.7590, -2.6990)  # the city centre: a dense mile
MILE_M = 1_609.344


def _metres(lat1, lng1, lat2, lng2):
    # The great-circle distance, written apart from the selector's on purpose.
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lng2 - lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def month_file(shared_data, django_db_setup, django_db_blocker):
    path = shared_data / "lancashire" / "crime" / "2022-10-lancashire-street.csv"
    if not path.is_file():
        pytest.skip(f"the real crime month is not at {path}")
    with django_db_blocker.unblock(), transaction.atomic():
        Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
        call_command("import_crimes", str(path), "--allow-errors", verbosity=0)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield list(csv.DictReader(handle))
        transaction.set_rollback(True)


@pytest.fixture
def api(client, settings):
    settings.OPENDATA_RATE_EXEMPT = ["127.0.0.1/32"]
    return client


def _within_a_mile(rows, category=None):
    return [
        row
        for row in rows
        if row["Latitude"]
        and _metres(*PRESTON, float(row["Latitude"]), float(row["Longitude"])) <= MILE_M
        and (category is None or row["Crime type"] == category)
    ]


def test_a_mile_of_preston_as_many_crimes_as_the_csv_has(api, month_file):
    expected = _within_a_mile(month_file)

    answer = api.get("/api/crimes-street/all-crime", {"lat": PRESTON[0], "lng": PRESTON[1]}).json()

    assert len(expected) > 500
    assert len(answer) == len(expected)


def test_a_mile_of_one_category(api, month_file):
    expected = _within_a_mile(month_file, "Burglary")

    answer = api.get("/api/crimes-street/burglary", {"lat": PRESTON[0], "lng": PRESTON[1], "date": "2022-10"}).json()

    assert len(answer) == len(expected)


def test_the_points_are_the_csvs_own(api, month_file):
    expected = Counter((row["Latitude"], row["Longitude"]) for row in _within_a_mile(month_file))

    answer = api.get("/api/crimes-street/all-crime", {"lat": PRESTON[0], "lng": PRESTON[1]}).json()

    points = Counter((c["location"]["latitude"], c["location"]["longitude"]) for c in answer)
    assert points == expected


def test_persistent_ids_are_the_csvs(api, month_file):
    expected = {row["Crime ID"] for row in _within_a_mile(month_file)}

    answer = api.get("/api/crimes-street/all-crime", {"lat": PRESTON[0], "lng": PRESTON[1]}).json()

    assert {c["persistent_id"] for c in answer} == expected


def test_a_polygon_around_preston_as_the_csv_has(api, month_file):
    south, north, west, east = 53.74, 53.78, -2.73, -2.67
    expected = [
        row
        for row in month_file
        if row["Latitude"] and south < float(row["Latitude"]) < north and west < float(row["Longitude"]) < east
    ]
    poly = f"{south},{west}:{north},{west}:{north},{east}:{south},{east}"

    answer = api.get("/api/crimes-street/all-crime", {"poly": poly}).json()

    assert len(answer) == len(expected)


def test_the_whole_force_is_more_than_ten_thousand_crimes(api, month_file):
    poly = "53.0,-3.2:54.5,-3.2:54.5,-1.9:53.0,-1.9"

    assert api.get("/api/crimes-street/all-crime", {"poly": poly}).status_code == 503


def test_crimes_without_a_location(api, month_file):
    expected = sum(1 for row in month_file if not row["Latitude"])

    answer = api.get("/api/crimes-no-location", {"category": "all-crime", "force": "lancashire"}).json()

    assert len(answer) == expected


def test_the_dates_and_last_update(api, month_file):
    assert api.get("/api/crimes-street-dates").json() == [{"date": "2022-10", "stop-and-search": []}]
    assert api.get("/api/crime-last-updated").status_code == 200
