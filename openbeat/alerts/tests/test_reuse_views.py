"""The back office's templates, saved audiences, copy and "Send an update": owner, another division, outsiders."""

from __future__ import annotations

import pytest
from django.test import Client

from openbeat.alerts import alert_templates, saved_audiences
from openbeat.alerts.models import Alert, AlertTemplate, SavedAudience
from openbeat.alerts.tests.lifecycle_world import areas, compose, make_world, subscribe
from openbeat.alerts.tests.test_staff_views import form_data, messages_of
from openbeat.delivery.models import Delivery
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user
from openbeat.subscriptions.models import Interest, Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(west, east):
    return make_world(west, east)


@pytest.fixture
def board(world):
    return staff_user(roles.BOARD_VIEWER, None)


def own_template(world, user, **fields):
    values = {"name": "Burglary", "title": "Burglaries in {neighbourhood}", "body": "Lock up, {division}."}
    return alert_templates.template_create(actor=user, interest=world.interest, **{**values, **fields})


def sent(world, author):
    alert = compose(world, author)
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENT)
    return Alert.objects.get(pk=alert.pk)


# ---------------------------------------------------------------------------------------------- templates


def test_the_template_pages_are_for_those_who_send_alerts(world, board, refused):
    mine = own_template(world, world.officer_west)
    assert client_for(world.officer_west).get("/admin/alerts/templates/").status_code == 200
    assert refused(client_for(board).get("/admin/alerts/templates/"))
    assert refused(client_for(world.contact).get(f"/admin/alerts/templates/{mine.pk}/"))
    assert Client().get("/admin/alerts/templates/").status_code == 302  # to sign in
    # Another officer, in the same division or another, does not even see it.
    assert client_for(world.lead_west).get(f"/admin/alerts/templates/{mine.pk}/").status_code == 404
    assert client_for(world.officer_east).post(f"/admin/alerts/templates/{mine.pk}/delete/").status_code == 404
    assert AlertTemplate.objects.filter(pk=mine.pk).exists()


def test_an_officer_makes_edits_and_deletes_their_own_template(world):
    client = client_for(world.officer_west)
    data = {"name": "Scam", "title": "Scam calls in {neighbourhood}", "body": "Hang up.", "priority": "1"}
    response = client.post("/admin/alerts/templates/new/", data)
    assert response.status_code == 302
    template = AlertTemplate.objects.get()
    assert template.owner == world.officer_west
    page = client.post(f"/admin/alerts/templates/{template.pk}/", {**data, "title": "Scam in {neighborhood}"})
    assert "Unknown placeholder {neighborhood}" in page.content.decode()
    assert "Scam in {neighborhood}" in page.content.decode()  # what was typed is kept
    assert client.post(f"/admin/alerts/templates/{template.pk}/delete/").status_code == 302
    assert not AlertTemplate.objects.exists()


def test_force_templates_need_the_permission(world, refused):
    data = {"name": "Appeal", "title": "Appeal", "body": "Call {force}.", "priority": "1", "force": "1"}
    assert refused(client_for(world.officer_west).post("/admin/alerts/templates/new/?force=1", data))
    assert client_for(world.hq).post("/admin/alerts/templates/new/?force=1", data).status_code == 302
    forces = AlertTemplate.objects.get()
    assert forces.is_force_template
    assert refused(client_for(world.officer_west).get(f"/admin/alerts/templates/{forces.pk}/"))


def test_the_composer_starts_from_a_template_for_a_neighbourhood(world):
    template = own_template(world, world.officer_west)
    client = client_for(world.officer_west)
    page = client.get(f"/admin/alerts/new/?template={template.pk}&neighbourhood={world.west_b.pk}").content.decode()
    assert 'value="Burglaries in Brook"' in page
    assert "Lock up, West." in page
    assert f'value="{world.west_b.pk}" id="nbh-{world.west_b.pk}" data-code="{world.west_b.code}" checked' in page
    # Another officer's template, or a neighbourhood in another division, is not used.
    other = client_for(world.officer_east).get(f"/admin/alerts/new/?template={template.pk}")
    assert "Choose a template" in messages_of(other)
    outside = client.get(f"/admin/alerts/new/?template={template.pk}&neighbourhood={world.east_a.pk}")
    assert "Choose a neighbourhood" in messages_of(outside)


# ---------------------------------------------------------------------------------------------- saved audiences


def test_the_composer_saves_an_audience_without_losing_the_message(world):
    client = client_for(world.officer_west)
    response = client.post(
        "/admin/alerts/new/",
        form_data(world, title="", body="Half written", save_audience="1", audience_name="Abbey everyone"),
    )
    page = response.content.decode()
    assert "Saved the audience &#x27;Abbey everyone&#x27;" in messages_of(response)
    assert "There is a problem" not in page  # nothing was submitted yet
    assert "Half written" in page
    audience = SavedAudience.objects.get()
    assert (audience.division, audience.targeting["areas"]["neighbourhoods"]) == (world.west, [world.west_a.pk])
    assert not Alert.objects.exists()


