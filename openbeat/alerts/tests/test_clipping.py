"""Drawn shapes cut to the officer's division (alerts.clipping): the kept part, the notice, the audience."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import shape

from openbeat.alerts.audience import audience_resolve
from openbeat.alerts.clipping import shapes_clip
from openbeat.alerts.models import Alert
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.alerts.tests.lifecycle_world import areas, compose, make_world, subscribe
from openbeat.alerts.tests.test_staff_views import audience, form_data, login, messages_of
from openbeat.areas.tests.factories import NeighbourhoodFactory, square

pytestmark = pytest.mark.django_db

# Brook (West) is square(-1.99, 54.0) and Castle (East) square(-1.98, 54.0), side by side: this square covers
# both, half in each.
HALF_OUT = {
    "type": "Polygon",
    "coordinates": [[[-1.99, 54.0], [-1.97, 54.0], [-1.97, 54.01], [-1.99, 54.01], [-1.99, 54.0]]],
}


@pytest.fixture
def world(west, east):
    return make_world(west, east)


def clip(world, user, shapes):
    return shapes_clip(user=user, spec=spec_from_json(areas(shapes=shapes)))


def test_a_polygon_half_outside_is_cut_to_the_division_and_the_officer_told(world):
    spec, cut = clip(world, world.officer_west, [HALF_OUT])

    kept = shape(spec.areas.shapes[0])
    assert kept.area == pytest.approx(0.01 * 0.01, rel=1e-3)
    assert kept.bounds == pytest.approx((-1.99, 54.0, -1.98, 54.01))
    assert cut is not None
    assert cut.share == pytest.approx(0.5, abs=0.01)
    assert cut.km2 == pytest.approx(0.72, abs=0.02)  # 0.01 degrees square at 54 degrees north
    assert cut.notice == (
        "Your drawn area went outside West: the part outside (about 50% / 0.72 km²) was cut. "
        "The map shows what was cut."
    )
    assert shape(cut.as_json()["cut"]).bounds == pytest.approx((-1.98, 54.0, -1.97, 54.01))


def test_the_audience_of_a_cut_shape_is_only_inside_the_division(world):
    subscribe(world.west_b, count=2)
    subscribe(world.east_a, count=3)
    assert audience_resolve(spec_from_json(areas(shapes=[HALF_OUT]))).subscriber_count == 5  # uncut

    alert = compose(world, world.officer_west, areas(shapes=[HALF_OUT]))

    assert audience_resolve(spec_from_json(alert.targeting)).subscriber_count == 2


def test_a_circle_is_cut_too(world):
    spec, cut = clip(world, world.officer_west, [{"type": "Circle", "center": [-1.98, 54.005], "radius_m": 300}])
    assert spec.areas.shapes[0]["type"] == "Polygon"
    assert shape(spec.areas.shapes[0]).bounds[2] == pytest.approx(-1.98)
    assert cut is not None
    assert cut.share == pytest.approx(0.5, abs=0.02)


def test_a_cut_that_leaves_two_pieces_is_kept_as_a_multipolygon(world):
    # West also has a neighbourhood beyond Castle: a band across all three is cut into two pieces.
    far = NeighbourhoodFactory(name="Dale", division=world.west, boundary=square(-1.97, 54.0))
    subscribe(far)
    subscribe(world.east_a)
    band = square(-1.985, 54.002, 0.03)

    alert = compose(world, world.officer_west, areas(shapes=[band]))

    kept = alert.targeting["areas"]["shapes"][0]
    assert kept["type"] == "MultiPolygon"
    assert len(kept["coordinates"]) == 2
    assert audience_resolve(spec_from_json(alert.targeting)).subscriber_count == 1  # Dale's, not Castle's


def test_a_shape_entirely_outside_is_refused(world):
    with pytest.raises(TargetingError, match="entirely outside West"):
        clip(world, world.officer_west, [square(-1.979, 54.001, 0.005)])


def test_force_wide_staff_and_shapes_inside_are_left_as_drawn(world):
    spec, cut = clip(world, world.hq, [HALF_OUT])
    assert cut is None
    assert spec.areas.shapes[0] == HALF_OUT
    inside = square(-1.999, 54.001, 0.005)
    spec, cut = clip(world, world.officer_west, [inside])
    assert cut is None
    assert spec.areas.shapes[0] == inside


# ------------------------------------------------------------------------------------------------ views


def test_the_live_count_uses_the_cut_shape_and_returns_the_cut_part(client, world):
    subscribe(world.west_b, count=2)
    subscribe(world.east_a, count=3)
    login(client, world.officer_west)

    data = audience(client, areas(shapes=[HALF_OUT])).json()

    assert data["subscribers"] == 2
    assert data["clip"]["notice"].startswith("Your drawn area went outside West")
    assert shape(data["clip"]["cut"]).bounds == pytest.approx((-1.98, 54.0, -1.97, 54.01))
    assert audience(client, areas(shapes=[square(-1.979, 54.001, 0.005)])).status_code == 400


def test_the_live_count_of_another_divisions_officer_cuts_to_theirs(client, world):
    login(client, world.officer_east)
    data = audience(client, areas(shapes=[HALF_OUT])).json()
    assert data["clip"]["notice"].startswith("Your drawn area went outside East")


def test_saving_a_shape_half_outside_keeps_the_cut_shape_and_says_so(client, world):
    login(client, world.officer_west)
    targeting = json.dumps({"areas": {"shapes": [HALF_OUT]}})
    response = client.post(
        "/admin/alerts/new/", form_data(world, neighbourhoods=None, targeting=targeting), follow=True
    )

    alert = Alert.objects.get()
    assert shape(alert.targeting["areas"]["shapes"][0]).bounds == pytest.approx((-1.99, 54.0, -1.98, 54.01))
    assert "Your drawn area went outside West: the part outside (about 50% / 0.72 km²) was cut." in messages_of(
        response
    )


def test_the_composer_shows_the_notice_and_the_cut_part_when_it_is_shown_again(client, world):
    login(client, world.officer_west)
    targeting = json.dumps({"areas": {"shapes": [HALF_OUT]}})
    page = client.post("/admin/alerts/new/", form_data(world, title="", neighbourhoods=None, targeting=targeting))
    # The title is missing, so the targeting is not reached: no notice yet; with only a later error it is there.
    assert "data-clip-notice hidden" in page.content.decode()
    page = client.post(
        "/admin/alerts/new/", form_data(world, neighbourhoods=None, targeting=targeting, preview="1")
    ).content.decode()
    assert "data-clip-notice hidden" in page or "went outside West" in page
