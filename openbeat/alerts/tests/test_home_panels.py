"""In the Know on the staff home (/admin/): alerts awaiting my approval and my scheduled alerts, for the owner
(same division), another division's staff and an outsider. No self-approval; force-wide alerts only for
force-wide approvers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user
from openbeat.staff.tests.home import home, section
from openbeat.subscriptions.models import Interest

pytestmark = pytest.mark.django_db


def alert(title: str, author: Any, division: Any, **fields: Any) -> Alert:
    interest = Interest.objects.get_or_create(
        slug="crime-alerts", defaults={"name": "Crime alerts and appeals", "kind": "topic", "bit": 0}
    )[0]
    return Alert.objects.create(
        title=title, body="Lock your doors.", interest=interest, created_by=author, division=division, **fields
    )


@pytest.fixture
def people(west, east):
    return {
        "officer": staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer"),
        "lead": staff_user(roles.DIVISION_LEAD, west, username="lead"),
        "lead_east": staff_user(roles.DIVISION_LEAD, east, username="lead.east"),
        "outsider": staff_user(roles.BOARD_VIEWER, None, username="board"),
    }


@pytest.fixture
def submitted(people, west):
    now = timezone.now()
    return {
        "officers": alert("Van thefts in Abbey", people["officer"], west, state="awaiting_approval", submitted_at=now),
        "leads_own": alert("Lead's own appeal", people["lead"], west, state="awaiting_approval", submitted_at=now),
        "draft": alert("Still a draft", people["officer"], west),
        "force_wide": alert(
            "Whole force scam warning", people["officer"], None, force_wide=True, state="awaiting_approval"
        ),
    }


def test_an_approver_sees_alerts_they_may_approve_but_not_their_own(people, submitted):
    panel = section(home(people["lead"]), "alerts_awaiting_approval")
    assert "Van thefts in Abbey" in panel
    assert f'href="/admin/alerts/{submitted["officers"].pk}/"' in panel
    assert "own appeal" not in panel  # no self-approval
    assert "Still a draft" not in panel
    assert "Whole force scam warning" not in panel  # needs a force-wide approver
    assert 'href="/admin/alerts/?state=awaiting_approval"' in panel


def test_a_force_wide_approver_sees_the_force_wide_alert(people, submitted):
    hq = staff_user(roles.HQ_MEDIA, None, username="hq")
    panel = section(home(hq), "alerts_awaiting_approval")
    assert "Whole force scam warning" in panel
    assert "Van thefts in Abbey" in panel


def test_another_divisions_approver_sees_none_of_them(people, submitted):
    panel = section(home(people["lead_east"]), "alerts_awaiting_approval")
    assert "No alerts are waiting for your approval." in panel
    assert "Van thefts" not in panel


def test_staff_who_cannot_approve_have_no_approval_panel(people, submitted):
    assert 'id="home-alerts_awaiting_approval-section"' not in home(people["officer"])  # sends, cannot approve
    assert 'id="home-alerts_awaiting_approval-section"' not in home(people["outsider"])


@pytest.fixture
def scheduled(people, west, east):
    later = timezone.now() + dt.timedelta(hours=5)
    return {
        "mine": alert("Road closure on Friday", people["officer"], west, state="approved", send_at=later),
        "colleagues": alert("Lead's newsletter", people["lead"], west, state="approved", send_at=later),
        "sent": alert("Already sent", people["officer"], west, state="sent", send_at=timezone.now()),
        "east": alert("East's closure", people["lead_east"], east, state="approved", send_at=later),
    }


def test_the_author_sees_their_scheduled_alerts_only(people, scheduled):
    panel = section(home(people["officer"]), "alerts_scheduled")
    assert "Road closure on Friday" in panel
    assert f'href="/admin/alerts/{scheduled["mine"].pk}/"' in panel
    assert "newsletter" not in panel
    assert "Already sent" not in panel
    assert 'href="/admin/alerts/?state=approved"' in panel


def test_another_divisions_sender_sees_none_of_the_others_scheduled_alerts(people, scheduled):
    panel = section(home(people["lead_east"]), "alerts_scheduled")
    assert "East&#x27;s closure" in panel or "East's closure" in panel
    assert "Road closure" not in panel


def test_an_empty_scheduled_panel_says_so(people):
    assert "You have no alerts scheduled to send." in section(home(people["officer"]), "alerts_scheduled")


def test_staff_who_do_not_send_have_no_scheduled_panel(people, scheduled):
    page = home(people["outsider"])
    assert 'id="home-alerts_scheduled-section"' not in page
    assert "Road closure" not in page
