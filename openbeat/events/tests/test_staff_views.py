"""The back office's event pages: the owner (same division), another division and outsiders, for every view."""

from __future__ import annotations

import pytest

from openbeat.alerts.models import Alert
from openbeat.events.models import Event
from openbeat.events.services import event_create, event_publish
from openbeat.events.tests.conftest import event_values
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return event_create(author=world.officer, neighbourhood=world.abbey, **event_values())


@pytest.fixture
def published(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values(title="Published one"))
    return event_publish(event=event, actor=world.officer)


def form_data(world, **changes):
    data = {
        "title": "Street stall on the market",
        "kind": "stall",
        "description": "Free bike marking.",
        "start_date": "2031-03-04",
        "start_time": "10:00",
        "end_date": "",
        "end_time": "13:30",
        "attendance": "in_person",
        "address": "Market Square",
        "lat": "54.005",
        "lon": "-1.995",
        "online_url": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "scope": "neighbourhood",
        "neighbourhood": str(world.abbey.pk),
        "division": "",
    }
    data.update(changes)
    return data


def _views(event):
    pk = event.pk
    return {
        "detail": ("get", f"/admin/events/{pk}/", None),
        "edit": ("get", f"/admin/events/{pk}/edit/", None),
        "publish": ("post", f"/admin/events/{pk}/publish/", {}),
        "notify": ("post", f"/admin/events/{pk}/notify/", {}),
        "cancel": ("post", f"/admin/events/{pk}/cancel/", {"reason": "Flood"}),
    }


def test_the_owner_sees_the_list_and_the_form(world, draft):
    client = client_for(world.officer)
    assert draft.title in client.get("/admin/events/").content.decode()
    assert client.get("/admin/events/new/").status_code == 200
    assert client.get(f"/admin/events/{draft.pk}/").status_code == 200
    assert client.get(f"/admin/events/{draft.pk}/edit/").status_code == 200


def test_the_owner_creates_an_event_in_london_time(world):
    response = client_for(world.officer).post("/admin/events/new/", form_data(world))
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/events/{event.pk}/"
    assert event.state == Event.State.DRAFT
    assert event.starts_at.isoformat() == "2031-03-04T10:00:00+00:00"  # GMT in March before the clocks change


def test_a_bad_form_shows_errors_and_keeps_what_was_typed(world):
    data = form_data(world, title="Keep me", end_time="09:00", contact_email="nope")
    response = client_for(world.officer).post("/admin/events/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_end_date"' in page  # the end before the start, on the end
    assert 'href="#id_contact_email"' in page
    assert 'value="Keep me"' in page
    assert not Event.objects.exists()


def test_another_divisions_neighbourhood_cannot_be_chosen(world):
    response = client_for(world.officer).post(
        "/admin/events/new/", form_data(world, neighbourhood=str(world.castle.pk))
    )
    assert response.status_code == 200
    assert 'href="#id_neighbourhood"' in response.content.decode()
    assert not Event.objects.exists()


def test_division_staff_cannot_make_a_force_wide_event(world):
    response = client_for(world.lead).post("/admin/events/new/", form_data(world, scope="force", neighbourhood=""))
    assert response.status_code == 200
    assert not Event.objects.exists()
    response = client_for(world.hq).post("/admin/events/new/", form_data(world, scope="force", neighbourhood=""))
    assert response.status_code == 302
    assert Event.objects.get().force_wide


def test_the_owner_publishes_with_a_notice_and_edits_with_history(world, draft):
    client = client_for(world.officer)
    assert client.post(f"/admin/events/{draft.pk}/publish/", {"notify": "on"}).status_code == 302
    draft.refresh_from_db()
    assert draft.state == Event.State.PUBLISHED
    assert draft.notice_alert is not None
    assert Alert.objects.count() == 1
    client.post(f"/admin/events/{draft.pk}/edit/", form_data(world, title="Moved stall"))
    draft.refresh_from_db()
    assert draft.title == "Moved stall"
    assert draft.sequence == 1
    page = client.get(f"/admin/events/{draft.pk}/").content.decode()
    assert "Moved stall" in page
    assert "Changed" in page


def test_the_owner_cancels_with_a_reason(world, published):
    client = client_for(world.officer)
    response = client.post(f"/admin/events/{published.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200
    assert 'href="#id_reason"' in response.content.decode()
    client.post(f"/admin/events/{published.pk}/cancel/", {"reason": "Flooded"})
    published.refresh_from_db()
    assert published.state == Event.State.CANCELLED
    assert published.cancel_reason == "Flooded"


@pytest.mark.parametrize("view", ["detail", "edit", "publish", "notify", "cancel"])
def test_another_division_cannot_reach_any_view(world, published, view):
    method, url, data = _views(published)[view]
    response = getattr(client_for(world.other), method)(url, data or {})
    assert response.status_code == 404
    published.refresh_from_db()
    assert published.state == Event.State.PUBLISHED
    assert published.notice_alert is None


@pytest.mark.parametrize("who", ["board", "public", None])
@pytest.mark.parametrize("view", ["list", "new", "detail", "edit", "publish", "notify", "cancel"])
def test_outsiders_are_refused_every_view(world, published, refused, who, view):
    if view == "list":
        method, url, data = "get", "/admin/events/", None
    elif view == "new":
        method, url, data = "post", "/admin/events/new/", form_data(world)
    else:
        method, url, data = _views(published)[view]
    user = getattr(world, who) if who else None
    response = getattr(client_for(user), method)(url, data or {})
    assert refused(response)
    assert Event.objects.count() == 1
    published.refresh_from_db()
    assert published.state == Event.State.PUBLISHED
    assert published.notice_alert is None


def test_the_contact_centre_may_look_but_not_change(world, published):
    from openbeat.staff import roles
    from openbeat.staff.tests.factories import staff_user

    client = client_for(staff_user(roles.CONTACT_CENTRE, None, username="cc"))
    assert client.get(f"/admin/events/{published.pk}/").status_code == 200
    assert client.get(f"/admin/events/{published.pk}/edit/").status_code in (302, 403)


def test_a_force_wide_event_is_only_for_force_wide_staff(world):
    event = event_create(author=world.hq, force_wide=True, **event_values(kind=Event.Kind.FORCE))
    assert client_for(world.lead).get(f"/admin/events/{event.pk}/edit/").status_code == 404
    assert client_for(world.hq).get(f"/admin/events/{event.pk}/edit/").status_code == 200
