"""A resident rates and replies from a received message; the contact centre sees the urgent reply at once.
And the alert's live progress bar moves while sending. Debian's chromium, keyboard only, axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure
from openbeat.delivery.messages import build_emails
from openbeat.delivery.models import Delivery, Rating, Reply
from openbeat.delivery.tests.feedback_world import alert_in, delivery_for
from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def message(live_server, settings, west):
    """The HTML part of the alert email a west resident received, its links pointing at the live server."""
    settings.BASE_URL = live_server.url
    site_pages_ensure()
    delivery = delivery_for(west)
    (email,) = build_emails([Delivery.objects.select_related("alert", "subscriber").get(pk=delivery.pk)])
    return delivery, email.html


def open_message(page, html):
    # A blank page of its own, as in a mail program: not inside one of our pages (their CSP would apply).
    page.goto("about:blank")
    page.set_content(html)


def follow_link_by_keyboard(page, name):
    link = page.get_by_role("link", name=name)
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")


def test_a_resident_rates_comments_and_replies_and_the_contact_centre_sees_it_urgent(
    live_server, page, message, assert_accessible, console_errors
):
    delivery, html = message
    staff_user(roles.CONTACT_CENTRE, None, username="contact.centre")

    # "Was this useful?" 4 from the message (here: one Enter) opens a page with 4 chosen: nothing is recorded
    # until the resident sends it, so a link scanner following every link rates nothing.
    open_message(page, html)
    follow_link_by_keyboard(page, re.compile(r"^4 . Useful$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Was this alert useful?")
    four = page.get_by_role("radio", name="4 \u2013 Useful")
    expect(four).to_be_checked()
    assert not Rating.objects.filter(delivery=delivery).exists()
    assert_accessible(page, "rating page")

    # The arrow keys move between the scores, as radios do.
    four.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="5 \u2013 Very useful")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(four).to_be_checked()

    # The optional comment, typed and sent with the keyboard, with the rating.
    page.get_by_label("Tell us more (optional)").focus()
    page.keyboard.type("Good to know, thank you.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send rating")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    assert_accessible(page, "rated page")
    rating = Rating.objects.get(delivery=delivery)
    assert (rating.score, rating.comment) == (4, "Good to know, thank you.")

    # Reply to the officer: an empty message first shows the error summary, then a real one with a trigger phrase.
    open_message(page, html)
    follow_link_by_keyboard(page, "Reply to the officer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to the officer")
    expect(page.get_by_text("This is not for emergencies")).to_be_visible()
    assert_accessible(page, "reply page")
    page.get_by_role("button", name="Send message").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ob-error-summary")).to_contain_text("Enter your message to the officer")
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page, "reply page with an error")
    page.get_by_label("Your message").focus()
    page.keyboard.type("I think I am being followed home every night. Please help me.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Message sent")
    assert_accessible(page, "reply sent page")
    reply = Reply.objects.get()
    assert (reply.urgent, reply.triggers, reply.division_id) == (True, "help me, being followed", delivery.division_id)
    assert console_errors == []

    # The contact centre's inbox: urgent, at the top, said in words.
    sign_in(page, live_server, "contact.centre")
    page.goto(live_server.url + "/admin/replies/")
    expect(page.get_by_role("alert")).to_contain_text("1 urgent reply not yet picked up")
    first_row = page.locator("table.ob-replies tbody tr").first
    expect(first_row).to_contain_text("Urgent")
    expect(first_row).to_contain_text(delivery.alert.title)
    assert_accessible(page, "replies inbox")
    follow_link_by_keyboard(page, f"Reply {reply.pk}")
    expect(page.get_by_text("it contains help me, being followed")).to_be_visible()
    expect(page.get_by_text("I think I am being followed home every night. Please help me.")).to_be_visible()
    assert_accessible(page, "reply page in the back office")
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_the_progress_bar_moves_while_an_alert_is_sending(live_server, page, west, assert_accessible, console_errors):
    alert = alert_in(west)
    for state in [Delivery.State.DELIVERED, Delivery.State.SENDING, Delivery.State.CREATED, Delivery.State.CREATED]:
        delivery_for(west, alert=alert, state=state)
    staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    sign_in(page, live_server, "officer.west")

    page.goto(f"{live_server.url}/admin/alerts/{alert.pk}/delivery/")
    status = page.locator("#ob-delivery-progress").get_by_role("status")
    expect(status).to_have_text("1 of 4 finished.")
    expect(page.locator("#ob-delivery-bar")).to_have_attribute("value", "1")
    assert_accessible(page, "delivery statistics")

    Delivery.objects.filter(alert=alert).exclude(state=Delivery.State.CREATED).update(state=Delivery.State.DELIVERED)
    Delivery.objects.filter(alert=alert, state=Delivery.State.CREATED).update(state=Delivery.State.PERMANENT_FAILURE)
    expect(status).to_have_text("4 of 4 finished: sending is complete.", timeout=6000)
    expect(page.locator('[data-field="failed"]')).to_have_text("2")
    expect(page.locator("#ob-delivery-bar")).to_have_js_property("value", 4)
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_an_urgent_replys_waiting_timer_counts_on_while_the_inbox_is_open(live_server, page, west, console_errors):
    from openbeat.delivery import feedback

    reply = feedback.reply_create(delivery=delivery_for(west), body="Someone is following me, help me")
    assert reply.urgent
    staff_user(roles.CONTACT_CENTRE, None, username="contact.centre")
    sign_in(page, live_server, "contact.centre")
    page.clock.install()
    page.goto(live_server.url + "/admin/replies/")
    timer = page.locator("table.ob-replies .ob-timer")
    expect(timer).to_have_text("waiting 0 min")
    page.clock.fast_forward("07:00")  # seven minutes with the page left open, nothing reloaded
    expect(timer).to_have_text("waiting 7 min")
    page.goto(f"{live_server.url}/admin/replies/{reply.pk}/")
    page.clock.fast_forward("03:00")
    expect(page.locator(".ob-waiting")).to_contain_text("Waiting 10 min")
    assert console_errors == []
