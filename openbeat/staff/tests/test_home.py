"""The staff home at /admin/: Wagtail's dashboard gives way to a line about the signed-in person's day and the
panels their role allows (each app's home_panels; their own tests check each panel with the owner, another
division and an outsider). And the back office carries the force's name and logo, not Wagtail's."""

from __future__ import annotations

import re

import pytest

from openbeat.core.models import Force
from openbeat.staff import home, roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db


def test_the_home_says_whose_day_it_is_with_their_role_and_division(west):
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="pc.jones", first_name="Pat", last_name="Jones")
    page = client_for(officer).get("/admin/").content.decode()
    assert "Today's work for Pat Jones (Neighbourhood officer): West division." in page


def test_force_wide_staff_see_the_whole_force():
    contact = staff_user(roles.CONTACT_CENTRE, None, username="cc")
    assert "(Contact centre): the whole force." in client_for(contact).get("/admin/").content.decode()


def test_the_panels_follow_the_role(west):
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer")
    board = staff_user(roles.BOARD_VIEWER, None, username="board")
    officer_keys = [panel.key for panel in home.panels_for(officer)]
    assert officer_keys == [
        "urgent_replies",
        "reports_waiting",
        "reports_overdue",
        "alerts_scheduled",
        "last_week",
    ]  # an officer sends but does not approve
    lead = staff_user(roles.DIVISION_LEAD, west, username="lead")
    assert "alerts_awaiting_approval" in [panel.key for panel in home.panels_for(lead)]
    assert home.panels_for(board) == []
    board_page = client_for(board).get("/admin/").content.decode()
    assert 'id="home-' not in board_page


def test_wagtails_page_editing_panels_give_way_to_the_staff_home(west):
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer")
    response = client_for(officer).get("/admin/")
    names = [panel.name for panel in response.context["panels"]]
    assert names[0] == "intro"
    assert not {"workflow_objects_to_moderate", "recent_edits", "locked_pages"} & set(names)


def test_no_panels_for_someone_without_a_back_office_role():
    assert home.panels_for(UserFactory(username="resident")) == []
    assert client_for(UserFactory(username="resident2")).get("/admin/").status_code in (302, 403)


# ------------------------------------------------------------------------------------------------ branding


@pytest.fixture
def force():
    return Force.objects.create(
        code="lancashire",
        name="Lancashire Constabulary",
        short_code="LC",
        logo_url="https://cdn.example/lancs-logo.png",
    )


def test_the_back_office_carries_the_forces_name_and_logo(force, west):
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer")
    page = client_for(officer).get("/admin/").content.decode()
    assert "<title>Dashboard - Lancashire Constabulary</title>" in page
    assert re.search(r'<h1 class="w-h1 w-mt-0">\s*Lancashire Constabulary\s*</h1>', page)
    assert '<template data-wagtail-sidebar-branding-logo><img class="ob-brand-logo ob-brand-logo--sidebar"' in page
    assert 'src="https://cdn.example/lancs-logo.png" alt="Lancashire Constabulary"' in page
    assert "- Wagtail</title>" not in page


def test_the_sign_in_page_carries_the_forces_name_and_logo(force):
    page = client_for(None).get("/admin/login/").content.decode()
    assert "<h1>Sign in to Lancashire Constabulary</h1>" in page
    assert "Sign in to Wagtail" not in page
    assert 'src="https://cdn.example/lancs-logo.png" alt="Lancashire Constabulary"' in page
    assert 'aria-label="Wagtail"' not in page  # Wagtail's wordmark


def test_without_a_logo_the_forces_name_stands_in(west, settings):
    settings.FORCE_LOGO_URL = ""
    settings.OPENBEAT_FORCE_LOGO = ""
    Force.objects.create(code="demo", name="Demoshire Police", short_code="DP")
    page = client_for(None).get("/admin/login/").content.decode()
    assert '<span class="ob-brand-name ob-brand-name--login" data-force-logo>Demoshire Police</span>' in page
