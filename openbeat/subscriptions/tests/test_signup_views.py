"""The sign-up journey page by page, its confirmation link, and the preferences' change pages."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory
from openbeat.core import sms
from openbeat.subscriptions import tokens
from openbeat.subscriptions.models import Consent, Demographics, Subscriber, WatchedArea
from openbeat.subscriptions.services import (
    CONTACT_CONSENT_WORDING,
    DEMOGRAPHICS_CONSENT_WORDING,
    AreaChoice,
    subscriber_set_areas,
    subscriber_set_demographics,
    subscriber_set_interests,
)
from openbeat.subscriptions.session import subscriber_sign_in

pytestmark = pytest.mark.django_db

ITK = "/in-the-know/"
PHONE = "07400 123456"
PHONE_E164 = "+447400123456"


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Messages are queued on commit: each request runs its callbacks, so a test sees the email or SMS sent."""
    send = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(**kwargs)

    client.request = request
    return client


@pytest.fixture
def places():
    west = DivisionFactory(name="West", code="west")
    east = DivisionFactory(name="East", code="east")
    home = NeighbourhoodFactory(code="W01", name="Ashbridge", division=west)
    work = NeighbourhoodFactory(code="E01", name="Brookside", division=east)
    other = NeighbourhoodFactory(code="E02", name="Castleford", division=east)
    PostcodeFactory(postcode="DM1 1AA", neighbourhood=home)
    PostcodeFactory(postcode="DM1 1AB", neighbourhood=home)
    PostcodeFactory(postcode="DM2 2BB", neighbourhood=work)
    PostcodeFactory(postcode="DM99 9ZZ", neighbourhood=None, lat=50.0, lon=-4.0)
    return {"home": home, "work": work, "other": other, "west": west, "east": east}


def page(response) -> str:
    return response.content.decode()


def post(client, slug, data, **kwargs):
    return client.post(f"{ITK}{slug}/", data, **kwargs)


def contact(email="ann@example.com", phone=""):
    data = {"email": email, "email_when": "both", "email_min_priority": "0", "sms": "no"}
    if phone:
        data |= {"sms": "yes", "phone": phone, "sms_when": "night", "sms_min_priority": "2"}
    return data


def code_sent() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def to_interests(client):
    post(client, "postcode", {"postcode": "DM1 1AA"})
    post(client, "your-neighbourhood", {})
    post(client, "other-areas", {"action": "continue"})


def to_check(client, *, email="ann@example.com", phone="", about=None):
    """Answer every page; returns the response to the last one (a redirect to check your answers)."""
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts", "roads-travel"], "groups": ["business-owner"]})
    post(client, "contact", contact(email, phone))
    if phone:
        client.get(f"{ITK}check-your-phone/")
        post(client, "check-your-phone", {"code": code_sent()})
    post(client, "language", {"language": "cy"})
    return post(client, "about-you", about or {})


def draft(client) -> dict:
    return client.session["itk_signup"]


# The start page and the postcode


def test_the_start_page_says_what_it_is_what_we_keep_and_to_call_999(client):
    response = client.get(ITK)
    html = page(response)
    assert '<h1 class="ob-heading-xl">Sign up to In the Know</h1>' in html
    assert "In an emergency, call 999" in html
    assert 'href="/privacy/"' in html
    assert re.search(r'<a href="/in-the-know/postcode/"[^>]*class="ob-button ob-button--start"', html)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your postcode"),
        ("not a postcode", "Enter a full UK postcode"),
        ("DM7 7XX", "We could not find that postcode"),
        ("DM99 9ZZ", "That postcode is outside the area Demoshire Police covers"),
    ],
)
def test_a_wrong_postcode_shows_its_own_message_in_the_error_summary_and_keeps_what_was_typed(
    client, places, typed, message
):
    response = post(client, "postcode", {"postcode": typed})
    html = page(response)
    assert response.status_code == 200
    assert "<title>Error:" in html
    summary = html[html.index('class="ob-error-summary"') :]
    assert f'<a href="#id_postcode">{message}' in summary
    assert f'value="{typed}"' in html if typed else 'value=""' not in html


def test_a_postcode_outside_the_force_also_explains_what_to_do(client, places):
    html = page(post(client, "postcode", {"postcode": "DM99 9ZZ"}))
    assert "find your local police force" in html


