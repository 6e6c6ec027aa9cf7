"""An officer works the shared inbox with the keyboard alone, in Debian's chromium: filters it, opens an
escalated message, is told when nobody is chosen, assigns it to a colleague and marks it done; answers a message
on its network, told first when the reply is empty, with the count as the network counts; axe finds nothing on
each page."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from openbeat.insights.models import Account, ReportingGroup
from openbeat.social.connectors import fake
from openbeat.social.models import InboxItem, InboxReply, SocialAccount
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user

from .test_browser_composer import sign_in, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(west):
    group = ReportingGroup.objects.create(name="West", slug="west", division=west)
    account = Account.objects.create(platform=Account.Platform.OTHER, name="@WestPolice", group=group)
    social = SocialAccount.objects.create(account=account, network="fake", status=SocialAccount.Status.CONNECTED)
    staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    staff_user(roles.DIVISION_LEAD, west, username="lead.west", first_name="Lee", last_name="Lead")
    return InboxItem.objects.create(
        account=social,
        remote_id="m1",
        author="@resident",
        text="I am scared to walk home past the park",
        created_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        escalated=True,
        matched_words="scared",
    )


def test_an_officer_assigns_and_closes_a_message_by_keyboard(
    live_server, page, item, assert_accessible, console_errors
):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/social/inbox/")
    assert_accessible(page, "the inbox")

    tab_to(page, page.get_by_role("button", name="Filter"))
    page.keyboard.press("Enter")
    expect(page.locator("[data-inbox-item]")).to_have_count(1)
    link = page.get_by_role("link", name="@resident: I am scared to walk home past the park")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.locator("[data-escalated]")).to_contain_text("scared")
    assert_accessible(page, "the message")

    tab_to(page, page.get_by_role("button", name="Assign"))
    page.keyboard.press("Enter")
    expect(page.locator("[data-error-summary]")).to_contain_text("There is a problem")
    assert_accessible(page, "the message with errors")

    tab_to(page, page.get_by_label("Assign to"))
    page.keyboard.type("Lee")
    tab_to(page, page.get_by_role("button", name="Assign"))
    page.keyboard.press("Enter")
    expect(page.locator("[data-inbox-assignee]")).to_have_text("Lee Lead")
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    assert_accessible(page, "the assigned message")

    tab_to(page, page.get_by_role("button", name="Mark done"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/admin/social/inbox/")
    expect(page.locator("[data-inbox-item]")).to_have_count(0)
    item.refresh_from_db()
    assert (item.state, item.assignee.username) == ("done", "lead.west")
    assert console_errors == []


def test_an_officer_replies_to_a_message_by_keyboard(live_server, page, item, assert_accessible, console_errors):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + f"/admin/social/inbox/{item.pk}/")
    expect(page.get_by_label("Your reply")).to_be_visible()
    assert_accessible(page, "the message with its reply form")

    tab_to(page, page.get_by_role("button", name="Send reply"))
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Your reply")
    assert_accessible(page, "the reply form with errors")

    tab_to(page, page.get_by_label("Your reply"))
    page.keyboard.type("We are sending an officer now 👮")
    expect(page.locator("[data-reply-count]")).to_have_text("31 of 280 characters")
    tab_to(page, page.get_by_role("button", name="Send reply"))
    page.keyboard.press("Enter")

    expect(page.locator("[data-reply-state]")).to_have_text("Sent")
    expect(page.locator("[data-reply-link]")).to_have_attribute(
        "href", re.compile(r"^https://fake\.example/posts/\d+$")
    )
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    assert_accessible(page, "the message with its sent reply")
    reply = InboxReply.objects.get()
    assert (reply.state, reply.text, reply.written_by.username) == (
        "sent",
        "We are sending an officer now 👮",
        "officer.west",
    )
    item.refresh_from_db()
    assert item.state == "done"
    assert [outgoing.in_reply_to for _posted, outgoing in fake.STORE.values()] == ["m1"]
    assert console_errors == []


def test_a_mastodon_reply_counts_the_residents_handle_it_starts_with(
    live_server, page, item, assert_accessible, console_errors
):
    SocialAccount.objects.filter(pk=item.account_id).update(network="mastodon", base_url="https://standin.social")
    InboxItem.objects.filter(pk=item.pk).update(author="@sam@example.org")
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + f"/admin/social/inbox/{item.pk}/")
    count = page.locator("[data-reply-count]")
    expect(count).to_have_text("4 of 500 characters")  # "@sam": Mastodon counts a remote handle's local part
    expect(page.locator("[data-reply-mention]")).to_contain_text("your reply starts with @sam@example.org")
    assert_accessible(page, "a Mastodon message with its reply form")

    tab_to(page, page.get_by_label("Your reply"))
    page.keyboard.type("On our way")
    expect(count).to_have_text("15 of 500 characters")  # "@sam On our way"
    page.keyboard.type(" 👮")
    expect(count).to_have_text("17 of 500 characters")
    page.keyboard.press("Control+A")
    page.keyboard.type("Thanks @sam@example.org")  # named by the officer: not added again
    expect(count).to_have_text("11 of 500 characters")
    page.keyboard.type(".uk")  # now another account: theirs is added
    expect(count).to_have_text("16 of 500 characters")
    assert console_errors == []
