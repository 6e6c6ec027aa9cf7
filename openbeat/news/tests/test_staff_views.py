"""The back office's appeals pages: the owner's division, another division, an outsider and anonymous visitors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.news.models import AppealPage
from openbeat.news.tests.conftest import appeal
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def west_appeal(site, world):
    return appeal(site.index, kind="witness", subject_name="", neighbourhoods=[world.west_a])


def test_the_owners_division_lists_posts_an_update_and_sets_the_outcome(west_appeal, world):
    client = client_for(world.lead_west)
    assert west_appeal.title in client.get(reverse("news_staff:appeals")).content.decode()
    page = client.get(reverse("news_staff:appeal", args=[west_appeal.pk]))
    assert page.status_code == 200
    posted = client.post(reverse("news_staff:appeal", args=[west_appeal.pk]), {"note": "New CCTV released."})
    assert posted.status_code == 302
    assert west_appeal.updates.get().note == "New CCTV released."
    outcome = client.post(reverse("news_staff:appeal_outcome", args=[west_appeal.pk]), {"outcome": "charged"})
    assert outcome.status_code == 302
    assert AppealPage.objects.get(pk=west_appeal.pk).outcome == "charged"
    assert AuditEntry.objects.filter(action="news.appeal.outcome", actor=world.lead_west).exists()


def test_hq_sees_every_appeal(west_appeal, world):
    response = client_for(world.hq).get(reverse("news_staff:appeal", args=[west_appeal.pk]))
    assert response.status_code == 200


def test_another_division_is_refused(west_appeal, world, refused):
    client = client_for(world.lead_east)
    assert west_appeal.title not in client.get(reverse("news_staff:appeals")).content.decode()
    assert refused(client.get(reverse("news_staff:appeal", args=[west_appeal.pk])))
    assert refused(client.post(reverse("news_staff:appeal_outcome", args=[west_appeal.pk]), {"outcome": "charged"}))
    assert AppealPage.objects.get(pk=west_appeal.pk).outcome == ""


@pytest.mark.parametrize("name", ["contact", "officer_west"])
def test_staff_without_the_permission_go_to_the_dashboard(west_appeal, world, name):
    client = client_for(getattr(world, name))
    for url in (reverse("news_staff:appeals"), reverse("news_staff:appeal", args=[west_appeal.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
    client.post(reverse("news_staff:appeal", args=[west_appeal.pk]), {"note": "x"})
    assert not west_appeal.updates.exists()


def test_anonymous_visitors_go_to_the_login_page(west_appeal):
    response = client_for(None).get(reverse("news_staff:appeal", args=[west_appeal.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
