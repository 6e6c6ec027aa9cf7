"""The Areas section of the back office: every view tested with the owner, another division, an outsider."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from openbeat.areas.models import Station
from openbeat.areas.tests.factories import NeighbourhoodFactory, StationFactory
from openbeat.audit.models import AuditEntry
from openbeat.core.models import Force
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(west):
    return StationFactory(name="Ashbridge Police Station", neighbourhood=NeighbourhoodFactory(division=west))


@pytest.fixture
def owner(west):
    return staff_user(roles.DIVISION_LEAD, west, username="lead.west")


@pytest.fixture
def other_division(east):
    return staff_user(roles.DIVISION_LEAD, east, username="lead.east")


@pytest.fixture
def outsider():
    return UserFactory(username="member.of.public")


def test_the_owner_sees_and_edits_their_division_station(client, owner, station):
    client.force_login(owner)
    listing = client.get("/admin/stations/")
    assert listing.status_code == 200
    assert "Ashbridge Police Station" in listing.content.decode()

    edit_url = f"/admin/stations/edit/{station.pk}/"
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url,
        {
            "name": "Ashbridge Police Station",
            "address": "2 Market Place",
            "postcode": "",
            "lat": "",
            "lon": "",
            "division": station.division_id,
            "neighbourhood": station.neighbourhood_id,
            "opening_hours": "Mon-Fri 9-5",
            "front_counter": "on",
            "phone": "101",
        },
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.address == "2 Market Place"
    entry = AuditEntry.objects.get(action="areas.station.change")
    assert entry.actor == owner
    assert entry.division == station.division
    assert "address" in entry.data["fields"]


def test_another_division_neither_sees_nor_edits_nor_deletes_it(client, other_division, station, refused):
    client.force_login(other_division)
    assert "Ashbridge Police Station" not in client.get("/admin/stations/").content.decode()
    assert refused(client.get(f"/admin/stations/edit/{station.pk}/"))
    assert refused(client.post(f"/admin/stations/edit/{station.pk}/", {"name": "Hijacked"}))
    assert refused(client.post(f"/admin/stations/delete/{station.pk}/"))
    station.refresh_from_db()
    assert station.name == "Ashbridge Police Station"


def test_another_division_cannot_create_a_station_in_someone_elses_division(client, other_division, west, east):
    client.force_login(other_division)
    form = client.get("/admin/stations/new/").content.decode()
    assert f'value="{east.pk}"' in form
    assert f'value="{west.pk}"' not in form
    response = client.post("/admin/stations/new/", {"name": "Sneaky", "address": "x", "division": west.pk})
    assert response.status_code == 200  # the form refuses the choice
    assert not Station.objects.filter(name="Sneaky").exists()


def test_an_outsider_is_refused_and_an_anonymous_visitor_sent_to_log_in(client, outsider, station, refused):
    client.force_login(outsider)
    for url in ["/admin/stations/", f"/admin/stations/edit/{station.pk}/", "/admin/neighbourhoods/"]:
        assert refused(client.get(url)), url
    client.logout()
    response = client.get("/admin/stations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_neighbourhood_officer_may_view_but_not_change_stations(client, west, station, refused):
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    client.force_login(officer)
    assert "Ashbridge Police Station" in client.get("/admin/stations/").content.decode()
    assert refused(client.get(f"/admin/stations/edit/{station.pk}/"))
    assert refused(client.post(f"/admin/stations/delete/{station.pk}/"))
    assert Station.objects.filter(pk=station.pk).exists()


def test_force_wide_roles_see_every_division(client, station, east):
    StationFactory(name="Oswin Police Station", neighbourhood=NeighbourhoodFactory(division=east))
    client.force_login(staff_user(roles.HQ_MEDIA, None, username="hq"))
    html = client.get("/admin/stations/").content.decode()
    assert "Ashbridge Police Station" in html
    assert "Oswin Police Station" in html


def test_neighbourhoods_are_scoped_and_their_edits_audited(client, owner, west, east, refused):
    mine = NeighbourhoodFactory(division=west, name="Ashbridge North")
    theirs = NeighbourhoodFactory(division=east, name="Oswin Town")
    client.force_login(owner)
    html = client.get("/admin/neighbourhoods/").content.decode()
    assert "Ashbridge North" in html
    assert "Oswin Town" not in html
    assert refused(client.get(f"/admin/neighbourhoods/edit/{theirs.pk}/"))
    response = client.post(
        f"/admin/neighbourhoods/edit/{mine.pk}/", {"name": "Ashbridge North", "description": "Hi", "population": "5000"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.population == 5000
    assert AuditEntry.objects.filter(action="areas.neighbourhood.change", target_id=str(mine.pk)).exists()


def test_only_an_administrator_changes_the_force_and_its_branding_shows_at_once(client, west, refused):
    force = Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
    data = {
        "name": "Lancashire Police",
        "code": "lancashire",
        "short_code": "LC",
        "primary_colour": "#00205b",
        "logo_url": "",
        "website": "",
        "phone_non_emergency": "101",
    }
    client.force_login(staff_user(roles.DIVISION_LEAD, west, username="lead.west"))
    assert refused(client.post(f"/admin/force/edit/{force.pk}/", data))
    admin = staff_user(roles.ADMINISTRATOR, None, username="admin")
    client.force_login(admin)
    assert client.post(f"/admin/force/edit/{force.pk}/", data).status_code == 302
    html = client.get("/").content.decode()
    assert "Lancashire Police" in html
    assert "--ob-brand: #00205b" in html
    assert AuditEntry.objects.filter(action="areas.force.change", actor=admin).exists()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "#00205b").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def force_form(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    force = Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
    data = {"name": "Lancashire Constabulary", "code": "lancashire", "short_code": "LC", "primary_colour": "#00205b"}
    return force, {**data, "logo_url": "", "website": "", "phone_non_emergency": "101"}


def test_an_administrator_uploads_the_force_logo_and_every_page_shows_it(client, force_form):
    force, data = force_form
    client.force_login(staff_user(roles.ADMINISTRATOR, None, username="admin"))
    logo = SimpleUploadedFile("crest.png", _png(), content_type="image/png")
    assert client.post(f"/admin/force/edit/{force.pk}/", {**data, "logo": logo}).status_code == 302
    force.refresh_from_db()
    assert force.logo.name.startswith("force/crest")
    assert f'<img src="{force.logo_src()}"' in client.get("/").content.decode()
    assert client.get(force.logo_src())["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("crest.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("crest.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("crest.png", b"GIF89a" + b"\x00" * 40),
        ("crest.png", b"not an image at all"),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_by_its_content_is_refused(client, force_form, name, content):
    force, data = force_form
    client.force_login(staff_user(roles.ADMINISTRATOR, None, username="admin"))
    logo = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(f"/admin/force/edit/{force.pk}/", {**data, "logo": logo})
    assert response.status_code == 200
    force.refresh_from_db()
    assert not force.logo
