"""Writes to a subscriber's record. Every change to areas or interests goes through here, because the
subscriber row carries derived columns audience resolution relies on: `home_neighbourhood` (the home
watched area's neighbourhood) and `interest_bits` (one bit per Interest).

Journeys (sign-up, preferences, import) call these; they never write those columns themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from openbeat.areas.models import Neighbourhood
from openbeat.subscriptions.models import Consent, Demographics, Interest, Subscriber, WatchedArea

MAX_EXTRA_AREAS = 5

# The exact words a resident agrees to; a Consent row keeps a copy of the wording shown, so changing these
# later never changes what an earlier subscriber agreed to.
CONTACT_CONSENT_WORDING = (
    "I agree to {force} sending me In the Know messages about the areas and topics I have chosen, by the "
    "channels I have chosen, until I stop them. I can change or stop them, download my data or delete my "
    "account at any time from the link in every message."
)
DEMOGRAPHICS_CONSENT_WORDING = (
    "I agree to {force} keeping my answers about my age, ethnicity and disability, separately from my contact "
    "details, to understand which communities its messages reach. I can withdraw this and have the answers "
    "deleted at any time."
)


@dataclass(frozen=True)
class AreaChoice:
    """One watched area: a postcode's point (and the neighbourhood it is in), or a whole neighbourhood."""

    neighbourhood_id: int
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None
    label: str = ""


def interest_bits_for(slugs: Iterable[str]) -> int:
    """The bitmask for these interest slugs. Unknown or inactive slugs raise ValueError."""
    wanted = set(slugs)
    bits = dict(Interest.objects.filter(slug__in=wanted, active=True).values_list("slug", "bit"))
    unknown = wanted - bits.keys()
    if unknown:
        raise ValueError(f"Unknown interests: {', '.join(sorted(unknown))}")
    return sum(1 << bit for bit in bits.values())


def interest_slugs_of(subscriber: Subscriber) -> list[str]:
    return [i.slug for i in Interest.objects.all() if subscriber.interest_bits & i.mask]


@transaction.atomic
def subscriber_set_interests(*, subscriber: Subscriber, slugs: Iterable[str]) -> None:
    subscriber.interest_bits = interest_bits_for(slugs)
    Subscriber.objects.filter(pk=subscriber.pk).update(interest_bits=subscriber.interest_bits)


@transaction.atomic
def subscriber_set_areas(*, subscriber: Subscriber, home: AreaChoice, extra: Iterable[AreaChoice] = ()) -> None:
    """Replace the subscriber's watched areas with a home area and up to five more."""
    extra = [a for a in extra if (a.neighbourhood_id, a.postcode) != (home.neighbourhood_id, home.postcode)]
    unique = {(a.neighbourhood_id, a.postcode): a for a in extra}
    if len(unique) > MAX_EXTRA_AREAS:
        raise ValueError(f"At most {MAX_EXTRA_AREAS} extra areas")
    known = set(
        Neighbourhood.objects.filter(pk__in=[home.neighbourhood_id, *[a[0] for a in unique]]).values_list(
            "pk", flat=True
        )
    )
    if home.neighbourhood_id not in known or any(key[0] not in known for key in unique):
        raise ValueError("Unknown neighbourhood")
    WatchedArea.objects.filter(subscriber=subscriber).delete()
    WatchedArea.objects.bulk_create(
        [
            WatchedArea(
                subscriber=subscriber,
                neighbourhood_id=a.neighbourhood_id,
                postcode=a.postcode,
                lat=a.lat,
                lon=a.lon,
                label=a.label,
                is_home=is_home,
            )
            for is_home, a in [(True, home), *[(False, a) for a in unique.values()]]
        ]
    )
    subscriber.home_neighbourhood_id = home.neighbourhood_id
    Subscriber.objects.filter(pk=subscriber.pk).update(home_neighbourhood_id=home.neighbourhood_id)


def consent_record(
    *, subscriber: Subscriber, purpose: str, wording: str, source: str, given_at: datetime | None = None
) -> Consent:
    """Record consent with the exact wording shown; an earlier consent for the same purpose is superseded."""
    now = timezone.now()
    Consent.objects.filter(subscriber=subscriber, purpose=purpose, withdrawn_at__isnull=True).update(withdrawn_at=now)
    return Consent.objects.create(
        subscriber=subscriber, purpose=purpose, wording=wording, source=source, given_at=given_at or now
    )


def consent_withdraw(*, subscriber: Subscriber, purpose: str) -> int:
    return Consent.objects.filter(subscriber=subscriber, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


@transaction.atomic
def subscriber_set_demographics(
    *, subscriber: Subscriber, age_band: str = "", ethnicity: str = "", disability: str = "", wording: str, source: str
) -> Demographics | None:
    """Keep optional answers (with their own consent), or delete them when every answer is blank."""
    if not (age_band or ethnicity or disability):
        subscriber_clear_demographics(subscriber=subscriber)
        return None
    consent = consent_record(
        subscriber=subscriber, purpose=Consent.Purpose.DEMOGRAPHICS, wording=wording, source=source
    )
    demographics, _ = Demographics.objects.update_or_create(
        subscriber=subscriber,
        defaults={
            "age_band": age_band,
            "ethnicity": ethnicity,
            "disability": disability,
            "consented_at": consent.given_at,
        },
    )
    return demographics


@transaction.atomic
def subscriber_clear_demographics(*, subscriber: Subscriber) -> None:
    """Withdrawing consent deletes the answers themselves, not just the permission."""
    Demographics.objects.filter(subscriber=subscriber).delete()
    consent_withdraw(subscriber=subscriber, purpose=Consent.Purpose.DEMOGRAPHICS)
