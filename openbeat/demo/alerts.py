"""Demo In the Know alerts: a few drafts, one awaiting approval, one scheduled for tomorrow, and sent ones over
the past weeks in every division, so the back office lists and the public archive (/alerts/) have something
believable in them.

Rows are written directly, not through the services: sent alerts need send dates in the past, and their
audience counts are what a force of this size would see, not what the (small) demo subscriber list gives.
Every alert is one its author could have sent (their division, their permissions): tests check that.
Idempotent: an alert is found by its title among the demo's own alerts; one whose areas no longer exist (after
`load_demo --reset` re-created the neighbourhoods) gets its areas again. Authors, areas and divisions are the
demo's own: an alert whose author's login belongs to an account the demo did not make is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from openbeat.alerts.models import Alert, AlertTranslation, Priority
from openbeat.areas.models import Division, Neighbourhood
from openbeat.demo.registry import demo_delete, demo_label, demo_tag, demo_tagged
from openbeat.staff.models import StaffProfile
from openbeat.subscriptions.models import Interest

S = Alert.State


@dataclass(frozen=True)
class DemoAlert:
    title: str
    body: str
    author: str
    interest: str
    state: str
    priority: int = Priority.NORMAL
    # Areas by name: neighbourhood names, division names, or ("circle", neighbourhood name, radius in m).
    neighbourhoods: tuple[str, ...] = ()
    divisions: tuple[str, ...] = ()
    circle: tuple[str, int] | None = None
    whole_force: bool = False
    owner: str | None = None  # the alert's division; None means the author's
    days_ago: float = 0  # when sent (sent alerts) or composed (others)
    counts: tuple[int, int] = (0, 0)  # email, sms
    approver: str | None = None
    send_in_days: float | None = None
    expires_days: float | None = None  # after sending; negative is in the past
    link: tuple[str, str] | None = None
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)


ALERTS = [
    DemoAlert(
        title="Appeal for information: burglaries on Mill Lane, Scotforth Rise",
        body=(
            "Between **11pm on Monday and 6am on Tuesday** two homes on Mill Lane were broken into through rear "
            "windows. Jewellery, laptops and car keys were taken, and a grey Ford Focus was driven away.\n\n"
            "## Can you help?\n"
            "- Do you have a doorbell or dashcam camera in the area? Please check your footage for those hours.\n"
            "- Did you see anyone in the back lanes, or a grey Focus being driven fast?\n\n"
            "Call 101 quoting log **0213 of 14 October**, or report online. You can also stay anonymous by "
            "calling Crimestoppers on [0800 555 111](tel:08005551111).\n\n"
            "*Please keep rear windows locked and car keys out of sight of doors and letterboxes.*"
        ),
        author="officer.west",
        interest="crime-alerts",
        state=S.SENT,
        neighbourhoods=("Scotforth Rise", "Bowerham"),
        days_ago=3,
        counts=(846, 212),
        link=("https://www.crimestoppers-uk.org/", "Give information anonymously to Crimestoppers"),
    ),
    DemoAlert(
        title="Road closure: Bridge Street, Mill Hill, this Saturday and Sunday",
        body=(
            "Bridge Street will be **closed between Queen Street and Station Road from 7am on Saturday to 6pm on "
            "Sunday** while a gas main is replaced.\n\n"
            "Diversions are signed via Park Road. Buses 12 and 14 will stop on Park Road instead. Access for "
            "residents and emergency vehicles is kept at all times.\n\n"
            "Please do not park on the diversion route: officers will be patrolling."
        ),
        author="officer.east",
        interest="roads-travel",
        state=S.SENT,
        priority=Priority.INFORMATION,
        neighbourhoods=("Mill Hill", "Audley & Queens Park"),
        days_ago=6,
        counts=(1210, 95),
        expires_days=2,
    ),
    DemoAlert(
        title="PACT meeting in Ashbridge: tell us what to tackle next",
        body=(
            "Your neighbourhood team holds its next **Police and Communities Together (PACT)** meeting on "
            "Thursday at 7pm in Ashbridge Library, Market Place.\n\n"
            "Come and tell us what matters most where you live. At the last meeting you chose:\n\n"
            "1. Speeding on Victoria Road\n"
            "2. Anti-social behaviour in the park after dark\n"
            "3. Drug dealing near the station\n\n"
            "We will report back on each, and agree the priorities for the next three months. Can't come? Email "
            "[ashbridge.pact@demoshire.police.example](mailto:ashbridge.pact@demoshire.police.example)."
        ),
        author="lead.west",
        interest="events-pact",
        state=S.SENT,
        priority=Priority.INFORMATION,
        neighbourhoods=("Ashbridge Town Centre", "Ashbridge Quayside", "Ashbridge North"),
        days_ago=12,
        counts=(1630, 0),
    ),
    DemoAlert(
        title="Scam warning: callers pretending to be police officers",
        body=(
            "We have had reports across the county of people being phoned by someone claiming to be a police "
            "officer or a bank's fraud team. They say your bank account has been compromised and ask you to "
            "**move money to a 'safe account'** or hand cash or cards to a courier.\n\n"
            "## Remember\n"
            "- The police and your bank will **never** ask you to move money or hand over cards or PINs.\n"
            "- Hang up, wait five minutes (or use another phone), then call your bank on the number on your card.\n"
            "- Talk to older relatives and neighbours about this scam: they are most often targeted.\n\n"
            "If you have been a victim, call 101 or report it to [Report Fraud](https://www.reportfraud.police.uk/)."
        ),
        author="hq",
        interest="crime-prevention",
        state=S.SENT,
        priority=Priority.URGENT,
        whole_force=True,
        days_ago=9,
        counts=(24_318, 6_905),
        approver="admin",
        translations={
            "pl": (
                "Ostrzeżenie: oszuści podający się za policjantów",
                "Policja ani bank **nigdy** nie poproszą Cię o przelanie pieniędzy na „bezpieczne konto” ani o "
                "przekazanie karty lub PIN-u. Rozłącz się i zadzwoń do banku pod numer z karty.",
            )
        },
    ),
    DemoAlert(
        title="Rural theft: quad bikes and tools taken from farms near Chipping Fold",
        body=(
            "Three farms around Chipping Fold have had **quad bikes, power tools and fuel** stolen from "
            "outbuildings in the last fortnight, all overnight.\n\n"
            "- Lock quad bikes away and remove keys; consider a ground anchor and a tracker.\n"
            "- Mark tools with your postcode. Your team can lend you a marking kit.\n"
            "- Note the registrations of vehicles you don't recognise on farm tracks and call 101.\n\n"
            "If you see a theft happening, call **999**."
        ),
        author="hq",
        interest="rural-farm-watch",
        state=S.SENT,
        circle=("Brackley Moor & Chipping Fold", 2500),
        owner="Central",
        days_ago=16,
        counts=(212, 64),
    ),
    DemoAlert(
        title="Update: missing man from Rosegrove found safe",
        body=(
            "Thank you to everyone who shared our appeal yesterday. **Graham, who was reported missing from "
            "Rosegrove, has been found safe and well** and is back with his family.\n\n"
            "We are grateful for the calls we received and for the help of local residents who checked their "
            "sheds and gardens."
        ),
        author="officer.east",
        interest="emergency-warnings",
        state=S.SENT,
        neighbourhoods=("Rosegrove", "Gannow"),
        days_ago=20,
        counts=(978, 301),
        expires_days=1,
    ),
    DemoAlert(
        title="Catalytic converter thefts in Saltcote Old Town",
        body=(
            "Catalytic converters have been cut from **four cars parked on the street** in Saltcote Old Town "
            "this week, mostly hybrids and older Hondas and Toyotas.\n\n"
            "Park in a garage or a well-lit place where you can, and close to walls or kerbs to make access "
            "harder. Heard sawing or an angle grinder at night? Call 999 straight away."
        ),
        author="officer.west",
        interest="crime-alerts",
        state=S.SENT,
        neighbourhoods=("Saltcote Old Town",),
        days_ago=27,
        counts=(402, 118),
    ),
    # Awaiting approval: over the force's threshold, so the division lead must approve it.
    DemoAlert(
        title="Doorstep crime: rogue traders offering roof repairs",
        body=(
            "Men calling at homes across the division are offering **cheap roof or driveway repairs**, then "
            "demanding large sums in cash once work starts.\n\n"
            "- Never agree to work from a cold caller.\n"
            "- Get three written quotes from traders you have checked.\n"
            "- If someone is pressuring you now, call 999."
        ),
        author="officer.west",
        interest="crime-prevention",
        state=S.AWAITING_APPROVAL,
        priority=Priority.URGENT,
        divisions=("West",),
        days_ago=0.1,
        counts=(5_820, 1_240),
    ),
    # Approved, to go out tomorrow morning (by the task worker, or `manage.py dispatch_due_alerts` from cron).
    DemoAlert(
        title="Bike marking at Ashbridge Police Station this Saturday",
        body=(
            "Bring your bike to **Ashbridge Police Station, Saturday 10am to 1pm**, and we will mark and register "
            "it for free. Registered bikes are much more likely to be returned if stolen.\n\n"
            "Please bring proof of ownership if you have it."
        ),
        author="lead.west",
        interest="crime-prevention",
        state=S.APPROVED,
        priority=Priority.INFORMATION,
        neighbourhoods=("Ashbridge Town Centre",),
        days_ago=0.2,
        counts=(540, 88),
        send_in_days=1,
    ),
    DemoAlert(
        title="Speed checks on Moor Lane after residents' concerns",
        body=(
            "Following concerns raised at the last PACT meeting, we will be carrying out **speed checks on Moor "
            "Lane** over the next two weeks, with Community Speed Watch volunteers.\n\n"
            "Would you like to volunteer? Email your neighbourhood team."
        ),
        author="officer.east",
        interest="roads-travel",
        state=S.DRAFT,
        priority=Priority.INFORMATION,
        neighbourhoods=("Whitebirk", "Shadsworth"),
        days_ago=0.5,
    ),
    DemoAlert(
        title="Shed and garage security evening",
        body="Draft: date and venue to be confirmed with the Neighbourhood Watch coordinators.",
        author="officer.west",
        interest="crime-prevention",
        state=S.DRAFT,
        priority=Priority.INFORMATION,
        neighbourhoods=("Kettleby & Marsh Lane",),
        days_ago=1,
    ),
    DemoAlert(
        title="Become a Special Constable in Demoshire",
        body=(
            "Could you give **16 hours a month** to keep your community safe? Special Constables are volunteer "
            "police officers with the same powers as regular officers.\n\n"
            "Open evenings are held in every division next month."
        ),
        author="hq",
        interest="recruitment",
        state=S.DRAFT,
        priority=Priority.INFORMATION,
        whole_force=True,
        days_ago=2,
        link=("https://www.demoshire.police.example/specials", "Find out about becoming a Special Constable"),
    ),
]


def _targeting(spec: DemoAlert, nbh: dict[str, Neighbourhood], divisions: dict[str, Division]) -> dict[str, Any]:
    from openbeat.alerts.targeting import spec_from_json, spec_to_json

    shapes: list[dict[str, Any]] = []
    if spec.circle is not None:
        centre = nbh[spec.circle[0]]
        shapes.append(
            {"type": "Circle", "center": [centre.centroid_lon, centre.centroid_lat], "radius_m": spec.circle[1]}
        )
    areas = {
        "whole_force": spec.whole_force,
        "divisions": sorted(divisions[name].pk for name in spec.divisions),
        "neighbourhoods": sorted(nbh[name].pk for name in spec.neighbourhoods),
        "shapes": shapes,
    }
    channels = ["email", "sms"] if spec.counts[1] or spec.state != S.SENT else ["email"]
    return spec_to_json(spec_from_json({"areas": areas, "topics": {"include": [spec.interest]}, "channels": channels}))


def _owner(spec: DemoAlert, author: Any, nbh: dict[str, Neighbourhood], divisions: dict[str, Division]) -> Any:
    if spec.owner:
        return divisions[spec.owner]
    if spec.whole_force:
        return None
    profile = StaffProfile.objects.filter(user=author).select_related("division").first()
    if profile is not None and profile.division is not None:
        return profile.division
    named = {nbh[name].division for name in spec.neighbourhoods} | {divisions[name] for name in spec.divisions}
    return named.pop() if len(named) == 1 else None


def _fields(spec: DemoAlert, users: dict[str, Any], now: datetime, targeting: dict[str, Any], owner: Any) -> dict:
    when = now - timedelta(days=spec.days_ago)
    email, sms = spec.counts
    counted = spec.state != S.DRAFT
    fields: dict[str, Any] = {
        "body": spec.body,
        "interest": Interest.objects.get(slug=spec.interest),
        "priority": spec.priority,
        "division": owner,
        "targeting": targeting,
        "force_wide": spec.whole_force,
        "state": spec.state,
        "created_by": users[spec.author],
        "audience_email": email if counted else 0,
        "audience_sms": sms if counted else 0,
        # Most SMS subscribers also have email: the union is a little more than the email count.
        "audience_subscribers": email + sms // 4 if counted else 0,
        "needs_approval": spec.whole_force or email + sms > 5000,
        "link_url": spec.link[0] if spec.link else "",
        "link_text": spec.link[1] if spec.link else "",
    }
    if spec.state in (S.AWAITING_APPROVAL, S.APPROVED, S.SENT):
        fields["submitted_at"] = when - timedelta(hours=1)
    if spec.state in (S.APPROVED, S.SENT):
        fields["approved_at"] = when - timedelta(minutes=20)
        fields["approved_by"] = users.get(spec.approver) if spec.approver else None
    if spec.state == S.SENT:
        fields["sending_at"] = when
        fields["sent_at"] = when + timedelta(minutes=3)
    if spec.send_in_days is not None:
        fields["send_at"] = (now + timedelta(days=spec.send_in_days)).replace(hour=9, minute=0, second=0, microsecond=0)
    if spec.expires_days is not None:
        fields["expires_at"] = when + timedelta(days=spec.expires_days)
    return fields


def step_alerts(ctx: Any) -> str:
    from openbeat.demo.steps import demo_divisions, demo_neighbourhoods

    names = {a.author for a in ALERTS} | {a.approver for a in ALERTS if a.approver}
    users = {u.username: u for u in demo_tagged(get_user_model().objects.filter(username__in=names))}
    missing = {a.author for a in ALERTS} - users.keys()
    if missing == {a.author for a in ALERTS}:
        return f"skipped: no staff logins {', '.join(sorted(missing))} (run the staff step first)"
    nbh = {n.name: n for n in demo_neighbourhoods().values()}
    divisions = demo_divisions()
    now = timezone.now()
    created = refreshed = left_out = 0
    for spec in ALERTS:
        if spec.author in missing:
            left_out += 1
            continue
        targeting = _targeting(spec, nbh, divisions)
        owner = _owner(spec, users[spec.author], nbh, divisions)
        alert = demo_tagged(Alert.objects.filter(title=spec.title)).first()
        if alert is None:
            alert = Alert.objects.create(title=spec.title, **_fields(spec, users, now, targeting, owner))
            demo_tag(objs=[alert])
            created += 1
        elif _stale(alert):
            Alert.objects.filter(pk=alert.pk).update(targeting=targeting, division=owner, created_by=users[spec.author])
            refreshed += 1
        for language, (title, body) in spec.translations.items():
            AlertTranslation.objects.get_or_create(
                alert=alert, language=language, defaults={"title": title, "body": body}
            )
    states = ", ".join(f"{n} {s}" for s, n in _by_state().items())
    summary = f"{len(ALERTS)} alerts ({created} new, {refreshed} re-targeted): {states}"
    if left_out:
        summary += f"; {left_out} left out (their authors' logins are accounts the demo did not make)"
    return summary


def _stale(alert: Alert) -> bool:
    areas = (alert.targeting or {}).get("areas") or {}
    named = set(areas.get("neighbourhoods") or [])
    return alert.created_by_id is None or len(named) != Neighbourhood.objects.filter(pk__in=named).count()


def _by_state() -> dict[str, int]:
    titles = [a.title for a in ALERTS]
    counts: dict[str, int] = {}
    for state in demo_tagged(Alert.objects.filter(title__in=titles)).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return dict(sorted(counts.items()))


def demo_alerts_reset() -> int:
    """Remove the alerts the demo made (a real alert with the same title stays)."""
    return demo_delete(models_to_delete=[Alert])["removed"].get(demo_label(Alert), 0)
