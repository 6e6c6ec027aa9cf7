"""The public archive at /alerts/: sent alerts only, by area name, shareable, with a way to sign up."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from openbeat.alerts.models import Alert, Priority
from openbeat.alerts.targeting import spec_from_json, spec_to_json
from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.subscriptions.models import Interest

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(west, east):
    return {
        "abbey": NeighbourhoodFactory(name="Abbey", code="W1", division=west, boundary=square(-2.00, 54.0)),
        "brook": NeighbourhoodFactory(name="Brook", code="W2", division=west, boundary=square(-1.99, 54.0)),
        "castle": NeighbourhoodFactory(name="Castle", code="E1", division=east, boundary=square(-1.98, 54.0)),
    }


def sent(title="Burglaries on Mill Lane", *, areas=None, days_ago=1, state=Alert.State.SENT, **fields):
    now = timezone.now()
    return Alert.objects.create(
        title=title,
        body=fields.pop("body", "Two homes were broken into. **Lock your doors.**"),
        interest=Interest.objects.get(slug="crime-alerts"),
        targeting=spec_to_json(spec_from_json({"areas": areas or {"whole_force": True}})),
        state=state,
        sent_at=now - timedelta(days=days_ago) if state == Alert.State.SENT else None,
        audience_email=1234,
        **fields,
    )


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_archive_lists_sent_alerts_newest_first_and_nothing_else(client, places):
    sent("Older appeal", days_ago=5)
    sent("Newest appeal", days_ago=1)
    for state in (Alert.State.DRAFT, Alert.State.AWAITING_APPROVAL, Alert.State.APPROVED, Alert.State.CANCELLED):
        sent(f"Not sent ({state})", state=state)
    # Being delivered (some recipients held for the morning): already public, so links in messages work.
    sending = sent("Still sending", state=Alert.State.SENDING)
    Alert.objects.filter(pk=sending.pk).update(sending_at=timezone.now())

    response = client.get(reverse("alerts:archive"))

    assert response.status_code == 200
    html = page_text(response)
    assert html.index("Still sending") < html.index("Newest appeal") < html.index("Older appeal")
    assert "Not sent" not in html
    assert "3 alerts" in html


def test_an_alert_not_yet_sent_has_no_public_page(client, places):
    for state in (Alert.State.DRAFT, Alert.State.AWAITING_APPROVAL, Alert.State.APPROVED, Alert.State.CANCELLED):
        alert = sent(state=state)
        assert client.get(alert.get_absolute_url()).status_code == 404
    assert client.get(reverse("alerts:archive_detail", args=[uuid.uuid4()])).status_code == 404


def test_the_alert_page_shows_the_alert_and_where_it_was_for_by_name(client, places, west):
    alert = sent(
        areas={
            "divisions": [west.pk],
            "neighbourhoods": [places["castle"].pk],
            "shapes": [square(-1.995, 54.002, 0.007)],
        },
        priority=Priority.URGENT,
        link_url="https://www.demoshire.police.example/appeal",
        link_text="Read the full appeal",
        expires_at=timezone.now() + timedelta(days=3),
    )
    response = client.get(alert.get_absolute_url())

    assert response.status_code == 200
    html = page_text(response)
    assert '<h1 class="ob-heading-xl ob-alert-title">Burglaries on Mill Lane</h1>' in html
    assert "<strong>Lock your doors.</strong>" in html
    assert "Urgent" in html
    assert "West division" in html
    assert "Castle" in html
    assert "A drawn area in Abbey and Brook" in html
    assert '<a href="https://www.demoshire.police.example/appeal" rel="noopener">Read the full appeal</a>' in html
    assert f'href="/in-the-know/?from=alert-{alert.public_id}"' in html
    assert "Get alerts like this: sign up to In the Know" in html
    assert "This alert has expired" not in html
    # No coordinates, no counts, nobody's name.
    assert "54.00" not in html
    assert "-1.99" not in html
    assert "1234" not in html


def test_an_alert_to_the_whole_force_says_so(client, places):
    html = page_text(client.get(sent().get_absolute_url()))
    assert "Everywhere in the" in html


def test_the_alert_page_can_be_shared(client, places, settings):
    settings.BASE_URL = "https://beat.police.example"
    alert = sent(body="Two homes on *Mill Lane* were broken into overnight. Call [101](tel:101).")
    html = page_text(client.get(alert.get_absolute_url()))

    assert '<meta property="og:title" content="Burglaries on Mill Lane">' in html
    assert (
        '<meta property="og:description" content="Two homes on Mill Lane were broken into overnight. Call 101.">'
        in html
    )
    assert f'<meta property="og:url" content="https://beat.police.example/alerts/{alert.public_id}/">' in html
    assert '<meta name="description" content="Two homes on Mill Lane' in html


def test_an_expired_alert_stays_visible_and_says_it_has_expired(client, places):
    alert = sent(days_ago=10, expires_at=timezone.now() - timedelta(days=2))
    detail = page_text(client.get(alert.get_absolute_url()))
    assert "This alert has expired" in detail
    listing = page_text(client.get(reverse("alerts:archive")))
    assert "Expired" in listing


def test_typed_html_is_shown_as_text_not_run(client, places):
    alert = sent(
        title="<script>alert('title')</script>",
        body="<img src=x onerror=alert(1)> [click](javascript:alert(1))",
    )
    for url in (alert.get_absolute_url(), reverse("alerts:archive")):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert 'href="javascript:' not in html


def test_the_archive_is_paginated(client, places):
    for n in range(25):
        sent(f"Alert number {n:02d}", days_ago=n + 1)

    first = page_text(client.get(reverse("alerts:archive")))
    assert first.count('class="ob-alert-list__item"') == 20
    assert "Alert number 00" in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first

    second = page_text(client.get(reverse("alerts:archive"), {"page": 2}))
    assert second.count('class="ob-alert-list__item"') == 5
    assert "Alert number 24" in second
    assert "Newer alerts" in second


def test_the_archive_filters_by_neighbourhood_and_division(client, places, west, east):
    sent("For Abbey", areas={"neighbourhoods": [places["abbey"].pk]})
    sent("For Castle", areas={"neighbourhoods": [places["castle"].pk]})
    sent("For the West", areas={"divisions": [west.pk]})
    sent("Drawn over Brook", areas={"shapes": [square(-1.988, 54.002, 0.005)]})
    sent("For everyone")

    abbey = page_text(client.get(reverse("alerts:archive"), {"neighbourhood": "W1"}))
    assert {"For Abbey", "For the West", "For everyone"} <= set(re.findall(r">([^<>]+)</a></h3>", abbey))
    assert "For Castle" not in abbey
    assert "Drawn over Brook" not in abbey

    brook = page_text(client.get(reverse("alerts:archive"), {"neighbourhood": "W2"}))
    assert "Drawn over Brook" in brook
    assert "For Abbey" not in brook

    east_page = page_text(client.get(reverse("alerts:archive"), {"division": "east"}))
    assert "For Castle" in east_page
    assert "For everyone" in east_page
    assert "For Abbey" not in east_page
    assert "For the West" not in east_page
    assert "Clear filter" in east_page


def test_a_filter_that_does_not_exist_is_an_error_not_a_crash(client, places):
    response = client.get(reverse("alerts:archive"), {"neighbourhood": "NOPE"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_only_urgent_and_emergency_alerts_get_a_priority_tag_in_public(client, places):
    usual = sent("Bin collections moved", priority=Priority.NORMAL)
    sent("Meeting on Tuesday", priority=Priority.INFORMATION)
    sent("Missing person: please look", priority=Priority.URGENT)
    sent("Flooding: leave now", priority=Priority.EMERGENCY)

    html = page_text(client.get(reverse("alerts:archive")))
    assert "ob-tag--priority-0" not in html
    assert "ob-tag--priority-1" not in html
    assert ">Normal<" not in html
    assert ">Information<" not in html
    assert '<span class="ob-visually-hidden">Priority: </span>Urgent</strong>' in html
    assert '<span class="ob-visually-hidden">Priority: </span>Emergency</strong>' in html

    detail = page_text(client.get(usual.get_absolute_url()))
    assert "Normal" not in detail
    assert "<dt>Priority</dt>" not in detail
