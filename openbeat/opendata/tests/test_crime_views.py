import datetime

import pytest
from django.utils import timezone

from openbeat.core.models import Force
from openbeat.crime.models import CrimeImport
from openbeat.crime.tests.factories import CrimeFactory
from openbeat.opendata import crime_selectors
from openbeat.opendata.crime_json import street_id

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
PRESTON = (53_763_000, -2_703_000)  # microdegrees
PID = "0e51b9ceb4aedef3f9679481aa11262a6c5ea90a68d0dd0e0002a0b521c445e0"


def crime(lat_e6=PRESTON[0], lon_e6=PRESTON[1], month=FEB, **kwargs):
    return CrimeFactory(neighbourhood=None, lat_e6=lat_e6, lon_e6=lon_e6, month=month, **kwargs)


@pytest.fixture
def crimes():
    near = crime(
        category_id="burglary",
        persistent_id=PID,
        location="On or near Fishergate",
        outcome_category="Investigation complete; no suspect identified",
        outcome_month=FEB,
    )
    asb = crime(category_id="anti-social-behaviour", lat_e6=PRESTON[0] + 5_000)  # ~550 m north
    far = crime(category_id="burglary", lat_e6=PRESTON[0] + 20_000)  # ~2.2 km north: outside the mile
    january = crime(category_id="burglary", month=JAN)
    nowhere = crime(category_id="drugs", lat_e6=None, lon_e6=None, location="No Location")
    return {"near": near, "asb": asb, "far": far, "january": january, "nowhere": nowhere}


@pytest.fixture
def lancashire():
    return Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")


def street(client, category="all-crime", **query):
    return client.get(f"/api/crimes-street/{category}", {"lat": "53.763", "lng": "-2.703", **query})


def test_crimes_within_a_mile_of_the_point_in_the_latest_month(client, crimes):
    response = street(client)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [crimes["near"].pk, crimes["asb"].pk]


def test_a_crime_as_data_police_uk_writes_it(client, crimes):
    first = street(client).json()[0]

    assert first == {
        "category": "burglary",
        "location_type": "Force",
        "location": {
            "latitude": "53.763000",
            "street": {"id": street_id(*PRESTON), "name": "On or near Fishergate"},
            "longitude": "-2.703000",
        },
        "context": "",
        "outcome_status": {"category": "Investigation complete; no suspect identified", "date": "2026-02"},
        "persistent_id": PID,
        "id": crimes["near"].pk,
        "location_subtype": "",
        "month": "2026-02",
    }


def test_anti_social_behaviour_has_no_persistent_id_nor_outcome(client, crimes):
    asb = street(client, "anti-social-behaviour").json()

    assert len(asb) == 1
    assert asb[0]["persistent_id"] == ""
    assert asb[0]["outcome_status"] is None


def test_a_month_asked_for(client, crimes):
    response = street(client, date="2026-01")

    assert [c["id"] for c in response.json()] == [crimes["january"].pk]


def test_a_category_filters(client, crimes):
    response = street(client, "burglary")

    assert [c["id"] for c in response.json()] == [crimes["near"].pk]


@pytest.mark.parametrize("category", ["nonsense", "All-Crime", "public-order-x"])
def test_an_unknown_category_is_not_found(client, crimes, category):
    assert street(client, category).status_code == 404


@pytest.mark.parametrize("date", ["2026-13", "2026-1", "yesterday", "2026-01-01"])
def test_a_malformed_date_is_a_bad_request(client, crimes, date):
    assert street(client, date=date).status_code == 400


@pytest.mark.parametrize(
    "query",
    [{"lat": "north"}, {"lat": "91"}, {"lng": "-180.5"}, {"lat": "nan"}, {"lng": "inf"}, {"lat": ""}],
)
def test_a_bad_coordinate_is_a_bad_request(client, crimes, query):
    assert street(client, **query).status_code == 400


def test_no_point_and_no_polygon_is_a_bad_request(client, crimes):
    assert client.get("/api/crimes-street/all-crime").status_code == 400


def test_a_polygon(client, crimes):
    poly = "53.76,-2.71:53.77,-2.71:53.77,-2.70:53.76,-2.70"

    response = client.get("/api/crimes-street/all-crime", {"poly": poly})

    assert [c["id"] for c in response.json()] == [crimes["near"].pk, crimes["asb"].pk]


def test_a_polygon_posted_in_the_form_body(client, crimes):
    poly = "53.76,-2.71:53.77,-2.71:53.77,-2.70:53.76,-2.70"

    response = client.post("/api/crimes-street/burglary", {"poly": poly, "date": "2026-02"})

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [crimes["near"].pk]


def test_a_get_longer_than_data_police_uks_limit_is_refused_and_the_same_post_answers(client, crimes):
    ring = ":".join(f"53.7{i:04d},-2.70{i:04d}" for i in range(300)) + ":53.80,-2.60"

    assert client.get("/api/crimes-street/all-crime", {"poly": ring}).status_code == 400
    assert client.post("/api/crimes-street/all-crime", {"poly": ring}).status_code == 200


