import json
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from openbeat.schemes.models import Coordinator, Scheme
from openbeat.schemes.tests.conftest import last_link
from openbeat.schemes.tests.factories import make_coordinator, make_scheme

pytestmark = pytest.mark.django_db

FINDER = "/watch-schemes/"
REGISTER = "/watch-schemes/register/"
MANAGE = "/watch-schemes/manage/"


def _form(**fields):
    return {
        "name": "Mill Lane Neighbourhood Watch",
        "kind": "neighbourhood",
        "households": "42",
        "description": "",
        "postcode": "PR1 1AB",
        "radius": "250",
        "coordinator_name": "Pat Jones",
        "email": "pat@example.com",
        "phone": "",
        **fields,
    }


def test_the_finder_page_asks_for_a_postcode(client):
    page = client.get(FINDER).content.decode()
    assert "Find your nearest watch schemes" in page
    assert 'name="postcode"' in page


def test_the_finder_lists_the_nearest_with_distance_type_households_and_inside(client, west, postcode):
    make_scheme(division=west, lat=53.80, lon=-2.70, radius_m=500, name="Mill Lane Watch", households=42)
    make_scheme(division=west, lat=53.81, lon=-2.70, name="Farm Lane Watch", kind="farm", households=7)
    make_scheme(division=west, lat=53.80, lon=-2.70, name="Hidden Pending Watch", status=Scheme.Status.PENDING)
    page = client.get(FINDER, {"postcode": "pr11ab"}).content.decode()
    assert "PR1 1AB is inside" in page
    assert page.index("Mill Lane Watch") < page.index("Farm Lane Watch")
    assert "0.0 miles" in page
    assert "0.7 miles" in page
    assert "Farm Watch" in page
    assert ">7<" in page
    assert "Hidden Pending Watch" not in page


def test_a_postcode_in_no_scheme_says_so(client, west, postcode):
    make_scheme(division=west, lat=53.90, lon=-2.70, name="Far Watch")
    page = client.get(FINDER, {"postcode": "PR1 1AB"}).content.decode()
    assert "is not inside any verified scheme" in page
    assert "Far Watch" in page


