"""The back office's campaign pages: the owner (same division), another division and outsiders, for every view."""

from __future__ import annotations

from datetime import date

import pytest

from openbeat.campaigns.models import Campaign, PageView
from openbeat.campaigns.tests.conftest import deliveries, make_alert, make_campaign
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world, page):
    campaign = make_campaign(world.west)
    campaign.pages.set([page])
    return campaign


def form_data(world, **changes):
    data = {
        "name": "Safer streets week",
        "slug": "safer-streets",
        "hashtag": "SaferStreets",
        "starts_on": "2026-04-06",
        "ends_on": "2026-04-12",
        "aims": "Fewer thefts.",
        "owner": str(world.west.pk),
    }
    data.update(changes)
    return data


def test_the_owner_sees_the_list_the_page_and_the_forms(world, campaign):
    client = client_for(world.lead)
    assert campaign.name in client.get("/admin/campaigns/").text
    assert client.get("/admin/campaigns/new/").status_code == 200
    assert client.get(f"/admin/campaigns/{campaign.pk}/").status_code == 200
    assert client.get(f"/admin/campaigns/{campaign.pk}/edit/").status_code == 200


def test_the_owner_creates_a_campaign(world):
    response = client_for(world.lead).post("/admin/campaigns/new/", form_data(world))
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/admin/campaigns/{campaign.pk}/"
    assert campaign.division == world.west
    assert campaign.starts_on == date(2026, 4, 6)


def test_a_bad_form_says_what_is_wrong(world):
    response = client_for(world.lead).post("/admin/campaigns/new/", form_data(world, ends_on="2026-04-01"))
    assert response.status_code == 200
    assert 'href="#id_ends_on"' in response.text
    assert not Campaign.objects.exists()


def test_the_owner_edits_it(world, campaign):
    client = client_for(world.lead)
    response = client.post(f"/admin/campaigns/{campaign.pk}/edit/", form_data(world, slug="cse-week"))
    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.name == "Safer streets week"


def test_the_campaign_page_shows_its_results_and_a_chart(world, campaign, page):
    PageView.objects.create(page=page, day=date(2026, 3, 3), views=1234)
    alert = make_alert(world.west)
    deliveries(alert, delivered=5, clicked=2)
    campaign.alerts.set([alert])
    text = client_for(world.lead).get(f"/admin/campaigns/{campaign.pk}/").text
    assert "1,234" in text
    assert alert.title in text
    assert "<svg" in text
    assert 'role="img"' in text


def test_an_officer_may_look_but_not_change(world, campaign, refused):
    client = client_for(world.officer)
    assert client.get(f"/admin/campaigns/{campaign.pk}/").status_code == 200
    assert refused(client.get(f"/admin/campaigns/{campaign.pk}/edit/"))
    assert refused(client.post("/admin/campaigns/new/", form_data(world)))


@pytest.mark.parametrize("view", ["detail", "edit"])
def test_another_division_cannot_reach_it(world, campaign, view):
    url = f"/admin/campaigns/{campaign.pk}/" + ("edit/" if view == "edit" else "")
    client = client_for(world.other)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(world, owner=str(world.east.pk))).status_code in (404, 405)
    campaign.refresh_from_db()
    assert campaign.division == world.west


def test_another_division_does_not_see_it_listed(world, campaign):
    assert campaign.name not in client_for(world.other).get("/admin/campaigns/").text


def test_another_division_cannot_make_one_for_this_division(world):
    response = client_for(world.other).post("/admin/campaigns/new/", form_data(world))
    assert response.status_code == 200
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("who", ["contact", "public", None])
@pytest.mark.parametrize("view", ["list", "new", "detail", "edit"])
def test_outsiders_are_refused_every_view(world, campaign, refused, who, view):
    url = {
        "list": "/admin/campaigns/",
        "new": "/admin/campaigns/new/",
        "detail": f"/admin/campaigns/{campaign.pk}/",
        "edit": f"/admin/campaigns/{campaign.pk}/edit/",
    }[view]
    client = client_for(getattr(world, who) if who else None)
    assert refused(client.get(url))
    assert refused(client.post(url, form_data(world, slug="other")))
    assert Campaign.objects.count() == 1


def test_signed_in_staff_without_permission_go_to_the_dashboard_and_visitors_to_sign_in(world, campaign):
    assert client_for(world.contact).get("/admin/campaigns/")["Location"].split("?")[0] in ("/admin/",)
    assert client_for(None).get("/admin/campaigns/")["Location"].split("?")[0] == "/admin/login/"


def test_force_wide_staff_see_every_campaign(world, campaign):
    assert client_for(world.hq).get(f"/admin/campaigns/{campaign.pk}/").status_code == 200
