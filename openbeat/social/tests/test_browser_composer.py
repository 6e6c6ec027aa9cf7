"""An officer writes a social media post with the keyboard alone, in Debian's chromium: errors, the live count,
the server's per-network preview, the saved draft; axe finds nothing on each page."""

import pytest
from playwright.sync_api import expect

from openbeat.insights.models import Account, ReportingGroup
from openbeat.social.models import Post, SocialAccount
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(west):
    group = ReportingGroup.objects.create(name="West", slug="west", division=west)
    account = Account.objects.create(platform=Account.Platform.OTHER, name="@WestPolice", group=group)
    SocialAccount.objects.create(account=account, network="fake", status=SocialAccount.Status.CONNECTED)
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")


def tab_to(page, locator, limit: int = 200) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/admin/")


def test_an_officer_composes_previews_and_saves_a_post_by_keyboard(
    live_server, page, officer, assert_accessible, console_errors
):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/social/new/")
    assert_accessible(page, "the composer")

    tab_to(page, page.get_by_role("button", name="Save draft"))
    page.keyboard.press("Enter")
    expect(page.locator("[data-error-summary]")).to_contain_text("There is a problem")
    assert_accessible(page, "the composer with errors")

    tab_to(page, page.get_by_label("What to post"))
    page.keyboard.type("Lock your bike tonight.")
    expect(page.locator("[data-compose-count]")).to_have_text("23 characters")
    tab_to(page, page.get_by_role("checkbox", name="@WestPolice (Fake)"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Preview"))
    page.keyboard.press("Enter")
    preview = page.locator("[data-preview='fake']")
    expect(preview).to_contain_text("23 of 280 characters")
    expect(page.get_by_label("What to post")).to_have_value("Lock your bike tonight.")  # what was typed is kept
    assert_accessible(page, "the composer with previews")

    tab_to(page, page.get_by_role("button", name="Save draft"))
    page.keyboard.press("Enter")
    expect(page.locator("[data-post-state]")).to_have_text("Draft")
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    assert_accessible(page, "the saved post")
    assert Post.objects.get().text == "Lock your bike tonight."
    assert console_errors == []


def test_choosing_instagram_shows_its_rules_and_that_it_needs_an_image(
    live_server, page, officer, assert_accessible, console_errors
):
    west = ReportingGroup.objects.get(slug="west")
    account = Account.objects.create(platform=Account.Platform.INSTAGRAM, name="@westpolice.insta", group=west)
    SocialAccount.objects.create(account=account, network="instagram", status=SocialAccount.Status.CONNECTED)
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/social/new/")

    tab_to(page, page.get_by_label("What to post"))
    page.keyboard.type("Street surgery on Saturday #SaferStreets")
    tab_to(page, page.get_by_role("checkbox", name="@westpolice.insta (Instagram)"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Preview"))
    page.keyboard.press("Enter")

    preview = page.locator("[data-preview='instagram']")
    expect(preview.locator("[data-preview-rules]")).to_contain_text("Instagram needs an image with every post.")
    expect(preview.locator("[data-preview-rules]")).to_contain_text("Links in Instagram posts cannot be clicked")
    expect(preview).to_contain_text("Instagram needs an image: it has no text-only posts")
    assert_accessible(page, "the composer with Instagram's rules")
    assert console_errors == []