def test_a_wrong_postcode_shows_the_error_summary_and_keeps_it(client, postcode):
    response = client.get(FINDER, {"postcode": "ZZ9 9ZZ"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_postcode"' in page
    assert 'value="ZZ9 9ZZ"' in page
    assert "<title>Error:" in page


def test_a_schemes_page_has_its_map_and_hides_private_coordinators(client, west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, name="Mill Lane Watch")
    make_coordinator(scheme, name="Shown Person", email="shown@example.com", show_contact=True)
    make_coordinator(scheme, name="Private Person", email="private@example.com")
    page = client.get(scheme.get_absolute_url()).content.decode()
    assert "Mill Lane Watch" in page
    assert "Shown Person" in page
    assert "shown@example.com" in page
    assert "Private Person" not in page
    assert "private@example.com" not in page
    assert "vendor/leaflet/leaflet.js" in page
    assert "unpkg" not in page
    assert "cdn" not in page.lower()
    geojson = client.get(reverse("schemes:area", args=[scheme.slug])).json()
    assert geojson["geometry"] == scheme.area


def test_pending_and_suspended_schemes_have_no_public_page(client, west):
    for status in (Scheme.Status.PENDING, Scheme.Status.SUSPENDED):
        scheme = make_scheme(division=west, lat=53.80, lon=-2.70, status=status)
        assert client.get(scheme.get_absolute_url()).status_code == 404
        assert client.get(reverse("schemes:area", args=[scheme.slug])).status_code == 404


def test_registering_with_errors_links_each_to_its_field_and_keeps_what_was_typed(client, postcode):
    page = client.post(REGISTER, _form(name="", households="lots", email="not-an-email")).content.decode()
    assert "There is a problem" in page
    for field in ("name", "households", "email"):
        assert f'href="#id_{field}"' in page
    assert 'value="lots"' in page
    assert 'value="Pat Jones"' in page
    assert not Scheme.objects.exists()


def test_register_confirm_manage_and_add_a_co_coordinator(client, postcode):
    response = client.post(REGISTER, _form(show_contact="on", itk_opt_in="on"))
    assert response.status_code == 302
    assert response["Location"] == "/watch-schemes/sent/"
    link = last_link()
    # Opening the link shows a button; only pressing it signs in (mail scanners open links).
    assert "Confirm and sign in" in client.get(link).content.decode()
    assert client.get(MANAGE)["Location"] == "/watch-schemes/sign-in/"
    response = client.post(link)
    assert response["Location"] == MANAGE
    coordinator = Coordinator.objects.get()
    assert coordinator.is_verified
    assert coordinator.show_contact
    assert coordinator.itk_opt_in
    assert "In the Know group" in coordinator.itk_wording
    page = client.get(MANAGE).content.decode()
    assert "Manage Mill Lane Neighbourhood Watch" in page
    assert "Waiting for the force to verify it" in page

    response = client.post(MANAGE, _form(name="Mill Lane Watch", households="50", show_contact=""))
    assert response.status_code == 302
    scheme = Scheme.objects.get()
    assert (scheme.name, scheme.households) == ("Mill Lane Watch", 50)
    assert not Coordinator.objects.get().show_contact

    response = client.post(reverse("schemes:add_coordinator"), {"co_name": "Sam Lee", "co_email": "sam@example.com"})
    assert response.status_code == 302
    assert Coordinator.objects.filter(email="sam@example.com", email_verified_at=None).exists()
    page = client.post(reverse("schemes:add_coordinator"), {"co_name": "", "co_email": "x"}).content.decode()
    assert 'href="#id_co_name"' in page
    assert 'href="#id_co_email"' in page

    # The link is used up.
    assert client.post(link).status_code == 410


def test_a_tampered_link_is_refused(client):
    assert client.get("/watch-schemes/confirm/nonsense/").status_code == 400


def test_signing_out_ends_the_session(client, west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    make_coordinator(scheme, email="pat@example.com")
    client.post("/watch-schemes/sign-in/", {"email": "pat@example.com"})
    client.post(last_link())
    assert client.get(MANAGE).status_code == 200
    client.post("/watch-schemes/sign-out/")
    assert client.get(MANAGE).status_code == 302


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
_fuzz = hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_fuzz
@given(data=st.fixed_dictionaries(dict.fromkeys(_form(), _text)))
def test_the_registration_form_never_fails_on_anything_typed(postcode, data):
    response = Client().post(REGISTER, data)
    assert response.status_code in (200, 302, 429)


@_fuzz
@given(postcode_text=_text, slug=_text)
def test_the_finder_and_scheme_pages_never_fail(postcode, postcode_text, slug):
    client = Client()
    assert client.get(FINDER, {"postcode": postcode_text}).status_code in (200, 429)
    assert client.get(f"/watch-schemes/{quote(slug, safe='')}/").status_code in (200, 301, 404)


@_fuzz
@given(data=st.fixed_dictionaries({"email": _text}), token=_text)
def test_sign_in_and_the_link_never_fail(postcode, data, token):
    client = Client()
    assert client.post("/watch-schemes/sign-in/", data).status_code in (200, 302, 429)
    # Any 4xx, never a 5xx ("?" or "#" in the token end the path early: another page may then say 405).
    assert client.post(f"/watch-schemes/confirm/{quote(token, safe='')}x/").status_code in (400, 404, 405, 410, 429)


def test_a_coordinator_of_a_verified_scheme_joins_in_the_know_from_the_manage_page(client, west, home):
    from openbeat.subscriptions.models import Subscriber

    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, name="Mill Lane Watch")
    make_coordinator(scheme, email="sam@example.com")
    client.post("/watch-schemes/sign-in/", {"email": "sam@example.com"})
    client.post(last_link())
    page = client.get(MANAGE).content.decode()
    assert "In the Know group for watch scheme coordinators" in page
    assert not Subscriber.objects.exists()
    form = _form(name="Mill Lane Watch", households="40", itk_opt_in="on")
    assert client.post(MANAGE, form).status_code == 302
    assert Subscriber.objects.get().email == "sam@example.com"
    assert Coordinator.objects.get().itk_opt_in


DRAWN = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [[[-2.71, 53.79], [-2.69, 53.79], [-2.69, 53.81], [-2.71, 53.81], [-2.71, 53.79]]],
    }
)


def test_the_register_page_offers_the_map_and_keeps_a_refused_drawing_with_its_error_linked(client, postcode):
    page = client.get(REGISTER).content.decode()
    assert "data-draw-area" in page
    assert "areas/draw-area.js" in page
    assert "vendor/leaflet/leaflet.css" in page
    far = '{"type": "Polygon", "coordinates": [[[-2.74, 53.76], [-2.73, 53.76], [-2.73, 53.77], [-2.74, 53.76]]]}'
    page = client.post(REGISTER, _form(area_geojson=far)).content.decode()
    assert 'href="#id_area_geojson"' in page
    assert "Draw the area around the scheme&#x27;s postcode" in page
    assert "[-2.74, 53.76]" in page  # what was sent is kept in the box
    assert not Scheme.objects.exists()
    assert client.post(REGISTER, _form(area_geojson=DRAWN)).status_code == 302
    assert Scheme.objects.get().bbox == pytest.approx((-2.71, 53.79, -2.69, 53.81))


def test_registering_is_limited_per_email_and_showing_the_form_is_not_counted(client, postcode):
    for _ in range(12):
        assert client.get(REGISTER).status_code == 200
    for _ in range(10):
        assert client.post(REGISTER, _form(name="")).status_code == 200
    response = client.post(REGISTER, _form(name=""))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert client.get(REGISTER).status_code == 200


def test_the_manage_page_shows_the_saved_area_for_redrawing(client, west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, status=Scheme.Status.PENDING)
    make_coordinator(scheme, email="pat@example.com")
    client.post("/watch-schemes/sign-in/", {"email": "pat@example.com"})
    client.post(last_link())
    page = client.get(MANAGE).content.decode()
    assert 'id="id_area_geojson-existing"' in page
    assert f'"coordinates": [[[{scheme.area["coordinates"][0][0][0]}' in page
