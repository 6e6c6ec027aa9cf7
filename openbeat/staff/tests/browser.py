"""Signing a staff user in to the back office in a real browser, for every app's browser tests."""

from playwright.sync_api import expect

from openbeat.staff.tests.factories import PASSWORD


def sign_in(page, live_server, username: str) -> None:
    """With the keyboard (Enter submits), so keyboard-only tests can use it too."""
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/admin/")
