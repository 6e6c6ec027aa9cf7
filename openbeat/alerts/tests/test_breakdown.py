"""The live audience count: the split by hand-off rules, and why an audience is empty, in words."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime

import pytest
from django.db import connection

from openbeat.alerts import breakdown as breakdown_module
from openbeat.alerts.breakdown import audience_breakdown, breakdown_summary, zero_reason
from openbeat.alerts.targeting import spec_from_json
from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.services import (
    AreaChoice,
    subscriber_set_areas,
    subscriber_set_demographics,
    subscriber_set_interests,
)

pytestmark = pytest.mark.django_db

CONFIRMED = datetime(2026, 1, 1, tzinfo=UTC)
_numbers = itertools.count()


@pytest.fixture
def place(west, east):
    return {
        "abbey": NeighbourhoodFactory(name="Abbey", division=west, boundary=square(-2.00, 54.0)),
        "brook": NeighbourhoodFactory(name="Brook", division=west, boundary=square(-1.99, 54.0)),
        "castle": NeighbourhoodFactory(name="Castle", division=east, boundary=square(-1.98, 54.0)),
    }


def resident(
    neighbourhood,
    *,
    email=True,
    sms=False,
    email_day=True,
    email_night=True,
    sms_day=True,
    sms_night=False,
    email_min=0,
    sms_min=2,
    topics=("crime-alerts",),
    age_band="",
    status=Subscriber.Status.ACTIVE,
):
    n = next(_numbers)
    subscriber = Subscriber.objects.create(
        status=status,
        email=f"resident{n}@example.com" if email else None,
        email_confirmed_at=CONFIRMED if email else None,
        phone=f"+4477009{n:05d}" if sms else None,
        phone_verified_at=CONFIRMED if sms else None,
        email_day=email_day,
        email_night=email_night,
        sms_day=sms_day if sms else False,
        sms_night=sms_night if sms else False,
        email_min_priority=email_min,
        sms_min_priority=sms_min,
    )
    subscriber_set_areas(
        subscriber=subscriber,
        home=AreaChoice(
            neighbourhood_id=neighbourhood.pk,
            postcode="DM1 1AA",
            lat=neighbourhood.centroid_lat,
            lon=neighbourhood.centroid_lon,
        ),
    )
    subscriber_set_interests(subscriber=subscriber, slugs=topics)
    if age_band:
        subscriber_set_demographics(subscriber=subscriber, age_band=age_band, wording="I agree", source="test")
    return subscriber


def spec(**targeting):
    return spec_from_json(targeting)


def in_(*neighbourhoods, **more):
    return spec(areas={"neighbourhoods": [n.pk for n in neighbourhoods]}, **more)


# ------------------------------------------------------------------------------------------------ the split


def test_each_channel_is_split_by_time_of_day_and_minimum_priority(place):
    abbey = place["abbey"]
    resident(abbey, email_day=True, email_night=False)
    resident(abbey, email_day=False, email_night=True)
    resident(abbey, email_day=True, email_night=True)
    resident(abbey, email_day=True, email_night=True, email_min=2)  # only urgent and emergency by email
    resident(abbey, email=False, sms=True, sms_day=True, sms_night=True, sms_min=1)
    resident(abbey, email=False, sms=True, sms_day=False, sms_night=True, sms_min=3)  # emergencies only
    resident(abbey, email=False, sms=False)  # reachable on no channel: in no count

    normal = audience_breakdown(spec=in_(abbey), priority=1)

    assert normal.subscribers == 6
    assert normal.email.as_json() == {
        "total": 4,
        "receiving": 3,
        "by_day": 2,
        "at_night": 2,
        "day_only": 1,
        "night_only": 1,
        "day_and_night": 1,
        "below_priority": 1,
    }
    assert (normal.sms.receiving, normal.sms.below_priority, normal.sms.by_day, normal.sms.at_night) == (1, 1, 1, 1)

    emergency = audience_breakdown(spec=in_(abbey), priority=3)
    assert (emergency.email.receiving, emergency.email.below_priority) == (4, 0)
    assert (emergency.sms.receiving, emergency.sms.at_night, emergency.sms.by_day) == (2, 2, 1)


def test_someone_on_both_channels_is_one_subscriber(place):
    resident(place["abbey"], email=True, sms=True, sms_min=0)

    result = audience_breakdown(spec=in_(place["abbey"]), priority=0)

    assert (result.subscribers, result.email.receiving, result.sms.receiving) == (1, 1, 1)
    assert breakdown_summary(result) == (
        "1 subscriber: 1 by email (1 if sent in the day, 1 at night), 1 by SMS (1 if sent in the day, 0 at night)."
    )


def test_the_split_follows_the_channels_asked_for(place):
    resident(place["abbey"], email=True, sms=True, sms_min=0)

    result = audience_breakdown(spec=in_(place["abbey"], channels=["sms"]), priority=1)

    assert (result.subscribers, result.email.reachable, result.sms.reachable) == (1, 0, 1)


def test_the_summary_says_who_is_left_out_by_their_minimum_priority(place):
    resident(place["abbey"], email_min=3)
    resident(place["abbey"])

    result = audience_breakdown(spec=in_(place["abbey"]), priority=1)

    assert breakdown_summary(result).endswith("Not sent to 1 by email: they only want alerts of a higher priority.")


def test_the_count_uses_one_query_parameter_however_many_ids(place, settings):
    """Thousands of ids as one JSON parameter: a database allowing only 999 parameters still counts them."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's parameter limit; PostgreSQL takes the ids as one array parameter")
    abbey = place["abbey"]
    Subscriber.objects.bulk_create(
        Subscriber(
            status=Subscriber.Status.ACTIVE,
            email=f"bulk{i}@example.com",
            email_confirmed_at=CONFIRMED,
            home_neighbourhood=abbey,
            email_night=i % 3 != 0,
            email_min_priority=i % 4,
        )
        for i in range(3000)
    )
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        result = audience_breakdown(spec=in_(abbey), priority=1)
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)

    assert result.email.reachable == 3000
    assert result.email.below_priority == 1500  # minimum priority 2 or 3
    assert result.email.day_only == sum(1 for i in range(3000) if i % 4 <= 1 and i % 3 == 0)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback is what other databases would use")
