"""The back office's force-wide viewsets (scope_field None) refuse division-scoped staff on every view.

The force, report types, reporting groups, channel accounts, metrics, interests and concerns belong to no division: only
force-wide staff reach them. No division role holds their permissions today; these tests give a West division
lead every permission of the model, so that it is the scope (openbeat.staff.admin_views), not the role, that
refuses them, on every URL the viewset registers (history and usage included, which skipped it before).
Across apps, so here rather than in one app's tests; openbeat/staff/tests/test_viewset_scope.py covers the
division-scoped viewsets and the mechanism.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.admin.viewsets import viewsets as registered_viewsets

from openbeat.core.models import Force
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, MetricFactory
from openbeat.reports.tests.factories import ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.subscriptions.models import Interest

pytestmark = pytest.mark.django_db


def _force() -> Any:
    return Force.objects.create(code="testshire", name="Testshire Constabulary", short_code="TC")


def _interest() -> Any:
    return Interest.objects.order_by("pk").first()  # seeded by the migrations


def _concern() -> Any:
    from openbeat.concerns.models import Concern

    return Concern.objects.order_by("pk").first()  # the force's list, seeded by the migrations


def _legal_pattern() -> Any:
    from openbeat.social.models import LegalPattern

    return LegalPattern.objects.order_by("pk").first()  # the force's wordings, seeded by the migrations


FORCE_WIDE: list[tuple[str, Callable[[], Any]]] = [
    ("force", _force),
    ("report-types", ReportTypeFactory),
    ("insights/groups", GroupFactory),
    ("insights/accounts", AccountFactory),
    ("insights/metrics", MetricFactory),
    ("in-the-know/interests", _interest),
    ("concerns_list", _concern),
    ("social-legal-patterns", _legal_pattern),
]
IDS = [prefix for prefix, _ in FORCE_WIDE]


def _object_urls(url_prefix: str, pk: Any) -> dict[str, str]:
    reverse("wagtailadmin_home")  # the admin's URLs (and so the viewset registry) are loaded
    viewset = next(
        v
        for v in registered_viewsets.viewsets
        if isinstance(getattr(v, "model", None), type)
        and v.model.__module__.startswith("openbeat.")
        and v.url_prefix == url_prefix
    )
    assert viewset.scope_field is None
    return {
        pattern.name: reverse(f"{viewset.url_namespace}:{pattern.name}", args=[pk])
        for pattern in viewset.get_urlpatterns()
        if "<" in str(pattern.pattern)
    }


def test_every_force_wide_viewset_is_listed_here():
    reverse("wagtailadmin_home")
    force_wide = {
        v.url_prefix
        for v in registered_viewsets.viewsets
        if isinstance(getattr(v, "model", None), type)
        and v.model.__module__.startswith("openbeat.")
        and v.scope_field is None
    }
    assert force_wide == set(IDS)


@pytest.mark.parametrize(("prefix", "make"), FORCE_WIDE, ids=IDS)
def test_force_wide_staff_read_the_history_and_usage(client, prefix, make):
    obj = make()
    client.force_login(staff_user(roles.ADMINISTRATOR, None, username="admin"))
    urls = _object_urls(prefix, obj.pk)
    for name in ("edit", "history", "history_results", "usage"):
        assert client.get(urls[name]).status_code == 200, name


@pytest.mark.parametrize(("prefix", "make"), FORCE_WIDE, ids=IDS)
def test_a_division_lead_with_every_permission_is_refused_every_view(client, west, refused, prefix, make):
    obj = make()
    before = str(obj)
    lead = staff_user(roles.DIVISION_LEAD, west, username="lead.west")
    lead.user_permissions.add(*Permission.objects.filter(content_type=ContentType.objects.get_for_model(obj)))
    client.force_login(lead)
    listing = client.get(f"/admin/{prefix}/")
    assert listing.status_code == 200
    assert list(listing.context["object_list"]) == []
    urls = _object_urls(prefix, obj.pk)
    assert {"edit", "history", "usage"} <= set(urls)
    for name, url in urls.items():
        assert refused(client.get(url)), ("GET", name)
        assert refused(client.post(url, {"name": "Hijacked"})), ("POST", name)
    obj.refresh_from_db()
    assert str(obj) == before


@pytest.mark.parametrize(("prefix", "make"), FORCE_WIDE, ids=IDS)
def test_outsiders_are_refused_every_view(client, refused, prefix, make):
    urls = _object_urls(prefix, make().pk)
    client.force_login(UserFactory(username="member.of.public"))
    for name, url in urls.items():
        assert refused(client.get(url)), name
    client.logout()
    for name, url in urls.items():
        assert client.get(url)["Location"].startswith("/admin/login/"), name