def test_the_postcode_found_leads_to_its_neighbourhood_and_division(client, places):
    response = post(client, "postcode", {"postcode": "dm11aa"})
    assert response["Location"] == f"{ITK}your-neighbourhood/"
    html = page(client.get(response["Location"]))
    assert "<dd>DM1 1AA</dd>" in html
    assert "<dd>Ashbridge</dd>" in html
    assert "<dd>West</dd>" in html
    assert 'href="/in-the-know/postcode/">No, change the postcode' in html


def test_pages_cannot_be_skipped_the_journey_sends_you_to_the_first_unanswered(client, places):
    assert client.get(f"{ITK}interests/")["Location"] == f"{ITK}postcode/"
    post(client, "postcode", {"postcode": "DM1 1AA"})
    assert client.get(f"{ITK}check-your-answers/")["Location"] == f"{ITK}your-neighbourhood/"
    # A new postcode needs its neighbourhood confirmed again.
    to_interests(client)
    post(client, "postcode", {"postcode": "DM2 2BB"})
    assert client.get(f"{ITK}interests/")["Location"] == f"{ITK}your-neighbourhood/"


def test_the_postcode_page_is_rate_limited(client, places):
    for _ in range(30):
        assert post(client, "postcode", {"postcode": "DM7 7XX"}).status_code == 200
    refused = post(client, "postcode", {"postcode": "DM7 7XX"})
    assert refused.status_code == 429
    assert "Too many attempts" in page(refused)


# Other areas


def test_an_area_is_added_by_postcode_with_a_label_and_removed_again(client, places):
    to_interests(client)
    response = post(client, "other-areas", {"postcode": "dm2 2bb", "label": "Work", "action": "add"})
    assert response["Location"] == f"{ITK}other-areas/"
    html = page(client.get(f"{ITK}other-areas/"))
    assert "<dt>Work</dt>" in html
    assert "DM2 2BB, Brookside" in html
    assert re.search(r'<input type="text" name="postcode"[^>]*>', html).group(0).count("value=") == 0
    key = f"{places['work'].pk}/DM2 2BB"
    # Removing keeps a postcode typed but not yet added.
    post(client, "other-areas", {"postcode": "DM1 1AB", "remove": key})
    html = page(client.get(f"{ITK}other-areas/"))
    assert "<dt>Work</dt>" not in html
    assert 'value="DM1 1AB"' in html
    assert draft(client)["extra"] == []


def test_whole_neighbourhoods_are_ticked_by_division_except_home(client, places):
    to_interests(client)
    html = page(client.get(f"{ITK}other-areas/"))
    assert html.count("<details") == 1  # only East: West holds nothing but the home neighbourhood
    assert 'value="E01"' in html
    assert 'value="W01"' not in html
    post(client, "other-areas", {"neighbourhoods": ["E02"], "action": "continue"})
    assert draft(client)["extra"] == [
        {"neighbourhood_id": places["other"].pk, "postcode": "", "lat": None, "lon": None, "label": ""}
    ]
    html = page(client.get(f"{ITK}other-areas/"))
    assert '<details class="ob-details" open>' in html
    assert re.search(r'<input type="checkbox" name="neighbourhoods" value="E02"[^>]*checked', html)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"postcode": "", "action": "add"}, "Enter a postcode to add"),
        ({"postcode": "DM1 1AA", "action": "add"}, "That is your home postcode"),
        ({"postcode": "DM7 7XX", "action": "continue"}, "We could not find that postcode"),
    ],
)
def test_an_area_that_cannot_be_added_says_why(client, places, data, message):
    to_interests(client)
    html = page(post(client, "other-areas", data))
    assert f'<a href="#id_postcode">{message}' in html


def test_the_same_postcode_is_not_added_twice(client, places):
    to_interests(client)
    post(client, "other-areas", {"postcode": "DM2 2BB", "action": "add"})
    html = page(post(client, "other-areas", {"postcode": "DM2 2BB", "action": "add"}))
    assert "You have already added that postcode" in html


def test_at_most_five_other_areas_and_the_ticks_are_kept_on_the_error(client, places):
    extra = [NeighbourhoodFactory(division=places["east"]).code for _ in range(5)]
    to_interests(client)
    post(client, "other-areas", {"postcode": "DM2 2BB", "action": "add"})
    response = post(client, "other-areas", {"neighbourhoods": extra, "action": "continue"})
    html = page(response)
    assert "You can watch up to 5 other areas" in html
    assert html.count("checked") == 5
    assert response.status_code == 200
    assert len(draft(client)["extra"]) == 1


