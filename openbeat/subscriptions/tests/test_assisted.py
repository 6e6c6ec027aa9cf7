"""The contact centre's services: finding a subscriber exactly, auditing without contact details, and changes
made on a resident's behalf (their say-so required, the usual service used, a record kept, the resident told)."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.core import mail

from openbeat.areas.tests.factories import PostcodeFactory
from openbeat.audit.models import AuditEntry
from openbeat.core import sms
from openbeat.core.messaging import from_header
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user
from openbeat.subscriptions import assisted, preferences, signup
from openbeat.subscriptions.assisted import CONSENT_STATEMENT, ConsentMissing, Kind
from openbeat.subscriptions.forms_contact_centre import LookupForm
from openbeat.subscriptions.models import AssistedChange, Subscriber
from openbeat.subscriptions.services import AreaChoice, interest_slugs_of
from openbeat.subscriptions.tests.test_preferences import make_resident

pytestmark = pytest.mark.django_db

NOTE = "Ann Smith called at 14:20"


@pytest.fixture
def agent():
    return staff_user(roles.CONTACT_CENTRE, username="agent", first_name="Kim", last_name="Lee")


@pytest.fixture
def ann() -> Subscriber:
    return make_resident("Ann@example.com")


def look_up(text: str, actor) -> Subscriber | None:
    form = LookupForm({"query": text})
    if not form.is_valid():
        return None
    return assisted.subscriber_look_up(by=form.cleaned_data["by"], value=form.cleaned_data["value"], actor=actor)


# Finding


@pytest.mark.parametrize("typed", ["Ann@example.com", "ann@EXAMPLE.com", "  ANN@Example.Com ", "ann@example.com"])
def test_an_address_is_found_whatever_its_case(ann, agent, typed):
    assert look_up(typed, agent) == ann


@pytest.mark.parametrize(
    "typed", ["07700 900123", "07700900123", "+44 7700 900123", "+447700900123", "(07700) 900-123"]
)
def test_a_mobile_number_is_found_however_it_is_written(ann, agent, typed):
    assert look_up(typed, agent) == ann


@pytest.mark.parametrize(
    "typed",
    [
        "ann",
        "ann@",
        "ann@example",
        "nn@example.com",
        "ann@example.co",
        "%@example.com",
        "_nn@example.com",
        "a%",
        "900123",
        "07700 9001",
    ],
)
def test_part_of_an_address_or_number_finds_nobody(ann, agent, typed):
    assert look_up(typed, agent) is None


def test_the_form_refuses_what_is_neither_an_address_nor_a_number():
    form = LookupForm({"query": "ann smith"})

    assert not form.is_valid()
    assert form.error_list() == [("#id_query", "Enter a whole email address, or a UK mobile number like 07700 900 982")]


def test_audit_entries_say_a_search_happened_and_whether_it_matched_but_not_what_was_searched(ann, agent):
    look_up("ann@example.com", agent)
    look_up("07700 900123", agent)
    look_up("bob@example.com", agent)
    assisted.subscriber_view_record(subscriber=ann, actor=agent)
    assisted.assisted_set_language(subscriber=ann, language="pl", actor=agent, consent=True, note=NOTE)

    searches = list(AuditEntry.objects.filter(action="subscriptions.subscriber.look_up").order_by("pk"))
    assert [(e.data["by"], e.data["matched"], e.target_id) for e in searches] == [
        ("email", True, str(ann.pk)),
        ("phone", True, str(ann.pk)),
        ("email", False, ""),
    ]
    assert searches[0].data["searched"] == assisted.lookup_key(by="email", value="ann@example.com")
    assert searches[0].actor == agent
    everything = json.dumps([[e.data, e.target_label, e.actor_label] for e in AuditEntry.objects.all()]).lower()
    for secret in ("ann@", "bob@", "example.com", "7700", "900123", "ann smith"):
        assert secret not in everything


# Changes on the resident's behalf


@pytest.mark.parametrize(("consent", "note"), [(False, NOTE), (True, ""), (True, "   ")])
def test_nothing_changes_without_the_residents_say_so(ann, agent, consent, note):
    before = ann.interest_bits
    with pytest.raises(ConsentMissing):
        assisted.assisted_set_interests(subscriber=ann, slugs=["roads-travel"], actor=agent, consent=consent, note=note)

    ann.refresh_from_db()
    assert ann.interest_bits == before
    assert not AssistedChange.objects.exists()
    assert not AuditEntry.objects.filter(action="subscriptions.subscriber.assisted_change").exists()


def _areas_change(ann):
    place = PostcodeFactory(postcode="DM9 9ZZ")
    return {"home": AreaChoice(place.neighbourhood_id, postcode="DM9 9ZZ"), "extra": []}


CHANGES = [
    (assisted.assisted_set_interests, "subscriber_set_interests", assisted, lambda s: {"slugs": ["roads-travel"]}),
    (assisted.assisted_set_areas, "subscriber_set_areas", assisted, _areas_change),
    (
        assisted.assisted_set_channels,
        "subscriber_set_channels",
        signup,
        lambda s: {"channels": signup.Channels(email_when="day", phone="+447700900123", phone_verified=True)},
    ),
    (assisted.assisted_set_language, "subscriber_set_language", signup, lambda s: {"language": "pl"}),
    (assisted.assisted_stop_texts, "subscriber_set_channels", signup, lambda s: {}),
    (assisted.assisted_unsubscribe, "subscriber_unsubscribe", preferences, lambda s: {}),
    (assisted.assisted_send_link, "sign_in_link_send", preferences, lambda s: {}),
]


@pytest.mark.parametrize(
    ("service", "existing", "module", "arguments"), CHANGES, ids=[c[1] + "-" + c[0].__name__ for c in CHANGES]
)
def test_each_change_goes_through_the_usual_service_and_is_recorded(ann, agent, service, existing, module, arguments):
    real = getattr(module, existing)
    with mock.patch.object(module, existing, wraps=real) as spy:
        change = service(subscriber=ann, actor=agent, consent=True, note=f"  {NOTE} ", **arguments(ann))

    spy.assert_called_once()
    assert spy.call_args.kwargs["subscriber"] == ann
    assert (change.subscriber, change.staff, change.staff_label) == (ann, agent, "Kim Lee")
    assert (change.consent_statement, change.note) == (CONSENT_STATEMENT, NOTE)
    [entry] = AuditEntry.objects.filter(action="subscriptions.subscriber.assisted_change")
    assert (entry.actor, entry.target_id) == (agent, str(ann.pk))
    assert entry.data == {"change": change.kind, "assisted_change": change.pk, "notice_sent": True}


def test_the_changes_themselves_are_made(ann, agent):
    assisted.assisted_set_interests(subscriber=ann, slugs=["roads-travel"], actor=agent, consent=True, note=NOTE)
    assisted.assisted_set_language(subscriber=ann, language="pl", actor=agent, consent=True, note=NOTE)
    assisted.assisted_stop_texts(subscriber=ann, actor=agent, consent=True, note=NOTE)

    ann.refresh_from_db()
    assert interest_slugs_of(ann) == ["roads-travel"]
    assert ann.language == "pl"
    assert (ann.phone, ann.sms_day, ann.email_day) == (None, False, True)
    assisted.assisted_unsubscribe(subscriber=ann, actor=agent, consent=True, note=NOTE)
    ann.refresh_from_db()
    assert ann.status == Subscriber.Status.UNSUBSCRIBED


def test_a_new_number_given_on_the_phone_is_not_verified(ann, agent):
    channels = signup.Channels(phone="+447700900999", phone_verified=False)
    change = assisted.assisted_set_channels(subscriber=ann, channels=channels, actor=agent, consent=True, note=NOTE)

    ann.refresh_from_db()
    assert (ann.phone, ann.phone_verified_at) == ("+447700900999", None)
    assert "not yet verified" in change.summary


def test_the_resident_is_emailed_a_notice_from_the_forces_address(
    ann, agent, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.BASE_URL = "https://beat.police.example"
    with django_capture_on_commit_callbacks(execute=True):
        assisted.assisted_set_interests(subscriber=ann, slugs=["roads-travel"], actor=agent, consent=True, note=NOTE)

    [message] = smtp_server.messages
    assert message["To"] == "Ann@example.com"
    assert message["From"] == from_header()
    assert "changed by our contact centre" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Interests are now: Roads and travel." in text
    assert "If you did not ask for this" in text
    assert "https://beat.police.example/in-the-know/" in text
    assert NOTE not in text  # the note is for staff
    assert AssistedChange.objects.get().notice_sent


def test_a_resident_without_email_is_told_by_text(agent, django_capture_on_commit_callbacks):
    resident = make_resident("ann@example.com")
    Subscriber.objects.filter(pk=resident.pk).update(email=None)
    resident.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assisted.assisted_set_language(subscriber=resident, language="cy", actor=agent, consent=True, note=NOTE)

    [text] = sms.outbox
    assert text.to == "+447700900123"
    assert "contact centre changed your In the Know choices" in text.body


def test_sending_a_link_confirms_a_pending_address_or_signs_in_a_confirmed_one(
    agent, django_capture_on_commit_callbacks
):
    pending = make_resident("pat@example.com", status=Subscriber.Status.PENDING)
    Subscriber.objects.filter(pk=pending.pk).update(email_confirmed_at=None)
    pending.refresh_from_db()
    confirmed = make_resident("ann@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assisted.assisted_send_link(subscriber=pending, actor=agent, consent=True, note=NOTE)
        assisted.assisted_send_link(subscriber=confirmed, actor=agent, consent=True, note=NOTE)

    assert [(m.to, "/in-the-know/confirm/" in m.body, "/in-the-know/manage/" in m.body) for m in mail.outbox] == [
        (["pat@example.com"], True, False),
        (["ann@example.com"], False, True),
    ]


def test_starting_an_erasure_emails_a_link_to_confirm_and_deletes_nothing(
    ann, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = assisted.assisted_erasure_start(subscriber=ann, actor=agent, consent=True, note=NOTE)

    [message] = mail.outbox
    assert message.to == ["Ann@example.com"]
    assert "Delete your account and data" in message.body
    assert "/in-the-know/manage/" in message.body
    assert Subscriber.objects.filter(pk=ann.pk).exists()
    assert (change.kind, change.notice_sent) == (Kind.ERASURE_START, True)


def test_erasing_the_subscriber_takes_the_notes_about_them_too(ann, agent):
    assisted.assisted_set_language(subscriber=ann, language="pl", actor=agent, consent=True, note=NOTE)

    preferences.subscriber_erase(subscriber=ann)

    assert not AssistedChange.objects.exists()


def test_recent_messages_come_from_the_registered_sources_newest_first(ann, agent):
    from openbeat.delivery.models import Channel, Delivery
    from openbeat.delivery.tests.feedback_world import alert_in

    old = Delivery.objects.create(alert=alert_in(None), subscriber=ann, channel=Channel.EMAIL, state="delivered")
    new = Delivery.objects.create(alert=alert_in(None), subscriber=ann, channel=Channel.SMS, state="permanent-failure")
    Delivery.objects.filter(pk=old.pk).update(created_at="2026-01-01T00:00:00Z")

    sent = assisted.recent_messages(ann)

    assert [(m.title, m.channel, m.state) for m in sent] == [
        (new.alert.title, "SMS", "Permanent failure"),
        (old.alert.title, "Email", "Delivered"),
    ]