def test_a_saved_audience_fills_the_targeting_and_a_stale_one_says_why(world):
    good = saved_audiences.saved_audience_create(
        actor=world.officer_west, name="Brook", targeting=areas(neighbourhoods=[world.west_b.pk])
    )
    stale = saved_audiences.saved_audience_create(
        actor=world.officer_west,
        name="Business",
        targeting={**areas(neighbourhoods=[world.west_a.pk]), "groups": {"include": ["business-owner"]}},
    )
    Interest.objects.filter(slug="business-owner").update(active=False)
    client = client_for(world.officer_west)
    page = client.get(f"/admin/alerts/new/?audience={good.pk}").content.decode()
    assert f'id="nbh-{world.west_b.pk}" data-code="{world.west_b.code}" checked' in page
    assert "'Business' no longer fits: No longer in use: Business owner" in page
    refused = client.get(f"/admin/alerts/new/?audience={stale.pk}")
    assert "cannot be used" in messages_of(refused)
    listing = client.get("/admin/alerts/audiences/").content.decode()
    assert "No longer fits: No longer in use" in listing


def test_saved_audiences_are_the_divisions(world, board, refused):
    audience = saved_audiences.saved_audience_create(
        actor=world.officer_west, name="Brook", targeting=areas(neighbourhoods=[world.west_b.pk])
    )
    assert "Brook" in client_for(world.lead_west).get("/admin/alerts/audiences/").content.decode()
    assert "Brook" not in client_for(world.officer_east).get("/admin/alerts/audiences/").content.decode()
    assert client_for(world.officer_east).post(f"/admin/alerts/audiences/{audience.pk}/delete/").status_code == 404
    assert client_for(world.officer_east).get(f"/admin/alerts/new/?audience={audience.pk}").status_code == 200
    assert refused(client_for(board).get("/admin/alerts/audiences/"))
    assert client_for(world.lead_west).post(f"/admin/alerts/audiences/{audience.pk}/delete/").status_code == 302
    assert not SavedAudience.objects.exists()


# ---------------------------------------------------------------------------------------------- copy and update


def test_copy_from_the_alerts_page(world, board, refused):
    original = sent(world, world.officer_west)
    detail = client_for(world.lead_west).get(f"/admin/alerts/{original.pk}/").content.decode()
    assert "Copy into a new draft" in detail
    assert "Send an update" in detail
    response = client_for(world.lead_west).post(f"/admin/alerts/{original.pk}/copy/")
    copy = Alert.objects.exclude(pk=original.pk).get()
    assert response["Location"] == f"/admin/alerts/{copy.pk}/edit/"
    assert copy.created_by == world.lead_west
    assert client_for(world.officer_east).post(f"/admin/alerts/{original.pk}/copy/").status_code == 404
    assert refused(client_for(world.contact).post(f"/admin/alerts/{original.pk}/copy/"))
    assert refused(client_for(board).post(f"/admin/alerts/{original.pk}/copy/"))
    assert Alert.objects.count() == 2


def test_send_an_update_to_the_recipients_of_a_sent_alert(world, board, refused):
    subscribe(world.west_a, count=3)
    subscribe(world.west_b, count=1)
    earlier = sent(world, world.officer_west)
    for subscriber in Subscriber.objects.filter(home_neighbourhood=world.west_a):
        Delivery.objects.create(alert=earlier, subscriber=subscriber, channel="email", state="delivered")
    client = client_for(world.officer_west)
    page = client.get(f"/admin/alerts/{earlier.pk}/update/").content.decode()
    assert "Update to the 3 recipients of &#x27;Burglaries on Mill Lane&#x27;" in page
    assert 'value="Update: Burglaries on Mill Lane"' in page
    response = client.post(
        f"/admin/alerts/{earlier.pk}/update/",
        {**form_data(world, title="Update: arrests made", neighbourhoods=None), "channels": ["email"]},
    )
    update = Alert.objects.exclude(pk=earlier.pk).get()
    assert response["Location"] == f"/admin/alerts/{update.pk}/"
    assert update.targeting == {"update_of": earlier.pk, "demographics": {}, "channels": ["email"]}
    detail = client.get(f"/admin/alerts/{update.pk}/").content.decode()
    assert "Update to the 3 recipients of &#x27;Burglaries on Mill Lane&#x27;" in detail
    edit = client.get(f"/admin/alerts/{update.pk}/edit/").content.decode()
    assert "Update to the 3 recipients" in edit
    # Another division: not found; no permission to send: refused; a draft cannot be updated.
    assert client_for(world.officer_east).get(f"/admin/alerts/{earlier.pk}/update/").status_code == 404
    assert refused(client_for(world.contact).get(f"/admin/alerts/{earlier.pk}/update/"))
    assert refused(client_for(board).get(f"/admin/alerts/{earlier.pk}/update/"))
    not_sent = client.get(f"/admin/alerts/{update.pk}/update/", follow=True)
    assert "Only an alert that has been sent" in messages_of(not_sent)


def test_the_live_count_of_an_update_is_scoped(world):
    subscribe(world.west_a, count=2)
    earlier = sent(world, world.officer_west)
    for subscriber in Subscriber.objects.all():
        Delivery.objects.create(alert=earlier, subscriber=subscriber, channel="email", state="delivered")
    from openbeat.alerts.tests.test_staff_views import audience

    targeting = {"update_of": earlier.pk, "demographics": {}, "channels": ["email"]}
    assert audience(client_for(world.officer_west), targeting).json()["subscribers"] == 2
    refused = audience(client_for(world.officer_east), targeting)
    assert refused.status_code == 400
    assert "outside your division" in refused.json()["error"]
