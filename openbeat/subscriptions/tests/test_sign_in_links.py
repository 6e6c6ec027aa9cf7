"""Sign-in links are short-lived and work once; the link in every message opens no session and can only pause,
resume or stop messages, or email a fresh sign-in link to the subscriber's own address. Every lifetime a
page or an email states is the one the code checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from openbeat.core.models import UsedLink
from openbeat.subscriptions import tokens
from openbeat.subscriptions.links import preferences_link, sign_in_link, unsubscribe_link
from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.session import SESSION_KEY
from openbeat.subscriptions.tests.test_preferences import make_resident

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def resident() -> Subscriber:
    return make_resident()


def sign_in_url(subscriber: Subscriber) -> str:
    return reverse("subscriptions:manage_link", args=[tokens.make_token("manage", subscriber)])


def options_url(subscriber: Subscriber) -> str:
    return preferences_link(subscriber).removeprefix(BASE)


def signed_at(token: str) -> datetime:
    _, stamp = tokens._unsign("manage", token)
    return datetime.fromtimestamp(stamp, tz=UTC)


def emailed_link(message: mail.EmailMessage) -> str:
    match = re.search(re.escape(BASE) + r"(/in-the-know/manage/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


# Single use


def test_a_sign_in_link_works_once_and_is_refused_the_second_time(resident):
    url = sign_in_url(resident)
    first = Client()
    assert first.post(url)["Location"] == reverse("subscriptions:preferences")
    assert first.session[SESSION_KEY]["id"] == resident.pk

    second = Client()  # someone else with the same link (a forwarded email, a shared machine's history)
    refused = second.post(url)
    html = refused.content.decode()
    assert refused.status_code == 410
    assert "This link has already been used" in html
    assert "Send me a new link" in html
    assert SESSION_KEY not in second.session
    # Opening it again shows the same, before any button is pressed.
    assert "This link has already been used" in second.get(url).content.decode()


def test_opening_the_link_does_not_use_it_up_so_a_mail_scanner_cannot_spend_it(client, resident):
    url = sign_in_url(resident)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert not UsedLink.objects.exists()
    assert client.post(url).status_code == 302


def test_using_a_link_twice_at_the_service_level_is_refused(resident):
    token = tokens.make_token("manage", resident)
    assert tokens.sign_in_link_use(token) == resident
    with pytest.raises(tokens.TokenUsed):
        tokens.sign_in_link_use(token)
    # Only a hash of the token is kept, never the token or whose it was.
    (used,) = UsedLink.objects.all()
    assert token not in used.token_hash
    assert used.expires_at == signed_at(token) + timedelta(hours=1)


def test_two_links_asked_for_in_the_same_second_are_two_links(resident):
    first, second = tokens.make_token("manage", resident), tokens.make_token("manage", resident)
    assert first != second
    tokens.sign_in_link_use(first)
    assert tokens.sign_in_link_use(second) == resident


def test_records_of_used_links_are_deleted_once_the_links_would_have_expired(resident, monkeypatch):
    tokens.sign_in_link_use(tokens.make_token("manage", resident))
    real_time = tokens.time.time
    monkeypatch.setattr(tokens.time, "time", lambda: real_time() + 2 * 3600)
    later = tokens.make_token("manage", resident)
    tokens.sign_in_link_use(later)
    (kept,) = UsedLink.objects.all()
    assert kept.expires_at == signed_at(later) + timedelta(hours=1)


# Short-lived


def test_a_sign_in_link_expires_after_the_setting(resident, settings):
    token = tokens.make_token("manage", resident)
    made = signed_at(token)
    assert tokens.read_token("manage", token, now=made + timedelta(minutes=59)) == resident
    with pytest.raises(tokens.TokenExpired):
        tokens.read_token("manage", token, now=made + timedelta(minutes=61))

    settings.SUBSCRIBER_SIGN_IN_LINK_MINUTES = 15
    assert tokens.read_token("manage", token, now=made + timedelta(minutes=14)) == resident
    with pytest.raises(tokens.TokenExpired):
        tokens.read_token("manage", token, now=made + timedelta(minutes=16))
    with pytest.raises(tokens.TokenExpired):
        tokens.sign_in_link_use(token, now=made + timedelta(minutes=16))
    assert not UsedLink.objects.exists()


def test_an_expired_link_offers_to_send_a_fresh_one_to_the_subscribers_own_address(
    client, resident, monkeypatch, django_capture_on_commit_callbacks
):
    url = sign_in_url(resident)
    real_time = tokens.time.time
    monkeypatch.setattr(tokens.time, "time", lambda: real_time() + 61 * 60)
    expired = client.post(url)
    html = expired.content.decode()
    assert expired.status_code == 410
    assert "This link has expired" in html
    assert "the email address you subscribed with" in html
    assert "ann@example.com" not in html
    assert SESSION_KEY not in client.session

    renew = reverse("subscriptions:manage_link_renew", args=[url.split("/")[-2]])
    assert f'action="{renew}"' in html
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(renew)
    assert sent["Location"] == reverse("subscriptions:manage_sent") + "?own=1"
    (message,) = mail.outbox
    assert message.to == ["ann@example.com"]
    fresh = emailed_link(message)
    assert fresh != url
    assert client.post(fresh)["Location"] == reverse("subscriptions:preferences")


def test_a_tampered_link_cannot_ask_for_a_fresh_one(client, resident):
    token = tokens.make_token("manage", resident)
    response = client.post(reverse("subscriptions:manage_link_renew", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "Send me a new link" not in response.content.decode()
    assert not mail.outbox


# The link in every message


def test_the_link_in_a_message_opens_no_session_and_cannot_download_or_delete(client, resident):
    url = options_url(resident)
    page = client.get(url)
    assert page.status_code == 200
    for action in ("pause", "sign-in"):
        client.post(url, {"action": action})
    assert SESSION_KEY not in client.session
    assert client.get(reverse("subscriptions:preferences")).status_code == 302
    for name, method in [("export_json", "get"), ("export_csv", "get"), ("delete", "post")]:
        response = getattr(client, method)(reverse(f"subscriptions:{name}"))
        assert response["Location"] == reverse("subscriptions:manage") + "?signed-out=1", name
    html = page.content.decode()
    assert reverse("subscriptions:export_json") not in html
    assert reverse("subscriptions:delete") not in html
    assert Subscriber.objects.filter(pk=resident.pk).exists()


def test_the_message_link_is_not_a_sign_in_link(client, resident):
    token = tokens.make_token("preferences", resident)
    with pytest.raises(tokens.TokenError):
        tokens.read_token("manage", token)
    # A link in an alert email sent before message links had their own page still works, as a message link.
    response = client.post(reverse("subscriptions:manage_link", args=[token]))
    assert response["Location"] == reverse("subscriptions:message_options", args=[token])
    assert SESSION_KEY not in client.session


def test_the_message_link_page_shows_nothing_personal(client, resident):
    html = client.get(options_url(resident)).content.decode()
    for personal in ["ann@example.com", "+447700900123", "DM1 1AB", "Ingol", "Crime alerts", "45-64"]:
        assert personal not in html, personal


def test_the_message_link_pauses_resumes_and_stops_messages(client, resident):
    url = options_url(resident)
    assert "Pause all messages" in client.get(url).content.decode()

    paused = client.post(url, {"action": "pause"}, follow=True)
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.PAUSED
    assert "Your messages are paused" in paused.content.decode()
    assert "Resume messages" in paused.content.decode()

    client.post(url, {"action": "resume"})
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE

    stopped = client.post(url, {"action": "stop"}, follow=True)
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.UNSUBSCRIBED
    assert "You have unsubscribed" in stopped.content.decode()
    assert "Email me a link to sign in" in stopped.content.decode()


def test_the_message_link_emails_a_fresh_sign_in_link_to_the_subscribers_own_address(
    client, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(options_url(resident), {"action": "sign-in", "email": "someone@else.example"})
    assert response["Location"] == reverse("subscriptions:manage_sent") + "?own=1"
    sent = client.get(response["Location"]).content.decode()
    assert "to the email address you subscribed with" in sent
    (message,) = mail.outbox
    assert message.to == ["ann@example.com"]
    link = emailed_link(message)
    assert link.startswith("/in-the-know/manage/")
    assert "/options/" not in link
    assert client.post(link)["Location"] == reverse("subscriptions:preferences")
    assert client.session[SESSION_KEY]["id"] == resident.pk


def test_asking_for_sign_in_links_from_a_message_is_limited_per_subscriber(client, resident):
    url = options_url(resident)
    statuses = [client.post(url, {"action": "sign-in"}, REMOTE_ADDR=f"10.0.1.{n}").status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]


def test_the_message_link_page_needs_its_csrf_token(resident):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(options_url(resident), {"action": "stop"}).status_code == 403
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE


def test_one_click_unsubscribe_still_needs_no_session_or_csrf_token(resident):
    mail_client = Client(enforce_csrf_checks=True)
    path = unsubscribe_link(resident).removeprefix(BASE)
    response = mail_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.UNSUBSCRIBED


def test_an_expired_message_link_offers_a_fresh_sign_in_link(client, resident, monkeypatch):
    url = options_url(resident)
    real_time = tokens.time.time
    monkeypatch.setattr(tokens.time, "time", lambda: real_time() + 61 * 24 * 3600)
    response = client.get(url)
    assert response.status_code == 410
    assert "Send me a new link" in response.content.decode()
    assert client.post(url, {"action": "stop"}).status_code == 410
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE


# What pages and emails say


@pytest.mark.parametrize(("minutes", "words"), [(60, "1 hour"), (30, "30 minutes"), (120, "2 hours")])
def test_pages_and_emails_state_the_lifetime_the_code_checks(
    client, resident, settings, django_capture_on_commit_callbacks, minutes, words
):
    settings.SUBSCRIBER_SIGN_IN_LINK_MINUTES = minutes
    stated = f"works for {words} and only once"
    assert stated in client.get(reverse("subscriptions:manage")).content.decode()
    assert stated in client.get(options_url(resident)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subscriptions:manage"), {"email": "ann@example.com"}, follow=True)
    (message,) = mail.outbox
    assert stated in message.body
    assert stated in message.alternatives[0].content
    assert stated in client.get(reverse("subscriptions:manage_sent")).content.decode()
    for text in (message.body, client.get(reverse("subscriptions:manage_sent")).content.decode()):
        assert "24 hours" not in text
    # The link the email carries lives exactly that long.
    token = emailed_link(message).split("/")[-2]
    made = signed_at(token)
    assert tokens.read_token("manage", token, now=made + timedelta(minutes=minutes) - timedelta(seconds=1))
    with pytest.raises(tokens.TokenExpired):
        tokens.read_token("manage", token, now=made + timedelta(minutes=minutes, seconds=1))


def test_the_session_lifetime_stated_is_the_sessions(client, resident):
    html = client.get(sign_in_url(resident)).content.decode()
    assert "signed in on this device for 1 hour" in html


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(days=3), "3 days"),
        (timedelta(days=1), "1 day"),
        (timedelta(seconds=45), "45 seconds"),
    ],
)
def test_durations_in_words(duration, words):
    assert tokens.duration_text(duration) == words


def test_the_email_after_a_second_sign_up_states_the_sign_in_lifetime(client, resident, settings):
    from openbeat.subscriptions.signup import _duplicate_notice

    settings.SUBSCRIBER_SIGN_IN_LINK_MINUTES = 45
    _duplicate_notice(resident)
    from openbeat.core.models import TransactionalMessage

    message = TransactionalMessage.objects.get(purpose="subscriptions.duplicate_signup")
    assert "works for 45 minutes and only once" in message.body_text
    assert "works for 45 minutes and only once" in message.body_html
    link = re.search(r"/in-the-know/manage/\S+/", message.body_text)
    assert link
    assert client.post(link.group(0))["Location"] == reverse("subscriptions:preferences")


def test_the_sign_in_link_helper_is_absolute(resident, settings):
    settings.BASE_URL = "https://beat.police.example"
    assert sign_in_link(resident).startswith("https://beat.police.example/in-the-know/manage/")
