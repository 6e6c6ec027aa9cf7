"""The demo's alerts: every state the back office shows, sent ones for the archive, each one its author could
have sent, and loading twice changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alert_can, alerts_for
from openbeat.alerts.services import alert_approve, targeting_check_scope
from openbeat.alerts.targeting import spec_from_json
from openbeat.demo.alerts import ALERTS, demo_alerts_reset, step_alerts
from openbeat.demo.steps import demo_context, step_force, step_geography, step_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_ctx():
    return demo_context()


@pytest.fixture
def demo(demo_ctx):
    for step in (step_force, step_geography, step_staff):
        step(demo_ctx)
    return step_alerts(demo_ctx)


def user(username):
    return get_user_model().objects.get(username=username)


def test_the_demo_has_alerts_in_every_state_the_back_office_shows(demo):
    states = dict.fromkeys(Alert.State.values, 0)
    for state in Alert.objects.values_list("state", flat=True):
        states[state] += 1
    assert states["draft"] >= 2
    assert states["awaiting_approval"] == 1
    assert states["approved"] == 1
    assert states["sent"] >= 5
    assert "new" in demo

    scheduled = Alert.objects.get(state=Alert.State.APPROVED)
    assert scheduled.send_at > timezone.now()
    sent = Alert.objects.filter(state=Alert.State.SENT)
    assert {a.division.name for a in sent if a.division} == {"West", "Central", "East"}
    assert sent.filter(force_wide=True, division=None).exists()
    for alert in sent:
        assert alert.sent_at < timezone.now()
        assert alert.audience_subscribers >= alert.audience_email > 0


def test_every_demo_alert_is_one_its_author_could_have_sent(demo):
    for alert in Alert.objects.select_related("created_by"):
        spec = spec_from_json(alert.targeting)
        targeting_check_scope(user=alert.created_by, spec=spec)
        assert alert_can(alert.created_by, alert, "view"), alert.title
        assert alert.interest.active


def test_the_demo_staff_see_their_division_s_alerts(demo):
    west = alerts_for(user("officer.west"))
    assert west.exists()
    assert all(a.division.name == "West" for a in west)
    assert alerts_for(user("hq")).count() == Alert.objects.count()


def test_the_alert_awaiting_approval_can_be_approved_by_the_division_lead(demo, django_capture_on_commit_callbacks):
    waiting = Alert.objects.get(state=Alert.State.AWAITING_APPROVAL)
    assert alert_can(user("lead.west"), waiting, "approve")
    assert not alert_can(user("officer.west"), waiting, "approve")
    with django_capture_on_commit_callbacks(execute=True):
        alert_approve(alert=waiting, approver=user("lead.west"))
    waiting.refresh_from_db()
    assert waiting.state == Alert.State.SENT


def test_the_sent_alerts_are_in_the_public_archive_by_area_name(demo, client):
    html = client.get(reverse("alerts:archive")).content.decode()
    for spec in ALERTS:
        assert (spec.title in html) == (spec.state == Alert.State.SENT), spec.title
    rural = Alert.objects.get(title__startswith="Rural theft")
    detail = client.get(rural.get_absolute_url()).content.decode()
    assert "A drawn area in Brackley Moor" in detail
    scam = Alert.objects.get(title__startswith="Scam warning")
    assert scam.translations.filter(language="pl").exists()


def test_loading_twice_changes_nothing(demo, demo_ctx):
    before = list(Alert.objects.order_by("pk").values_list("pk", "title", "state", "sent_at", "targeting"))
    again = step_alerts(demo_ctx)
    assert "0 new" in again
    assert list(Alert.objects.order_by("pk").values_list("pk", "title", "state", "sent_at", "targeting")) == before


def test_without_the_staff_logins_the_step_skips(db, demo_ctx):
    assert step_alerts(demo_ctx).startswith("skipped")
    assert not Alert.objects.exists()


def test_the_demo_alerts_can_be_removed(demo):
    assert demo_alerts_reset() >= len(ALERTS)
    assert not Alert.objects.exists()
