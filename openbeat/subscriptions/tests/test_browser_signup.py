"""A resident signs up to In the Know with the keyboard alone, in Debian's chromium, and confirms by email."""

import importlib
import re
import time

import pytest
from django.apps import apps
from playwright.sync_api import expect

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory
from openbeat.core import sms
from openbeat.core.services import site_pages_ensure
from openbeat.core.tests.keyboard import tab_stops
from openbeat.subscriptions import tokens
from openbeat.subscriptions.models import Demographics, Subscriber
from openbeat.subscriptions.services import (
    AreaChoice,
    subscriber_set_areas,
    subscriber_set_demographics,
    subscriber_set_interests,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place(settings):
    settings.MAP_TILE_URL = ""  # no tiles: the boundaries must still be drawn
    site_pages_ensure()
    # Transactional tests start from an empty database: put the seeded interests back.
    importlib.import_module("openbeat.subscriptions.migrations.0002_seed_interests").seed(apps, None)
    west = DivisionFactory(name="West", code="west")
    east = DivisionFactory(name="East", code="east")
    home = NeighbourhoodFactory(code="W01", name="Ashbridge", division=west)
    work = NeighbourhoodFactory(code="E01", name="Brookside", division=east)
    NeighbourhoodFactory(code="E02", name="Castleford", division=east)
    PostcodeFactory(postcode="DM1 1AA", neighbourhood=home)
    PostcodeFactory(postcode="DM2 2BB", neighbourhood=work)
    return home


def tab_to(page, locator, limit: int = 120) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {locator} with the Tab key")


def retype(page, text: str) -> None:
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_resident_signs_up_with_the_keyboard_alone_and_confirms_by_email(
    live_server, page, place, smtp_server, assert_accessible, console_errors
):
    itk = live_server.url + "/in-the-know/"
    page.goto(itk)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up to In the Know")
    assert_accessible(page, "start page")
    tab_to(page, page.get_by_role("button", name="Start now"))
    page.keyboard.press("Enter")

    # Postcode: an unknown one first, fixed from the error summary.
    expect(page).to_have_url(itk + "postcode/")
    assert_accessible(page, "postcode")
    tab_to(page, page.get_by_label("Postcode"))
    page.keyboard.type("DM7 7XX")
    page.keyboard.press("Enter")
    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("We could not find that postcode")
    assert_accessible(page, "postcode with an error")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Postcode")).to_be_focused()
    retype(page, "dm1 1aa")
    page.keyboard.press("Enter")

    expect(page).to_have_url(itk + "your-neighbourhood/")
    expect(page.locator("main")).to_contain_text("Ashbridge")
    assert_accessible(page, "your neighbourhood")
    tab_to(page, page.get_by_role("button", name="Yes, continue"))
    page.keyboard.press("Enter")

    # Other areas: one by postcode with a name, one whole neighbourhood ticked in its division's list.
    expect(page).to_have_url(itk + "other-areas/")
    expect(page.locator("#area-map[data-loaded='true']")).to_be_attached()
    expect(page.locator("#area-map .leaflet-overlay-pane path")).to_have_count(3)
    assert_accessible(page, "other areas")
    tab_to(page, page.get_by_role("button", name="Add this area"))
    page.keyboard.press("Enter")
    expect(page.locator(".ob-error-summary")).to_contain_text("Enter a postcode to add")
    assert_accessible(page, "other areas with an error")
    tab_to(page, page.get_by_label("Postcode"))
    page.keyboard.type("DM2 2BB")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Name this area (optional)")).to_be_focused()
    page.keyboard.type("Work")
    page.keyboard.press("Enter")
    expect(page.locator(".ob-summary-list")).to_contain_text("Work")
    assert_accessible(page, "other areas with one added")
    tab_to(page, page.locator("summary", has_text="East"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Castleford"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Castleford")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(itk + "interests/")
    assert_accessible(page, "interests")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    expect(page.locator(".ob-error-summary")).to_contain_text("Select at least one topic")
    assert_accessible(page, "interests with an error")
    tab_to(page, page.get_by_label("Crime alerts and appeals"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Business owner"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    # Contact: email, and text messages to a mobile typed wrong first.
    expect(page).to_have_url(itk + "contact/")
    expect(page.get_by_label("UK mobile number")).to_be_hidden()
    assert_accessible(page, "contact")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type("ann@example.com")
    tab_to(page, page.get_by_role("radio", name="Yes"))
    page.keyboard.press("Space")
    expect(page.get_by_label("UK mobile number")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("UK mobile number")).to_be_focused()
    page.keyboard.type("01632 960001")
    page.keyboard.press("Enter")
    expect(page.locator(".ob-error-summary")).to_contain_text("Enter a UK mobile number")
    expect(page.get_by_label("Email address")).to_have_value("ann@example.com")
    assert_accessible(page, "contact with an error")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("UK mobile number")).to_be_focused()
    retype(page, "07400 123456")
    page.keyboard.press("Enter")

    # The code sent by text message: a wrong one, then the right one.
    expect(page).to_have_url(itk + "check-your-phone/")
    expect(page.locator("main")).to_contain_text("07400 123456")
    assert_accessible(page, "check your phone")
    text = wait_for(lambda: sms.outbox and sms.outbox[-1])
    assert text.to == "+447400123456"
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    tab_to(page, page.get_by_label("Text message code"))
    page.keyboard.type(f"{(int(code) + 1) % 1000000:06d}")
    page.keyboard.press("Enter")
    expect(page.locator(".ob-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page, "check your phone with an error")
    tab_to(page, page.get_by_label("Text message code"))
    retype(page, code)
    page.keyboard.press("Enter")

    expect(page).to_have_url(itk + "language/")
    assert_accessible(page, "language")
    tab_to(page, page.get_by_role("radio", name="English"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Cymraeg (Welsh)")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    # Questions about you: an answer without the consent box is an error.
    expect(page).to_have_url(itk + "about-you/")
    assert_accessible(page, "about you")
    tab_to(page, page.get_by_role("radio", name="Under 18"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="35 to 44")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    expect(page.locator(".ob-error-summary")).to_contain_text("Tick the box to agree, or skip these questions")
    expect(page.get_by_role("radio", name="35 to 44")).to_be_checked()
    assert_accessible(page, "about you with an error")
    tab_to(page, page.get_by_role("checkbox", name=re.compile("keeping my answers")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(itk + "check-your-answers/")
    main = page.locator("main")
    for answer in ["DM1 1AA", "Ashbridge, West", "Work (DM2 2BB)", "Castleford", "Crime alerts and appeals",
                   "Business owner", "ann@example.com", "07400 123456", "Cymraeg (Welsh)", "35 to 44"]:  # fmt: skip
        expect(main).to_contain_text(answer)
    assert_accessible(page, "check your answers")
    tab_to(page, page.get_by_role("button", name="Accept and sign up"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(itk + "check-your-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "check your email")
    message = wait_for(lambda: smtp_server.messages and smtp_server.messages[-1])
    assert message["To"] == "ann@example.com"
    link = re.search(r"https?://\S+/in-the-know/confirm/\S+/", message.get_body(("plain",)).get_content()).group(0)
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING

    # The link from the email, on this machine's live server.
    page.goto(live_server.url + link[link.index("/in-the-know/") :])
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    assert_accessible(page, "confirm")
    tab_to(page, page.get_by_role("button", name="Confirm my subscription"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(itk + "confirmed/")
    expect(page.locator(".ob-panel")).to_contain_text("You're signed up")
    assert_accessible(page, "signed up")

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.email_confirmed_at is not None
    assert subscriber.phone_verified_at is not None
    assert subscriber.language == "cy"
    assert subscriber.areas.count() == 3
    assert subscriber.demographics.age_band == "35-44"
    assert console_errors == []


def test_a_neighbourhood_selected_on_the_map_is_ticked_in_the_list(live_server, page, place, console_errors):
    itk = live_server.url + "/in-the-know/"
    page.goto(itk + "postcode/")
    page.get_by_label("Postcode").fill("DM1 1AA")
    page.get_by_label("Postcode").press("Enter")
    page.get_by_role("button", name="Yes, continue").press("Enter")
    expect(page.locator("#area-map[data-loaded='true']")).to_be_attached()
    castleford = page.get_by_label("Castleford")
    expect(castleford).not_to_be_checked()
    page.locator("#area-map .leaflet-overlay-pane path").nth(1).click(force=True)
    expect(castleford).to_be_checked()
    expect(castleford).to_be_visible()  # its division's list opened
    assert console_errors == []


def test_the_change_pages_of_the_preferences_are_accessible_and_save(
    live_server, page, place, assert_accessible, console_errors
):
    subscriber = Subscriber.objects.create(email="ann@example.com", phone="+447400123456")
    subscriber_set_areas(subscriber=subscriber, home=AreaChoice(neighbourhood_id=place.pk, postcode="DM1 1AA"))
    subscriber_set_interests(subscriber=subscriber, slugs=["crime-alerts"])
    subscriber_set_demographics(subscriber=subscriber, disability="no", wording="I agree", source="web")
    # Confirming signs the resident in, as a link to the preferences would.
    page.goto(f"{live_server.url}/in-the-know/confirm/{tokens.make_token('confirm', subscriber)}/")
    page.get_by_role("button", name="Confirm my subscription").press("Enter")
    expect(page).to_have_url(live_server.url + "/in-the-know/confirmed/")

    change = live_server.url + "/in-the-know/preferences/change/"
    for section, heading in [
        ("interests", "Your interests"),
        ("channels", "How should we contact you?"),
        ("language", "Language"),
        ("demographics", "Questions about you (optional)"),
        ("areas", "Other areas to watch (optional)"),
    ]:
        page.goto(change + section + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("link", name="Cancel and go back to your preferences")).to_be_visible()
        assert_accessible(page, f"change {section}")
    expect(page.locator("#area-map[data-loaded='true']")).to_be_attached()

    # A new mobile number needs its code before it is saved.
    page.goto(change + "channels/")
    expect(page.get_by_text("We email you at ann@example.com")).to_be_visible()
    tab_to(page, page.get_by_label("UK mobile number"))
    retype(page, "07812 345678")
    page.keyboard.press("Enter")
    expect(page).to_have_url(change + "channels/check-your-phone/")
    assert_accessible(page, "change channels: code")
    code = re.search(r"\b(\d{6})\b", wait_for(lambda: sms.outbox and sms.outbox[-1]).body).group(1)
    tab_to(page, page.get_by_label("Text message code"))
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/in-the-know/preferences/")
    subscriber.refresh_from_db()
    assert subscriber.phone == "+447812345678"
    assert subscriber.phone_verified_at is not None

    page.goto(change + "demographics/")
    tab_to(page, page.get_by_role("button", name="Delete my answers and withdraw consent"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/in-the-know/preferences/")
    assert not Demographics.objects.filter(subscriber=subscriber).exists()
    assert console_errors == []


def test_the_map_of_other_areas_adds_no_tab_stops_the_list_is_the_keyboard_route(
    live_server, page, place, console_errors
):
    itk = live_server.url + "/in-the-know/"
    page.goto(itk + "postcode/")
    page.get_by_label("Postcode").fill("DM1 1AA")
    page.get_by_label("Postcode").press("Enter")
    page.get_by_role("button", name="Yes, continue").press("Enter")
    expect(page.locator("#area-map[data-loaded='true']")).to_be_attached()
    expect(page.locator("#area-map .leaflet-overlay-pane path")).to_have_count(3)

    stops = tab_stops(page)
    # The map itself is one stop (to pan and zoom it); none of its shapes, which do nothing on Enter.
    assert not [s for s in stops if s.startswith(("path", "svg", "g#"))], stops
    assert len([s for s in stops if "#area-map" in s]) == 1, stops
    assert page.locator("#area-map path[tabindex]:not([tabindex='-1'])").count() == 0
    # The neighbourhoods' list stays the way to choose with the keyboard.
    assert any(s.startswith("summary") for s in stops), stops
    assert console_errors == []
