"""A resident answers a survey with the keyboard alone, in Debian's chromium: an error first, then a skipped
section, check your answers and send; axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure
from openbeat.subscriptions.tests.test_browser_signup import tab_to
from openbeat.surveys import services
from openbeat.surveys.models import Response
from openbeat.surveys.tests.conftest import build_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(world, settings):
    settings.MAP_TILE_URL = ""
    site_pages_ensure()
    survey = build_survey(world.lead, division=world.west)
    services.survey_publish(survey=survey, actor=world.lead)
    return survey


def test_a_resident_answers_a_survey_by_keyboard(
    live_server, page, world, published, assert_accessible, console_errors
):
    page.goto(f"{live_server.url}/surveys/{published.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feeling safe")
    assert_accessible(page, "start")
    tab_to(page, page.get_by_role("button", name="Start now"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    assert_accessible(page, "first page")

    # Only the postcode typed: the error summary takes the focus, links to each field, and the postcode stays.
    tab_to(page, page.get_by_label("What is your postcode?"))
    page.keyboard.type(world.west_postcode)
    page.keyboard.press("Enter")
    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose an answer")
    assert_accessible(page, "first page with errors")
    expect(page.get_by_label("What is your postcode?")).to_have_value(world.west_postcode)

    tab_to(page, page.get_by_label("Yes", exact=True))
    page.keyboard.press("ArrowDown")  # arrows move the choice within a radio group: "No"
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    tab_to(page, page.get_by_label("1", exact=True))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("3", exact=True)).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    # "The patrol" is asked only of those who saw police: straight to the last section.
    expect(page.get_by_role("heading", level=1)).to_have_text("Anything else")
    assert_accessible(page, "last page")
    tab_to(page, page.get_by_label("Anything else to tell us? (optional)"))
    page.keyboard.type("More evening patrols, please.")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending them")
    expect(page.locator("main")).to_contain_text("More evening patrols, please.")
    assert_accessible(page, "check your answers")
    tab_to(page, page.get_by_role("button", name="Send my answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your answers have been sent")
    assert_accessible(page, "thank you")
    response = Response.objects.get()
    assert response.neighbourhood == world.west_nbh
    assert not console_errors
