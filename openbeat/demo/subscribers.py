"""Demo In the Know subscribers: a few thousand invented residents of Demoshire with varied preferences.

Generated from a fixed seed, so every machine (and every run) gets the same people, and idempotent:
a resident already there (by email, or by phone for those without one) is left alone, whoever made them.
Written in bulk, with the derived columns audience resolution relies on (`home_neighbourhood`,
`interest_bits`) set exactly as `subscriptions.services` sets them. They live and watch areas only in the
demo's own neighbourhoods, so an alert to a force's own neighbourhood never counts them.

Nobody here can be reached: emails are at demoshire.example (".example" is reserved and never delivered),
phones are in Ofcom's drama range 07700 900000-900999 (never connected).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from openbeat.areas.models import Postcode
from openbeat.core.models import Force
from openbeat.demo import geography
from openbeat.demo.registry import demo_delete, demo_label, demo_tag, demo_tagged
from openbeat.subscriptions.models import Consent, Demographics, Interest, Subscriber, WatchedArea
from openbeat.subscriptions.services import CONTACT_CONSENT_WORDING, DEMOGRAPHICS_CONSENT_WORDING

DEMO_SUBSCRIBERS = 3_000
DEMO_SUBSCRIBER_DOMAIN = "demoshire.example"
DRAMA_PHONE_PREFIX = "+447700900"  # followed by 000-999: a thousand numbers in all
_DRAMA_PHONES = 1_000

_STATUSES = [
    (Subscriber.Status.ACTIVE, 85),
    (Subscriber.Status.PENDING, 5),
    (Subscriber.Status.PAUSED, 4),
    (Subscriber.Status.UNSUBSCRIBED, 6),
]
# How likely each interest is: emergencies and crime first, as in every force's scheme. (rural chance, town)
_INTEREST_CHANCES: dict[str, tuple[float, float]] = {
    "emergency-warnings": (0.85, 0.85),
    "crime-alerts": (0.8, 0.75),
    "crime-prevention": (0.35, 0.35),
    "roads-travel": (0.35, 0.25),
    "events-pact": (0.2, 0.2),
    "business-crime": (0.05, 0.1),
    "rural-farm-watch": (0.4, 0.02),
    "allotment-watch": (0.03, 0.06),
    "recruitment": (0.05, 0.05),
    "volunteering": (0.08, 0.08),
    "young-people": (0.1, 0.1),
    "cctv-owner": (0.08, 0.12),
    "neighbourhood-watch-coordinator": (0.03, 0.02),
    "business-owner": (0.06, 0.07),
    "farmer-landowner": (0.15, 0.0),
}
_LANGUAGES = [("en", 88), ("ur", 3), ("pa", 2), ("gu", 2), ("pl", 3), ("ro", 1), ("ar", 1)]
_EXTRA_LABELS = ["Work", "Parents", "School", "Allotment", "Partner", "Church"]
_SOURCES = [("web", 70), ("import", 30)]  # some came over from the force's old scheme
# Answers as the sign-up's optional questions record them (subscriptions.forms).
_AGE_BANDS = [
    ("under-18", 2),
    ("18-24", 6),
    ("25-34", 14),
    ("35-44", 17),
    ("45-54", 19),
    ("55-64", 19),
    ("65-74", 14),
    ("75-or-over", 7),
    ("prefer-not-to-say", 2),
]
_ETHNICITIES = [("white", 80), ("asian", 11), ("black", 2), ("mixed", 2), ("other", 1), ("prefer-not-to-say", 4)]
_DISABILITY = [("no", 75), ("yes", 18), ("prefer-not-to-say", 7)]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


@dataclass
class _Resident:
    subscriber: Subscriber
    joined: datetime
    areas: list[WatchedArea] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    demographics: Demographics | None = None


def _key(email: str | None, phone: str | None) -> str:
    return email or f"tel:{phone}"


def _resident(
    n: int,
    rng: random.Random,
    *,
    postcodes: list[tuple[str, float, float, int]],
    rural: set[int],
    neighbourhood_ids: list[int],
    bits: dict[str, int],
    phones: list[str],
    now: datetime,
    wording: dict[str, str],
) -> _Resident:
    """One invented resident; draws the same numbers from `rng` whatever is already in the database."""
    status = _pick(rng, _STATUSES)
    joined = now - timedelta(days=rng.uniform(1, 730), minutes=rng.uniform(0, 600))
    postcode, lat, lon, home_id = rng.choice(postcodes)
    chance = 0 if home_id in rural else 1
    interest_bits = sum(
        1 << bits[slug]
        for slug, chances in _INTEREST_CHANCES.items()
        if slug in bits and rng.random() < chances[chance]
    )
    if not interest_bits:
        interest_bits = 1 << bits.get("emergency-warnings", 0)
    wants_sms = rng.random() < 0.32
    phone = phones.pop() if wants_sms and phones else None
    email = None if phone is not None and rng.random() < 0.12 else f"resident{n}@{DEMO_SUBSCRIBER_DOMAIN}"
    if email is None and status == Subscriber.Status.PENDING:
        status = Subscriber.Status.ACTIVE  # waiting for an email confirmation needs an email
    confirmed = status != Subscriber.Status.PENDING
    verified = phone is not None and confirmed and rng.random() < 0.95
    source = _pick(rng, _SOURCES) if confirmed else "web"
    subscriber = Subscriber(
        status=status,
        email=email,
        email_confirmed_at=joined + timedelta(minutes=rng.uniform(1, 90)) if email and confirmed else None,
        phone=phone,
        phone_verified_at=joined + timedelta(minutes=5) if verified else None,
        language=_pick(rng, _LANGUAGES),
        interest_bits=interest_bits,
        home_neighbourhood_id=home_id,
        email_day=rng.random() < 0.97,
        email_night=rng.random() < 0.7,
        sms_day=verified,
        sms_night=verified and rng.random() < 0.4,
        email_min_priority=_pick(
            rng,
            [(Subscriber.Priority.INFORMATION, 70), (Subscriber.Priority.NORMAL, 22), (Subscriber.Priority.URGENT, 8)],
        ),
        sms_min_priority=_pick(
            rng,
            [(Subscriber.Priority.NORMAL, 25), (Subscriber.Priority.URGENT, 55), (Subscriber.Priority.EMERGENCY, 20)],
        ),
        email_stopped=email is not None and rng.random() < 0.01,
        source=source,
    )
    resident = _Resident(subscriber=subscriber, joined=joined)
    resident.areas.append(
        WatchedArea(subscriber=subscriber, neighbourhood_id=home_id, postcode=postcode, lat=lat, lon=lon, is_home=True)
    )
    if rng.random() < 0.25:
        for label in rng.sample(_EXTRA_LABELS, rng.choice([1, 1, 2])):
            if rng.random() < 0.7:
                other, other_lat, other_lon, other_id = rng.choice(postcodes)
                area = WatchedArea(neighbourhood_id=other_id, postcode=other, lat=other_lat, lon=other_lon)
            else:  # a whole neighbourhood, picked on the map: no point
                area = WatchedArea(neighbourhood_id=rng.choice(neighbourhood_ids))
            if (area.neighbourhood_id, area.postcode) not in {(a.neighbourhood_id, a.postcode) for a in resident.areas}:
                area.subscriber, area.label = subscriber, label
                resident.areas.append(area)
    if status != Subscriber.Status.PENDING:
        resident.consents.append(
            Consent(
                subscriber=subscriber,
                purpose=Consent.Purpose.CONTACT,
                wording=wording["contact"],
                source="import: Neighbourhood Alert" if source == "import" else "web",
                given_at=joined,
                withdrawn_at=joined + timedelta(days=rng.uniform(1, 200))
                if status == Subscriber.Status.UNSUBSCRIBED
                else None,
            )
        )
    if confirmed and rng.random() < 0.4:
        resident.consents.append(
            Consent(
                subscriber=subscriber,
                purpose=Consent.Purpose.DEMOGRAPHICS,
                wording=wording["demographics"],
                source="web",
                given_at=joined,
            )
        )
        resident.demographics = Demographics(
            subscriber=subscriber,
            age_band=_pick(rng, _AGE_BANDS),
            ethnicity=_pick(rng, _ETHNICITIES),
            disability=_pick(rng, _DISABILITY),
            consented_at=joined,
        )
    return resident


def _demo_subscribers() -> Q:
    return Q(email__endswith=f"@{DEMO_SUBSCRIBER_DOMAIN}") | Q(phone__startswith=DRAMA_PHONE_PREFIX, email=None)


def step_subscribers(ctx: Any) -> str:
    """About 3,000 residents spread over the demo's postcodes (see the module's docstring)."""
    from openbeat.demo.steps import demo_neighbourhoods

    codes = {code: n.pk for code, n in demo_neighbourhoods().items()}
    postcodes = list(
        demo_tagged(Postcode.objects.filter(neighbourhood__in=list(codes.values())))
        .order_by("postcode")
        .values_list("postcode", "lat", "lon", "neighbourhood_id")
    )
    if not postcodes:
        return "no postcodes: load the geography first"
    towns = {n.code for n in ctx.neighbourhoods if n.name in n.town.wards}
    rural = {pk for code, pk in codes.items() if code not in towns}
    bits = dict(Interest.objects.filter(active=True).values_list("slug", "bit"))
    force = Force.current().name
    wording = {
        "contact": CONTACT_CONSENT_WORDING.format(force=force),
        "demographics": DEMOGRAPHICS_CONSENT_WORDING.format(force=force),
    }
    phones = [f"{DRAMA_PHONE_PREFIX}{n:03d}" for n in reversed(range(_DRAMA_PHONES))]
    now = timezone.now().replace(second=0, microsecond=0)
    # Its own generator (from the demo's seed), not ctx.rng: the same people come out of every run whatever the
    # steps before this one draw, so a later run never invents different people with numbers already taken.
    rng = random.Random(f"{geography.SEED}-subscribers")
    residents = [
        _resident(
            n,
            rng,
            postcodes=postcodes,
            rural=rural,
            neighbourhood_ids=sorted(codes.values()),
            bits=bits,
            phones=phones,
            now=now,
            wording=wording,
        )
        for n in range(1, DEMO_SUBSCRIBERS + 1)
    ]
    existing = list(Subscriber.objects.filter(_demo_subscribers()).values_list("email", "phone"))
    present = {_key(email, phone) for email, phone in existing}
    # Anyone's number, not only the demo's: nobody is given a phone another subscriber already has.
    phones_taken = set(Subscriber.objects.filter(phone__startswith=DRAMA_PHONE_PREFIX).values_list("phone", flat=True))
    new = [
        r
        for r in residents
        if _key(r.subscriber.email, r.subscriber.phone) not in present and r.subscriber.phone not in phones_taken
    ]
    _save(new)
    return f"{len(residents)} subscribers ({len(new)} new)"


def _save(residents: list[_Resident]) -> None:
    subscribers = Subscriber.objects.bulk_create([r.subscriber for r in residents], batch_size=1_000)
    demo_tag(objs=subscribers)
    # created_at is auto_now_add, which bulk_create overwrites: put back when each resident joined.
    for resident, subscriber in zip(residents, subscribers, strict=True):
        subscriber.created_at = resident.joined
    Subscriber.objects.bulk_update(subscribers, ["created_at"], batch_size=500)
    WatchedArea.objects.bulk_create([a for r in residents for a in r.areas], batch_size=1_000)
    Consent.objects.bulk_create([c for r in residents for c in r.consents], batch_size=1_000)
    Demographics.objects.bulk_create([r.demographics for r in residents if r.demographics], batch_size=1_000)


def subscribers_reset() -> int:
    """Remove the subscribers the demo made (with their areas, consents and answers); nobody else."""
    return demo_delete(models_to_delete=[Subscriber])["removed"].get(demo_label(Subscriber), 0)
