"""A resident browses the alert archive, filters it to their neighbourhood, and reads one alert, in chromium."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openbeat.alerts.models import Alert, Priority
from openbeat.alerts.targeting import spec_from_json, spec_to_json
from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.core.services import site_pages_ensure
from openbeat.subscriptions.models import Interest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sent(title, areas, *, days_ago, **fields):
    return Alert.objects.create(
        title=title,
        body=fields.pop("body", "Please check your sheds and outbuildings."),
        interest=Interest.objects.get(slug="crime-alerts"),
        targeting=spec_to_json(spec_from_json({"areas": areas})),
        state=Alert.State.SENT,
        sent_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def archive(west, east):
    site_pages_ensure()
    abbey = NeighbourhoodFactory(name="Abbey", code="W1", division=west, boundary=square(-2.00, 54.0))
    castle = NeighbourhoodFactory(name="Castle", code="E1", division=east, boundary=square(-1.98, 54.0))
    _sent("Road closed on Castle Street", {"neighbourhoods": [castle.pk]}, days_ago=2)
    expired = _sent(
        "Shed break-ins in Abbey",
        {"shapes": [square(-1.998, 54.002, 0.005)]},
        days_ago=9,
        priority=Priority.URGENT,
        body=(
            "## What happened\nThree sheds were **forced open** overnight.\n\n"
            "- Lock tools away\n- Mark them with your postcode\n\n"
            "Call [101](tel:101) or see [our advice](https://www.demoshire.police.example/sheds)."
        ),
        link_url="https://www.demoshire.police.example/appeal",
        link_text="Read the appeal",
        expires_at=timezone.now() - timedelta(days=1),
    )
    return {"abbey": abbey, "expired": expired}


def test_a_resident_filters_the_archive_and_reads_an_alert(
    live_server, page, archive, assert_accessible, console_errors
):
    page.goto(live_server.url + "/alerts/")
    expect(page).to_have_title(re.compile("Alerts sent to residents"))
    expect(page.get_by_role("heading", name="2 alerts")).to_be_visible()
    assert_accessible(page, "archive")

    page.get_by_label("Neighbourhood").select_option(label="Abbey")
    page.get_by_role("button", name="Show alerts").click()
    expect(page.get_by_role("heading", name="1 alert", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Road closed on Castle Street")).to_have_count(0)
    assert_accessible(page, "filtered archive")

    page.get_by_role("link", name="Shed break-ins in Abbey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shed break-ins in Abbey")
    expect(page.get_by_text("This alert has expired")).to_be_visible()
    expect(page.get_by_text("A drawn area in Abbey")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="What happened")).to_be_visible()
    signup = page.get_by_role("button", name="Get alerts like this: sign up to In the Know")
    expect(signup).to_have_attribute("href", f"/in-the-know/?from=alert-{archive['expired'].public_id}")
    og_title = page.locator('meta[property="og:title"]')
    expect(og_title).to_have_attribute("content", "Shed break-ins in Abbey")
    assert_accessible(page, "alert page")
    assert console_errors == []


def test_the_filter_button_stands_out_from_its_box_and_normal_alerts_have_no_tag(
    live_server, page, archive, assert_accessible
):
    page.goto(live_server.url + "/alerts/")
    button = page.get_by_role("button", name="Show alerts")
    expect(button).to_have_class("ob-button ob-button--secondary")
    button_colour, behind = button.evaluate(
        """button => {
          let element = button.parentElement, colour = "rgba(0, 0, 0, 0)";
          while (element && (colour = getComputedStyle(element).backgroundColor) === "rgba(0, 0, 0, 0)") {
            element = element.parentElement;
          }
          return [getComputedStyle(button).backgroundColor, colour];
        }"""
    )
    assert button_colour != behind, "the secondary button is the colour of the box it is in"
    # The alert sent at normal priority has no tag; the urgent one says so.
    expect(page.locator(".ob-tag", has_text="Normal")).to_have_count(0)
    expect(page.locator(".ob-tag", has_text="Urgent")).to_have_count(1)
    assert_accessible(page, "archive")
