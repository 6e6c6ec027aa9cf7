"""The subscriber write services (derived columns, areas, consents, demographics) and the signed resident links."""

import time

import pytest
from django.core import signing
from django.utils import timezone

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.subscriptions import tokens
from openbeat.subscriptions.models import Consent, Demographics, Interest, Subscriber, WatchedArea
from openbeat.subscriptions.services import (
    MAX_EXTRA_AREAS,
    AreaChoice,
    consent_record,
    consent_withdraw,
    interest_bits_for,
    interest_slugs_of,
    subscriber_clear_demographics,
    subscriber_set_areas,
    subscriber_set_demographics,
    subscriber_set_interests,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber():
    return Subscriber.objects.create(email="ann@example.com")


def bit(slug: str) -> int:
    return 1 << Interest.objects.get(slug=slug).bit


# Interests: the bitmask on the subscriber row


def test_interest_bits_are_the_sum_of_each_interests_bit():
    assert interest_bits_for([]) == 0
    assert interest_bits_for(["crime-alerts", "business-owner"]) == bit("crime-alerts") | bit("business-owner")


def test_unknown_or_inactive_interests_are_refused():
    Interest.objects.filter(slug="recruitment").update(active=False)
    with pytest.raises(ValueError, match="nonsense"):
        interest_bits_for(["crime-alerts", "nonsense"])
    with pytest.raises(ValueError, match="recruitment"):
        interest_bits_for(["recruitment"])


def test_setting_interests_writes_the_bitmask_to_the_row_and_reads_back(subscriber):
    subscriber_set_interests(subscriber=subscriber, slugs=["roads-travel", "cctv-owner"])
    stored = Subscriber.objects.get(pk=subscriber.pk)
    assert stored.interest_bits == bit("roads-travel") | bit("cctv-owner")
    assert sorted(interest_slugs_of(stored)) == ["cctv-owner", "roads-travel"]
    subscriber_set_interests(subscriber=subscriber, slugs=["recruitment"])
    assert Subscriber.objects.get(pk=subscriber.pk).interest_bits == bit("recruitment")


def test_a_refused_interest_changes_nothing(subscriber):
    subscriber_set_interests(subscriber=subscriber, slugs=["roads-travel"])
    with pytest.raises(ValueError, match="nonsense"):
        subscriber_set_interests(subscriber=subscriber, slugs=["roads-travel", "nonsense"])
    assert Subscriber.objects.get(pk=subscriber.pk).interest_bits == bit("roads-travel")


# Areas: home on the row, every area in WatchedArea


def test_areas_keep_the_home_neighbourhood_on_the_row_and_replace_earlier_areas(subscriber):
    home, work, other = NeighbourhoodFactory(), NeighbourhoodFactory(), NeighbourhoodFactory()
    subscriber_set_areas(
        subscriber=subscriber,
        home=AreaChoice(neighbourhood_id=home.pk, postcode="DM1 1AA", lat=53.5, lon=-3.0),
        extra=[AreaChoice(neighbourhood_id=work.pk, postcode="DM2 2BB", label="Work")],
    )
    assert Subscriber.objects.get(pk=subscriber.pk).home_neighbourhood_id == home.pk
    assert {(a.neighbourhood_id, a.is_home, a.label) for a in WatchedArea.objects.filter(subscriber=subscriber)} == {
        (home.pk, True, ""),
        (work.pk, False, "Work"),
    }
    subscriber_set_areas(subscriber=subscriber, home=AreaChoice(neighbourhood_id=other.pk))
    assert Subscriber.objects.get(pk=subscriber.pk).home_neighbourhood_id == other.pk
    assert list(WatchedArea.objects.filter(subscriber=subscriber).values_list("neighbourhood_id", "is_home")) == [
        (other.pk, True)
    ]


def test_the_home_area_and_repeats_are_not_counted_as_extra_areas(subscriber):
    home = NeighbourhoodFactory()
    others = [NeighbourhoodFactory() for _ in range(MAX_EXTRA_AREAS)]
    home_choice = AreaChoice(neighbourhood_id=home.pk, postcode="DM1 1AA")
    extra = [
        home_choice,
        *[AreaChoice(neighbourhood_id=n.pk) for n in others],
        AreaChoice(neighbourhood_id=others[0].pk),
    ]
    subscriber_set_areas(subscriber=subscriber, home=home_choice, extra=extra)
    assert WatchedArea.objects.filter(subscriber=subscriber, is_home=False).count() == MAX_EXTRA_AREAS
    assert WatchedArea.objects.filter(subscriber=subscriber, is_home=True).count() == 1


def test_at_most_five_extra_areas_and_a_refusal_keeps_the_old_ones(subscriber):
    home = NeighbourhoodFactory()
    subscriber_set_areas(subscriber=subscriber, home=AreaChoice(neighbourhood_id=home.pk))
    six = [AreaChoice(neighbourhood_id=NeighbourhoodFactory().pk) for _ in range(MAX_EXTRA_AREAS + 1)]
    with pytest.raises(ValueError, match="At most 5"):
        subscriber_set_areas(subscriber=subscriber, home=AreaChoice(neighbourhood_id=home.pk), extra=six)
    assert WatchedArea.objects.filter(subscriber=subscriber).count() == 1


def test_an_unknown_neighbourhood_is_refused(subscriber):
    home = NeighbourhoodFactory()
    with pytest.raises(ValueError, match="Unknown neighbourhood"):
        subscriber_set_areas(subscriber=subscriber, home=AreaChoice(neighbourhood_id=home.pk + 999))
    with pytest.raises(ValueError, match="Unknown neighbourhood"):
        subscriber_set_areas(
            subscriber=subscriber,
            home=AreaChoice(neighbourhood_id=home.pk),
            extra=[AreaChoice(neighbourhood_id=home.pk + 999)],
        )
    assert Subscriber.objects.get(pk=subscriber.pk).home_neighbourhood_id is None


# Consents and demographics


def test_a_new_consent_supersedes_the_earlier_one_for_the_same_purpose_only(subscriber):
    first = consent_record(subscriber=subscriber, purpose="contact", wording="Old words", source="import:2024")
    other = consent_record(subscriber=subscriber, purpose="demographics", wording="About me", source="web")
    second = consent_record(subscriber=subscriber, purpose="contact", wording="New words", source="web")
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.withdrawn_at is not None
    assert first.wording == "Old words"
    assert second.withdrawn_at is None
    assert other.withdrawn_at is None


def test_withdrawing_consent_marks_only_the_current_one(subscriber):
    consent_record(subscriber=subscriber, purpose="contact", wording="Words", source="web")
    assert consent_withdraw(subscriber=subscriber, purpose="contact") == 1
    assert consent_withdraw(subscriber=subscriber, purpose="contact") == 0
    assert not Consent.objects.filter(withdrawn_at__isnull=True).exists()


def test_demographics_are_kept_with_their_own_consent_and_cleared_when_blank(subscriber):
    kept = subscriber_set_demographics(
        subscriber=subscriber, age_band="35-44", ethnicity="white", wording="I agree", source="web"
    )
    assert kept is not None
    consent = Consent.objects.get(subscriber=subscriber, purpose="demographics")
    assert (consent.wording, consent.source) == ("I agree", "web")
    assert kept.consented_at == consent.given_at
    assert subscriber_set_demographics(subscriber=subscriber, wording="I agree", source="web") is None
    assert not Demographics.objects.filter(subscriber=subscriber).exists()
    assert not Consent.objects.filter(subscriber=subscriber, withdrawn_at__isnull=True).exists()


def test_clearing_demographics_deletes_the_answers_and_withdraws_consent(subscriber):
    subscriber_set_demographics(subscriber=subscriber, disability="yes", wording="I agree", source="web")
    consent_record(subscriber=subscriber, purpose="contact", wording="Contact", source="web")
    subscriber_clear_demographics(subscriber=subscriber)
    assert not Demographics.objects.exists()
    assert Consent.objects.get(purpose="demographics").withdrawn_at is not None
    assert Consent.objects.get(purpose="contact").withdrawn_at is None


# Tokens


def test_a_token_reads_back_as_its_subscriber_for_its_own_purpose_only(subscriber):
    token = tokens.make_token("manage", subscriber)
    assert tokens.read_token("manage", token) == subscriber
    for purpose in ("confirm", "unsubscribe", "nonsense"):
        with pytest.raises(tokens.TokenError):
            tokens.read_token(purpose, token)
    with pytest.raises(ValueError, match="Unknown token purpose"):
        tokens.make_token("nonsense", subscriber)


def test_a_tampered_token_is_refused(subscriber):
    token = tokens.make_token("unsubscribe", subscriber)
    other = Subscriber.objects.create(email="bob@example.com")
    forged = token.replace(str(subscriber.public_id), str(other.public_id))
    for bad in (forged, token[:-1], token + "x", "", "a:b:c"):
        with pytest.raises(tokens.TokenError) as raised:
            tokens.read_token("unsubscribe", bad)
        assert not isinstance(raised.value, tokens.TokenExpired)


def test_a_token_expires_after_its_purposes_max_age(subscriber, monkeypatch):
    token = tokens.make_token("manage", subscriber)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + tokens.max_age("manage").total_seconds() - 60)
    assert tokens.read_token("manage", token) == subscriber
    monkeypatch.setattr(time, "time", lambda: now + tokens.max_age("manage").total_seconds() + 60)
    with pytest.raises(tokens.TokenExpired):
        tokens.read_token("manage", token)
    assert tokens.read_token("unsubscribe", tokens.make_token("unsubscribe", subscriber)) == subscriber


def test_a_confirmation_link_stops_working_once_used_but_other_links_do_not(subscriber):
    confirm = tokens.make_token("confirm", subscriber)
    manage = tokens.make_token("manage", subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(email_confirmed_at=timezone.now())
    with pytest.raises(tokens.TokenError):
        tokens.read_token("confirm", confirm)
    assert tokens.read_token("manage", manage) == subscriber
    confirmed = Subscriber.objects.get(pk=subscriber.pk)
    assert tokens.read_token("confirm", tokens.make_token("confirm", confirmed)) == subscriber


def test_a_token_for_a_deleted_subscriber_or_a_mangled_id_is_refused(subscriber):
    token = tokens.make_token("manage", subscriber)
    subscriber.delete()
    with pytest.raises(tokens.TokenError):
        tokens.read_token("manage", token)
    signer = signing.TimestampSigner(salt="openbeat.subscriptions.manage")
    with pytest.raises(tokens.TokenError):
        tokens.read_token("manage", signer.sign("not-a-uuid:abc"))