def test_the_chunked_fallback_counts_the_same(place, monkeypatch):
    for i in range(7):
        resident(place["abbey"], email_night=i % 2 == 0, email_min=i % 3)
    expected = audience_breakdown(spec=in_(place["abbey"]), priority=1)

    monkeypatch.setattr(breakdown_module, "connection", _OtherVendor(chunk=3))

    assert audience_breakdown(spec=in_(place["abbey"]), priority=1) == expected


class _OtherVendor:
    vendor = "other"

    def __init__(self, chunk: int) -> None:
        self.features = type("Features", (), {"max_query_params": chunk + 10})()


# ------------------------------------------------------------------------------------------------ zero reasons


def test_no_area_chosen(place):
    assert zero_reason(spec=spec(areas={})) == "No area chosen"


def test_nobody_has_subscribed_in_these_areas(place):
    resident(place["castle"])
    resident(place["abbey"], status=Subscriber.Status.PENDING)

    assert zero_reason(spec=in_(place["abbey"])) == "Nobody has subscribed in these areas yet"


def test_everyone_in_the_areas_is_in_the_excluded_areas(place, west):
    resident(place["abbey"])
    targeting = spec(areas={"divisions": [west.pk]}, exclude_areas={"neighbourhoods": [place["abbey"].pk]})

    assert zero_reason(spec=targeting) == "1 subscriber in these areas, but all of them are in the excluded areas"


def test_nobody_chose_the_topic(place):
    resident(place["abbey"], topics=["crime-alerts"])
    resident(place["abbey"], topics=["crime-alerts", "cctv-owner"])

    reason = zero_reason(spec=in_(place["abbey"], topics={"include": ["roads-travel"]}))

    assert reason == "2 subscribers in these areas, but none chose the interest 'Roads and travel'"


def test_nobody_matches_the_group_rules(place):
    resident(place["abbey"], topics=["crime-alerts"])

    reason = zero_reason(
        spec=in_(place["abbey"], topics={"include": ["crime-alerts"]}, groups={"must": ["cctv-owner"]})
    )

    assert reason == "1 subscriber in these areas, but none match the group rules"


def test_an_empty_demographic_group_is_not_explained(place):
    # "None match the demographic rules" would tell the answers of the few people in a small area
    # (alerts.disclosure): an empty audience is explained only when it is empty without the demographic rules.
    resident(place["abbey"], age_band="25-34")
    resident(place["abbey"])  # gave no answer

    assert zero_reason(spec=in_(place["abbey"], demographics={"age_band": {"include": ["75-or-over"]}})) is None
    assert (
        zero_reason(spec=in_(place["brook"], demographics={"age_band": {"include": ["75-or-over"]}}))
        == "Nobody has subscribed in these areas yet"
    )
    assert (
        zero_reason(spec=in_(place["abbey"], channels=["sms"], demographics={"age_band": {"include": ["25-34"]}}))
        == "2 match, but none can be reached by SMS (no verified phone)"
    )


def test_nobody_can_be_reached_by_sms(place):
    resident(place["abbey"], email=True, sms=False)
    resident(place["abbey"], email=True, sms=False)

    reason = zero_reason(spec=in_(place["abbey"], channels=["sms"]))

    assert reason == "2 match, but none can be reached by SMS (no verified phone)"


def test_no_reason_when_someone_is_reached(place):
    resident(place["abbey"])

    assert zero_reason(spec=in_(place["abbey"])) is None
    assert audience_breakdown(spec=in_(place["abbey"]), priority=1).subscribers == 1


def test_an_empty_audience_is_summed_up_by_its_reason(place):
    empty = audience_breakdown(spec=in_(place["abbey"]), priority=1)

    assert empty.subscribers == 0
    assert breakdown_summary(empty, "Nobody has subscribed in these areas yet") == (
        "Nobody has subscribed in these areas yet"
    )
