"""A neighbourhood's life in the demo force: a year of crimes, priorities with their histories, events past and
future, PACT meetings (one held, with minutes, questions, votes and actions; one happening now, for the live
page) and residents' concerns over the last few months.

Rows are written directly, not through the services: most dates are in the past, which the services refuse, and
the step must stay fast. The rows are still ones the services could have made: a published event has its
"published" revision, a changed one sequence 1 and a "changed" revision, a cancelled one its reason, sequence 1
and a "cancelled" revision; a done priority has an outcome and the date of its last update; an action points at
a priority set at its meeting.

Deterministic (its own seed, so other steps do not shift it) and idempotent: events and priorities are found by
the demo's key for them (`demo_keyed`), and what hangs from one (a meeting, its questions, revisions, updates) is
made only with it. Dates are relative to now, like the alerts'. A live meeting that has ended by the next load
is moved to now (a change like any other: sequence and revision), so the live page always has one to show.
Only the demo's own neighbourhoods, divisions and logins are used (see registry.py).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.concerns.models import Concern, ConcernResponse
from openbeat.concerns.services import email_hash as concern_email_hash
from openbeat.core.months import month_of, month_shift, month_start, month_starts_at
from openbeat.core.paths import absolute_url
from openbeat.crime.demo import DEFAULT_SEED, generate_crimes
from openbeat.crime.models import CrimeImport
from openbeat.demo.registry import demo_keyed, demo_tag, demo_tag_keyed, demo_tagged
from openbeat.events.models import Event, EventRevision
from openbeat.meetings.models import Action, AgendaItem, Meeting, Participant, Question, Vote
from openbeat.meetings.services import email_hash as meeting_email_hash
from openbeat.priorities.models import Priority, PriorityUpdate, Source, Status

SEED = "openbeat-demo-neighbourhood-life"
CRIME_MONTHS = 12
CRIME_SEED = DEFAULT_SEED
K = Event.Kind
DOMAIN = "demoshire.police.example"
# Who does what in each division (the demo's logins; one the demo could not make is left out: None).
DIVISION_LOGINS = {"West": "officer.west", "Central": "hq", "East": "officer.east"}
FORCE_LOGIN = "hq"
LIVE_KEY = "live-pact"
FORCE_KEY = "force:open-day"


# ------------------------------------------------------------------------------------------------ crimes


def step_crimes(ctx: Any) -> str:
    from openbeat.demo.steps import demo_neighbourhoods

    file_name = f"demo crimes (seed {CRIME_SEED})"
    mine = demo_tagged(CrimeImport.objects.filter(file_name=file_name)).first()
    if mine is None and CrimeImport.objects.filter(file_name=file_name).exists():
        return f"skipped: an import called {file_name!r} is not the demo's"
    neighbourhoods = list(demo_neighbourhoods().values())
    record = generate_crimes(neighbourhoods=neighbourhoods, months=CRIME_MONTHS, seed=CRIME_SEED)
    if mine is None:
        demo_tag(objs=[record])
    places = len(neighbourhoods)
    return f"{record.rows:,} crimes over {CRIME_MONTHS} months in {places} neighbourhoods ({record.created:,} new)"


# ------------------------------------------------------------------------------------------------ words


@dataclass(frozen=True)
class Theme:
    issue: str
    action: str
    progress: tuple[str, str]
    outcome: str


THEMES = [
    Theme(
        "Speeding on {street}, especially at school times.",
        "Speed checks with Community Speed Watch volunteers; a request to the council for signs.",
        ("Two speed checks held: 41 drivers warned, 6 reported.", "The council has agreed to a speed indicator sign."),
        "Eight speed checks over three months; 112 warning letters and 14 drivers reported. The new sign is up and "
        "average speeds have fallen from 36 to 29 mph.",
    ),
    Theme(
        "Anti-social behaviour by groups of young people in {place} park after dark.",
        "Extra evening patrols, and work with the youth service and the park's neighbours.",
        (
            "Patrols every Friday and Saturday evening; two dispersal notices given.",
            "The youth service now runs a Friday club at the community centre.",
        ),
        "Calls about the park fell from 31 to 9 over the quarter. The youth club continues with 25 regulars.",
    ),
    Theme(
        "Drug dealing near {street} and the alleys behind the shops.",
        "Intelligence-led patrols and a closure order if the evidence supports one.",
        (
            "Thank you for the information you have given us: it has led to two warrants.",
            "Two people have been charged with supplying class A drugs.",
        ),
        "Three arrests, two charged and remanded; a closure order on one address. Please keep telling us what you see.",
    ),
    Theme(
        "Inconsiderate parking outside {place} primary school.",
        "Joint patrols with the council's parking officers at drop-off and pick-up.",
        ("Twelve drivers spoken to and leaflets given out.", "The school has started a 'park and stride' scheme."),
        "Parking tickets issued on six mornings; the school reports the zig-zags are now kept clear.",
    ),
    Theme(
        "Bicycles stolen from gardens and sheds around {street}.",
        "Free bike marking and shed-alarm sessions; patrols of the cut-throughs at night.",
        ("Forty bikes marked at our street stall.", "One man arrested with three stolen bikes."),
        "Bike thefts down by half on the same quarter last year; 96 bikes marked and registered.",
    ),
    Theme(
        "Fly-tipping and graffiti on {street}.",
        "Reporting hot spots to the council and patrols to catch those responsible.",
        ("The council cleared four sites within a week of our reports.", "Cameras have been put up at two hot spots."),
        "Two fixed penalties for fly-tipping; the council cleared nine sites and graffiti was removed from the "
        "underpass.",
    ),
    Theme(
        "Off-road motorbikes ridden on the paths and playing fields in {place}.",
        "Operation with the roads policing unit; seizing bikes ridden anti-socially.",
        ("Three section 59 warnings given.", "Two bikes seized and crushed."),
        "Five bikes seized; reports of nuisance riding fell from a dozen a week to one or two.",
    ),
    Theme(
        "Thefts from cars parked overnight on {street}.",
        "Patrols in the early hours and crime-prevention leaflets for every house on the street.",
        (
            "Leaflets delivered to 300 homes; extra patrols between 1am and 5am.",
            "A man has been charged with eleven thefts.",
        ),
        "Thefts from cars fell from 14 to 3 a month. Please keep valuables out of sight.",
    ),
]

VENUES = ["Community Centre", "Library", "Methodist Hall", "Village Hall", "Scout Hut", "Parish Rooms"]
STALLS = ["Market Place", "outside the Co-op", "the supermarket car park", "the high street"]
NAMES = [
    "Anne",
    "Bill",
    "Carol",
    "Dilip",
    "Erin",
    "Frank",
    "Gita",
    "Hamid",
    "Irene",
    "Jack",
    "Kerry",
    "Lewis",
    "Maya",
    "Nasir",
    "Olive",
    "Pete",
    "Rosa",
    "Stan",
    "Tasha",
    "Vince",
]

PAST_QUESTIONS = [
    (
        "What is being done about the cars racing on the bypass at night?",
        "We have had two operations with roads policing this month and seized one car. We will keep going.",
    ),
    (
        "Can we have more PCSO patrols near the shops after school?",
        "Yes: from next week a PCSO will be on the parade from 3pm to 5pm on weekdays.",
    ),
    (
        "Is the burglary last month linked to the others in the area?",
        "We think two of them are linked and have a suspect; we cannot say more while enquiries continue.",
    ),
    (
        "How do I join Neighbourhood Watch?",
        "Leave your details with PCSO on the way out, or sign up online: we will put you in touch with your "
        "coordinator.",
    ),
]
LIVE_QUESTIONS = [
    "The streetlights on the canal path have been out for weeks and people feel unsafe. Can you help?",
    "What happened with the drug dealing priority from the last meeting?",
    "Will there be more patrols over the summer holidays?",
    "Can the speed van come to Moor Lane at school times?",
    "Who do I tell about youths riding e-scooters on the pavement?",
]
LIVE_ANSWER = (
    "We have reported the lights to the council, who say they will be fixed this week, and we are patrolling the "
    "path in the evenings until they are."
)


def _when(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _shown(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------------------------------------ the plan


@dataclass
class Plan:
    """What this load makes: new rows by key, and what hangs from them, saved in bulk at the end."""

    events: dict[str, Event]
    revisions: list[EventRevision]
    meetings: dict[str, Meeting]
    agenda: dict[str, list[str]]
    priorities: dict[str, Priority]
    updates: dict[str, list[tuple[dt.date, str, str]]]


class _Life:
    def __init__(self, ctx: Any) -> None:
        from openbeat.demo.steps import demo_divisions, demo_neighbourhoods

        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.nbh = demo_neighbourhoods()  # by the demo's code
        self.divisions = demo_divisions()  # by the demo's name
        self.towns = {n.code: n.town.name for n in ctx.neighbourhoods}
        names = {*DIVISION_LOGINS.values(), FORCE_LOGIN}
        users = {u.username: u for u in demo_tagged(get_user_model().objects.filter(username__in=names))}
        self.users = {division: users.get(login) for division, login in DIVISION_LOGINS.items()}
        self.force_user = users.get(FORCE_LOGIN)
        self.events = demo_keyed(Event.objects.all())
        self.priorities = demo_keyed(Priority.objects.all())
        self.plan = Plan(events={}, revisions=[], meetings={}, agenda={}, priorities={}, updates={})

    def division_name(self, division: Division) -> str:
        return next((name for name, d in self.divisions.items() if d.pk == division.pk), "")

    def user_for(self, nbh: Neighbourhood) -> Any:
        return self.users.get(self.division_name(nbh.division))

    # -------------------------------------------------------------------------------------------- events

    def event(
        self,
        key: str,
        *,
        title: str,
        kind: str,
        starts_at: dt.datetime,
        hours: float,
        description: str,
        nbh: Neighbourhood | None = None,
        division: Division | None = None,
        author: Any = None,
        address: str = "",
        point: tuple[float | None, float | None] = (None, None),
        online_url: str = "",
    ) -> Event | None:
        """A published event (None when the demo made it before: what hangs from it exists too)."""
        # Every draw is made whether or not the event exists, so the rows after it come out the same.
        lead = self.rng.randint(10, 28)
        if key in self.events:
            return None
        attendance = (
            Event.Attendance.BOTH
            if address and online_url
            else Event.Attendance.ONLINE
            if online_url
            else Event.Attendance.IN_PERSON
        )
        published_at = min(starts_at - dt.timedelta(days=lead), self.now - dt.timedelta(hours=2))
        event = Event(
            # Stable across loads: the demo's addresses stay the same after `load_demo --reset`.
            public_id=uuid.uuid5(uuid.NAMESPACE_URL, f"openbeat-demo:event:{key}"),
            title=title,
            description=description,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            attendance=attendance,
            address=address,
            lat=point[0] if address else None,
            lon=point[1] if address else None,
            online_url=online_url,
            contact_name="Your neighbourhood team" if nbh is not None else "Demoshire Police",
            contact_email=f"neighbourhoods@{DOMAIN}",
            contact_phone="101",
            neighbourhood=nbh,
            division=nbh.division if nbh is not None else division,
            force_wide=nbh is None and division is None,
            state=Event.State.PUBLISHED,
            published_at=published_at,
            created_by=author,
        )
        self.plan.events[key] = event
        self.plan.revisions.append(EventRevision(event=event, sequence=0, action="published", changed_by=author))
        return event

    def place(self, nbh: Neighbourhood, venue: str) -> tuple[str, tuple[float | None, float | None]]:
        town = self.towns.get(demo_code(self, nbh), nbh.name)
        where = f"{nbh.name} {venue}" if venue in VENUES else f"{venue}, {nbh.name}"
        return f"{where}\n{town}", (nbh.centroid_lat, nbh.centroid_lon)

    # -------------------------------------------------------------------------------------------- priorities

    def priority(
        self,
        key: str,
        *,
        nbh: Neighbourhood,
        theme: Theme,
        status: str,
        date_set: dt.date,
        source: str,
        reference: str,
        url: str = "",
    ) -> Priority | None:
        street = self.rng.choice(["Moor Lane", "Victoria Road", "Station Road", "Church Lane", "Mill Street"])
        slack = self.rng.random()
        if key in self.priorities:
            return None
        priority = Priority(
            neighbourhood=nbh,
            issue=theme.issue.format(street=street, place=nbh.name),
            action=theme.action,
            date_set=date_set,
            status=Status.OPEN,
            source_kind=source,
            source_reference=reference[:200],
            source_url=url,
            published=True,
        )
        span = max((self.today - date_set).days, 6)
        updates: list[tuple[dt.date, str, str]] = []
        if status in (Status.IN_PROGRESS, Status.DONE):
            first = date_set + dt.timedelta(days=max(1, span // 5))
            updates.append((first, Status.IN_PROGRESS, theme.progress[0]))
            second = date_set + dt.timedelta(days=max(2, span // 2))
            updates.append((second, Status.IN_PROGRESS, theme.progress[1]))
        if status == Status.DONE:
            done = date_set + dt.timedelta(days=max(3, span - 2 - round(slack * span / 5)))
            updates.append((min(done, self.today), Status.DONE, "Done: see what we did."))
            priority.outcome = theme.outcome
        if updates:
            priority.status = updates[-1][1]
            priority.date_done = updates[-1][0] if priority.status == Status.DONE else None
        self.plan.priorities[key] = priority
        self.plan.updates[key] = updates
        return priority


def demo_code(life: _Life, nbh: Neighbourhood) -> str:
    return next(code for code, n in life.nbh.items() if n.pk == nbh.pk)


def _agenda(nbh: Neighbourhood) -> list[str]:
    return [
        "Welcome and introductions",
        f"Crime and anti-social behaviour in {nbh.name} since the last meeting",
        "Updates on the current priorities",
        "Your questions",
        "Agreeing the priorities for the next three months",
    ]


def _minutes(nbh: Neighbourhood, themes: list[Theme], in_person: int, online: int) -> str:
    agreed = "\n".join(
        f"{n}. {t.issue.format(street='the main road', place=nbh.name)}" for n, t in enumerate(themes, start=1)
    )
    return (
        f"**Present:** the neighbourhood team ({nbh.name}), a ward councillor, {in_person} residents in person and "
        f"{online} online.\n\n"
        "## Crime and anti-social behaviour\n"
        "The sergeant went through the last three months' figures: burglary down, anti-social behaviour up in the "
        "evenings, one serious assault (a man has been charged).\n\n"
        "## Questions\n"
        "Residents asked about speeding, parking at school times and patrols in the park; the answers are on the "
        "meeting's page.\n\n"
        f"## Priorities agreed\n{agreed}\n\n"
        "The next meeting is in three months: the date will be on this page and in the events list."
    )


# ------------------------------------------------------------------------------------------------ the step


def step_neighbourhood_life(ctx: Any) -> str:
    life = _Life(ctx)
    if not life.nbh:
        return "skipped: no demo neighbourhoods (run the geography step first)"
    codes = sorted(life.nbh)
    # The meeting to show: the first West neighbourhood, which officer.west looks after.
    west = [c for c in codes if life.nbh[c].division_id == getattr(life.divisions.get("West"), "pk", None)]
    showcase = (west or codes)[0]
    cancelled = (west or codes)[1 % len(west or codes)]
    past_meetings: dict[str, tuple[Neighbourhood, list[tuple[str, Theme]]]] = {}

    for code in codes:
        nbh = life.nbh[code]
        rng = random.Random(f"{SEED}:{code}")
        life.rng = rng
        author = life.user_for(nbh)
        # The last PACT meeting, where most of the priorities were set.
        day = life.today - dt.timedelta(days=rng.randint(75, 115))
        address, point = life.place(nbh, rng.choice(VENUES))
        past = life.event(
            f"{code}:pact-past",
            title=f"{nbh.name} PACT meeting",
            kind=K.PACT,
            starts_at=_when(day, 19),
            hours=1.5,
            description=f"Police and Communities Together: tell your team what matters most in {nbh.name}.",
            nbh=nbh,
            author=author,
            address=address,
            point=point,
        )
        made = past or life.events.get(f"{code}:pact-past")
        meeting_url = absolute_url(reverse("meetings:detail", kwargs={"public_id": made.public_id})) if made else ""
        reference = f"PACT meeting: {nbh.name} PACT meeting, {day:%-d %B %Y}"
        themes = rng.sample(THEMES, 3)
        statuses = rng.choice(
            [
                (Status.IN_PROGRESS, Status.DONE),
                (Status.OPEN, Status.IN_PROGRESS, Status.DONE),
                (Status.DONE, Status.IN_PROGRESS, Status.OPEN),
                (Status.IN_PROGRESS, Status.OPEN),
            ]
        )
        agreed: list[tuple[str, Theme]] = []
        for n, status in enumerate(statuses):
            key = f"{code}:priority-{n}"
            if rng.random() < 0.15:  # from the month's residents' concerns
                month = month_shift(month_of(life.today), -rng.randint(2, 3))
                set_on = month_start(month_shift(month, 1)) + dt.timedelta(days=rng.randint(2, 9))
                life.priority(
                    key,
                    nbh=nbh,
                    theme=themes[n],
                    status=status,
                    date_set=set_on,
                    source=Source.CONCERNS,
                    reference=f"Residents' concerns, {month_starts_at(month):%B %Y}",
                )
            else:
                life.priority(
                    key,
                    nbh=nbh,
                    theme=themes[n],
                    status=status,
                    date_set=day,
                    source=Source.PACT,
                    reference=reference,
                    url=meeting_url,
                )
                agreed.append((key, themes[n]))
        in_person, online = rng.randint(6, 32), rng.randint(0, 25)
        if past is not None:
            life.plan.meetings[f"{code}:pact-past"] = Meeting(
                event=past,
                questions_open=False,
                minutes=_minutes(nbh, [t for _, t in agreed] or themes[:1], in_person, online),
                attended_in_person=in_person,
                attended_online=online,
                held=True,
            )
            life.plan.agenda[f"{code}:pact-past"] = _agenda(nbh)
            past_meetings[code] = (nbh, agreed)

        # The next PACT meeting (for the showcase neighbourhood, the one happening now), taking questions.
        if code == showcase:
            _live(life, nbh, author)
        else:
            day = life.today + dt.timedelta(days=rng.randint(8, 55))
            address, point = life.place(nbh, rng.choice(VENUES))
            streamed = rng.random() < 0.4
            upcoming = life.event(
                f"{code}:pact-next",
                title=f"{nbh.name} PACT meeting",
                kind=K.PACT,
                starts_at=_when(day, 18 + rng.randint(0, 1), 30),
                hours=1.5,
                description=(
                    f"Come and tell us what to tackle next in {nbh.name}, or send your question beforehand on "
                    "this page. We will report back on the current priorities."
                ),
                nbh=nbh,
                author=author,
                address=address,
                point=point,
                online_url=f"https://meet.{DOMAIN}/pact-{code.lower()}" if streamed else "",
            )
            if upcoming is not None:
                life.plan.meetings[f"{code}:pact-next"] = Meeting(
                    event=upcoming,
                    stream_url=upcoming.online_url,
                    stream_title=f"{nbh.name} PACT meeting, live" if streamed else "",
                )
                life.plan.agenda[f"{code}:pact-next"] = _agenda(nbh)

        # A beat surgery or a street stall, in the last three weeks or the next month.
        surgery = rng.random() < 0.5 or code == cancelled
        day = life.today + dt.timedelta(days=rng.randint(3, 30) if code == cancelled else rng.randint(-21, 30))
        address, point = life.place(nbh, rng.choice(VENUES if surgery else STALLS))
        life.event(
            f"{code}:{'surgery' if surgery else 'stall'}",
            title=f"Beat surgery in {nbh.name}" if surgery else f"Street stall: meet your team in {nbh.name}",
            kind=K.SURGERY if surgery else K.STALL,
            starts_at=_when(day, rng.choice([10, 11, 14]) if not surgery else rng.choice([10, 17])),
            hours=2,
            description=(
                "Drop in to talk to your beat manager in confidence: no appointment needed."
                if surgery
                else "Free bike marking, purse chains and crime-prevention advice. Come and say hello."
            ),
            nbh=nbh,
            author=author,
            address=address,
            point=point,
        )
        if code == cancelled:
            _cancel(life, f"{code}:surgery", author)

    _divisions(life)
    return _save(life, past_meetings, showcase)


def _live(life: _Life, nbh: Neighbourhood, author: Any) -> None:
    start = life.now - dt.timedelta(minutes=25)
    event = life.event(
        LIVE_KEY,
        title=f"{nbh.name} PACT meeting (online)",
        kind=K.PACT,
        starts_at=start.replace(second=0, microsecond=0),
        hours=2,
        description=(
            f"Our PACT meeting for {nbh.name}, online: watch, send your questions and vote for the ones you want "
            "answered. The questions and answers follow live on this page."
        ),
        nbh=nbh,
        author=author,
        address=f"{nbh.name} Community Centre\n{life.towns.get(demo_code(life, nbh), '')}".strip(),
        point=(nbh.centroid_lat, nbh.centroid_lon),
        online_url=f"https://meet.{DOMAIN}/pact-live",
    )
    if event is None:
        _keep_live(life, author)
        return
    life.plan.meetings[LIVE_KEY] = Meeting(
        event=event,
        stream_url=f"https://stream.{DOMAIN}/pact-live",
        stream_title=f"{nbh.name} PACT meeting, live video",
        captions_url=f"https://stream.{DOMAIN}/pact-live/captions",
    )
    life.plan.agenda[LIVE_KEY] = _agenda(nbh)


def _keep_live(life: _Life, author: Any) -> None:
    """The live meeting made by an earlier load has ended: it is moved to now, as staff would reschedule it."""
    event = life.events[LIVE_KEY]
    if event.ends_at > life.now or event.state != Event.State.PUBLISHED:
        return
    length = event.ends_at - event.starts_at
    starts_at = (life.now - dt.timedelta(minutes=25)).replace(second=0, microsecond=0)
    changes = {
        "starts_at": [_shown(event.starts_at), _shown(starts_at)],
        "ends_at": [_shown(event.ends_at), _shown(starts_at + length)],
    }
    event.starts_at, event.ends_at, event.sequence = starts_at, starts_at + length, event.sequence + 1
    event.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
    EventRevision.objects.create(
        event=event, sequence=event.sequence, action="changed", changes=changes, changed_by=author
    )


def _cancel(life: _Life, key: str, author: Any) -> None:
    event = life.plan.events.get(key)
    if event is None:
        return
    reason = "The community centre is closed for repairs: come to our street stall on the same day instead."
    event.state = Event.State.CANCELLED
    event.cancel_reason = reason
    event.cancelled_at = life.now - dt.timedelta(days=1)
    event.sequence = 1
    life.plan.revisions.append(
        EventRevision(
            event=event,
            sequence=1,
            action="cancelled",
            changes={"state": [Event.State.PUBLISHED.label, Event.State.CANCELLED.label], "reason": ["", reason]},
            changed_by=author,
        )
    )


def _divisions(life: _Life) -> None:
    rng = random.Random(f"{SEED}:divisions")
    life.rng = rng
    for name, division in sorted(life.divisions.items()):
        author = life.users.get(name)
        first = next((n for c, n in sorted(life.nbh.items()) if n.division_id == division.pk), None)
        town = life.towns.get(demo_code(life, first), name) if first is not None else name
        point = (first.centroid_lat, first.centroid_lon) if first is not None else (None, None)
        day = life.today + dt.timedelta(days=rng.randint(10, 20))
        session = life.event(
            f"{name}:prevention",
            title=f"Keeping your home safe: a crime-prevention evening in {town}",
            kind=K.PREVENTION,
            starts_at=_when(day, 18, 30),
            hours=2,
            description=(
                "Our crime-prevention officers on locks, lighting, doorbell cameras and sheds, with free property "
                "marking kits. Booking not needed."
            ),
            division=division,
            author=author,
            address=f"{town} Library\nMarket Place\n{town}",
            point=point,
        )
        if session is not None and name == "West":
            # Changed after it was published: moved a day later and to a bigger room.
            before_start, before_address = session.starts_at, session.address
            session.starts_at += dt.timedelta(days=1)
            session.ends_at += dt.timedelta(days=1)
            session.address = f"{town} Town Hall\nMarket Place\n{town}"
            session.sequence = 1
            life.plan.revisions.append(
                EventRevision(
                    event=session,
                    sequence=1,
                    action="changed",
                    changes={
                        "starts_at": [_shown(before_start), _shown(session.starts_at)],
                        "ends_at": [_shown(before_start + dt.timedelta(hours=2)), _shown(session.ends_at)],
                        "address": [before_address, session.address],
                    },
                    changed_by=author,
                )
            )
        day = life.today - dt.timedelta(days=rng.randint(5, 15))
        life.event(
            f"{name}:stall",
            title=f"{name} division at {town} market",
            kind=K.STALL,
            starts_at=_when(day, 10),
            hours=4,
            description="Officers from every neighbourhood team in the division, with advice on scams and bike "
            "security.",
            division=division,
            author=author,
            address=f"Market Place\n{town}",
            point=point,
        )
    day = life.today + dt.timedelta(days=24)
    life.event(
        FORCE_KEY,
        title="Demoshire Police open day",
        kind=K.FORCE,
        starts_at=_when(day, 10),
        hours=6,
        description=(
            "Meet the dogs, the horses and the roads policing unit; find out about joining as an officer, a "
            "Special Constable or a volunteer. Also streamed online."
        ),
        author=life.force_user,
        address="Police Headquarters\nHutton Road\nDemoshire",
        point=(None, None),
        online_url=f"https://stream.{DOMAIN}/open-day",
    )


# ------------------------------------------------------------------------------------------------ saving


def _save(life: _Life, past_meetings: dict[str, tuple[Neighbourhood, list[tuple[str, Theme]]]], showcase: str) -> str:
    plan = life.plan
    Event.objects.bulk_create(plan.events.values(), batch_size=500)
    demo_tag_keyed(keyed=dict(plan.events))
    EventRevision.objects.bulk_create(plan.revisions, batch_size=500)
    Meeting.objects.bulk_create(plan.meetings.values(), batch_size=500)
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=plan.meetings[key], order=n, title=title)
            for key, items in plan.agenda.items()
            for n, title in enumerate(items)
        ],
        batch_size=1000,
    )
    Priority.objects.bulk_create(plan.priorities.values(), batch_size=500)
    demo_tag_keyed(keyed=dict(plan.priorities))
    PriorityUpdate.objects.bulk_create(
        [
            PriorityUpdate(
                priority=plan.priorities[key],
                date=date,
                status=status,
                note=note,
                author=life.user_for(plan.priorities[key].neighbourhood),
            )
            for key, updates in plan.updates.items()
            for date, status, note in updates
        ],
        batch_size=1000,
    )
    # The meetings' actions: the priorities they set.
    priorities = {**life.priorities, **plan.priorities}
    actions = []
    for code, (nbh, agreed) in past_meetings.items():
        meeting = plan.meetings[f"{code}:pact-past"]
        for key, _theme in agreed:
            priority = priorities[key]
            actions.append(
                Action(
                    meeting=meeting,
                    priority=priority,
                    created_new=True,
                    summary=priority.issue,
                    created_by=life.user_for(nbh),
                )
            )
    Action.objects.bulk_create(actions, batch_size=500)
    demo_tag(objs=actions)
    if f"{showcase}:pact-past" in plan.meetings:
        _questions(plan.meetings[f"{showcase}:pact-past"], live=False, now=life.now)
    if LIVE_KEY in plan.meetings:
        _questions(plan.meetings[LIVE_KEY], live=True, now=life.now)
    events = demo_tagged(Event.objects.all())
    return (
        f"{events.count()} events ({len(plan.events)} new, {events.filter(kind=K.PACT).count()} PACT meetings), "
        f"{demo_tagged(Priority.objects.all()).count()} priorities ({len(plan.priorities)} new)"
    )


def _questions(meeting: Meeting, *, live: bool, now: dt.datetime) -> None:
    """Residents and their questions and votes: answered ones after a meeting; during one, approved (one answered,
    one on screen), one awaiting moderation and one flagged."""
    rng = random.Random(f"{SEED}:questions:{live}")
    people = [
        Participant(
            meeting=meeting,
            email_hash=meeting_email_hash(meeting=meeting, email=f"resident{n}@example.com"),
            verified_at=now - dt.timedelta(hours=rng.randint(1, 72)),
            registered_at=now - dt.timedelta(days=2) if live and n % 3 == 0 else None,
        )
        for n in range(24 if live else 12)
    ]
    Participant.objects.bulk_create(people)
    S = Question.State
    questions: list[Question] = []
    if live:
        for n, text in enumerate(LIVE_QUESTIONS):
            questions.append(
                Question(
                    meeting=meeting,
                    participant=people[n],
                    display_name=NAMES[n],
                    text=text,
                    state=S.APPROVED,
                    approved_at=now - dt.timedelta(minutes=30 - n),
                    answer=LIVE_ANSWER if n == 0 else "",
                    answered_at=now - dt.timedelta(minutes=8) if n == 0 else None,
                )
            )
        questions.append(
            Question(
                meeting=meeting,
                participant=people[5],
                display_name="Concerned of Moor Lane",
                state=S.AWAITING,
                text="Why are the PCSOs never on the estate in the evenings?",
            )
        )
        questions.append(
            Question(
                meeting=meeting,
                participant=people[6],
                display_name="Anonymous",
                state=S.FLAGGED,
                text="My neighbour was assaulted last night and nobody has been to see her.",
                matched_words="assaulted",
                contact_email="resident6@example.com",
            )
        )
    else:
        for n, (text, answer) in enumerate(PAST_QUESTIONS):
            asked = now - dt.timedelta(days=90)
            questions.append(
                Question(
                    meeting=meeting,
                    participant=people[n],
                    display_name=NAMES[n + 8],
                    text=text,
                    state=S.APPROVED,
                    approved_at=asked,
                    answer=answer,
                    answered_at=asked,
                )
            )
        questions.append(
            Question(
                meeting=meeting,
                participant=people[5],
                display_name="Local resident",
                state=S.REJECTED,
                text="Why don't you lot do your jobs for once?",
                reject_reason="Please ask about something the team can act on, and we will answer it.",
            )
        )
    Question.objects.bulk_create(questions)
    approved = [q for q in questions if q.state == S.APPROVED]
    votes = [
        Vote(question=question, participant=person)
        for n, question in enumerate(approved)
        for person in rng.sample(people, max(1, len(people) - 4 * n - rng.randint(0, 3)))
    ]
    Vote.objects.bulk_create(votes)
    if live:
        Meeting.objects.filter(pk=meeting.pk).update(current_question=approved[1])


# ------------------------------------------------------------------------------------------------ concerns


# Neighbourhoods with many responses a month (counts shown), and a few with one or two (withheld).
BUSY = 6
QUIET = 4
MONTHS_BACK = 3
COMMENTS = [
    "Cars speed down our road every evening.",
    "Teenagers drinking in the park until late.",
    "Someone tried the door handles of every car on the street last week.",
    "Rubbish dumped behind the shops again.",
    "",
]


def step_concerns(ctx: Any) -> str:
    from openbeat.demo.steps import demo_neighbourhoods

    concerns = list(Concern.objects.filter(active=True).order_by("order", "name"))
    if not concerns:
        return "skipped: the force's list of concerns is empty"
    nbhs = [n for _, n in sorted(demo_neighbourhoods().items())]
    chosen = nbhs[:: max(1, len(nbhs) // (BUSY + QUIET))][: BUSY + QUIET]
    now = timezone.now()
    current = month_of(timezone.localdate())
    months = [month_shift(current, -n) for n in range(MONTHS_BACK, -1, -1)]
    existing = set(
        ConcernResponse.objects.filter(neighbourhood__in=chosen, month__in=months).values_list(
            "neighbourhood_id", "month", "email_hash"
        )
    )
    rows: list[ConcernResponse] = []
    picks: list[list[Concern]] = []
    for n, nbh in enumerate(chosen):
        rng = random.Random(f"{SEED}:concerns:{nbh.code}")
        busy = n < BUSY
        # Each place cares most about a few things: those come up again and again.
        favourites = rng.sample(concerns, min(4, len(concerns)))
        for month in months:
            start = month_starts_at(month)
            end = min(month_starts_at(month_shift(month, 1)), now)
            count = rng.randint(9, 26) if busy else rng.randint(1, 2)
            for person in range(count):
                digest = concern_email_hash(email=f"resident{person}@example.com", neighbourhood=nbh, month=month)
                chosen_concerns = sorted(
                    {
                        rng.choice(favourites) if rng.random() < 0.8 else rng.choice(concerns)
                        for _ in range(rng.randint(1, 3))
                    },
                    key=lambda c: c.pk,
                )
                comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
                confirmed = start + (end - start) * rng.random()
                if (nbh.pk, month, digest) in existing:
                    continue
                rows.append(
                    ConcernResponse(
                        neighbourhood=nbh, month=month, email_hash=digest, comment=comment, confirmed_at=confirmed
                    )
                )
                picks.append(chosen_concerns)
    ConcernResponse.objects.bulk_create(rows, batch_size=500)
    through = ConcernResponse.concerns.through
    through.objects.bulk_create(
        [through(concernresponse_id=row.pk, concern_id=c.pk) for row, cs in zip(rows, picks, strict=True) for c in cs],
        batch_size=1000,
    )
    demo_tag(objs=rows)
    total = demo_tagged(ConcernResponse.objects.all()).count()
    return f"{total} confirmed responses in {len(chosen)} neighbourhoods over {len(months)} months ({len(rows)} new)"
