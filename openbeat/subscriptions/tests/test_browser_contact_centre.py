"""A contact-centre agent finds a resident who phoned, reads their page and changes their interests with their
say-so, keyboard only, axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user
from openbeat.subscriptions.models import AssistedChange
from openbeat.subscriptions.services import interest_slugs_of
from openbeat.subscriptions.tests.test_preferences import make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_finds_a_resident_and_changes_their_interests_with_consent(
    live_server, page, assert_accessible, console_errors
):
    ann = make_resident("ann@example.com")
    staff_user(roles.CONTACT_CENTRE, username="agent.kim", first_name="Kim", last_name="Lee")
    sign_in(page, live_server, "agent.kim")

    page.goto(f"{live_server.url}/admin/in-the-know/subscribers/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Find a subscriber")
    assert_accessible(page, "find a subscriber")
    page.get_by_label("Email address or UK mobile number").focus()
    page.keyboard.type("ANN@example.com")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/admin/in-the-know/subscribers/{ann.public_id}/$"))
    expect(page.get_by_text("ann@example.com: confirmed")).to_be_visible()
    expect(page.get_by_text("Crime alerts and appeals")).to_be_visible()
    assert_accessible(page, "the subscriber's page")

    page.get_by_role("link", name="Change interests").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change interests")
    assert_accessible(page, "change interests")

    # Choose a topic, then save without the resident's say-so: the summary takes focus and the choice stays.
    page.get_by_label("Roads and travel").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save interests").focus()
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Confirm that the resident asked for this change on the phone")
    expect(summary).to_contain_text("Enter who called and when")
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.get_by_label("Roads and travel")).to_be_checked()
    assert_accessible(page, "change interests with errors")

    page.get_by_label("The resident asked for this change on the phone").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Who called, and when")).to_be_focused()
    page.keyboard.type("Ann Smith called at 14:20")
    page.get_by_role("button", name="Save interests").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/admin/in-the-know/subscribers/{ann.public_id}/$"))
    expect(page.get_by_text("Interests changed.")).to_be_visible()
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    expect(page.get_by_text("Ann Smith called at 14:20")).to_be_visible()
    assert_accessible(page, "the subscriber's page after the change")
    ann.refresh_from_db()
    assert "roads-travel" in interest_slugs_of(ann)
    assert AssistedChange.objects.get().staff_label == "Kim Lee"
    assert [e for e in console_errors if "Content Security Policy" in e] == []
