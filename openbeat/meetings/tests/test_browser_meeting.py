"""A resident asks and votes by keyboard; the moderator approves and answers; the live page shows the answer without
a reload and the polite live region announces it. axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from openbeat.meetings.models import Question
from openbeat.meetings.tests.conftest import last_link, question
from openbeat.staff.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ask_vote_moderate_and_answer_live(
    live_server, page, browser, world, settings, assert_accessible, console_errors
):
    settings.MEETINGS_LIVE_POLL_MS = 400
    other = question(world.meeting, "Can we have more patrols at night?", n=7)
    base = f"{live_server.url}/meetings/{world.event.public_id}/"

    # The resident asks, by keyboard.
    page.goto(base + "ask/")
    assert_accessible(page, "ask form")
    page.get_by_label("Name to show with your question").focus()
    page.keyboard.type("Pat")
    page.keyboard.press("Tab")
    page.keyboard.type("When will the park gate be fixed?")
    page.keyboard.press("Tab")
    page.keyboard.type("pat@example.org")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(live_server.url + last_link())
    page.get_by_role("button", name="Confirm").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Awaiting approval")).to_be_visible()
    assert_accessible(page, "meeting page with the resident's own question")

    # Then votes for another's question, by keyboard.
    page.get_by_role("button", name=re.compile("Vote for this question")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You voted for this")).to_be_visible()
    assert other.votes.count() == 1

    # The resident watches the live page.
    page.goto(base + "live/")
    assert_accessible(page, "live page")
    mine = Question.objects.get(text__startswith="When will the park gate")

    # The moderator, in another browser, approves and answers.
    moderator_context = browser.new_context()
    moderator = moderator_context.new_page()
    sign_in(moderator, live_server, "officer-west")
    moderator.goto(f"{live_server.url}/admin/meetings/{world.meeting.pk}/")
    moderator.get_by_role("button", name=f"Approve question {mine.pk}").click()
    expect(moderator.locator(f"#question-{mine.pk}")).to_contain_text("Approved")
    moderator.get_by_label(re.compile(f"Answer to question {mine.pk}")).fill("The council fixes it on Monday.")
    moderator.get_by_role("button", name=f"Post answer to question {mine.pk}").click()
    expect(moderator.get_by_text("Answer posted")).to_be_visible()
    expect(moderator.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    assert_accessible(moderator, "moderator console")
    moderator_context.close()

    # Without a reload: the answer appears and the polite region says only what is new.
    expect(page.locator("[data-live-list]")).to_contain_text("The council fixes it on Monday.", timeout=10_000)
    announcer = page.locator("#meeting-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_text("New answer to: When will the park gate be fixed?")
    assert_accessible(page, "live page with the answer")
    assert [e for e in console_errors if "Content Security Policy" in e] == []
