"""The officer's survey app in Debian's chromium: set up by code, survey downloaded, the network cut and the app
reloaded from its service worker, two responses taken (one with the resident's consent to the location) and kept
encrypted in IndexedDB, sent when back online; a connection lost after the server stored a batch but before the
app heard back, then sent again; and a phone switched off in the back office. axe on the app's views."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openbeat.alerts.tests.test_browser_composer import sign_in
from openbeat.core.services import site_pages_ensure
from openbeat.subscriptions.tests.test_browser_signup import tab_to
from openbeat.surveys import devices, services
from openbeat.surveys.models import Channel, OfficerDevice, Response, ResponseCapture
from openbeat.surveys.tests.conftest import build_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "482916"
SECRET = "The patrol car parked on my lawn"

# Every pending record as plain JSON (bytes as arrays), and the ciphertext also read as text, for assertions.
PENDING_JS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("openbeat-officer");
  open.onsuccess = () => {
    const request = open.result.transaction("pending").objectStore("pending").getAll();
    request.onsuccess = () => resolve(request.result.map(r => ({
      keys: Object.keys(r).sort(),
      json: JSON.stringify(r, (k, v) => v instanceof Uint8Array ? Array.from(v) : v),
      text: new TextDecoder("utf-8", {fatal: false}).decode(r.ciphertext),
    })));
    request.onerror = () => reject(request.error);
  };
  open.onerror = () => reject(open.error);
})"""


@pytest.fixture
def assigned(world, settings):
    settings.MAP_TILE_URL = ""
    site_pages_ensure()
    survey = build_survey(world.lead, division=world.west)
    services.survey_publish(survey=survey, actor=world.lead)
    devices.assignment_add(survey=survey, officer=world.officer, actor=world.lead)
    return survey


def pending_count(page) -> int:
    return int(page.locator("#pending").get_attribute("data-pending") or "0")


