"""The demo's In the Know subscribers: varied, consistent, unreachable, idempotent and quick."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from openbeat.alerts.audience import AreaSet, TargetingSpec, audience_resolve
from openbeat.demo.steps import demo_context, step_force, step_geography, step_postcodes
from openbeat.demo.subscribers import DEMO_SUBSCRIBERS, step_subscribers, subscribers_reset
from openbeat.subscriptions.models import Consent, Demographics, Interest, Subscriber, WatchedArea

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    ctx = demo_context()
    for step in (step_force, step_geography, step_postcodes):
        step(ctx)
    return ctx


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Subscriber, WatchedArea, Consent, Demographics)}


def test_a_few_thousand_varied_residents_are_made(demo):
    summary = step_subscribers(demo)

    assert summary == f"{DEMO_SUBSCRIBERS} subscribers ({DEMO_SUBSCRIBERS} new)"
    subscribers = list(Subscriber.objects.all())
    total = len(subscribers)
    assert total == DEMO_SUBSCRIBERS

    statuses = Counter(s.status for s in subscribers)
    assert statuses[Subscriber.Status.ACTIVE] > 0.75 * total
    for status in (Subscriber.Status.PENDING, Subscriber.Status.PAUSED, Subscriber.Status.UNSUBSCRIBED):
        assert 0.02 * total < statuses[status] < 0.1 * total, status

    verified = [s for s in subscribers if s.phone_verified_at]
    assert 0.25 * total < len(verified) < 0.35 * total
    assert all(s.sms_day for s in verified)
    assert 0.2 < sum(s.sms_night for s in verified) / len(verified) < 0.6
    assert any(s.email is None for s in verified)  # some want texts only
    assert {s.email_min_priority for s in subscribers} == {0, 1, 2}
    assert {s.sms_min_priority for s in verified} == {1, 2, 3}
    assert any(not s.email_night for s in subscribers)

    languages = Counter(s.language for s in subscribers)
    assert languages["en"] > 0.8 * total
    assert len(languages) >= 5

    with_extra = Subscriber.objects.filter(areas__is_home=False).distinct().count()
    assert 0.2 * total < with_extra < 0.3 * total
    assert not Subscriber.objects.annotate(extra=Count("areas", filter=Q(areas__is_home=False))).filter(extra__gt=2)

    confirmed = [s for s in subscribers if s.status != Subscriber.Status.PENDING]
    with_demographics = Demographics.objects.count()
    assert 0.35 * len(confirmed) < with_demographics < 0.45 * len(confirmed)
    assert Consent.objects.filter(purpose=Consent.Purpose.DEMOGRAPHICS).count() == with_demographics

    popularity = Counter()
    bits = dict(Interest.objects.values_list("bit", "slug"))
    for s in subscribers:
        assert s.interest_bits, s
        popularity.update(slug for bit, slug in bits.items() if s.interest_bits & (1 << bit))
    assert {slug for slug, _ in popularity.most_common(2)} == {"emergency-warnings", "crime-alerts"}
    assert len(popularity) >= 12


def test_they_are_consistent_and_reach_nobody(demo):
    step_subscribers(demo)
    subscribers = Subscriber.objects.all()

    homes = dict(WatchedArea.objects.filter(is_home=True).values_list("subscriber_id", "neighbourhood_id"))
    assert len(homes) == DEMO_SUBSCRIBERS
    assert all(homes[s.pk] == s.home_neighbourhood_id for s in subscribers)
    emails = [s.email for s in subscribers if s.email]
    assert all(e.endswith("@demoshire.example") for e in emails)
    phones = [s.phone for s in subscribers if s.phone]
    assert len(set(phones)) == len(phones)
    assert all(p.startswith("+447700900") and len(p) == 13 for p in phones)

    for s in subscribers.prefetch_related("consents"):
        contact = [c for c in s.consents.all() if c.purpose == Consent.Purpose.CONTACT]
        if s.status == Subscriber.Status.PENDING:
            assert contact == []
            assert s.email_confirmed_at is None
            continue
        [consent] = contact
        assert (consent.withdrawn_at is not None) == (s.status == Subscriber.Status.UNSUBSCRIBED)
        assert s.created_at == consent.given_at
    assert subscribers.filter(created_at__lt=timezone.now() - timedelta(days=365)).exists()
    assert subscribers.filter(source="import").exists()

    audience = audience_resolve(TargetingSpec(areas=AreaSet(whole_force=True)))
    assert 0.6 * DEMO_SUBSCRIBERS < len(audience.email) < DEMO_SUBSCRIBERS
    assert 0.2 * DEMO_SUBSCRIBERS < len(audience.sms) < 0.35 * DEMO_SUBSCRIBERS


def test_loading_them_again_creates_nothing_and_reset_removes_them(demo):
    step_subscribers(demo)
    before = counts()

    demo.rng.random()  # whatever the steps before it drew
    summary = step_subscribers(demo)

    assert summary == f"{DEMO_SUBSCRIBERS} subscribers (0 new)"
    assert counts() == before

    Subscriber.objects.create(email="someone@real.example")
    assert subscribers_reset() == DEMO_SUBSCRIBERS
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["someone@real.example"]
