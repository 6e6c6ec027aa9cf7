"""The home page as the force's front door: where to report, get alerts, read the latest alerts and find a
neighbourhood, with the 999/101 notice, all from the force's own data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.alerts.targeting import spec_from_json, spec_to_json
from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.subscriptions.models import Interest

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def alert(title, *, days_ago, state=Alert.State.SENT, areas=None):
    return Alert.objects.create(
        title=title,
        body="Please check your sheds.",
        interest=Interest.objects.get(slug="crime-alerts"),
        targeting=spec_to_json(spec_from_json({"areas": areas or {"whole_force": True}})),
        state=state,
        sent_at=timezone.now() - timedelta(days=days_ago) if state == Alert.State.SENT else None,
    )


@pytest.fixture
def force():
    from openbeat.core.models import Force  # the force's model moved here from areas

    return Force.objects.create(
        code="demoshire", name="Demoshire Police", short_code="DP", phone_non_emergency="01632 960 101"
    )


def test_the_home_page_starts_each_main_task(client, force):
    html = text(client.get("/"))
    assert '<a href="/report/">Report online</a></h2>' in html
    assert '<a href="/in-the-know/">Get alerts: In the Know</a></h2>' in html
    assert '<form method="get" action="/neighbourhoods/" novalidate>' in html
    assert '<a href="/alerts/">See all alerts and appeals</a>' in html


def test_the_home_page_says_call_999_in_an_emergency_and_the_forces_own_number_otherwise(client, force):
    html = text(client.get("/"))
    notice = html[html.index('<div class="ob-warning-text') :].split("</div>")[0]
    assert "In an emergency call 999." in notice
    assert 'For non-emergencies call 01632 960 101 or <a href="/report/">report online</a>.' in notice


def test_the_home_page_lists_the_latest_three_public_alerts_with_date_and_area(client, force, west):
    abbey = NeighbourhoodFactory(name="Abbey", code="W1", division=west)
    alert("Oldest appeal", days_ago=9)
    alert("Shed break-ins in Abbey", days_ago=1, areas={"neighbourhoods": [abbey.pk]})
    alert("Road closed", days_ago=3)
    alert("Missing dog", days_ago=5)
    alert("Not approved yet", days_ago=0, state=Alert.State.AWAITING_APPROVAL)

    html = text(client.get("/"))
    listed = re.findall(r'<h3 class="ob-heading-s ob-home-alerts__title"><a href="([^"]+)">([^<]+)</a>', html)
    newest = Alert.objects.get(title="Shed break-ins in Abbey")
    assert [title for _, title in listed] == ["Shed break-ins in Abbey", "Road closed", "Missing dog"]
    assert listed[0][0] == newest.get_absolute_url()
    sent = timezone.localtime(newest.sent_at)
    assert f"{sent.day} {sent:%B %Y}</time> · Abbey" in html
    assert "Not approved yet" not in html


def test_with_no_alerts_yet_the_home_page_says_so(client, force):
    assert "No alerts have been sent yet." in text(client.get("/"))


def test_the_header_shows_the_forces_logo_named_by_the_force_or_else_just_its_name(client, force, settings):
    settings.OPENBEAT_FORCE_LOGO = ""
    settings.FORCE_LOGO_URL = ""
    brand = re.search(r'<a href="/" class="ob-header__brand">(.*?)</a>', text(client.get("/"))).group(1)
    assert "<img" not in brand
    assert "Demoshire Police" in brand

    force.logo_url = "https://cdn.example.org/crest.png"
    force.save()
    brand = re.search(r'<a href="/" class="ob-header__brand">(.*?)</a>', text(client.get("/"))).group(1)
    assert '<img src="https://cdn.example.org/crest.png"' in brand
    # The link is named by the force's name: in the image's alt text, or beside a decorative (alt="") image.
    alt = re.search(r'alt="([^"]*)"', brand).group(1)
    assert alt == "Demoshire Police" or (alt == "" and '<span class="ob-header__name">Demoshire Police</span>' in brand)
