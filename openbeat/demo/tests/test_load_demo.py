import io
import time

import pytest
import shapely
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from shapely.geometry import shape

from openbeat.areas.models import Division, Neighbourhood, Postcode, Station
from openbeat.areas.postcodes import OutsideForceArea, normalise_postcode, postcode_locate
from openbeat.demo.geography import OUTLINE
from openbeat.staff.models import Officer, StaffProfile, TeamMembership
from openbeat.staff.roles import ROLES

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (the slowest step of the suite), on an empty database, in a transaction
    rolled back at the end; each test's own changes are rolled back to a savepoint on top of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.monotonic()
        output = load()
        print(f"load_demo took {time.monotonic() - started:.1f} s")
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def loaded(loaded_once, db) -> str:
    """What load_demo printed."""
    return loaded_once


def counts() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    return {
        model.__name__: model.objects.count()
        for model in (
            Division,
            Neighbourhood,
            Postcode,
            Station,
            Officer,
            TeamMembership,
            StaffProfile,
            get_user_model(),
        )
    }


def test_it_loads_a_believable_force_on_an_empty_database(loaded):
    output = loaded
    assert Division.objects.count() == 3
    assert 60 <= Neighbourhood.objects.count() <= 100  # enough for an alert to 50 neighbourhoods
    for n in Neighbourhood.objects.all():
        assert n.boundary is not None
        assert n.team.exists(), n
        assert n.postcodes.exists(), n
    assert Neighbourhood.objects.filter(population=None).exists()  # some on purpose
    assert Station.objects.count() >= 8
    assert "Demo force loaded" in output


def test_boundaries_do_not_overlap_and_cover_the_county(loaded):
    shapes = [shape(n.boundary) for n in Neighbourhood.objects.all()]
    tree = shapely.STRtree(shapes)
    for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True):
        if i < j:
            assert shapes[i].intersection(shapes[j]).area < 1e-7
    union = shapely.union_all(shapes)
    assert union.area == pytest.approx(OUTLINE.area, rel=0.01)


def test_every_postcode_is_valid_and_inside_its_neighbourhood(loaded):
    shapes = {n.pk: shape(n.boundary) for n in Neighbourhood.objects.all()}
    for p in Postcode.objects.all():
        assert normalise_postcode(p.postcode) == p.postcode
        if p.neighbourhood_id is None:
            assert not OUTLINE.contains(shapely.Point(p.lon, p.lat))
        else:
            assert shapes[p.neighbourhood_id].contains(shapely.Point(p.lon, p.lat)), p.postcode
    with pytest.raises(OutsideForceArea):
        postcode_locate("DM99 1AA")


def test_there_is_one_login_per_role_that_works_with_the_printed_password(loaded):
    output = loaded
    for role in ROLES:
        assert role in output
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(
        username__in=["admin", "hq", "lead.west", "officer.west", "contact", "board"]
    )
    assert users.count() == 6
    for user in users:
        [line] = [line for line in output.splitlines() if f" {user.username} " in line]
        password = line.split()[line.split().index(user.username) + 1]
        # With a request, as the login page calls it: the lock-out backend (axes) refuses to run without one.
        assert authenticate(RequestFactory().post("/admin/login/"), username=user.username, password=password) == user
    west = StaffProfile.objects.get(user__username="lead.west")
    assert west.division.name == "West"
    assert StaffProfile.objects.get(user__username="officer.east").division.name == "East"


def test_a_second_run_changes_nothing(loaded):
    before = counts()
    boundaries = dict(Neighbourhood.objects.values_list("code", "boundary"))
    load()
    assert counts() == before
    assert dict(Neighbourhood.objects.values_list("code", "boundary")) == boundaries


def test_neighbourhood_officer_logins_have_neighbourhoods_and_an_officer_profile(loaded):
    for username, division in (("officer.west", "West"), ("officer.east", "East")):
        profile = StaffProfile.objects.get(user__username=username)
        assert profile.neighbourhoods.count() >= 1
        assert set(profile.neighbourhoods.values_list("division__name", flat=True)) == {division}
        assert Officer.objects.get(user=profile.user).division.name == division


def test_reset_wipes_the_demo_and_loads_it_again_without_duplicates(loaded):
    before = counts()
    station = Station.objects.order_by("name").first()
    address = station.address
    # A plain load leaves existing rows alone; only --reset brings the generated ones back.
    Station.objects.filter(pk=station.pk).update(address="edited by hand")
    out = io.StringIO()
    call_command("load_demo", "--reset", stdout=out)
    assert "removed:" in out.getvalue()
    assert counts() == before
    assert Station.objects.get(name=station.name).address == address
