"""An officer starts an alert from the force's template in a real browser: the placeholders are filled from the
neighbourhood chosen, and the preview shows them filled. Checked with axe."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from openbeat.alerts.alert_templates import template_create
from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, square
from openbeat.core.services import site_pages_ensure
from openbeat.staff import roles
from openbeat.staff.tests.factories import OfficerFactory, TeamMembershipFactory, staff_user
from openbeat.subscriptions.models import Interest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place(settings):
    settings.MAP_TILE_URL = ""
    site_pages_ensure()
    importlib.import_module("openbeat.subscriptions.migrations.0002_seed_interests").seed(apps, None)
    west = DivisionFactory(name="West", code="west")
    NeighbourhoodFactory(code="W01", name="Abbey", division=west, boundary=square(-2.00, 54.0))
    brook = NeighbourhoodFactory(code="W02", name="Brook", division=west, boundary=square(-1.99, 54.0))
    TeamMembershipFactory(neighbourhood=brook, officer=OfficerFactory(name="Jane Smith", rank="PC", division=west))
    hq = staff_user(roles.HQ_MEDIA, None, username="hq")
    template_create(
        actor=hq,
        force=True,
        name="Burglary warning",
        title="Burglaries in {neighbourhood}",
        body="**{team}** ask everyone in {division} to lock up.",
        interest=Interest.objects.get(slug="crime-alerts"),
        priority=1,
    )
    staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    return brook


def test_an_officer_starts_from_a_template_and_previews_it_filled(page, live_server, place, assert_accessible):
    from openbeat.alerts.tests.test_browser_composer import sign_in

    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/alerts/new/")
    page.get_by_label("Template", exact=True).select_option(label="Burglary warning (the force's)")
    page.get_by_label("Neighbourhood it is for").select_option(label="Brook (West)")
    page.get_by_role("button", name="Use this template").click()

    expect(page.locator("#id_title")).to_have_value("Burglaries in Brook")
    expect(page.locator("#id_body")).to_have_value("**PC Jane Smith** ask everyone in West to lock up.")
    expect(page.locator(f"#nbh-{place.pk}")).to_be_checked()
    expect(page.locator("[data-audience-summary]")).to_contain_text("Nobody has subscribed")  # the count is in
    assert_accessible(page, "the composer filled from a template")

    page.get_by_role("button", name="Preview").click()
    email = page.locator("[data-previews] .ob-preview__email")
    expect(email).to_contain_text("Burglaries in Brook")
    expect(email.locator("strong")).to_have_text("PC Jane Smith")
    expect(page.locator("[data-sms-text]")).to_contain_text("PC Jane Smith ask everyone in West")
    assert_accessible(page, "the composer's preview")