def test_continuing_with_a_postcode_typed_adds_it_rather_than_losing_it(client, places):
    to_interests(client)
    response = post(client, "other-areas", {"postcode": "DM2 2BB", "label": "", "action": "continue"})
    assert response["Location"] == f"{ITK}interests/"
    assert [a["postcode"] for a in draft(client)["extra"]] == ["DM2 2BB"]


# Interests, contact, language, questions about you


def test_interests_need_at_least_one_topic_and_groups_are_asked_apart(client, places):
    to_interests(client)
    html = page(client.get(f"{ITK}interests/"))
    assert "What would you like to hear about?" in html
    assert "Are you any of these?" in html
    assert 'value="business-owner"' in html
    html = page(post(client, "interests", {"groups": ["business-owner"]}))
    assert '<a href="#id_topics_0">Select at least one topic' in html
    assert re.search(r'value="business-owner"[^>]*checked', html)


def test_contact_defaults_are_email_for_everything_and_texts_only_when_urgent(client, places):
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts"]})
    html = page(client.get(f"{ITK}contact/"))
    assert re.search(r'name="email_min_priority" value="0"[^>]*checked', html)
    assert re.search(r'name="sms_min_priority" value="2"[^>]*checked', html)
    assert "Daytime is 7am to 10pm." in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (contact(email="not-an-email"), "email", "Enter an email address in the correct format"),
        (contact(phone="01632 960001"), "phone", "Enter a UK mobile number"),
        (contact(phone="+33 6 12 34 56 78"), "phone", "Enter a UK mobile number"),
        ({**contact(), "sms": "yes"}, "phone", "Enter a UK mobile number, or select no text messages"),
    ],
)
def test_contact_errors_are_summarised_and_what_was_typed_is_kept(client, places, data, field, message):
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts"]})
    html = page(post(client, "contact", data))
    assert f'<a href="#id_{field}">{message}' in html
    assert f'value="{data["email"]}"' in html
    if data.get("phone"):
        assert f'value="{data["phone"]}"' in html


def test_what_was_typed_survives_an_error_and_going_back_and_forth(client, places):
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts"]})
    post(client, "contact", contact(email="ann@example", phone="0740012"))
    client.get(f"{ITK}interests/")  # back
    html = page(client.get(f"{ITK}contact/"))
    assert 'value="ann@example"' in html
    assert 'value="0740012"' in html
    # Answers given earlier are there too.
    assert re.search(r'value="crime-alerts"[^>]*checked', page(client.get(f"{ITK}interests/")))


def test_a_mobile_number_is_kept_in_e164_and_a_code_is_texted_to_it(client, places):
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts"]})
    response = post(client, "contact", contact(phone=PHONE))
    assert response["Location"] == f"{ITK}check-your-phone/"
    assert draft(client)["phone"] == PHONE_E164
    html = page(client.get(f"{ITK}check-your-phone/", follow=True))
    assert "07400 123456" in html
    [text] = sms.outbox
    assert text.to == PHONE_E164
    code = code_sent()
    # Only a keyed hash of the code is kept in the session.
    assert code not in str(dict(client.session))
    assert client.get(f"{ITK}language/")["Location"] == f"{ITK}check-your-phone/"
    response = post(client, "check-your-phone", {"code": code})
    assert response["Location"] == f"{ITK}language/"
    assert draft(client)["phone_verified"] == PHONE_E164
    # Once the number is proved, the code page is passed by.
    assert client.get(f"{ITK}check-your-phone/")["Location"] == f"{ITK}language/"
    assert len(sms.outbox) == 1


def test_a_wrong_code_is_refused_and_five_wrong_codes_need_a_new_one(client, places):
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts"]})
    post(client, "contact", contact(phone=PHONE))
    client.get(f"{ITK}check-your-phone/")
    code = code_sent()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    html = page(post(client, "check-your-phone", {"code": wrong}))
    assert '<a href="#id_code">The code is not right' in html
    html = page(post(client, "check-your-phone", {"code": "12"}))
    assert "Enter the 6-number code" in html
    for _ in range(4):
        html = page(post(client, "check-your-phone", {"code": wrong}))
    assert "You have entered a wrong code too many times" in html
    html = page(post(client, "check-your-phone", {"code": code}))
    assert "You have entered a wrong code too many times" in html
    assert draft(client).get("phone_verified") != PHONE_E164
    # A new code works.
    response = post(client, "check-your-phone", {"action": "resend"})
    assert response["Location"] == f"{ITK}check-your-phone/?sent=again"
    assert "We have sent you a new code" in page(client.get(response["Location"]))
    assert len(sms.outbox) == 2
    assert post(client, "check-your-phone", {"code": code_sent()})["Location"] == f"{ITK}language/"


