"""One-click unsubscribe from the link in every message, and from a mail client's button (RFC 8058)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from openbeat.subscriptions.links import unsubscribe_link
from openbeat.subscriptions.models import Consent, Subscriber
from openbeat.subscriptions.tests.test_preferences import make_resident
from openbeat.subscriptions.tokens import make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident() -> Subscriber:
    return make_resident()


def url_for(subscriber: Subscriber) -> str:
    return reverse("subscriptions:unsubscribe", args=[make_token("unsubscribe", subscriber)])


def contact_consent(subscriber: Subscriber) -> Consent:
    return Consent.objects.get(subscriber=subscriber, purpose=Consent.Purpose.CONTACT)


def test_a_mail_clients_one_click_post_unsubscribes_without_session_or_csrf_token(resident, settings):
    settings.BASE_URL = "https://beat.police.example"
    mail_client = Client(enforce_csrf_checks=True)
    path = unsubscribe_link(resident).removeprefix("https://beat.police.example")

    response = mail_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.UNSUBSCRIBED
    assert contact_consent(resident).withdrawn_at is not None
    assert "sessionid" not in response.cookies


def test_opening_the_link_only_asks_so_link_scanners_unsubscribe_nobody(client, resident):
    response = client.get(url_for(resident))
    assert response.status_code == 200
    assert (
        '<button type="submit" class="ob-button ob-button--warning">Unsubscribe</button>' in response.content.decode()
    )
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE


def test_pressing_unsubscribe_in_the_browser_confirms_and_points_to_the_data(resident):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(url_for(resident))
    html = response.content.decode()
    assert response.status_code == 200
    assert "You have unsubscribed" in html
    assert reverse("subscriptions:manage") in html
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribing_again_changes_nothing(client, resident):
    client.post(url_for(resident))
    withdrawn = contact_consent(resident).withdrawn_at
    assert "already unsubscribed" in client.get(url_for(resident)).content.decode()
    assert client.post(url_for(resident)).status_code == 200
    assert contact_consent(resident).withdrawn_at == withdrawn


@pytest.mark.parametrize("purpose", ["manage", "confirm"])
def test_a_link_for_another_purpose_or_tampered_unsubscribes_nobody(client, resident, purpose):
    assert client.post(reverse("subscriptions:unsubscribe", args=[make_token(purpose, resident)])).status_code == 400
    assert client.post(url_for(resident)[:-3] + "xx/").status_code == 400
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.ACTIVE


def test_other_forms_still_need_their_csrf_token(resident):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(reverse("subscriptions:manage"), {"email": "ann@example.com"}).status_code == 403
