"""The public volunteering pages: open, live opportunities only; each page links to Do It Online's Join us."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.reports.models import ReportType
from openbeat.reports.seed import report_types_seed
from openbeat.volunteers.selectors import join_us_url
from openbeat.volunteers.tests.conftest import make_opportunity

pytestmark = pytest.mark.django_db


def test_the_list_shows_live_open_opportunities_only(client, west):
    today = timezone.localdate()
    make_opportunity(west, title="Open one", slug="open-one")
    make_opportunity(None, title="Closing today", slug="closing", closes_on=today)
    make_opportunity(None, title="Draft one", slug="draft", live=False)
    make_opportunity(None, title="Closed one", slug="closed", closes_on=today - timedelta(days=1))
    text = client.get("/volunteering/").text
    assert "Open one" in text
    assert "Closing today" in text
    assert "Draft one" not in text
    assert "Closed one" not in text
    assert "2 opportunities open now" in text


def test_a_page_shows_the_opportunity_and_links_to_join_us(client, west):
    report_types_seed()
    opportunity = make_opportunity(west)
    response = client.get(f"/volunteering/{opportunity.slug}/")
    assert response.status_code == 200
    assert "<p>Give 16 hours a month.</p>" in response.text
    join = ReportType.objects.get(kind=ReportType.Kind.JOIN)
    assert f'href="/report/{join.slug}/"' in response.text


def test_draft_and_closed_pages_are_not_found(client):
    make_opportunity(None, slug="draft", live=False)
    make_opportunity(None, slug="closed", closes_on=timezone.localdate() - timedelta(days=1))
    assert client.get("/volunteering/draft/").status_code == 404
    assert client.get("/volunteering/closed/").status_code == 404


def test_without_a_join_us_type_the_button_goes_to_the_reports_start_page():
    report_types_seed()
    ReportType.objects.filter(kind=ReportType.Kind.JOIN).update(active=False)
    assert join_us_url() == "/report/"
