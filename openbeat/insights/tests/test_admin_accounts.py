"""Editing accounts, groups and metrics in the back office: force-wide, audit-logged, metrics protected."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.insights.models import Account, Metric, ReportingGroup
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, MetricFactory, metric, observe
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq():
    return staff_user(roles.HQ_MEDIA, None, username="hq")


@pytest.fixture
def admin():
    return staff_user(roles.ADMINISTRATOR, None, username="admin")


def test_hq_media_lists_and_adds_accounts(hq) -> None:
    group = GroupFactory(name="Corporate")
    AccountFactory(platform="facebook", name="@ListedPolice", group=group)
    client = client_for(hq)

    assert "@ListedPolice" in client.get(reverse("insights_accounts:index")).content.decode()
    response = client.post(
        reverse("insights_accounts:add"),
        {"platform": "instagram", "name": "@NewPolice", "group": group.pk, "active": "on"},
    )

    assert response.status_code == 302
    account = Account.objects.get(name="@NewPolice")
    assert (account.platform, account.group, account.is_channel_total) == ("instagram", group, False)
    assert AuditEntry.objects.filter(action="insights.account.create", actor=hq, target_id=str(account.pk)).exists()


def test_an_administrator_defines_groups_and_force_metrics(admin, west) -> None:
    client = client_for(admin)

    client.post(reverse("insights_groups:add"), {"name": "West", "slug": "west", "division": west.pk, "sort_order": 1})
    client.post(
        reverse("insights_metrics:add"),
        {"slug": "Drop_in_sessions", "name": "Drop-in sessions", "aggregation": "flow", "description": ""},
    )

    assert ReportingGroup.objects.get(slug="west").division == west
    assert Metric.objects.get(name="Drop-in sessions").slug == "drop_in_sessions"
    assert AuditEntry.objects.filter(action="insights.metric.create").exists()


def test_a_standard_metric_keeps_its_slug_and_aggregation_and_cannot_be_deleted(admin, refused) -> None:
    followers = metric("followers")
    client = client_for(admin)

    client.post(
        reverse("insights_metrics:edit", args=[followers.pk]),
        {"slug": "fans", "name": "Fans", "aggregation": "flow", "description": "Renamed"},
    )

    followers.refresh_from_db()
    assert (followers.slug, followers.aggregation, followers.name) == ("followers", "stock", "Fans")
    assert refused(client.post(reverse("insights_metrics:delete", args=[followers.pk])))
    assert Metric.objects.filter(slug="followers").exists()


def test_a_metric_with_figures_cannot_be_deleted_but_an_unused_one_can(admin, refused) -> None:
    used, unused = MetricFactory(slug="used"), MetricFactory(slug="unused")
    observe(AccountFactory(), "used", "2025-01", 1)
    client = client_for(admin)

    assert refused(client.post(reverse("insights_metrics:delete", args=[used.pk])))
    assert client.post(reverse("insights_metrics:delete", args=[unused.pk])).status_code == 302
    assert list(Metric.objects.filter(slug__in=["used", "unused"]).values_list("slug", flat=True)) == ["used"]


@pytest.mark.parametrize("kind", ["anonymous", "no role", "division lead", "board viewer"])
def test_others_cannot_edit_accounts(kind, refused, west) -> None:
    user = None
    if kind == "no role":
        user = UserFactory(username="public")
    elif kind == "division lead":
        user = staff_user(roles.DIVISION_LEAD, west, username="lead")
    elif kind == "board viewer":
        user = staff_user(roles.BOARD_VIEWER, None, username="board")
    account = AccountFactory(name="@Kept")
    client = client_for(user)

    assert refused(client.get(reverse("insights_accounts:index")))
    assert refused(client.post(reverse("insights_accounts:edit", args=[account.pk]), {"name": "@Changed"}))
    assert refused(client.post(reverse("insights_groups:add"), {"name": "X", "slug": "x", "sort_order": 0}))
    assert refused(client.post(reverse("insights_metrics:add"), {"slug": "x", "name": "X", "aggregation": "flow"}))
    account.refresh_from_db()
    assert account.name == "@Kept"
    assert not ReportingGroup.objects.filter(slug="x").exists()
