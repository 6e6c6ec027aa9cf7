"""The back office's priorities pages, each with the owner (same division), another division and an outsider."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.priorities.models import Priority, PriorityUpdate, Status
from openbeat.staff.tests.factories import UserFactory, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def priority(make_priority):
    return make_priority(published=False)


def _views(priority):
    return [
        reverse("priorities_staff:detail", args=[priority.pk]),
        reverse("priorities_staff:edit", args=[priority.pk]),
    ]


def test_the_owner_sees_the_list_and_the_priority_pages(officer, priority):
    client = client_for(officer)
    assert priority.issue in client.get(reverse("priorities_staff:list")).content.decode()
    for url in _views(priority):
        assert client.get(url).status_code == 200


def test_another_division_cannot_see_or_change_the_priority(other_officer, priority, refused):
    client = client_for(other_officer)
    assert priority.issue not in client.get(reverse("priorities_staff:list")).content.decode()
    for url in _views(priority):
        assert refused(client.get(url))
        assert refused(client.post(url, {"issue": "x", "note": "x", "status": "done", "date": "2026-02-01"}))
    assert not PriorityUpdate.objects.exists()
    assert Priority.objects.get(pk=priority.pk).issue == "Speeding on Mill Lane"


@pytest.mark.parametrize("who", ["anonymous", "no-role"])
def test_an_outsider_is_refused_everywhere(who, priority, refused):
    user = None if who == "anonymous" else UserFactory(username="nobody")
    client = client_for(user)
    for url in [reverse("priorities_staff:list"), reverse("priorities_staff:add"), *_views(priority)]:
        assert refused(client.get(url)), url


def test_a_priority_cannot_be_set_for_another_divisions_neighbourhood(officer, away):
    response = client_for(officer).post(
        reverse("priorities_staff:add"),
        {"neighbourhood": away.pk, "issue": "x", "date_set": "2026-01-01", "source_kind": "pact"},
    )
    assert response.status_code == 200
    assert "Choose the neighbourhood" in response.content.decode()
    assert not Priority.objects.exists()


def test_setting_a_priority_with_errors_keeps_what_was_typed_and_links_the_errors(officer, home):
    response = client_for(officer).post(
        reverse("priorities_staff:add"),
        {"neighbourhood": home.pk, "issue": "", "action": "Patrols on Fridays", "date_set": "31/02/2026"},
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_issue"' in page
    assert 'href="#id_date_set"' in page
    assert "Patrols on Fridays" in page
    assert not Priority.objects.exists()


def test_setting_then_updating_a_priority_through_the_forms(officer, home):
    client = client_for(officer)
    response = client.post(
        reverse("priorities_staff:add"),
        {
            "neighbourhood": home.pk,
            "issue": "Speeding",
            "action": "Checks",
            "date_set": "2026-01-10",
            "source_kind": "concerns",
            "source_reference": "Residents' concerns, January 2026",
            "published": "on",
        },
    )
    priority = Priority.objects.get()
    assert response["Location"] == reverse("priorities_staff:detail", args=[priority.pk])
    assert priority.published
    assert priority.source_kind == "concerns"
    url = reverse("priorities_staff:detail", args=[priority.pk])
    missing = client.post(url, {"date": "2026-02-01", "status": "done", "note": "Finished"})
    assert 'href="#id_outcome"' in missing.content.decode()
    assert "Finished" in missing.content.decode()
    client.post(url, {"date": "2026-02-01", "status": "done", "note": "Finished", "outcome": "20 tickets"})
    priority.refresh_from_db()
    assert (priority.status, priority.date_done, priority.outcome) == (
        Status.DONE,
        datetime.date(2026, 2, 1),
        "20 tickets",
    )
    assert AuditEntry.objects.filter(action__startswith="priorities.priority.").count() == 2


def test_the_owner_edits_a_priority(officer, priority):
    url = reverse("priorities_staff:edit", args=[priority.pk])
    client_for(officer).post(
        url, {"issue": "Speeding on Mill Lane and Church Road", "date_set": "2026-01-10", "source_kind": "pact"}
    )
    assert Priority.objects.get(pk=priority.pk).issue == "Speeding on Mill Lane and Church Road"


def test_the_form_is_prefilled_from_a_link(officer, home):
    page = (
        client_for(officer)
        .get(
            reverse("priorities_staff:add"), {"neighbourhood": home.pk, "source": "concerns", "reference": "March 2026"}
        )
        .content.decode()
    )
    assert 'value="March 2026"' in page
    assert 'value="concerns" selected' in page


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-1", "x"])
def test_an_odd_neighbourhood_filter_lists_everything_instead_of_failing(officer, priority, value):
    client = client_for(officer)

    response = client.get(reverse("priorities_staff:list"), {"neighbourhood": value})

    assert response.status_code == 200
    assert priority.issue in response.content.decode()