@pytest.mark.parametrize("poly", ["53.76,-2.71", "53.76,-2.71:53.77,-2.70", "53.76;-2.71", "a,b:c,d:e,f"])
def test_a_polygon_of_too_few_points_or_malformed_is_a_bad_request(client, crimes, poly):
    assert client.get("/api/crimes-street/all-crime", {"poly": poly}).status_code == 400


def test_a_self_intersecting_polygon_is_repaired(client, crimes):
    bow_tie = "53.76,-2.71:53.77,-2.70:53.76,-2.70:53.77,-2.71"

    response = client.get("/api/crimes-street/all-crime", {"poly": bow_tie})

    assert response.status_code == 200


def test_more_than_ten_thousand_crimes_is_refused_as_data_police_uk_does(client, crimes, monkeypatch):
    monkeypatch.setattr(crime_selectors, "MAX_CRIMES", 1)

    assert street(client).status_code == 503
    assert client.get("/api/crimes-street/all-crime", {"poly": "53,-3:54,-3:54,-2"}).status_code == 503


def test_categories_begin_with_all_crime(client):
    categories = client.get("/api/crime-categories", {"date": "2026-01"}).json()

    assert categories[0] == {"url": "all-crime", "name": "All crime"}
    assert {"url": "violent-crime", "name": "Violence and sexual offences"} in categories
    assert "public-disorder-weapons" not in [c["url"] for c in categories]


def test_categories_of_a_month_before_may_2013_have_the_retired_one(client):
    urls = [c["url"] for c in client.get("/api/crime-categories", {"date": "2012-01"}).json()]

    assert "public-disorder-weapons" in urls
    assert "public-order" not in urls


def test_categories_of_a_malformed_month(client):
    assert client.get("/api/crime-categories", {"date": "January"}).status_code == 400


def test_street_dates_newest_first_without_stop_and_search(client, crimes):
    assert client.get("/api/crimes-street-dates").json() == [
        {"date": "2026-02", "stop-and-search": []},
        {"date": "2026-01", "stop-and-search": []},
    ]


def test_last_updated_is_the_last_import(client, crimes):
    CrimeImport.objects.create(
        file_name="a.csv",
        started_at=timezone.now(),
        finished_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 12)),
    )

    assert client.get("/api/crime-last-updated").json() == {"date": "2026-03-04"}


def test_last_updated_before_any_import_is_the_latest_month(client, crimes):
    assert client.get("/api/crime-last-updated").json() == {"date": "2026-02-01"}


def test_crimes_at_the_location_nearest_a_point(client, crimes):
    response = client.get("/api/crimes-at-location", {"lat": "53.7631", "lng": "-2.7031", "date": "2026-02"})

    assert [c["id"] for c in response.json()] == [crimes["near"].pk]


def test_crimes_at_a_location_id(client, crimes):
    location_id = street(client).json()[0]["location"]["street"]["id"]

    response = client.get("/api/crimes-at-location", {"location_id": location_id, "date": "2026-01"})

    assert [c["id"] for c in response.json()] == [crimes["january"].pk]


def test_crimes_at_a_location_id_outside_the_id_box(client):
    abroad = crime(lat_e6=-33_868_000, lon_e6=151_209_000)
    location_id = street_id(-33_868_000, 151_209_000)

    response = client.get("/api/crimes-at-location", {"location_id": location_id})

    assert [c["id"] for c in response.json()] == [abroad.pk]


def test_crimes_at_a_malformed_location_id(client, crimes):
    assert client.get("/api/crimes-at-location", {"location_id": "12a"}).status_code == 400


def test_crimes_without_a_location(client, crimes, lancashire):

    response = client.get("/api/crimes-no-location", {"category": "all-crime", "force": "lancashire"})

    assert [c["id"] for c in response.json()] == [crimes["nowhere"].pk]
    assert response.json()[0]["location"] is None
    assert response.json()[0]["location_type"] is None


def test_crimes_without_a_location_of_another_force(client, crimes, lancashire):

    assert client.get("/api/crimes-no-location", {"category": "all-crime", "force": "kent"}).status_code == 404


@pytest.mark.parametrize("query", [{"force": "lancashire"}, {"category": "all-crime"}])
def test_crimes_without_a_location_need_a_category_and_a_force(client, crimes, lancashire, query):

    assert client.get("/api/crimes-no-location", query).status_code == 400


def test_outcomes_for_a_crime(client, crimes):
    data = client.get(f"/api/outcomes-for-crime/{PID}").json()

    assert list(data) == ["outcomes", "crime"]
    assert "outcome_status" not in data["crime"]
    assert data["outcomes"] == [
        {
            "category": {"code": "no-further-action", "name": "Investigation complete; no suspect identified"},
            "date": "2026-02",
            "person_id": None,
        }
    ]


def test_outcomes_for_an_unknown_crime(client, crimes):
    assert client.get("/api/outcomes-for-crime/" + "f" * 64).status_code == 404


def test_with_no_crimes_at_all_a_street_query_is_empty(client):
    assert street(client).json() == []
