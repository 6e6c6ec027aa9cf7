"""The youth site in Debian's chromium: the anonymous question journey by keyboard alone (a mistake first, then the
question, the reference, and the private answer read back with it), and axe (0 violations) on the youth home, an
article, the parents' section and article, and every ask page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openbeat.youth import services
from openbeat.youth.models import AnonymousQuestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, locator, limit: int = 120) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {locator} with the Tab key")


def follow(page, locator) -> None:
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_ask_anonymously_by_keyboard_and_read_the_private_answer(
    live_server, page, site, people, assert_accessible, console_errors
):
    page.goto(f"{live_server.url}/youth/")
    assert_accessible(page, "youth home")

    follow(page, page.get_by_role("link", name="Ask a question"))
    expect(page.get_by_role("heading", name="Ask us anonymously", level=1)).to_be_visible()
    expect(page.get_by_text("call 999", exact=False).first).to_be_visible()
    assert_accessible(page, "ask page")

    # Sent empty: the error summary, linked to the field.
    follow(page, page.get_by_role("button", name="Send my question"))
    expect(page.get_by_role("link", name="Enter your question")).to_be_visible()
    assert_accessible(page, "ask page with an error")

    tab_to(page, page.get_by_label("Your question"))
    page.keyboard.type("Can I get in trouble for a photo my ex shared of me?")
    follow(page, page.get_by_role("button", name="Send my question"))
    expect(page.get_by_role("heading", name="Question sent")).to_be_visible()
    expect(page.get_by_text("Childline", exact=False).first).to_be_visible()
    assert_accessible(page, "question sent")
    reference = page.locator(".yth-reference").inner_text()

    question = AnonymousQuestion.objects.get()
    services.question_answer(
        question=question, actor=people.hq, answer="No. You have done nothing wrong.", public=False
    )

    follow(page, page.get_by_role("link", name="read our answer"))
    assert_accessible(page, "read your answer")
    tab_to(page, page.get_by_label("Your reference"))
    page.keyboard.type("WRONG-REF-0000")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="We could not find a question with that reference")).to_be_visible()
    assert_accessible(page, "wrong reference")

    tab_to(page, page.get_by_label("Your reference"))
    page.keyboard.press("Control+a")
    page.keyboard.type(reference)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("No. You have done nothing wrong.")).to_be_visible()
    assert_accessible(page, "the private answer")
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_the_youth_and_parents_pages_pass_axe(live_server, page, site, people, assert_accessible):
    question = services.question_submit(text="Is vaping illegal?").question
    services.question_answer(question=question, actor=people.hq, answer="Selling vapes to you is.", public=True,
                             public_text="Is vaping illegal?")  # fmt: skip
    for path, label in (
        ("/youth/", "youth home with an answered question"),
        (site.article.url, "youth article"),
        (site.parents.url, "parents' section"),
        (site.parents_article.url, "parents' article"),
        ("/youth/ask/answered/", "answered questions"),
    ):
        page.goto(live_server.url + path)
        assert_accessible(page, label)
