from pathlib import Path

import pytest

from openbeat.areas import sections
from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory, StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    neighbourhood = NeighbourhoodFactory(code="PR11", name="Ingol & Cottam")
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=neighbourhood)
    PostcodeFactory(postcode="DM99 1AA", neighbourhood=None, lat=53.0, lon=-3.5)
    return neighbourhood


def test_a_known_postcode_in_any_form_leads_to_its_neighbourhood(client, place):
    response = client.get("/neighbourhoods/", {"postcode": " pr11ab "})
    assert response.status_code == 302
    assert response["Location"] == "/neighbourhoods/PR11/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a postcode"),
        ("not a postcode", "Enter a full UK postcode"),
        ("a very long text that is not a postcode", "Enter a full UK postcode"),
        ("SW1A 1AA", "We could not find that postcode"),
        ("DM99 1AA", "That postcode is outside the area Demoshire Police covers"),
    ],
)
def test_each_problem_is_explained_in_the_error_summary_and_keeps_what_was_typed(client, place, typed, message):
    response = client.get("/neighbourhoods/", {"postcode": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Find your neighbourhood" in html
    start = html.index('class="ob-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert 'href="#id_postcode"' in summary
    assert message in summary
    assert 'id="id_postcode-error"' in html
    field = html[html.index("<input", html.index('id="id_postcode-error"')) :].split(">")[0]
    assert "id_postcode-error" in field.split('aria-describedby="')[1].split('"')[0]
    assert 'aria-invalid="true"' in field
    if typed:
        assert f'value="{typed}"' in field


def test_the_neighbourhood_page_shows_division_and_stations(client, place):
    StationFactory(neighbourhood=place, name="Cottam Police Station", opening_hours="Mon-Fri 8am-6pm")

    html = client.get("/neighbourhoods/PR11/").content.decode()

    assert "Ingol &amp; Cottam" in html
    assert place.division.name in html
    assert "Cottam Police Station" in html
    assert "Mon-Fri 8am-6pm" in html
    assert 'data-geojson-url="/neighbourhoods/PR11/boundary.geojson"' in html


def test_an_unknown_neighbourhood_is_not_found(client, place):
    assert client.get("/neighbourhoods/NOPE/").status_code == 404


def test_the_boundary_is_a_geojson_feature(client, place):
    response = client.get("/neighbourhoods/PR11/boundary.geojson")
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"] == {
        "code": "PR11",
        "name": "Ingol & Cottam",
        "division": place.division.name,
        "url": "/neighbourhoods/PR11/",
    }


def test_the_force_map_collection_has_every_bounded_neighbourhood_simplified(client, place):
    NeighbourhoodFactory(code="NOSHAPE", boundary=None)
    collection = client.get("/neighbourhoods/all.geojson").json()
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == ["PR11"]
    ring = collection["features"][0]["geometry"]["coordinates"][0]
    assert all(round(x, 5) == x and round(y, 5) == y for x, y in ring)


def test_the_force_map_collection_follows_a_boundary_change(client, place):
    from openbeat.areas.services import neighbourhood_upsert
    from openbeat.areas.tests.factories import square

    first = client.get("/neighbourhoods/all.geojson").json()
    neighbourhood_upsert(code="PR11", name=place.name, division=place.division, boundary=square(-2.0, 54.0, 0.05))
    second = client.get("/neighbourhoods/all.geojson").json()
    assert first["features"][0]["geometry"] != second["features"][0]["geometry"]


def test_the_force_map_page_lists_neighbourhoods_by_division_as_text(client, place):
    html = client.get("/neighbourhoods/map/").content.decode()
    assert f'<h2 class="ob-heading-l">{place.division.name}</h2>' in html
    assert '<a href="/neighbourhoods/PR11/">Ingol &amp; Cottam</a>' in html


def test_public_pages_have_a_strict_content_security_policy(client, place):
    for url in ["/", "/neighbourhoods/", "/neighbourhoods/PR11/", "/neighbourhoods/map/", "/privacy/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in policy
        assert "unsafe-inline" not in policy
        nonce = policy.split("'nonce-")[1].split("'")[0]
        assert f'nonce="{nonce}"' in response.content.decode()


def test_apps_above_areas_add_sections_to_the_neighbourhood_page_in_order(client, place, monkeypatch, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [Path(__file__).parent / "templates"]}]
    monkeypatch.setattr(sections, "_SECTIONS", {})
    sections.register_neighbourhood_section(
        "later", template="section.html", context=lambda n: {"text": f"Later for {n.code}"}, order=20
    )
    sections.register_neighbourhood_section(
        "first", template="section.html", context=lambda n: {"text": f"First for {n.code}"}, order=10
    )
    html = client.get("/neighbourhoods/PR11/").content.decode()
    assert html.index("<p>First for PR11</p>") < html.index("<p>Later for PR11</p>") < html.index("Police stations")
