"""Audience resolution against a naive reference implementation of the documented semantics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from openbeat.alerts.audience import (
    CHANNELS,
    AreaSet,
    SetRule,
    TargetingSpec,
    audience_resolve,
    circle_polygon,
    geometry_of,
)
from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, square
from openbeat.subscriptions.models import Demographics, Interest, Subscriber, WatchedArea

NOW = datetime(2026, 11, 1, tzinfo=UTC)
TOPICS = ["crime-alerts", "roads-travel", "events-pact"]
GROUPS = ["cctv-owner", "neighbourhood-watch-coordinator"]
AGE_BANDS = ["16-24", "25-44", "45-64", "65+"]


@pytest.fixture
def world(db):
    """Four neighbourhoods in two divisions, on a 2x2 grid of 0.01-degree squares."""
    north, south = DivisionFactory(name="North", code="north"), DivisionFactory(name="South", code="south")
    grid = {}
    for i, (x, y) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        grid[i] = NeighbourhoodFactory(
            code=f"G{i}", division=north if i < 2 else south, boundary=square(-2.0 + x * 0.01, 54.0 + y * 0.01)
        )
    return grid


def make_subscriber(world, *, status, interests, email, sms, areas, age_band=None):
    bits = dict(Interest.objects.values_list("slug", "bit"))
    subscriber = Subscriber.objects.create(
        status=status,
        interest_bits=sum(1 << bits[s] for s in interests),
        email=f"s{Subscriber.objects.count()}@example.com" if email else None,
        email_confirmed_at=NOW if email == "confirmed" else None,
        phone="+447700900123" if sms else None,
        phone_verified_at=NOW if sms == "verified" else None,
        sms_day=bool(sms),
        home_neighbourhood=world[areas[0][0]],
    )
    for n, (index, with_point) in enumerate(areas):
        nbh = world[index]
        point = nbh.centroid_lon, nbh.centroid_lat
        WatchedArea.objects.create(
            subscriber=subscriber,
            neighbourhood=nbh,
            postcode=f"P{n}",
            is_home=n == 0,
            lon=point[0] if with_point else None,
            lat=point[1] if with_point else None,
        )
    if age_band:
        Demographics.objects.create(subscriber=subscriber, age_band=age_band, consented_at=NOW)
    return subscriber


def naive(spec: TargetingSpec) -> set[tuple[int, str]]:
    """The documented semantics, one subscriber at a time, in plain Python."""
    bits = dict(Interest.objects.values_list("slug", "bit"))

    def inside(area: WatchedArea, areas: AreaSet) -> bool:
        if areas.whole_force or area.neighbourhood_id in areas.neighbourhoods:
            return True
        if area.neighbourhood.division_id in areas.divisions:
            return True
        if area.lon is None:
            return False
        return any(geometry_of(s).contains(Point(area.lon, area.lat)) for s in areas.shapes)

    def passes(have: set[str], rule: SetRule) -> bool:
        return (not rule.include or bool(have & rule.include)) and rule.must <= have and not (have & rule.exclude)

    result = set()
    for s in Subscriber.objects.prefetch_related("areas__neighbourhood"):
        if s.status != "active":
            continue
        if not any(inside(a, spec.areas) and not inside(a, spec.exclude_areas) for a in s.areas.all()):
            continue
        have = {slug for slug, bit in bits.items() if s.interest_bits & (1 << bit)}
        if not (passes(have, spec.topics) and passes(have, spec.groups)):
            continue
        answers = Demographics.objects.filter(subscriber=s).first()
        ok = True
        for dimension, rule in spec.demographics.items():
            value = getattr(answers, dimension, None) if answers else None
            ok = ok and passes({value} if value else set(), rule)
        if not ok:
            continue
        if (
            "email" in spec.channels
            and s.email
            and s.email_confirmed_at
            and not s.email_stopped
            and (s.email_day or s.email_night)
        ):
            result.add((s.pk, "email"))
        if "sms" in spec.channels and s.phone and s.phone_verified_at and (s.sms_day or s.sms_night):
            result.add((s.pk, "sms"))
    return result


def resolved(spec: TargetingSpec) -> set[tuple[int, str]]:
    return set(audience_resolve(spec).pairs())


def test_a_neighbourhood_alert_reaches_active_reachable_subscribers_by_any_watched_area(world):
    home_there = make_subscriber(
        world, status="active", interests=["crime-alerts"], email="confirmed", sms="verified", areas=[(0, True)]
    )
    works_there = make_subscriber(
        world, status="active", interests=["crime-alerts"], email="confirmed", sms=None, areas=[(3, True), (0, True)]
    )
    make_subscriber(
        world, status="pending", interests=["crime-alerts"], email="unconfirmed", sms=None, areas=[(0, True)]
    )
    make_subscriber(world, status="active", interests=["crime-alerts"], email="confirmed", sms=None, areas=[(1, True)])
    spec = TargetingSpec(areas=AreaSet(neighbourhoods=frozenset({world[0].pk})))
    assert resolved(spec) == {(home_there.pk, "email"), (home_there.pk, "sms"), (works_there.pk, "email")}


def test_a_circle_drawn_on_the_map_uses_postcode_points(world):
    inside = make_subscriber(world, status="active", interests=[], email="confirmed", sms=None, areas=[(1, True)])
    make_subscriber(world, status="active", interests=[], email="confirmed", sms=None, areas=[(1, False)])
    make_subscriber(world, status="active", interests=[], email="confirmed", sms=None, areas=[(2, True)])
    centre = (world[1].centroid_lon, world[1].centroid_lat)
    spec = TargetingSpec(areas=AreaSet(shapes=({"type": "Circle", "center": centre, "radius_m": 200},)))
    assert resolved(spec) == {(inside.pk, "email")}
    assert circle_polygon(centre, 200).contains(Point(*centre))


def test_unknown_interests_are_refused_rather_than_ignored(world):
    with pytest.raises(ValueError, match="Unknown interests"):
        audience_resolve(TargetingSpec(areas=AreaSet(whole_force=True), topics=SetRule(include=frozenset({"nope"}))))


area_sets = st.builds(
    AreaSet,
    whole_force=st.sampled_from([False, False, False, True]),
    divisions=st.frozensets(st.sampled_from(["north", "south"]), max_size=1),
    neighbourhoods=st.frozensets(st.sampled_from([0, 1, 2, 3]), min_size=1, max_size=3),
    shapes=st.lists(st.sampled_from(["left", "top"]), max_size=1, unique=True).map(tuple),
)


def often_empty(values, max_size):
    """Rules are usually absent in real alerts; generating them rarely keeps audiences non-empty."""
    return st.one_of(
        st.just(frozenset()), st.just(frozenset()), st.frozensets(st.sampled_from(values), max_size=max_size)
    )


rules = st.builds(
    SetRule,
    include=often_empty(TOPICS, 2),
    must=often_empty(TOPICS, 1),
    exclude=often_empty(TOPICS, 1),
)
group_rules = st.builds(
    SetRule,
    include=often_empty(GROUPS, 1),
    must=st.just(frozenset()),
    exclude=often_empty(GROUPS, 1),
)
age_rules = st.builds(
    SetRule,
    include=often_empty(AGE_BANDS, 2),
    must=often_empty(AGE_BANDS, 2),
    exclude=often_empty(AGE_BANDS, 1),
)
subscribers = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(["active", "active", "active", "paused", "pending"]),
            "interests": st.lists(st.sampled_from(TOPICS + GROUPS), unique=True, max_size=3),
            "email": st.sampled_from(["confirmed", "confirmed", "unconfirmed", None]),
            "sms": st.sampled_from(["verified", None, None, "unverified"]),
            "areas": st.lists(
                st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=3, unique_by=lambda a: a[0]
            ),
            "age_band": st.sampled_from([*AGE_BANDS, None]),
        }
    ),
    min_size=2,
    max_size=12,
)


def _shapes(world, names):
    left = {
        "type": "Polygon",
        "coordinates": [[[-2.0, 54.0], [-1.99, 54.0], [-1.99, 54.02], [-2.0, 54.02], [-2.0, 54.0]]],
    }
    top = shape(square(-2.0, 54.01, 0.02)).buffer(-0.001).__geo_interface__
    return tuple({"left": left, "top": top}[n] for n in names)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=subscribers,
    include=area_sets,
    exclude=st.one_of(
        st.just(AreaSet()),
        area_sets.map(
            lambda a: AreaSet(
                divisions=a.divisions, neighbourhoods=frozenset(list(a.neighbourhoods)[:1]), shapes=a.shapes
            )
        ),
    ),
    topics=rules,
    groups=group_rules,
    ages=st.one_of(st.none(), st.none(), age_rules),
    channels=st.frozensets(st.sampled_from(CHANNELS), min_size=1),
)
def test_it_agrees_with_the_naive_reference(world, people, include, exclude, topics, groups, ages, channels):
    Subscriber.objects.all().delete()
    for person in people:
        make_subscriber(world, **person)
    divisions = {n.division.code: n.division_id for n in world.values()}
    as_ids = lambda a: AreaSet(  # noqa: E731
        whole_force=a.whole_force,
        divisions=frozenset(divisions[code] for code in a.divisions),
        neighbourhoods=frozenset(world[i].pk for i in a.neighbourhoods),
        shapes=_shapes(world, a.shapes),
    )
    spec = TargetingSpec(
        areas=as_ids(include),
        exclude_areas=as_ids(exclude),
        topics=topics,
        groups=groups,
        demographics={"age_band": ages} if ages else {},
        channels=channels,
    )
    assert resolved(spec) == naive(spec)
