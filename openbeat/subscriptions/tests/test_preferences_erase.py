"""Deleting an account erases every row about the person, and queued messages to them, leaving an audit entry
that names no one."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.core.messaging import email_send, sms_send
from openbeat.core.models import TransactionalMessage
from openbeat.subscriptions import preferences
from openbeat.subscriptions.models import Consent, Demographics, Subscriber, WatchedArea
from openbeat.subscriptions.tests.test_preferences import make_resident, sign_in

pytestmark = pytest.mark.django_db


def queue_messages(to_email: str, to_phone: str) -> None:
    email_send(
        to=to_email,
        template="subscriptions/messages/manage_link",
        context={"link": "https://example.invalid/", "hours": 24},
        purpose="test",
    )
    sms_send(to=to_phone, template="subscriptions/messages/manage_link_subject", context={}, purpose="test")


@pytest.fixture
def two_residents():
    ann = make_resident("ann@example.com", phone="+447700900123", postcode="DM1 1AB")
    bob = make_resident("bob@example.com", phone="+447700900456", postcode="DM3 3EF")
    queue_messages("ANN@example.com", "+447700900123")
    queue_messages("bob@example.com", "+447700900456")
    return ann, bob


def test_deleting_asks_first_and_says_it_cannot_be_undone(client, two_residents):
    ann, _ = two_residents
    sign_in(client, ann)
    html = client.get(reverse("subscriptions:delete")).content.decode()
    assert "This cannot be undone" in html
    assert "Delete my account and data" in html
    assert Subscriber.objects.filter(pk=ann.pk).exists()


def test_deleting_erases_every_row_and_queued_message_and_signs_out(client, two_residents):
    ann, bob = two_residents
    sign_in(client, ann)

    response = client.post(reverse("subscriptions:delete"), follow=True)

    assert response.redirect_chain == [(reverse("subscriptions:deleted"), 302)]
    assert "Your account and data have been deleted" in response.content.decode()
    assert not Subscriber.objects.filter(pk=ann.pk).exists()
    for model in (WatchedArea, Consent, Demographics):
        assert not model.objects.filter(subscriber_id=ann.pk).exists(), model
        assert model.objects.filter(subscriber=bob).exists(), model
    assert sorted(TransactionalMessage.objects.values_list("to", flat=True)) == ["+447700900456", "bob@example.com"]
    assert client.get(reverse("subscriptions:preferences")).status_code == 302


def test_the_audit_entry_names_the_account_but_holds_no_personal_data(client, two_residents):
    ann, _ = two_residents
    sign_in(client, ann)
    client.post(reverse("subscriptions:delete"))

    entry = AuditEntry.objects.get(action="subscriptions.subscriber.erase")
    assert entry.data["subscriber"] == str(ann.public_id)
    assert entry.actor is None
    assert entry.ip is None
    recorded = json.dumps(entry.data) + entry.target_label + entry.target_id + entry.actor_label
    for personal in ["ann@example.com", "+447700900123", "DM1 1AB", "45-64"]:
        assert personal.lower() not in recorded.lower()


def test_other_apps_erasers_run_in_the_same_transaction_and_a_failure_erases_nothing(two_residents, monkeypatch):
    ann, _ = two_residents
    monkeypatch.setattr(preferences, "_erasers", list(preferences._erasers))
    seen = []

    @preferences.register_eraser
    def remember(subscriber: Subscriber) -> None:
        seen.append((subscriber.pk, Subscriber.objects.filter(pk=subscriber.pk).exists()))

    preferences.register_eraser(remember)  # twice is once
    assert preferences.subscriber_erase(subscriber=ann)
    assert seen == [(ann.pk, True)]  # called once, before the row goes

    bob = Subscriber.objects.get(email="bob@example.com")

    @preferences.register_eraser
    def broken(subscriber: Subscriber) -> None:
        raise RuntimeError("the deliveries table is locked")

    with pytest.raises(RuntimeError):
        preferences.subscriber_erase(subscriber=bob)
    assert Subscriber.objects.filter(pk=bob.pk).exists()
    assert TransactionalMessage.objects.filter(to="bob@example.com").exists()
    assert not AuditEntry.objects.filter(data__subscriber=str(bob.public_id)).exists()


def test_erasing_twice_is_harmless(two_residents):
    ann, _ = two_residents
    assert preferences.subscriber_erase(subscriber=ann)
    assert not preferences.subscriber_erase(subscriber=ann)
    assert AuditEntry.objects.filter(action="subscriptions.subscriber.erase").count() == 1


def test_links_of_an_erased_subscriber_stop_working(client, two_residents, settings):
    from openbeat.subscriptions.links import preferences_link, unsubscribe_link

    settings.BASE_URL = base = "https://beat.police.example"
    ann, _ = two_residents
    manage, unsubscribe = preferences_link(ann), unsubscribe_link(ann)
    preferences.subscriber_erase(subscriber=ann)
    assert client.post(manage.removeprefix(base)).status_code == 400
    assert client.post(unsubscribe.removeprefix(base)).status_code == 400
