"""Open311 API keys in the back office: shown once, stored hashed, audit-logged, administrators only."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import include, path

from openbeat import urls as project_urls
from openbeat.audit.models import AuditEntry
from openbeat.reports import admin_keys, open311
from openbeat.reports.models import Open311Key
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

# The key pages mounted explicitly, so these tests do not depend on how reports/wagtail_hooks.py imports them.
urlpatterns = [
    path("admin/open311-keys/", include((admin_keys.urlpatterns, "reports_keys"))),
    *project_urls.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
URL = "/admin/open311-keys/"


@pytest.fixture
def admin_user():
    return staff_user(roles.ADMINISTRATOR, None, username="admin")


def test_administrator_creates_a_key_shown_once(admin_user):
    client = client_for(admin_user)
    response = client.post(URL, {"name": "FixMyStreet"})
    assert response.status_code == 200
    shown = re.search(r'<code class="ob-new-key">([^<]+)</code>', response.content.decode())
    assert shown is not None
    raw = shown.group(1)
    key = Open311Key.objects.get()
    assert key.name == "FixMyStreet"
    assert key.active
    assert raw.startswith(key.prefix)
    assert key.key_hash != raw
    assert raw not in key.key_hash
    assert open311.key_check(raw) == key
    assert raw not in client.get(URL).content.decode()
    entry = AuditEntry.objects.get(action="reports.open311key.create")
    assert entry.actor == admin_user
    assert raw not in str(entry.data)


def test_revoked_key_stops_working(admin_user):
    key, raw = open311.key_create(name="Partner", actor=admin_user)
    response = client_for(admin_user).post(f"{URL}{key.pk}/revoke/")
    assert response.status_code == 302
    key.refresh_from_db()
    assert not key.active
    assert open311.key_check(raw) is None
    assert AuditEntry.objects.filter(action="reports.open311key.revoke", actor=admin_user).exists()


@pytest.mark.parametrize("who", ["no role", "hq media", "contact centre", "division lead"])
def test_others_cannot_see_or_create_keys(who, west):
    user = {
        "no role": lambda: UserFactory(username="public"),
        "hq media": lambda: staff_user(roles.HQ_MEDIA, None, username="hq"),
        "contact centre": lambda: staff_user(roles.CONTACT_CENTRE, None, username="cc"),
        "division lead": lambda: staff_user(roles.DIVISION_LEAD, west, username="lead"),
    }[who]()
    key, _ = open311.key_create(name="Partner", actor=None)
    client = client_for(user)
    assert client.get(URL).status_code in (302, 403)
    assert client.post(URL, {"name": "Sneaky"}).status_code in (302, 403)
    assert client.post(f"{URL}{key.pk}/revoke/").status_code in (302, 403)
    assert Open311Key.objects.count() == 1
    key.refresh_from_db()
    assert key.active


def test_anonymous_is_sent_to_log_in():
    response = Client().get(URL)
    assert response.status_code in (302, 403)
    assert Open311Key.objects.count() == 0