def test_new_codes_are_rate_limited(client, places):
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts"]})
    post(client, "contact", contact(phone=PHONE))
    client.get(f"{ITK}check-your-phone/")
    for _ in range(4):
        assert post(client, "check-your-phone", {"action": "resend"}).status_code == 302
    assert post(client, "check-your-phone", {"action": "resend"}).status_code == 429
    assert len(sms.outbox) == 5


def test_the_resident_may_skip_text_messages_instead_of_entering_a_code(client, places):
    to_interests(client)
    post(client, "interests", {"topics": ["crime-alerts"]})
    post(client, "contact", contact(phone=PHONE))
    client.get(f"{ITK}check-your-phone/")
    response = post(client, "check-your-phone", {"action": "skip"})
    assert response["Location"] == f"{ITK}language/"
    assert draft(client)["sms"] is False
    assert draft(client)["phone"] == ""


def test_language_choices_come_from_the_settings(client, places, settings):
    to_check(client)
    html = page(client.get(f"{ITK}language/"))
    for code, _name in settings.SUBSCRIBER_LANGUAGES:
        assert f'value="{code}"' in html
    assert re.search(r'value="cy"[^>]*checked', html)
    # Each language's own name is marked up as that language.
    assert '<span lang="ur" dir="auto">اردو</span> (Urdu)' in html


def test_answers_about_you_without_consent_are_an_error(client, places):
    to_check(client)
    html = page(client.get(f"{ITK}about-you/"))
    assert "stored apart" in html or "separately from your email address" in html
    assert DEMOGRAPHICS_CONSENT_WORDING.format(force="Demoshire Police") in html
    assert 'href="?action=skip">Skip these questions' in html
    html = page(post(client, "about-you", {"age_band": "35-44"}))
    assert '<a href="#id_consent_0">Tick the box to agree, or skip these questions' in html
    assert re.search(r'value="35-44"[^>]*checked', html)


def test_skipping_the_questions_about_you_keeps_no_answers(client, places):
    to_check(client, about={"age_band": "35-44", "consent": ["yes"]})
    assert draft(client)["demographics"]["age_band"] == "35-44"
    response = client.get(f"{ITK}about-you/?action=skip")
    assert response["Location"] == f"{ITK}check-your-answers/"
    assert draft(client)["demographics"] is None


# Check your answers


def test_check_your_answers_lists_everything_with_change_links_and_the_consent_wording(client, places):
    response = to_check(client, phone=PHONE)
    assert response["Location"] == f"{ITK}check-your-answers/"
    html = page(client.get(response["Location"]))
    for text in [
        "DM1 1AA",
        "Ashbridge, West",
        "Crime alerts and appeals",
        "Business owner",
        "ann@example.com",
        "07400 123456",
        "Night-time only",
        "Cymraeg (Welsh)",
        "Not answered",
        CONTACT_CONSENT_WORDING.format(force="Demoshire Police"),
        "Accept and sign up",
    ]:
        assert text in html, text
    assert '<a href="/in-the-know/interests/">Change<span class="ob-visually-hidden"> topics</span></a>' in html


def test_a_change_from_check_your_answers_comes_back_to_it(client, places):
    to_check(client)
    response = post(client, "interests", {"topics": ["recruitment"]})
    assert response["Location"] == f"{ITK}check-your-answers/"
    # A new mobile number needs its code before coming back.
    response = post(client, "contact", contact(phone=PHONE))
    assert response["Location"] == f"{ITK}check-your-phone/"
    client.get(response["Location"])
    assert post(client, "check-your-phone", {"code": code_sent()})["Location"] == f"{ITK}check-your-answers/"


# Sending the sign-up


