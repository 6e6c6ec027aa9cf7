"""Delivery on the staff home (/admin/): urgent replies waiting and last week's results, for the owner (same
division), another division's staff and an outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.delivery.models import Delivery, DeliverySettings, Reply
from openbeat.delivery.tests.feedback_world import delivery_for
from openbeat.delivery.tests.pipeline_world import sending_alert
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user
from openbeat.staff.tests.home import home, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner")


@pytest.fixture
def other_division(east):
    return staff_user(roles.DIVISION_LEAD, east, username="other")


@pytest.fixture
def outsider():
    return staff_user(roles.BOARD_VIEWER, None, username="board")


def reply_in(division, body, *, urgent=False):
    # Made directly (not through feedback.reply_create, which also notifies the duty team): only the panel is tested.
    delivery = delivery_for(division)
    return Reply.objects.create(
        delivery=delivery,
        alert=delivery.alert,
        division=division,
        body=body,
        urgent=urgent,
        triggers="knife" if urgent else "",
    )


@pytest.fixture
def urgent(west):
    return reply_in(west, "Someone with a knife at the shop", urgent=True)


def test_the_owner_sees_urgent_replies_waiting_without_their_text(owner, urgent, west):
    calm = reply_in(west, "Thanks for letting us know")
    panel = section(home(owner), "urgent_replies")
    assert f'href="/admin/replies/{urgent.pk}/"' in panel
    assert f'href="/admin/replies/{calm.pk}/"' not in panel  # not urgent
    assert "at the shop" not in panel
    assert 'href="/admin/replies/?urgent=yes"' in panel


def test_a_finished_urgent_reply_leaves_the_panel(owner, urgent):
    Reply.objects.filter(pk=urgent.pk).update(state=Reply.State.DONE)
    assert "No urgent replies are waiting." in section(home(owner), "urgent_replies")


def test_an_urgent_reply_someone_picked_up_leaves_the_panel(owner, urgent):
    # The panel counts what the menu counts: urgent replies nobody has picked up yet.
    Reply.objects.filter(pk=urgent.pk).update(picked_up_at=timezone.now(), state=Reply.State.IN_PROGRESS)
    assert "No urgent replies are waiting." in section(home(owner), "urgent_replies")


def test_another_divisions_staff_see_none_of_the_urgent_replies(other_division, urgent):
    panel = section(home(other_division), "urgent_replies")
    assert "No urgent replies are waiting." in panel
    assert f"/admin/replies/{urgent.pk}/" not in panel


def test_staff_without_the_replies_permission_have_no_urgent_panel(outsider, urgent):
    page = home(outsider)
    assert 'id="home-urgent_replies-section"' not in page
    assert f"/admin/replies/{urgent.pk}/" not in page


@pytest.fixture
def last_week(west):
    settings = DeliverySettings.load()
    settings.track_opens = True
    settings.save()
    now = timezone.now()
    recent = sending_alert(
        title="Bike thefts at the station", division=west, state=Alert.State.SENT, sent_at=now - dt.timedelta(days=2)
    )
    for opened in (True, True, False):
        delivery_for(west, alert=recent, opened_at=now if opened else None)
    delivery_for(west, alert=recent, state=Delivery.State.PERMANENT_FAILURE)
    old = sending_alert(title="Old news", division=west, state=Alert.State.SENT, sent_at=now - dt.timedelta(days=9))
    return recent, old


def test_the_owner_sees_last_weeks_alerts_with_delivered_and_opened_counts(owner, last_week):
    recent, _old = last_week
    panel = section(home(owner), "last_week")
    assert "Bike thefts at the station" in panel
    assert f'href="/admin/alerts/{recent.pk}/delivery/"' in panel
    assert "3 delivered" in panel
    assert "2 opened" in panel
    assert "Old news" not in panel
    assert 'href="/admin/alerts/?state=sent"' in panel


def test_another_divisions_staff_see_none_of_last_weeks_alerts(other_division, last_week):
    panel = section(home(other_division), "last_week")
    assert "No alerts were sent in the last seven days." in panel
    assert "Bike thefts" not in panel


def test_staff_who_cannot_see_alerts_have_no_results_panel(outsider, last_week):
    page = home(outsider)
    assert 'id="home-last_week-section"' not in page
    assert "Bike thefts" not in page
