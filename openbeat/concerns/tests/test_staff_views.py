"""The back office's concerns: results per neighbourhood and month (owner, other division, outsider) and the list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.concerns.models import Concern
from openbeat.staff.roles import HQ_MEDIA, NEIGHBOURHOOD_OFFICER
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(west):
    return staff_user(NEIGHBOURHOOD_OFFICER, west, username="west-officer")


@pytest.fixture
def other_officer(east):
    return staff_user(NEIGHBOURHOOD_OFFICER, east, username="east-officer")


def results_url(neighbourhood):
    return reverse("concerns_staff:results") + f"?neighbourhood={neighbourhood.pk}"


def test_the_owner_sees_every_count_and_the_comments(officer, home, respond):
    respond("a@example.com", "Speeding", comment="Cars race at night")
    page = client_for(officer).get(results_url(home)).content.decode()
    assert "Cars race at night" in page
    assert "<svg" in page
    assert "1 confirmed response" in page
    assert AuditEntry.objects.filter(action="concerns.results.viewed").exists()


def test_make_this_a_priority_prefills_the_priority_form(officer, home, respond):
    respond("a@example.com", "Speeding")
    page = client_for(officer).get(results_url(home)).content.decode()
    href = next(part for part in page.split('href="')[1:] if part.startswith("/admin/priorities/add/")).split('"')[0]
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert query["source"] == ["concerns"]
    assert query["neighbourhood"] == [str(home.pk)]
    assert query["reference"][0].startswith("Residents' concerns, ")
    form = client_for(officer).get(href.replace("&amp;", "&")).content.decode()
    assert 'value="concerns" selected' in form


def test_another_division_is_refused(other_officer, home, respond, refused):
    respond("a@example.com", "Speeding", comment="Cars race at night")
    response = client_for(other_officer).get(results_url(home))
    assert refused(response)
    assert "Cars race at night" not in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "no-role"])
def test_an_outsider_is_refused(who, home, refused, concerns):
    client = client_for(None if who == "anonymous" else UserFactory(username="nobody"))
    assert refused(client.get(results_url(home)))
    assert refused(client.get(reverse("concerns_list:index")))


def test_bad_parameters_do_not_500(officer, home):
    client = client_for(officer)
    for query in ("?neighbourhood=abc", "?neighbourhood=99999999999999999999", f"?neighbourhood={home.pk}&month=x"):
        assert client.get(reverse("concerns_staff:results") + query).status_code in (200, 302, 403)


def test_only_force_wide_staff_edit_the_list_and_it_is_audited(officer, concerns):
    hq = staff_user(HQ_MEDIA, None, username="hq")
    assert client_for(officer).get(reverse("concerns_list:index")).status_code in (302, 403)
    response = client_for(hq).post(reverse("concerns_list:add"), {"name": "Dog fouling", "active": "on", "order": 5})
    assert response.status_code == 302
    assert Concern.objects.filter(name="Dog fouling").exists()
    assert AuditEntry.objects.filter(action="concerns.concern.create").exists()