def test_signing_up_makes_a_pending_subscriber_and_emails_a_confirmation_link(client, places):
    to_check(
        client,
        phone=PHONE,
        about={"age_band": "35-44", "ethnicity": "white", "disability": "no", "consent": ["yes"]},
    )
    post(client, "other-areas", {"postcode": "DM2 2BB", "label": "Work", "action": "continue"})
    response = post(client, "check-your-answers", {})
    assert response["Location"] == f"{ITK}check-your-email/"
    assert "<strong>ann@example.com</strong>" in page(client.get(response["Location"]))
    assert "itk_signup" not in client.session

    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.email == "ann@example.com"
    assert subscriber.home_neighbourhood == places["home"]
    assert subscriber.phone == PHONE_E164
    assert subscriber.phone_verified_at is not None
    assert (subscriber.sms_day, subscriber.sms_night, subscriber.sms_min_priority) == (False, True, 2)
    assert (subscriber.email_day, subscriber.email_night, subscriber.email_min_priority) == (True, True, 0)
    assert subscriber.language == "cy"
    assert {(a.postcode, a.label, a.is_home) for a in subscriber.areas.all()} == {
        ("DM1 1AA", "", True),
        ("DM2 2BB", "Work", False),
    }
    assert Demographics.objects.get(subscriber=subscriber).ethnicity == "white"
    consents = {c.purpose: c for c in subscriber.consents.all()}
    assert consents["contact"].wording == CONTACT_CONSENT_WORDING.format(force="Demoshire Police")
    assert consents["demographics"].wording == DEMOGRAPHICS_CONSENT_WORDING.format(force="Demoshire Police")
    assert {c.source for c in consents.values()} == {"web"}

    [message] = mail.outbox
    assert message.to == ["ann@example.com"]
    link = re.search(r"http://\S+/in-the-know/confirm/\S+/", message.body).group(0)
    assert tokens.read_token("confirm", link.rstrip("/").rsplit("/", 1)[1]) == subscriber
    assert link in message.alternatives[0].content


def test_sending_leaves_no_session_behind_and_the_address_in_a_cookie_for_the_confirmation_page_only(
    client, places, settings
):
    to_check(client)
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()

    response = post(client, "check-your-answers", {})

    # The session row held the draft (the address among it): deleted, and the browser told to drop its cookie.
    assert not Session.objects.filter(session_key=session_key).exists()
    gone = response.cookies[settings.SESSION_COOKIE_NAME]
    assert gone.value == ""
    assert gone["max-age"] == 0
    sent = response.cookies["itk_sent"]
    assert sent["path"] == f"{ITK}check-your-email/"
    assert sent["httponly"]
    assert sent["max-age"] == 3600
    assert "ann@example.com" in page(client.get(response["Location"]))
    # A changed cookie is not believed: the page falls back to its general wording.
    client.cookies["itk_sent"] = sent.value.replace("ann", "bob")
    assert "the address you gave us" in page(client.get(response["Location"]))


def test_after_signing_up_the_public_pages_come_from_the_page_cache(client, places):
    """A browser sends a cookie only under its path: after the sign-up, a public page gets the CSRF cookie alone
    (no session), which the page cache answers from its store."""
    anonymous = Client()
    anonymous.get("/neighbourhoods/")  # the first request makes the site's own rows
    assert anonymous.get("/neighbourhoods/")["X-Page-Cache"] == "hit"  # kept from a visitor without cookies
    to_check(client)
    post(client, "check-your-answers", {})

    # The resident's browser next, on a public page (the same test client: each one has its own page store).
    browser = anonymous
    for name, morsel in client.cookies.items():
        if morsel.value and "/neighbourhoods/".startswith(morsel["path"] or "/"):
            browser.cookies[name] = morsel.value
    assert set(browser.cookies) <= {"csrftoken"}  # the session's cookie was deleted; the address's is not sent
    browser.cookies["csrftoken"] = "a" * 32  # as a browser holds it after the journey's forms
    assert browser.get("/neighbourhoods/")["X-Page-Cache"] == "hit"


def test_a_resident_signed_in_to_their_preferences_keeps_their_session_after_signing_up_again(client, places, settings):
    resident = Subscriber.objects.create(email="cy@example.com", status=Subscriber.Status.ACTIVE)
    to_check(client)
    session = client.session
    session["itk_subscriber"] = {"id": resident.pk, "until": timezone.now().timestamp() + 600}
    session.save()

    response = post(client, "check-your-answers", {})

    kept = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert kept is None or kept.value
    assert client.session["itk_subscriber"]["id"] == resident.pk
    assert "itk_signup" not in client.session


