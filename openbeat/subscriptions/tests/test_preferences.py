"""A subscriber asks for a magic link, signs in with it, sees everything held, pauses, resumes and stops."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from django.core import mail, signing
from django.urls import reverse

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.core.models import TransactionalMessage
from openbeat.subscriptions import preferences
from openbeat.subscriptions.links import preferences_link, unsubscribe_link
from openbeat.subscriptions.models import Consent, Interest, Subscriber
from openbeat.subscriptions.services import (
    CONTACT_CONSENT_WORDING,
    DEMOGRAPHICS_CONSENT_WORDING,
    AreaChoice,
    consent_record,
    subscriber_set_areas,
    subscriber_set_demographics,
    subscriber_set_interests,
)
from openbeat.subscriptions.session import SESSION_KEY
from openbeat.subscriptions.tokens import make_token

pytestmark = pytest.mark.django_db

CONFIRMED = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
INTERESTS = [
    ("crime-alerts", "Crime alerts and appeals", "topic", 1),
    ("roads-travel", "Roads and travel", "topic", 3),
    ("cctv-owner", "CCTV owner", "group", 11),
]


def make_resident(
    email: str = "ann@example.com",
    *,
    status: str = Subscriber.Status.ACTIVE,
    phone: str | None = "+447700900123",
    postcode: str = "DM1 1AB",
    demographics: bool = True,
) -> Subscriber:
    """A subscriber with everything a resident can hold: two areas, interests, both consents, answers.

    Interests are ensured here because transactional (browser) tests flush the migrations' seed rows.
    """
    for slug, name, kind, bit in INTERESTS:
        Interest.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind, "bit": bit})
    subscriber = Subscriber.objects.create(
        email=email,
        email_confirmed_at=CONFIRMED,
        phone=phone,
        phone_verified_at=CONFIRMED if phone else None,
        status=status,
        sms_day=bool(phone),
        sms_min_priority=Subscriber.Priority.URGENT,
        language="cy",
    )
    home = NeighbourhoodFactory(name="Ingol & Cottam")
    work = NeighbourhoodFactory(name="Larches")
    subscriber_set_areas(
        subscriber=subscriber,
        home=AreaChoice(home.pk, postcode=postcode, lat=53.78, lon=-2.73, label="Home"),
        extra=[AreaChoice(work.pk, postcode="DM2 2CD", label="Work")],
    )
    subscriber_set_interests(subscriber=subscriber, slugs=["crime-alerts", "cctv-owner"])
    consent_record(
        subscriber=subscriber,
        purpose=Consent.Purpose.CONTACT,
        wording=CONTACT_CONSENT_WORDING.format(force="Demoshire Police"),
        source="web",
        given_at=CONFIRMED,
    )
    if demographics:
        subscriber_set_demographics(
            subscriber=subscriber,
            age_band="45-64",
            ethnicity="Prefer not to say",
            wording=DEMOGRAPHICS_CONSENT_WORDING.format(force="Demoshire Police"),
            source="web",
        )
    subscriber.refresh_from_db()
    return subscriber


def sign_in(client, subscriber: Subscriber) -> None:
    """Through the real magic link, as a resident would."""
    response = client.post(reverse("subscriptions:manage_link", args=[make_token("manage", subscriber)]))
    assert response.status_code == 302


def without_nonce(content: bytes) -> str:
    return re.sub(r'nonce="[^"]+"', "", content.decode())


@pytest.fixture
def resident() -> Subscriber:
    return make_resident()


# Asking for a link


def test_asking_for_a_link_emails_a_known_subscriber_a_link_that_signs_them_in(
    client, resident, django_capture_on_commit_callbacks, settings
):
    settings.BASE_URL = "https://beat.police.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subscriptions:manage"), {"email": "Ann@Example.com "})

    assert response.status_code == 302
    assert response["Location"] == reverse("subscriptions:manage_sent")
    [message] = mail.outbox
    assert message.to == ["ann@example.com"]
    assert "In the Know" in message.subject
    link = next(word for word in message.body.split() if "/in-the-know/manage/" in word)
    assert link.startswith("https://beat.police.example/in-the-know/manage/")
    assert f'href="{link}"' in message.alternatives[0].content
    path = link.removeprefix("https://beat.police.example")
    assert "works for 1 hour and only once" in message.body
    assert client.get(reverse("subscriptions:preferences")).status_code == 302  # not signed in yet
    assert client.post(path).status_code == 302
    assert client.get(reverse("subscriptions:preferences")).status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, django_capture_on_commit_callbacks):
    make_resident()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("subscriptions:manage"), {"email": "nobody@example.com"}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("subscriptions:manage"), {"email": "ann@example.com"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert without_nonce(unknown.content) == without_nonce(known.content)
    assert "If that address is subscribed" in unknown.content.decode()
    assert "works for 1 hour and only once" in unknown.content.decode()
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]


def test_someone_who_has_unsubscribed_can_still_get_a_link_to_their_data(client):
    make_resident(status=Subscriber.Status.UNSUBSCRIBED)
    client.post(reverse("subscriptions:manage"), {"email": "ann@example.com"})
    assert TransactionalMessage.objects.filter(purpose="subscriptions.manage_link").count() == 1


def test_a_mistyped_address_shows_the_error_summary_linked_to_the_field(client):
    response = client.post(reverse("subscriptions:manage"), {"email": "ann.example.com"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_email"' in html
    assert "Enter an email address in the correct format" in html
    assert 'value="ann.example.com"' in html


def test_asking_too_often_for_one_address_is_refused_even_from_other_addresses(client, resident):
    url = reverse("subscriptions:manage")
    for n in range(5):
        assert client.post(url, {"email": "ann@example.com"}, REMOTE_ADDR=f"10.0.0.{n}").status_code == 302
    refused = client.post(url, {"email": "ANN@example.com"}, REMOTE_ADDR="10.0.0.99")
    assert refused.status_code == 429
    assert TransactionalMessage.objects.count() == 5
    assert client.post(url, {"email": "other@example.com"}, REMOTE_ADDR="10.0.0.98").status_code == 302


def test_asking_too_often_from_one_address_is_refused_whatever_the_email(client):
    url = reverse("subscriptions:manage")
    for n in range(5):
        assert client.post(url, {"email": f"person{n}@example.com"}).status_code == 302
    assert client.post(url, {"email": "someone-else@example.com"}).status_code == 429
    assert client.get(url).status_code == 200  # reading the page is not limited


# Signing in with the link


def test_opening_the_link_only_shows_a_button_so_scanners_sign_nobody_in(client, resident):
    url = reverse("subscriptions:manage_link", args=[make_token("manage", resident)])
    response = client.get(url)
    assert response.status_code == 200
    assert "Continue to your preferences" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_continuing_signs_in_and_takes_the_token_out_of_the_address_bar(client, resident):
    url = reverse("subscriptions:manage_link", args=[make_token("manage", resident)])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("subscriptions:preferences")
    assert client.session[SESSION_KEY]["id"] == resident.pk


def test_the_preferences_link_in_messages_is_absolute_and_opens_its_page_without_signing_in(client, resident, settings):
    settings.BASE_URL = "https://beat.police.example/"
    link = preferences_link(resident)
    assert link.startswith("https://beat.police.example/in-the-know/manage/options/")
    assert client.get(link.removeprefix("https://beat.police.example")).status_code == 200
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_with_a_way_to_ask_for_a_new_one(client, resident, method):
    token = make_token("manage", resident)
    response = getattr(client, method)(reverse("subscriptions:manage_link", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert reverse("subscriptions:manage") in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_expired_link_says_so_with_status_410(client, resident, monkeypatch):
    day_ago = int(time.time()) - 25 * 3600
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(day_ago))
    token = make_token("manage", resident)
    monkeypatch.undo()

    response = client.post(reverse("subscriptions:manage_link", args=[token]))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("purpose", ["unsubscribe", "confirm"])
def test_a_link_made_for_another_purpose_does_not_sign_in(client, resident, purpose):
    response = client.post(reverse("subscriptions:manage_link", args=[make_token(purpose, resident)]))
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


# The session


def test_every_preferences_page_needs_the_session(client, resident):
    for name, method in [
        ("preferences", "get"),
        ("pause", "post"),
        ("resume", "post"),
        ("stop", "post"),
        ("stopped", "get"),
        ("resubscribe", "get"),
        ("export_json", "get"),
        ("export_csv", "get"),
        ("delete", "get"),
        ("delete", "post"),
    ]:
        response = getattr(client, method)(reverse(f"subscriptions:{name}"))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("subscriptions:manage") + "?signed-out=1", name
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE
    assert "Ask for a new link" in client.get(reverse("subscriptions:manage") + "?signed-out=1").content.decode()


def test_the_session_ends_after_its_time(client, resident):
    sign_in(client, resident)
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "until": time.time() - 1}
    session.save()
    response = client.get(reverse("subscriptions:preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("subscriptions:manage"))


def test_signing_out_ends_the_session(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("subscriptions:sign_out"), follow=True)
    assert "You have signed out" in response.content.decode()
    assert client.get(reverse("subscriptions:preferences")).status_code == 302


def test_preferences_pages_are_never_cached(client, resident):
    sign_in(client, resident)
    response = client.get(reverse("subscriptions:preferences"))
    assert "no-store" in response["Cache-Control"]


# The preferences page


def test_the_preferences_page_shows_everything_held(client, resident):
    sign_in(client, resident)
    html = client.get(reverse("subscriptions:preferences")).content.decode()

    for text in [
        "ann@example.com",
        "+447700900123",
        "Verified",
        "Home: DM1 1AB, Ingol &amp; Cottam",
        "Work: DM2 2CD, Larches",
        "Crime alerts and appeals",
        "CCTV owner",
        "Day and night: all messages",  # email
        "Daytime only: urgent and emergency messages",  # text messages
        "Cymraeg (Welsh)",
        "Age: 45-64",
        "Ethnicity: Prefer not to say",
        "Disability: not given",
        "Given on 1 October 2026",
        "Active: you get messages",
    ]:
        assert text in html, text
    assert "Roads and travel" not in html


def test_optional_questions_not_answered_say_so(client):
    subscriber = make_resident(demographics=False, phone=None)
    sign_in(client, subscriber)
    html = client.get(reverse("subscriptions:preferences")).content.decode()
    assert "Age:" not in html
    assert html.count("Not given") == 2  # the mobile phone and the optional questions


def test_the_preferences_page_links_to_each_section_to_change(client, resident):
    sign_in(client, resident)
    html = client.get(reverse("subscriptions:preferences")).content.decode()
    for name in ["change_areas", "change_interests", "change_channels", "change_language", "change_demographics"]:
        assert f'href="{reverse(f"subscriptions:{name}")}"' in html, name


# Pause, resume, stop, start again


def test_pausing_and_resuming(client, resident):
    sign_in(client, resident)

    paused = client.post(reverse("subscriptions:pause"), follow=True)
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.PAUSED
    assert "Your messages are paused" in paused.content.decode()
    assert "Resume messages" in paused.content.decode()

    resumed = client.post(reverse("subscriptions:resume"), follow=True)
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE
    assert "Your messages have started again" in resumed.content.decode()


def test_pausing_does_not_bring_back_someone_who_has_unsubscribed(resident):
    preferences.subscriber_unsubscribe(subscriber=resident)
    assert not preferences.subscriber_pause(subscriber=resident)
    assert not preferences.subscriber_resume(subscriber=resident)
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.UNSUBSCRIBED


def test_stopping_everything_in_one_click_withdraws_consent_and_says_what_is_left(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("subscriptions:stop"), follow=True)

    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.UNSUBSCRIBED
    consent = Consent.objects.get(subscriber=resident, purpose=Consent.Purpose.CONTACT)
    assert consent.withdrawn_at is not None
    assert Consent.objects.get(subscriber=resident, purpose=Consent.Purpose.DEMOGRAPHICS).withdrawn_at is None
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("subscriptions:stopped"), 302)]
    assert "You have unsubscribed" in html
    assert "download your data" in html
    assert "delete your account and data" in html
    assert "subscribe again" in html


def test_someone_who_has_unsubscribed_still_sees_their_data_without_change_links(client, resident):
    preferences.subscriber_unsubscribe(subscriber=resident)
    sign_in(client, resident)
    html = client.get(reverse("subscriptions:preferences")).content.decode()
    assert "Unsubscribed: you get no messages" in html
    assert "Subscribe again" in html
    assert "Download your data as JSON" in html
    assert ">Change<" not in html
    assert "Stop all messages" not in html


def test_subscribing_again_needs_agreement_and_records_it_in_the_words_shown(client, resident):
    preferences.subscriber_unsubscribe(subscriber=resident)
    sign_in(client, resident)
    url = reverse("subscriptions:resubscribe")

    refused = client.post(url, {})
    assert refused.status_code == 200
    assert "Select that you agree to get messages again" in refused.content.decode()
    assert 'href="#id_agree_0"' in refused.content.decode()

    wording = CONTACT_CONSENT_WORDING.format(force="Demoshire Police")
    assert wording in client.get(url).content.decode()
    response = client.post(url, {"agree": ["yes"]})
    assert response["Location"] == reverse("subscriptions:preferences")
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE
    current = Consent.objects.get(subscriber=resident, purpose=Consent.Purpose.CONTACT, withdrawn_at=None)
    assert current.wording == wording
    assert current.source == "preferences"


def test_subscribing_again_is_only_for_people_who_have_unsubscribed(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("subscriptions:resubscribe"), {"agree": ["yes"]})
    assert response["Location"] == reverse("subscriptions:preferences")
    assert Consent.objects.filter(subscriber=resident, purpose=Consent.Purpose.CONTACT).count() == 1


def test_the_unsubscribe_link_in_messages_is_absolute(resident, settings):
    settings.BASE_URL = "https://beat.police.example"
    assert unsubscribe_link(resident).startswith("https://beat.police.example/in-the-know/unsubscribe/")


def test_the_preferences_link_in_a_message_still_works_weeks_later(client, monkeypatch):
    import time as time_module

    from openbeat.subscriptions.links import preferences_link

    subscriber = make_resident()
    link = preferences_link(subscriber)
    real_time = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real_time() + 30 * 24 * 3600)
    response = client.post(link.removeprefix("http://127.0.0.1:8000"), {"action": "pause"})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PAUSED
    assert SESSION_KEY not in client.session
