"""Entering figures by hand: for a group or an account, corrections replace, every entry audit-logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.audit.models import AuditEntry
from openbeat.insights.models import Account, Observation
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, metric, observe
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq():
    return staff_user(roles.HQ_MEDIA, None, username="hq")


def test_a_group_figure_is_kept_under_the_groups_own_account(hq, west) -> None:
    group = GroupFactory(name="West", division=west)
    place = NeighbourhoodFactory(division=west)
    client = client_for(hq)
    assert client.get(reverse("insights_staff:manual")).status_code == 200

    response = client.post(
        reverse("insights_staff:manual"),
        {
            "month": "2025-03",
            "group": group.pk,
            "metric": metric("special_constables").pk,
            "value": "42",
            "neighbourhood": place.pk,
        },
    )

    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.account == Account.objects.get(platform="other", name="West", group=group)
    assert (observation.value, observation.period_start, observation.granularity) == (42, date(2025, 3, 1), "month")
    assert (observation.neighbourhood, observation.entered_by, observation.batch) == (place, hq, None)
    entry = AuditEntry.objects.get(action="insights.observation.create")
    assert entry.data == {"metric": "special_constables", "period": "2025-03", "value": 42.0, "previous": None}
    assert "Special constables" in client.get(reverse("insights_staff:manual")).content.decode()


def test_entering_the_same_figure_again_replaces_it_and_logs_the_old_value(hq) -> None:
    account = AccountFactory(platform="facebook")
    observe(account, "events_held", "2025-04", 3)
    client = client_for(hq)

    client.post(
        reverse("insights_staff:manual"),
        {"month": "2025-04", "account": account.pk, "metric": metric("events_held").pk, "value": "5"},
    )

    assert Observation.objects.get().value == 5
    assert AuditEntry.objects.get(action="insights.observation.change").data["previous"] == 3


def test_correcting_a_figure(hq) -> None:
    observation = observe(AccountFactory(), "pact_attendance", "2025-05", 30)
    client = client_for(hq)
    url = reverse("insights_staff:manual_edit", args=[observation.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"value": "31"})

    assert response.status_code == 302
    assert Observation.objects.get().value == 31
    assert AuditEntry.objects.get(action="insights.observation.change", actor=hq).data["value"] == 31


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "2025-13", "value": "1"}, "Enter the month as year and month"),
        ({"month": "2025-01", "value": "-1"}, "greater than or equal to 0"),
        ({"month": "2025-01", "value": "1", "both": True}, "Choose either a reporting group or an account"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(hq, data, message) -> None:
    group = GroupFactory()
    post = {"month": data["month"], "value": data["value"], "group": group.pk, "metric": metric("cadets").pk}
    if data.get("both"):
        post["account"] = AccountFactory().pk

    response = client_for(hq).post(reverse("insights_staff:manual"), post)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize("kind", ["anonymous", "no role", "division lead", "board viewer"])
def test_only_those_who_import_figures_can_enter_them(kind, refused, west) -> None:
    user = None
    if kind == "no role":
        user = UserFactory(username="public")
    elif kind == "division lead":
        user = staff_user(roles.DIVISION_LEAD, west, username="lead")
    elif kind == "board viewer":
        user = staff_user(roles.BOARD_VIEWER, None, username="board")
    observation = observe(AccountFactory(), "cadets", "2025-05", 30)
    client = client_for(user)

    assert refused(client.get(reverse("insights_staff:manual")))
    assert refused(
        client.post(
            reverse("insights_staff:manual"),
            {"month": "2025-05", "account": observation.account_id, "metric": observation.metric_id, "value": "1"},
        )
    )
    assert refused(client.post(reverse("insights_staff:manual_edit", args=[observation.pk]), {"value": "1"}))
    assert Observation.objects.get().value == 30
