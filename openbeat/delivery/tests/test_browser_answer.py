"""An officer answers a resident's reply in the back office, keyboard only, axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from openbeat.delivery import feedback
from openbeat.delivery.models import ReplyAnswer
from openbeat.delivery.tests.feedback_world import delivery_for
from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_picks_up_and_answers_an_urgent_reply(live_server, page, west, assert_accessible, console_errors):
    reply = feedback.reply_create(delivery=delivery_for(west), body="A man with a knife was at the bus stop.")
    staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west", first_name="Sam", last_name="Patel")
    sign_in(page, live_server, "officer.west")

    page.goto(f"{live_server.url}/admin/replies/{reply.pk}/")
    expect(page.get_by_text(re.compile(r"Waiting \d+ min"))).to_be_visible()
    assert_accessible(page, "reply with the answer form")

    # Pick it up, then send an empty answer: the error summary takes focus and links to the field.
    page.get_by_role("button", name="Pick it up").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Picked up by Sam Patel after \d+ min"))).to_be_visible()
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")
    page.get_by_role("button", name="Send answer").focus()
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Enter your answer to the resident")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page, "answer form with an error")

    page.get_by_label("Your answer").focus()
    page.keyboard.type("Thank you. Officers are on their way to the area now.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your answer is saved and is being emailed to the resident.")).to_be_visible()
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    expect(page.locator(".ob-conversation")).to_contain_text("Officers are on their way to the area now.")
    expect(page.locator(".ob-conversation")).to_contain_text("Sam Patel answered")
    assert_accessible(page, "reply with its answer")
    assert ReplyAnswer.objects.get().author_name == "Sam Patel"
    assert [e for e in console_errors if "Content Security Policy" in e] == []
