"""A resident, with the keyboard alone, asks for a link, gets it from a real mail server, and pauses, downloads
their data and deletes their account, with no accessibility violations on any page."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from openbeat.audit.models import AuditEntry
from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.tests.test_preferences import make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_from_mail(smtp_server, base_url: str) -> str:
    for _ in range(50):
        if smtp_server.messages:
            break
        time.sleep(0.1)
    [message] = smtp_server.messages
    assert message["To"] == "ann@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(re.escape(base_url) + r"/in-the-know/manage/\S+/", text)
    assert match, text
    return match.group(0)


def test_a_resident_manages_their_subscription_with_the_keyboard(
    live_server, page, smtp_server, settings, assert_accessible, console_errors
):
    settings.BASE_URL = live_server.url
    ann = make_resident("ann@example.com")

    page.goto(live_server.url + "/in-the-know/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage your In the Know subscription")
    assert_accessible(page, "ask for a link")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Email address").focus()
    page.keyboard.type("ann@example.com")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "check your email")

    page.goto(link_from_mail(smtp_server, live_server.url))
    assert_accessible(page, "continue to your preferences")
    page.get_by_role("button", name="Continue to your preferences").press("Enter")

    expect(page).to_have_url(live_server.url + "/in-the-know/preferences/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your preferences")
    expect(page.get_by_text("ann@example.com")).to_be_visible()
    assert_accessible(page, "preferences")

    page.get_by_role("button", name="Pause all messages").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Your messages are paused")
    expect(page.get_by_role("button", name="Resume messages")).to_be_visible()
    assert_accessible(page, "preferences, paused")
    ann.refresh_from_db()
    assert ann.status == Subscriber.Status.PAUSED

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data as JSON").press("Enter")
    with open(download.value.path(), encoding="utf-8") as f:
        exported = json.load(f)
    assert exported["sections"]["subscriber"][0]["email"] == "ann@example.com"
    assert exported["sections"]["subscriber"][0]["status"] == "Paused"

    page.get_by_role("link", name="Delete your account and data").press("Enter")
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    assert_accessible(page, "delete your account")
    page.get_by_role("button", name="Delete my account and data").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account and data have been deleted")
    assert_accessible(page, "deleted")
    assert not Subscriber.objects.filter(email="ann@example.com").exists()
    assert AuditEntry.objects.filter(action="subscriptions.subscriber.erase").count() == 1
    page.goto(live_server.url + "/in-the-know/preferences/")
    expect(page).to_have_url(re.compile(r"/in-the-know/manage/\?signed-out=1$"))
    assert console_errors == []


def test_the_unsubscribe_and_error_pages_are_accessible(live_server, page, assert_accessible, console_errors):
    from openbeat.subscriptions.links import unsubscribe_link

    ann = make_resident("ann@example.com")
    page.goto(live_server.url + "/in-the-know/unsubscribe/" + unsubscribe_link(ann).split("/unsubscribe/")[1])
    assert_accessible(page, "unsubscribe")
    page.get_by_role("button", name="Unsubscribe").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(page, "unsubscribed")

    page.goto(live_server.url + "/in-the-know/manage/not-a-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    assert_accessible(page, "link error")

    page.goto(live_server.url + "/in-the-know/manage/")
    page.get_by_role("button", name="Send me a link").press("Enter")
    expect(page.locator(".ob-error-summary")).to_be_focused()
    assert_accessible(page, "ask for a link, with an error")
    # The browser reports the invalid link's page's status (400) as a console error; nothing else may appear.
    assert [e for e in console_errors if "status of 400" not in e] == []


def test_stopping_and_subscribing_again_with_the_keyboard(live_server, page, assert_accessible, console_errors):
    from openbeat.subscriptions.links import sign_in_link

    ann = make_resident("ann@example.com")
    page.goto(live_server.url + "/in-the-know/manage/" + sign_in_link(ann).split("/manage/")[1])
    page.get_by_role("button", name="Continue to your preferences").press("Enter")

    page.get_by_role("button", name="Stop all messages").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(page, "stopped")

    page.get_by_role("link", name="your preferences").press("Enter")
    expect(page.get_by_text("Unsubscribed: you get no messages")).to_be_visible()
    assert_accessible(page, "preferences, unsubscribed")
    page.get_by_role("link", name="Subscribe again").press("Enter")
    assert_accessible(page, "subscribe again")
    page.get_by_role("button", name="Start my messages again").press("Enter")
    expect(page.locator(".ob-error-summary")).to_be_focused()
    assert_accessible(page, "subscribe again, with an error")
    page.keyboard.press("Tab")  # the summary's link, which takes focus to the checkbox
    page.keyboard.press("Enter")
    expect(page.get_by_label("I agree")).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Start my messages again").press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Your messages have started again")
    ann.refresh_from_db()
    assert ann.status == Subscriber.Status.ACTIVE
    page.get_by_role("button", name="Sign out").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert_accessible(page, "signed out")
    assert console_errors == []


def test_the_link_in_a_message_pauses_and_sends_a_sign_in_link_with_the_keyboard(
    live_server, page, smtp_server, settings, assert_accessible, console_errors
):
    """The "change what you get" link of an alert email: no session, pause in one press, and a fresh sign-in
    link (which works once) to the subscriber's own address for everything else."""
    from openbeat.subscriptions.links import preferences_link

    settings.BASE_URL = live_server.url
    ann = make_resident("ann@example.com")
    page.goto(preferences_link(ann))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your In the Know messages")
    expect(page.get_by_text("ann@example.com")).to_have_count(0)
    assert_accessible(page, "message link page")

    page.get_by_role("button", name="Pause all messages").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Your messages are paused")
    assert_accessible(page, "message link page, paused")
    ann.refresh_from_db()
    assert ann.status == Subscriber.Status.PAUSED

    page.get_by_role("button", name="Email me a link to sign in").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("works for 1 hour and only once")).to_be_visible()
    link = link_from_mail(smtp_server, live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Continue to your preferences").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your preferences")

    # The same link a second time: refused, with a way to get a new one in one press.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_accessible(page, "used link")
    expect(page.get_by_role("button", name="Send me a new link")).to_be_visible()
    # The browser reports the used link's page's status (410) as a console error; nothing else may appear.
    assert [e for e in console_errors if "status of 410" not in e] == []
