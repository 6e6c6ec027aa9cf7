"""The back office's watch scheme pages, each with the owner (same division), another division and an outsider."""

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.schemes.models import Scheme
from openbeat.schemes.tests.factories import make_coordinator, make_scheme
from openbeat.staff.tests.factories import UserFactory, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, name="Mill Lane Watch", status=Scheme.Status.PENDING)
    make_coordinator(scheme, name="Pat Jones", email="pat@example.com")
    return scheme


def _pages(scheme):
    return [reverse("schemes_staff:detail", args=[scheme.pk]), reverse("schemes_staff:edit", args=[scheme.pk])]


def _actions(scheme):
    return [reverse("schemes_staff:verify", args=[scheme.pk]), reverse("schemes_staff:suspend", args=[scheme.pk])]


def test_the_owner_sees_the_list_and_the_schemes_pages(officer, scheme):
    client = client_for(officer)
    assert "Mill Lane Watch" in client.get(reverse("schemes_staff:list")).content.decode()
    for url in _pages(scheme):
        assert client.get(url).status_code == 200
    assert "pat@example.com" in client.get(_pages(scheme)[0]).content.decode()


def test_the_owner_verifies_then_suspends_with_an_audit_entry_each(officer, scheme):
    client = client_for(officer)
    client.post(reverse("schemes_staff:verify", args=[scheme.pk]))
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.VERIFIED
    client.post(reverse("schemes_staff:suspend", args=[scheme.pk]), {"reason": "Closed down"})
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.SUSPENDED
    assert list(
        AuditEntry.objects.filter(actor=officer, action__startswith="schemes.")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "schemes.scheme.verify",
        "schemes.scheme.suspend",
    ]


def test_the_owner_edits_the_scheme_and_errors_are_linked(officer, scheme):
    client = client_for(officer)
    url = reverse("schemes_staff:edit", args=[scheme.pk])
    page = client.post(url, {"name": "", "kind": "farm", "households": "5", "area_source": "drawn"}).content.decode()
    assert "There is a problem" in page
    assert 'href="#id_name"' in page
    response = client.post(url, {"name": "Mill Farm Watch", "kind": "farm", "households": "5", "area_source": "drawn"})
    assert response.status_code == 302
    assert Scheme.objects.get(pk=scheme.pk).name == "Mill Farm Watch"


def test_another_division_cannot_see_or_change_the_scheme(other_officer, scheme, refused):
    client = client_for(other_officer)
    assert "Mill Lane Watch" not in client.get(reverse("schemes_staff:list")).content.decode()
    for url in _pages(scheme) + _actions(scheme):
        assert refused(client.get(url)) or client.get(url).status_code == 405
        assert refused(client.post(url, {"name": "x", "kind": "farm", "households": "1", "area_source": "drawn"}))
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.PENDING
    assert Scheme.objects.get(pk=scheme.pk).name == "Mill Lane Watch"


@pytest.mark.parametrize("who", ["anonymous", "no-role"])
def test_an_outsider_is_refused_everywhere(who, scheme, refused):
    client = client_for(None if who == "anonymous" else UserFactory(username="nobody"))
    for url in [reverse("schemes_staff:list"), *_pages(scheme)]:
        assert refused(client.get(url)), url
    for url in _actions(scheme):
        assert refused(client.post(url)), url
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.PENDING


def test_hq_sees_every_division(hq, scheme, east):
    other = make_scheme(division=east, lat=53.80, lon=-2.20, name="Brookside Watch")
    page = client_for(hq).get(reverse("schemes_staff:list")).content.decode()
    assert "Mill Lane Watch" in page
    assert other.name in page
