"""The crime imports page is force-wide and permission-based: HQ Media and Administrators see every import;
division roles (the West lead included) and outsiders are refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.crime.models import CrimeImport
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db

URL = "/admin/crime/imports/"


@pytest.fixture
def imports(west):
    CrimeImport.objects.create(
        file_name="2026-09-testshire-street.csv", first_month=datetime.date(2026, 9, 1),
        last_month=datetime.date(2026, 9, 1), rows=12, created=10, without_location=2, outside_force=1, rejected=2,
        errors=["line 5: unknown crime type 'Littering'"], actor_label="command line (as deploy)",
        started_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip
    return west


def test_the_url_is_where_the_hook_puts_it():
    assert reverse("crime_staff:imports") == URL


@pytest.mark.parametrize("role", [roles.HQ_MEDIA, roles.ADMINISTRATOR])
def test_force_wide_roles_see_every_import(imports, role):
    user = staff_user(role, None)

    response = client_for(user).get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "2026-09-testshire-street.csv" in body
    assert "September 2026" in body
    assert "command line (as deploy)" in body
    assert "line 5: unknown crime type" in body
    assert AuditEntry.objects.filter(action="crime.imports.view", actor=user).count() == 1


def test_an_hq_media_member_with_a_division_still_sees_the_force_wide_page(imports):
    response = client_for(staff_user(roles.HQ_MEDIA, imports)).get(URL)
    assert response.status_code == 200


@pytest.mark.parametrize("role", [roles.DIVISION_LEAD, roles.NEIGHBOURHOOD_OFFICER, roles.CONTACT_CENTRE])
def test_division_and_other_roles_are_refused(imports, refused, role):
    response = client_for(staff_user(role, imports)).get(URL)
    assert refused(response)
    assert not AuditEntry.objects.filter(action="crime.imports.view").exists()


def test_outsiders_are_refused(imports, refused):
    assert refused(client_for(UserFactory(username="public")).get(URL))
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_no_imports_yet_says_so():
    response = client_for(staff_user(roles.HQ_MEDIA, None)).get(URL)
    assert "No crime files have been imported yet." in response.content.decode()
