"""In Debian's chromium, HQ finds the demo's social accounts marked "Demo (stand-in)" and tests one's connection
with the keyboard alone against its stand-in; an officer sees the mark in the composer; axe finds nothing."""

import pytest
from playwright.sync_api import expect

from openbeat.demo.social import step_social
from openbeat.demo.steps import demo_context, demo_password, step_force, step_geography, step_insights, step_staff
from openbeat.social.models import DEMO_LABEL, SocialAccount
from openbeat.social.standins import running_standin
from openbeat.social.tests.test_browser_composer import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    ctx = demo_context()
    for step in (step_force, step_geography, step_staff, step_insights, step_social):
        step(ctx)


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/admin/")


def test_hq_tests_a_demo_accounts_connection_by_keyboard(live_server, page, demo, assert_accessible, console_errors):
    social = SocialAccount.objects.get(network="mastodon")
    sign_in(page, live_server, "hq")
    with running_standin("mastodon") as standin:
        # The stand-in on an ephemeral port stands for the demo port's (which `make run` serves).
        SocialAccount.objects.filter(pk=social.pk).update(base_url=standin.base_url)
        page.goto(live_server.url + "/admin/social/accounts/")
        expect(page.locator("[data-demo-account]")).to_have_count(4)
        expect(page.locator("[data-demo-account]").first).to_have_text(DEMO_LABEL)
        assert_accessible(page, "the account list")

        tab_to(page, page.get_by_role("button", name=f"Test connection of {social.account.name}"))
        page.keyboard.press("Enter")
        expect(page.locator(".messages")).to_contain_text("Connected")
        expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    row = page.get_by_role("row").filter(has_text=social.account.name)
    expect(row.locator("[data-status]")).to_have_text("Connected")
    expect(row.locator("[data-demo-account]")).to_have_text(DEMO_LABEL)
    assert_accessible(page, "the account list after the test")
    assert console_errors == []


def test_an_officer_sees_the_demo_mark_in_the_composer(live_server, page, demo, assert_accessible):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/social/new/")
    expect(page.get_by_label(f"@WestDemoPolice (X): {DEMO_LABEL}", exact=True)).to_be_visible()
    assert_accessible(page, "the composer")
    page.goto(live_server.url + "/admin/social/calendar/")
    assert_accessible(page, "the calendar")