def test_a_sign_up_with_a_taken_address_looks_the_same_and_tells_only_the_owner(client, places):
    owner = Subscriber.objects.create(email="ann@example.com", status=Subscriber.Status.ACTIVE, language="en")
    subscriber_set_areas(subscriber=owner, home=AreaChoice(neighbourhood_id=places["work"].pk, postcode="DM2 2BB"))
    subscriber_set_interests(subscriber=owner, slugs=["recruitment"])
    before = Subscriber.objects.values().get()

    to_check(client, email="ANN@example.com", phone=PHONE)
    response = post(client, "check-your-answers", {})
    assert response["Location"] == f"{ITK}check-your-email/"
    assert "Check your email" in page(client.get(response["Location"]))

    assert Subscriber.objects.values().get() == before
    assert [a.postcode for a in owner.areas.all()] == ["DM2 2BB"]
    assert not Consent.objects.exists()
    [message] = mail.outbox
    assert message.to == ["ann@example.com"]
    assert "Someone tried to sign up" in message.subject
    assert "/in-the-know/manage/" in message.body
    assert "If it was not you, you can ignore this email" in message.body
    # Nothing the other person typed reaches the owner.
    for typed in ("DM1 1AA", "07400", "Ashbridge", "Crime alerts"):
        assert typed not in message.body
        assert typed not in message.alternatives[0].content


def test_someone_who_unsubscribed_is_sent_to_their_preferences_to_start_again(client, places):
    earlier = timezone.now() - timedelta(days=100)
    old = Subscriber.objects.create(
        email="ann@example.com", status=Subscriber.Status.UNSUBSCRIBED, email_confirmed_at=earlier
    )
    to_check(client)
    response = post(client, "check-your-answers", {})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == Subscriber.Status.UNSUBSCRIBED
    assert old.home_neighbourhood is None
    [message] = mail.outbox
    assert "/in-the-know/manage/" in message.body
    assert "/in-the-know/confirm/" not in message.body


def test_sign_ups_are_rate_limited_per_address(client, places):
    for n in range(5):
        to_check(client)
        assert post(client, "check-your-answers", {}, REMOTE_ADDR=f"10.0.0.{n}").status_code == 302
    to_check(client)
    refused = post(client, "check-your-answers", {}, REMOTE_ADDR="10.0.0.99")
    assert refused.status_code == 429
    assert Subscriber.objects.count() == 1


# The confirmation link


def confirm_url(subscriber) -> str:
    return f"{ITK}confirm/{tokens.make_token('confirm', subscriber)}/"


def test_opening_the_link_only_shows_a_button_and_posting_it_confirms_and_signs_in(client, places):
    subscriber = Subscriber.objects.create(email="ann@example.com")
    url = confirm_url(subscriber)
    html = page(client.get(url))
    assert "Confirm my subscription" in html
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    response = client.post(url)
    assert response["Location"] == f"{ITK}confirmed/"
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.email_confirmed_at is not None
    assert client.session["itk_subscriber"]["id"] == subscriber.pk
    html = page(client.get(response["Location"]))
    assert '<div class="ob-panel">' in html
    assert re.search(r'<h1 class="ob-panel__title">You(\'|&#x27;)re signed up</h1>', html)
    assert 'href="/in-the-know/preferences/"' in html

    # Used once: the link says so, with a way to start again, and never a 500.
    used = client.post(url)
    assert used.status_code == 400
    assert tokens.TokenError.message in page(used)
    assert 'href="/in-the-know/"' in page(used)


def test_a_tampered_or_expired_link_gets_a_clear_page(client, places, monkeypatch):
    subscriber = Subscriber.objects.create(email="ann@example.com")
    token = tokens.make_token("confirm", subscriber)
    assert client.get(f"{ITK}confirm/{token[:-2]}xx/").status_code == 400
    assert client.get(f"{ITK}confirm/nonsense/").status_code == 400
    manage = tokens.make_token("manage", subscriber)
    assert client.post(f"{ITK}confirm/{manage}/").status_code == 400

    real_time = tokens.signing.time.time
    monkeypatch.setattr(tokens.signing.time, "time", lambda: real_time() + 4 * 24 * 3600)
    expired = client.post(f"{ITK}confirm/{token}/")
    assert expired.status_code == 410
    assert tokens.TokenExpired.message in page(expired)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_the_confirmed_page_needs_the_session(client):
    assert client.get(f"{ITK}confirmed/")["Location"] == ITK


