"""The sign-up services: signing up (and again), confirming, channels, language, and mobile codes."""

import re
import time

import pytest
from django.core import mail
from django.utils import timezone

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.audit.models import AuditEntry
from openbeat.core import sms
from openbeat.subscriptions import signup
from openbeat.subscriptions.models import Consent, Demographics, Subscriber
from openbeat.subscriptions.services import (
    AreaChoice,
    interest_bits_for,
    subscriber_set_areas,
    subscriber_set_demographics,
)

pytestmark = pytest.mark.django_db
PHONE = "+447400123456"


@pytest.fixture
def home():
    return NeighbourhoodFactory(name="Ashbridge")


def answers(home, **overrides) -> signup.SignupAnswers:
    values = {
        "email": "Ann@Example.COM",
        "home": AreaChoice(neighbourhood_id=home.pk, postcode="DM1 1AA", lat=53.5, lon=-3.0),
        "interests": ["crime-alerts", "business-owner"],
        "channels": signup.Channels(phone=PHONE, phone_verified=True, sms_when="day"),
        "language": "ur",
        "demographics": signup.DemographicAnswers(age_band="18-24", wording="These words"),
        "contact_wording": "Exactly these words",
    }
    return signup.SignupAnswers(**(values | overrides))


def test_signing_up_records_everything_and_emails_a_link(home, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = signup.subscriber_signup(answers=answers(home))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.email == "Ann@example.com"  # the domain is case-insensitive, the local part is kept
    assert subscriber.home_neighbourhood == home
    assert subscriber.interest_bits == interest_bits_for(["crime-alerts", "business-owner"])
    assert (subscriber.phone, subscriber.sms_day, subscriber.sms_night) == (PHONE, True, False)
    assert subscriber.phone_verified_at is not None
    assert subscriber.language == "ur"
    assert subscriber.source == "web"
    assert Demographics.objects.get(subscriber=subscriber).age_band == "18-24"
    assert {(c.purpose, c.wording, c.source) for c in Consent.objects.all()} == {
        ("contact", "Exactly these words", "web"),
        ("demographics", "These words", "web"),
    }
    [message] = mail.outbox
    assert message.to == ["Ann@example.com"]
    assert re.search(r"/in-the-know/confirm/[^/\s]+/", message.body)
    entry = AuditEntry.objects.get(action="subscriptions.subscriber.signup")
    assert "example" not in str(entry.data) + entry.target_label


def test_an_unverified_phone_is_kept_unverified(home):
    channels = signup.Channels(phone=PHONE, phone_verified=False)
    subscriber = signup.subscriber_signup(answers=answers(home, channels=channels, demographics=None))
    subscriber.refresh_from_db()
    assert subscriber.phone == PHONE
    assert subscriber.phone_verified_at is None
    assert not Demographics.objects.exists()


@pytest.mark.parametrize("status", [Subscriber.Status.ACTIVE, Subscriber.Status.PAUSED, Subscriber.Status.PENDING])
def test_a_taken_address_changes_nothing_and_tells_the_owner(home, status, django_capture_on_commit_callbacks):
    confirmed = timezone.now() if status != Subscriber.Status.PENDING else None
    owner = Subscriber.objects.create(email="ann@example.com", status=status, email_confirmed_at=confirmed)
    with django_capture_on_commit_callbacks(execute=True):
        result = signup.subscriber_signup(answers=answers(home))
    assert result == owner
    assert Subscriber.objects.count() == 1
    owner.refresh_from_db()
    assert (owner.status, owner.phone, owner.home_neighbourhood, owner.language) == (status, None, None, "en")
    assert not Consent.objects.exists()
    [message] = mail.outbox
    assert "/in-the-know/manage/" in message.body
    # Someone who never confirmed is given their confirmation link again.
    assert ("/in-the-know/confirm/" in message.body) == (status == Subscriber.Status.PENDING)


def test_signing_up_with_an_unsubscribed_address_changes_nothing_and_tells_the_owner_how_to_start_again(
    home, django_capture_on_commit_callbacks
):
    old = Subscriber.objects.create(email="ann@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    subscriber_set_demographics(subscriber=old, ethnicity="asian", wording="Old", source="web")
    with django_capture_on_commit_callbacks(execute=True):
        again = signup.subscriber_signup(answers=answers(home, demographics=None))
    assert again.pk == old.pk
    old.refresh_from_db()
    # A stranger typing the address cannot overwrite the stopped person's choices.
    assert old.status == Subscriber.Status.UNSUBSCRIBED
    assert old.home_neighbourhood is None
    assert Demographics.objects.filter(subscriber=old).exists()
    [message] = mail.outbox
    assert "Subscribe again" in message.body
    assert "/in-the-know/manage/" in message.body


def test_confirming_activates_once(home):
    subscriber = signup.subscriber_signup(answers=answers(home))
    assert signup.subscriber_confirm(subscriber=subscriber) is True
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.email_confirmed_at is not None
    confirmed_at = subscriber.email_confirmed_at
    assert signup.subscriber_confirm(subscriber=subscriber) is False
    subscriber.refresh_from_db()
    assert subscriber.email_confirmed_at == confirmed_at
    # Confirming records nothing new but the time: no further consent.
    assert Consent.objects.filter(subscriber=subscriber).count() == 2


def test_channels_keep_a_number_verified_only_while_it_is_the_verified_number(home):
    subscriber = Subscriber.objects.create(email="ann@example.com")
    signup.subscriber_set_channels(
        subscriber=subscriber, channels=signup.Channels(phone=PHONE, phone_verified=True, email_when="night")
    )
    verified_at = Subscriber.objects.get(pk=subscriber.pk).phone_verified_at
    assert verified_at is not None
    assert Subscriber.objects.filter(pk=subscriber.pk, email_day=False, email_night=True).exists()
    # The same number again keeps its verification time.
    signup.subscriber_set_channels(subscriber=subscriber, channels=signup.Channels(phone=PHONE, phone_verified=True))
    assert Subscriber.objects.get(pk=subscriber.pk).phone_verified_at == verified_at
    # A new number not yet verified is not verified.
    signup.subscriber_set_channels(subscriber=subscriber, channels=signup.Channels(phone="+447812345678"))
    assert Subscriber.objects.get(pk=subscriber.pk).phone_verified_at is None
    # No number: no texts at all.
    signup.subscriber_set_channels(subscriber=subscriber, channels=signup.Channels(sms_when="both"))
    stored = Subscriber.objects.get(pk=subscriber.pk)
    assert (stored.phone, stored.sms_day, stored.sms_night) == (None, False, False)


def test_an_unknown_language_is_refused():
    subscriber = Subscriber.objects.create(email="ann@example.com")
    signup.subscriber_set_language(subscriber=subscriber, language="pl")
    assert Subscriber.objects.get(pk=subscriber.pk).language == "pl"
    with pytest.raises(ValueError, match="Unknown language"):
        signup.subscriber_set_language(subscriber=subscriber, language="xx")


# Mobile codes


def send_code(store, phone=PHONE, *, callbacks) -> str:
    with callbacks(execute=True):
        signup.phone_code_send(store=store, phone=phone)
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def test_a_code_is_texted_kept_only_as_a_hash_and_works_once(django_capture_on_commit_callbacks):
    store: dict = {}
    code = send_code(store, callbacks=django_capture_on_commit_callbacks)
    assert sms.outbox[-1].to == PHONE
    assert code not in str(store)
    assert signup.phone_code_pending(store, PHONE)
    signup.phone_code_check(store=store, phone=PHONE, code=code)
    with pytest.raises(signup.PhoneCodeError):
        signup.phone_code_check(store=store, phone=PHONE, code=code)


def test_a_code_is_only_for_the_number_it_was_sent_to(django_capture_on_commit_callbacks):
    store: dict = {}
    code = send_code(store, callbacks=django_capture_on_commit_callbacks)
    assert not signup.phone_code_pending(store, "+447812345678")
    with pytest.raises(signup.PhoneCodeError):
        signup.phone_code_check(store=store, phone="+447812345678", code=code)


def test_a_code_expires_after_ten_minutes(django_capture_on_commit_callbacks, monkeypatch):
    store: dict = {}
    code = send_code(store, callbacks=django_capture_on_commit_callbacks)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 10 * 60 + 1)
    with pytest.raises(signup.PhoneCodeExpired):
        signup.phone_code_check(store=store, phone=PHONE, code=code)


def test_five_wrong_codes_use_up_the_code(django_capture_on_commit_callbacks):
    store: dict = {}
    code = send_code(store, callbacks=django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(4):
        with pytest.raises(signup.PhoneCodeWrong):
            signup.phone_code_check(store=store, phone=PHONE, code=wrong)
    with pytest.raises(signup.PhoneCodeTooManyAttempts):
        signup.phone_code_check(store=store, phone=PHONE, code=wrong)
    with pytest.raises(signup.PhoneCodeTooManyAttempts):
        signup.phone_code_check(store=store, phone=PHONE, code=code)
    # A new code starts again.
    signup.phone_code_check(
        store=store, phone=PHONE, code=send_code(store, callbacks=django_capture_on_commit_callbacks)
    )


# Drafts for the preferences' change pages


def test_a_subscribers_draft_saves_back_to_the_same_choices(home):
    subscriber = signup.subscriber_signup(answers=answers(home))
    work = NeighbourhoodFactory()
    subscriber_set_areas(
        subscriber=subscriber,
        home=AreaChoice(neighbourhood_id=home.pk, postcode="DM1 1AA"),
        extra=[AreaChoice(neighbourhood_id=work.pk, label="Work")],
    )
    before = Subscriber.objects.values().get()
    draft = signup.draft_from_subscriber(subscriber)
    assert draft["topics"] == ["crime-alerts"]
    assert draft["groups"] == ["business-owner"]
    assert draft["phone_verified"] == PHONE
    assert (draft["sms_when"], draft["email_when"]) == ("day", "both")
    for section in ("areas", "interests", "channels", "language"):
        signup.subscriber_apply_section(subscriber=subscriber, section=section, draft=draft)
    assert Subscriber.objects.values().get() == before
    assert subscriber.areas.get(is_home=False).label == "Work"
    with pytest.raises(ValueError, match="Unknown section"):
        signup.subscriber_apply_section(subscriber=subscriber, section="nonsense", draft=draft)


def test_applying_demographics_from_a_draft_keeps_or_clears_them(home):
    subscriber = signup.subscriber_signup(answers=answers(home))
    draft = signup.draft_from_subscriber(subscriber)
    draft["demographics"] = {"age_band": "", "ethnicity": "mixed", "disability": "", "wording": "Newer words"}
    signup.subscriber_apply_section(subscriber=subscriber, section="demographics", draft=draft)
    assert Demographics.objects.get().ethnicity == "mixed"
    assert Consent.objects.get(purpose="demographics", withdrawn_at__isnull=True).wording == "Newer words"
    draft["demographics"] = None
    signup.subscriber_apply_section(subscriber=subscriber, section="demographics", draft=draft)
    assert not Demographics.objects.exists()
    assert AuditEntry.objects.filter(action="subscriptions.subscriber.change").count() == 2
