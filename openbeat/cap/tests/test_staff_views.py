"""The back office's urgent warnings: the owner (same division), another division and outsiders, for every view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.cap import services
from openbeat.cap.models import CapMessage, UrgentWarning
from openbeat.cap.tests.conftest import make_alert, warning_values
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "status": "Test",
        "category": "Rescue",
        "event": "Missing person",
        "urgency": "Immediate",
        "severity": "Moderate",
        "certainty": "Observed",
        "headline": "Missing man: have you seen Tom?",
        "description": "Tom was last seen at 9pm.",
        "instruction": "Call 999.",
        "instruction_cy": "Ffoniwch 999.",
        "expires_at": timezone.localtime(timezone.now() + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(changes)
    return data


@pytest.fixture
def warning(world):
    return services.warning_issue(alert=world.alert, actor=world.lead, **warning_values()).warning


def _views(world, warning):
    return {
        "new": ("post", f"/admin/cap/alert/{make_alert(world).pk}/new/", form_data()),
        "detail": ("get", f"/admin/cap/{warning.pk}/", None),
        "update": ("post", f"/admin/cap/{warning.pk}/update/", form_data(severity="Severe")),
        "cancel": ("post", f"/admin/cap/{warning.pk}/cancel/", {"note": "Found"}),
    }


def test_the_owner_publishes_a_sent_alert(world):
    client = client_for(world.lead)
    page = client.get(f"/admin/cap/alert/{world.alert.pk}/new/").content.decode()
    assert 'value="Missing man: have you seen Tom?"' in page
    assert "in Cymraeg (Welsh)" in page
    response = client.post(f"/admin/cap/alert/{world.alert.pk}/new/", form_data())
    warning = UrgentWarning.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/cap/{warning.pk}/"
    assert warning.status == "Test"
    assert warning.instructions == {"cy": "Ffoniwch 999."}
    assert warning.messages.get().msg_type == "Alert"


def test_the_list_shows_warnings_and_alerts_to_publish(world, warning):
    other = make_alert(world, title="Burglaries in Brook")
    page = client_for(world.lead).get("/admin/cap/").content.decode()
    assert warning.headline in page
    assert f"/admin/cap/alert/{other.pk}/new/" in page
    assert f"/admin/cap/alert/{world.alert.pk}/new/" not in page


def test_the_alerts_page_offers_to_publish_it(world):
    page = client_for(world.lead).get(f"/admin/alerts/{world.alert.pk}/").content.decode()
    assert f"/admin/cap/alert/{world.alert.pk}/new/" in page
    assert "Publish as an urgent warning" in page


def test_a_bad_form_shows_an_error_summary_and_keeps_what_was_typed(world):
    response = client_for(world.lead).post(
        f"/admin/cap/alert/{world.alert.pk}/new/", form_data(instruction="", urgency="")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_instruction"' in page
    assert 'href="#id_urgency_0"' in page
    assert "Tom was last seen at 9pm." in page
    assert not UrgentWarning.objects.exists()


def test_an_alert_already_published_leads_to_its_warning(world, warning):
    response = client_for(world.lead).get(f"/admin/cap/alert/{world.alert.pk}/new/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/cap/{warning.pk}/"


def test_an_unsent_alert_cannot_be_published(world):
    draft = make_alert(world, state="draft")
    response = client_for(world.lead).post(f"/admin/cap/alert/{draft.pk}/new/", form_data())
    assert response.status_code == 302
    assert not UrgentWarning.objects.exists()


def test_the_owner_updates_and_cancels(world, warning):
    client = client_for(world.lead)
    assert client.get(f"/admin/cap/{warning.pk}/").status_code == 200
    assert 'value="Missing person"' in client.get(f"/admin/cap/{warning.pk}/update/").content.decode()
    assert client.post(f"/admin/cap/{warning.pk}/update/", form_data(severity="Severe")).status_code == 302
    assert client.post(f"/admin/cap/{warning.pk}/cancel/", {"note": "Found safe"}).status_code == 302
    types = list(warning.messages.values_list("msg_type", flat=True))
    assert types == ["Alert", "Update", "Cancel"]
    page = client.get(f"/admin/cap/{warning.pk}/").content.decode()
    assert "Cancel the warning" not in page


def test_a_cancellation_reason_too_long_is_shown_as_an_error(world, warning):
    response = client_for(world.lead).post(f"/admin/cap/{warning.pk}/cancel/", {"note": "x" * 501})
    assert response.status_code == 200
    assert 'href="#id_note"' in response.content.decode()
    assert CapMessage.objects.count() == 1


@pytest.mark.parametrize("view", ["new", "detail", "update", "cancel"])
def test_another_division_cannot_reach_any_view(world, warning, view):
    method, url, data = _views(world, warning)[view]
    response = getattr(client_for(world.other), method)(url, data or {})
    assert response.status_code == 404
    assert CapMessage.objects.count() == 1


def test_another_divisions_list_does_not_show_the_warning(world, warning):
    page = client_for(world.other).get("/admin/cap/").content.decode()
    assert warning.headline not in page
    assert world.alert.title not in page


@pytest.mark.parametrize("who", ["officer", "public", None])
@pytest.mark.parametrize("view", ["list", "new", "detail", "update", "cancel"])
def test_outsiders_are_refused_every_view(world, warning, refused, who, view):
    method, url, data = ("get", "/admin/cap/", None) if view == "list" else _views(world, warning)[view]
    user = getattr(world, who) if who else None
    response = getattr(client_for(user), method)(url, data or {})
    assert refused(response)
    assert CapMessage.objects.count() == 1


def test_outsiders_go_to_the_right_place(world, warning):
    assert client_for(world.officer).get("/admin/cap/")["Location"] == "/admin/"
    assert client_for(None).get("/admin/cap/")["Location"].startswith("/admin/login/")