# The preferences' change pages


@pytest.fixture
def member(client, places):
    subscriber = Subscriber.objects.create(
        email="ann@example.com",
        status=Subscriber.Status.ACTIVE,
        email_confirmed_at=timezone.now(),
        phone=PHONE_E164,
        phone_verified_at=timezone.now(),
        sms_day=True,
        sms_night=True,
    )
    subscriber_set_areas(subscriber=subscriber, home=AreaChoice(neighbourhood_id=places["home"].pk, postcode="DM1 1AA"))
    subscriber_set_interests(subscriber=subscriber, slugs=["crime-alerts", "business-owner"])
    session = client.session
    request = type("Request", (), {"session": session})()
    subscriber_sign_in(request, subscriber)
    session.save()
    client.cookies["sessionid"] = session.session_key
    return subscriber


@pytest.mark.parametrize("section", ["areas", "interests", "channels", "language", "demographics"])
def test_change_pages_need_the_preferences_session(client, places, section):
    assert client.get(f"{ITK}preferences/change/{section}/")["Location"] == f"{ITK}manage/"
    hub = {"areas": "other-areas", "interests": "interests", "channels": "contact", "language": "language"}
    slug = hub.get(section, "about-you")
    assert client.post(f"{ITK}preferences/change/{section}/{slug}/", {})["Location"] == f"{ITK}manage/"