def answer_not_seen(page, postcode: str) -> None:
    page.get_by_role("button", name="Start: Feeling safe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feeling safe")
    page.get_by_role("group", name="Have you seen police officers on patrol in the last month?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("group", name="How safe do you feel?").get_by_label("4", exact=True).check()
    page.get_by_label("What is your postcode?").fill(postcode)


def test_the_officer_app_works_offline_and_sends_each_response_once(
    live_server, page, context, world, assigned, assert_accessible, console_errors
):
    # Set up: a one-time code from the back office, typed into the app with a PIN.
    sign_in(page, live_server, world.officer.username)
    page.goto(f"{live_server.url}/admin/surveys/devices/")
    page.get_by_label("Name this phone").fill("Work phone")
    page.get_by_role("button", name="Get a set-up code").click()
    code = page.locator("[data-setup-code]").inner_text().strip()
    assert code not in page.url

    page.goto(f"{live_server.url}/officer/surveys/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up this phone")
    assert_accessible(page, "set-up")
    tab_to(page, page.get_by_label("Set-up code"))
    page.keyboard.type(code)
    page.keyboard.press("Tab")
    page.keyboard.type(PIN)
    page.keyboard.press("Tab")
    page.keyboard.type(PIN)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys on this phone")
    expect(page.get_by_role("button", name="Start: Feeling safe")).to_be_visible()
    assert_accessible(page, "home")
    assert OfficerDevice.objects.get().is_set_up
    # The service worker is active and holds the shell.
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")

    # No signal: the app comes back from the service worker, locked.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unlock the survey app")
    assert_accessible(page, "unlock")
    page.get_by_label("Your PIN").fill("000000")
    page.get_by_role("button", name="Unlock").click()
    expect(page.locator("#message")).to_contain_text("That PIN is not right")
    page.get_by_label("Your PIN").fill(PIN)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys on this phone")
    expect(page.locator("#connection")).to_contain_text("Offline")

    # A form sent with nothing answered: the error summary, linked to the questions.
    page.get_by_role("button", name="Start: Feeling safe").click()
    page.get_by_role("button", name="Save the answers").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("How safe do you feel?: Choose an answer")
    assert_accessible(page, "form with errors")
    summary.get_by_role("link", name="What is your postcode?: Enter the postcode").click()
    expect(page.get_by_label("What is your postcode?")).to_be_focused()
    page.get_by_role("button", name="Cancel").click()

    # First response: no location.
    answer_not_seen(page, world.west_postcode)
    expect(page.get_by_role("group", name="What were they doing?")).to_be_hidden()  # asked only after "Yes"
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator("#pending")).to_have_text("1 set of answers waiting to be sent.")

    # Second: the resident saw the patrol, and agrees to the location being recorded.
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 53.7632123, "longitude": -2.7044456})
    page.get_by_role("button", name="Start: Feeling safe").click()
    page.get_by_role("group", name="Have you seen police officers on patrol in the last month?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="How safe do you feel?").get_by_label("2", exact=True).check()
    page.get_by_label("What is your postcode?").fill(world.west_postcode)
    page.get_by_label("Walking").check()
    page.get_by_role("group", name="They were friendly").get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name="They were easy to approach").get_by_label("Strongly agree").check()
    page.get_by_role("group", name="How likely are you to talk to them?").get_by_label("9", exact=True).check()
    page.get_by_label("Anything else to tell us? (optional)").fill(SECRET)
    assert_accessible(page, "form")
    page.get_by_label("The resident agrees to record where these answers were given").check()
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator("#pending")).to_have_text("2 sets of answers waiting to be sent.")

    # Only ciphertext on the phone.
    records = page.evaluate(PENDING_JS)
    assert len(records) == 2
    for record in records:
        assert record["keys"] == ["ciphertext", "client_id", "iv", "survey"]
        for plain in (SECRET, "patrol", world.west_postcode, "53.76", '"answers"'):
            assert plain not in record["json"]
            assert plain not in record["text"]
    assert not Response.objects.exists()

    # Back online: the app sends by itself.
    context.set_offline(False)
    expect(page.locator("#pending")).to_have_text("No answers waiting to be sent.", timeout=15_000)
    assert Response.objects.filter(channel=Channel.OFFICER).count() == 2
    placed = ResponseCapture.objects.exclude(latitude=None).get()
    assert (str(placed.latitude), str(placed.longitude)) == ("53.7632", "-2.7044")
    assert ResponseCapture.objects.filter(latitude=None).count() == 1
    assert page.evaluate(PENDING_JS) == []

    # The connection drops after the server stored a batch, before the app hears back: nothing is lost...
    def lose_the_reply(route):
        route.fetch()  # reaches the server, which stores the response
        route.abort("connectionreset")

    page.route("**/officer/surveys/api/responses/", lose_the_reply)
    answer_not_seen(page, world.west_postcode)
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator("#message")).to_contain_text("kept on this phone", timeout=15_000)
    assert Response.objects.count() == 3
    assert pending_count(page) == 1
    # ...and sending again stores nothing twice.
    page.unroute("**/officer/surveys/api/responses/")
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("#pending")).to_have_text("No answers waiting to be sent.", timeout=15_000)
    assert Response.objects.count() == 3
    assert page.evaluate(PENDING_JS) == []

    # Switched off in the back office (by the division lead, in another browser): the app says so, keeps the answers.
    lead_context = context.browser.new_context()
    lead_page = lead_context.new_page()
    sign_in(lead_page, live_server, world.lead.username)
    lead_page.goto(f"{live_server.url}/admin/surveys/devices/")
    lead_page.get_by_role("link", name="Switch off Work phone").click()
    lead_page.get_by_label("Why is this phone being switched off?").fill("Reported lost")
    lead_page.get_by_role("button", name="Switch off the phone").click()
    expect(lead_page.get_by_text("is switched off")).to_be_visible()
    lead_context.close()

    answer_not_seen(page, world.west_postcode)
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator("#message")).to_contain_text("switched off by", timeout=15_000)
    expect(page.locator("#message")).to_contain_text("speak to your supervisor")
    expect(page.get_by_role("button", name="Send now")).to_be_hidden()
    assert pending_count(page) == 1
    assert len(page.evaluate(PENDING_JS)) == 1
    assert Response.objects.count() == 3
    assert_accessible(page, "switched off")
    assert not [e for e in console_errors if "Content Security Policy" in e]
