"""Every crime endpoint's answer has the shape of data.police.uk's recorded answer for the same endpoint: key
names, key order, JSON types and nulls (openbeat/opendata/tests/shapes.py). Skipped without ../shared/data."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from openbeat.core.models import Force
from openbeat.crime.models import CrimeImport
from openbeat.crime.tests.factories import CrimeFactory
from openbeat.opendata.tests.shapes import FIXTURES, assert_same_shape, recording

pytestmark = pytest.mark.django_db

FEB = datetime.date(2026, 2, 1)
PID = "c69de56fd2fcd523ab65b588811caf53e7ff3a577b2bfd2f731173f5f95af99d"


def loose_recording(name):
    """A PoliceUK.NET recording: JavaScript object syntax (unquoted keys, trailing commas), read as JSON."""
    path = FIXTURES / "policeuk-net" / name
    if not path.is_file():
        pytest.skip(f"data.police.uk recordings not found at {FIXTURES} (../shared/data beside the checkout)")
    text = path.read_text(encoding="utf-8-sig")
    text = re.sub(r"(?m)^(\s*)([A-Za-z_][\w-]*)\s*:", r'\1"\2":', text)
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


@pytest.fixture
def crimes():
    Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
    CrimeFactory(
        neighbourhood=None,
        month=FEB,
        lat_e6=53_763_000,
        lon_e6=-2_703_000,
        category_id="burglary",
        persistent_id=PID,
        outcome_category="Under investigation",
        outcome_month=FEB,
    )
    CrimeFactory(
        neighbourhood=None, month=FEB, lat_e6=53_763_100, lon_e6=-2_703_000, category_id="anti-social-behaviour"
    )
    CrimeFactory(
        neighbourhood=None,
        month=FEB,
        lat_e6=None,
        lon_e6=None,
        category_id="drugs",
        location="No Location",
        outcome_category="Local resolution",
        outcome_month=FEB,
    )
    CrimeImport.objects.create(file_name="a.csv", started_at=timezone.now(), finished_at=timezone.now())


def _street_recordings():
    return [recording("police-data-kit", "crime.json"), *loose_recording("Crimes.Multiple.json")]


def test_crimes_street(client, crimes):
    answer = client.get("/api/crimes-street/all-crime", {"lat": "53.763", "lng": "-2.703"}).json()

    assert len(answer) == 2
    assert_same_shape(answer, _street_recordings())


def test_crimes_street_by_polygon(client, crimes):
    answer = client.post("/api/crimes-street/all-crime", {"poly": "53.7,-2.8:53.8,-2.8:53.8,-2.6"}).json()

    assert len(answer) == 2
    assert_same_shape(answer, _street_recordings())


def test_crimes_at_location(client, crimes):
    answer = client.get("/api/crimes-at-location", {"lat": "53.763", "lng": "-2.703"}).json()

    assert len(answer) == 1
    assert_same_shape(answer, _street_recordings())


def test_crimes_no_location(client, crimes):
    # No recording of this endpoint: a crime with no location (case-history.json's) stands in for its location
    # fields, which data.police.uk documents as "always null for this method".
    crime = dict(recording("police-data-kit", "crime.json"))
    without = recording("police-data-kit", "case-history.json")["crime"]
    crime["location_type"], crime["location"] = without["location_type"], without["location"]

    answer = client.get("/api/crimes-no-location", {"category": "all-crime", "force": "lancashire"}).json()

    assert len(answer) == 1
    assert_same_shape(answer, [crime])


def test_outcomes_for_crime(client, crimes):
    history = recording("police-data-kit", "case-history.json")
    # The recorded history is of a crime without a location; outcome-crime.json is one with.
    located = {"outcomes": history["outcomes"], "crime": recording("police-data-kit", "outcome-crime.json")}

    answer = client.get(f"/api/outcomes-for-crime/{PID}").json()

    assert_same_shape(answer["crime"], recording("police-data-kit", "outcome-crime.json"))
    assert_same_shape(answer, history, located)


def test_outcome_category(client, crimes):
    outcome = client.get(f"/api/outcomes-for-crime/{PID}").json()["outcomes"][0]

    assert_same_shape(outcome["category"], recording("police-data-kit", "outcome-category.json"))


def test_crime_categories(client, crimes):
    answer = client.get("/api/crime-categories", {"date": "2026-02"}).json()

    assert_same_shape(answer, [recording("police-data-kit", "crime-category.json")])
    assert_same_shape(answer, loose_recording("CrimeCatagories.Multiple.json"))


def test_crimes_street_dates(client, crimes):
    answer = client.get("/api/crimes-street-dates").json()

    assert_same_shape(answer, [recording("police-data-kit", "data-set.json")])


def test_crime_last_updated(client, crimes):
    answer = client.get("/api/crime-last-updated").json()

    assert_same_shape(answer, recording("policeuk-net", "LastUpdated.json"))


def test_not_found_body(client, crimes):
    recorded = FIXTURES / "policeuk-net" / "NotFound.txt"
    if not recorded.is_file():
        pytest.skip(f"data.police.uk recordings not found at {FIXTURES} (../shared/data beside the checkout)")

    response = client.get("/api/crimes-street/nonsense", {"lat": "53.763", "lng": "-2.703"})

    assert response.content.decode() == recorded.read_text(encoding="utf-8-sig")