def test_changing_areas_starts_on_other_areas_prefilled_and_saves_them(client, member, places):
    response = client.get(f"{ITK}preferences/change/areas/")
    assert response["Location"] == f"{ITK}preferences/change/areas/other-areas/"
    html = page(client.get(response["Location"]))
    assert "Your In the Know preferences" in html
    assert "Ashbridge" in html
    assert "Save changes" in html
    assert 'href="/in-the-know/preferences/"' in html

    post(client, "preferences/change/areas/other-areas", {"postcode": "DM2 2BB", "label": "Work", "action": "add"})
    response = post(client, "preferences/change/areas/other-areas", {"neighbourhoods": ["E02"], "action": "continue"})
    assert response["Location"] == f"{ITK}preferences/"
    member.refresh_from_db()
    assert {(a.postcode, a.label) for a in member.areas.filter(is_home=False)} == {("DM2 2BB", "Work"), ("", "")}
    assert member.home_neighbourhood == places["home"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Your areas have been updated."]


def test_changing_the_home_postcode_confirms_the_neighbourhood_then_returns_to_the_areas(client, member, places):
    client.get(f"{ITK}preferences/change/areas/")
    base = "preferences/change/areas"
    assert post(client, f"{base}/postcode", {"postcode": "DM2 2BB"})["Location"] == f"{ITK}{base}/your-neighbourhood/"
    assert post(client, f"{base}/your-neighbourhood", {})["Location"] == f"{ITK}{base}/other-areas/"
    member.refresh_from_db()
    assert member.home_neighbourhood == places["home"]  # nothing saved until the areas are saved
    post(client, f"{base}/other-areas", {"action": "continue"})
    member.refresh_from_db()
    assert member.home_neighbourhood == places["work"]


def test_changing_interests_saves_through_the_services(client, member):
    client.get(f"{ITK}preferences/change/interests/")
    html = page(client.get(f"{ITK}preferences/change/interests/interests/"))
    assert re.search(r'value="crime-alerts"[^>]*checked', html)
    response = post(client, "preferences/change/interests/interests", {"topics": ["recruitment"]})
    assert response["Location"] == f"{ITK}preferences/"
    member.refresh_from_db()
    from openbeat.subscriptions.services import interest_bits_for

    assert member.interest_bits == interest_bits_for(["recruitment"])


def test_a_new_mobile_number_is_saved_only_once_its_code_is_entered(client, member):
    client.get(f"{ITK}preferences/change/channels/")
    base = "preferences/change/channels"
    html = page(client.get(f"{ITK}{base}/contact/"))
    assert "We email you at <strong>ann@example.com</strong>" in html
    assert 'name="email"' not in html
    assert 'value="07400 123456"' in html
    data = {**contact(phone="07812 345678"), "email": ""}
    assert post(client, f"{base}/contact", data)["Location"] == f"{ITK}{base}/check-your-phone/"
    client.get(f"{ITK}{base}/check-your-phone/")
    member.refresh_from_db()
    assert member.phone == PHONE_E164
    assert "Continue without text messages" not in page(client.get(f"{ITK}{base}/check-your-phone/"))
    response = post(client, f"{base}/check-your-phone", {"code": code_sent()})
    assert response["Location"] == f"{ITK}preferences/"
    member.refresh_from_db()
    assert member.phone == "+447812345678"
    assert member.phone_verified_at is not None
    assert (member.sms_day, member.sms_night) == (False, True)


def test_removing_the_phone_stops_texts(client, member):
    client.get(f"{ITK}preferences/change/channels/")
    response = post(client, "preferences/change/channels/contact", contact())
    assert response["Location"] == f"{ITK}preferences/"
    member.refresh_from_db()
    assert (member.phone, member.phone_verified_at, member.sms_day, member.sms_night) == (None, None, False, False)


def test_changing_the_language(client, member):
    client.get(f"{ITK}preferences/change/language/")
    assert post(client, "preferences/change/language/language", {"language": "pl"})["Location"] == f"{ITK}preferences/"
    member.refresh_from_db()
    assert member.language == "pl"


def test_answers_about_you_are_changed_or_deleted_with_consent_withdrawn(client, member):
    subscriber_set_demographics(subscriber=member, age_band="18-24", wording="earlier words", source="web")
    client.get(f"{ITK}preferences/change/demographics/")
    base = "preferences/change/demographics/about-you"
    html = page(client.get(f"{ITK}{base}/"))
    assert re.search(r'value="18-24"[^>]*checked', html)
    assert "Delete my answers and withdraw consent" in html
    html = page(post(client, base, {"age_band": "25-34"}))
    assert "Tick the box to agree, or delete your answers" in html
    post(client, base, {"age_band": "25-34", "consent": ["yes"]})
    assert Demographics.objects.get(subscriber=member).age_band == "25-34"
    current = Consent.objects.get(subscriber=member, purpose="demographics", withdrawn_at__isnull=True)
    assert current.wording == DEMOGRAPHICS_CONSENT_WORDING.format(force="Demoshire Police")

    client.get(f"{ITK}preferences/change/demographics/")
    response = post(client, base, {"action": "clear"})
    assert response["Location"] == f"{ITK}preferences/"
    assert not Demographics.objects.filter(subscriber=member).exists()
    assert not Consent.objects.filter(subscriber=member, purpose="demographics", withdrawn_at__isnull=True).exists()
    assert [str(m) for m in response.wsgi_request._messages][-1] == "Your answers have been deleted."


def test_a_change_page_opened_without_its_section_starts_the_section_again(client, member):
    client.get(f"{ITK}preferences/change/interests/")
    response = client.get(f"{ITK}preferences/change/language/language/")
    assert response["Location"] == f"{ITK}preferences/change/language/"


def test_the_sign_up_draft_and_a_change_draft_do_not_mix(client, member, places):
    client.get(f"{ITK}preferences/change/areas/")
    post(client, "postcode", {"postcode": "DM2 2BB"})
    assert client.session["itk_change"]["draft"]["home"]["postcode"] == "DM1 1AA"
    assert client.session["itk_signup"]["home"]["postcode"] == "DM2 2BB"
    assert WatchedArea.objects.get(subscriber=member).postcode == "DM1 1AA"


def test_opening_the_channels_of_someone_with_an_unproved_number_texts_nothing_until_they_save(client, member):
    Subscriber.objects.filter(pk=member.pk).update(phone_verified_at=None)
    response = client.get(f"{ITK}preferences/change/channels/")
    assert response["Location"] == f"{ITK}preferences/change/channels/contact/"
    assert client.get(response["Location"]).status_code == 200
    assert sms.outbox == []
    response = post(client, "preferences/change/channels/contact", contact(phone=PHONE))
    assert response["Location"] == f"{ITK}preferences/change/channels/check-your-phone/"


def test_a_sign_up_that_came_from_a_shared_alert_records_it_as_its_source(client, places):
    alert_id = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    client.get(f"{ITK}?from=alert-{alert_id}")
    to_check(client)
    post(client, "check-your-answers", {})
    assert Subscriber.objects.get().source == "alert-" + alert_id.replace("-", "")


def test_a_made_up_source_is_not_kept(client, places):
    client.get(f"{ITK}?from=<script>")
    to_check(client)
    post(client, "check-your-answers", {})
    assert Subscriber.objects.get().source == "web"
