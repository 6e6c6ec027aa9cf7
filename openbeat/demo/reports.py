"""Demo Do It Online reports: a few hundred across the default types, every state and outcome, every division
and the force-wide queue, over the past six months, so the triage queue, the status pages, Open311 and the
insights "online reporting" table have something believable in them.

Rows are written directly (not through `report_submit`): they need dates in the past and no emails. References
are fixed per demo report (`<prefix>-<year>-<n>`), so loading again creates only what is missing. On a database
of its own the demo uses the force's prefix and moves the year's counter past its numbers, so live submissions
carry on from there. Beside a force's own data it numbers its reports `DEMO-<year>-<n>` instead and leaves the
counter alone: the force's sequence never gains a gap or a demo report. A reference already taken is never
reused, and no counter is ever moved back. A "standards" login (Professional Standards) is added so the
complaints can be seen.

Only the demo's own neighbourhoods, officers and staff appear in its reports (see registry.py).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from openbeat.demo.registry import demo_delete, demo_foreign_rows, demo_label, demo_tag, demo_tagged
from openbeat.reports import questions
from openbeat.reports.models import ReferenceCounter, Report, ReportEvent, ReportType
from openbeat.reports.permissions import can_handle
from openbeat.reports.references import reference_prefix
from openbeat.reports.seed import professional_standards_group, report_types_seed
from openbeat.staff.models import Officer

COUNT = 320
DAYS = 182
SEED = "openbeat-demo-reports"
STANDARDS_LOGIN = "standards"
# The demo's own reference prefix beside a force's data (a force whose short code is DEMO would share its counter
# with the demo, which then moves it past the demo's numbers, as on a demo-only database).
DEMO_PREFIX = "DEMO"
# How often each default type comes in, roughly as a force sees it.
WEIGHTS = {
    "incident": 30,
    "crime": 25,
    "lost": 12,
    "found": 8,
    "contact": 10,
    "compliment": 6,
    "complaint": 4,
    "join-us": 5,
}
_FIRST = ["Alex", "Sam", "Jordan", "Priya", "Tom", "Aisha", "Chris", "Megan", "Dan", "Fatima", "Lee", "Grace"]
_LAST = ["Smith", "Khan", "Jones", "Patel", "Taylor", "Brown", "Wilson", "Ahmed", "Evans", "Walker", "Hughes"]
_TEXT = {
    "crime": [
        "My shed was broken into overnight and two bikes were taken.",
        "Someone keyed the side of my car while it was parked outside the shop.",
        "A parcel was taken from my doorstep; my doorbell camera caught it.",
    ],
    "incident": [
        "Groups of teenagers gather by the play area most evenings, shouting and throwing bottles.",
        "A van parks across the dropped kerb every morning so I cannot get my wheelchair out.",
        "Off-road bikes are being ridden across the playing fields after school.",
    ],
    "contact": [
        "Could our PCSO come to the next residents' meeting?",
        "I wanted to follow up on the report I made last month about the graffiti.",
    ],
    "compliment": [
        "The officer who found my dad when he went missing was kind, calm and patient with all of us.",
        "Thank you to the team who came to the school safety talk: the children loved it.",
    ],
    "complaint": [
        "Nobody called me back after I reported my car stolen, despite being promised a call.",
        "The officer at the front counter was dismissive when I tried to report harassment.",
    ],
    "lost": ["Black leather wallet with my bank cards and a photo of my kids.", "A set of keys on a red lanyard."],
    "found": ["A child's blue scooter left in the bus shelter.", "A purse with some cash, found on the pavement."],
    "join-us": ["I have volunteered with St John Ambulance for three years and would like to help the community."],
}
_NOTES = ["Checked the call log: linked to an earlier call.", "Passed to the local PCSO to visit.", "CCTV requested."]
_MESSAGES = ["Could you tell us roughly what time this happened?", "Do you have any photos you could add?"]
_REPLIES = ["It was about 10pm.", "I have added a photo from my doorbell camera."]
_PUBLIC_NOTES: dict[str, str] = {
    Report.Outcome.CRIME_RECORDED: "We have recorded this as a crime and an officer will be in touch.",
    Report.Outcome.NO_FURTHER_ACTION: "Thank you. We have looked into this and will take no further action.",
    Report.Outcome.PASSED_TO_AGENCY: "We have passed this to the council, who deal with this kind of problem.",
    Report.Outcome.RESOLVED: "Thank you for letting us know. This is now resolved.",
    Report.Outcome.SHARED: "Thank you. We have passed your kind words on.",
}


def _answer(question: Any, rng: random.Random, slug: str, created: dt.datetime) -> Any:
    choices = [c["value"] for c in questions.choices_of(question)]
    if question.kind in ("choice", "yes_no"):
        return rng.choice(choices)
    if question.kind == "multichoice":
        return rng.sample(choices, k=min(len(choices), rng.randint(1, 2)))
    if question.kind == "date":
        return (created - dt.timedelta(days=rng.randint(0, 3))).date().isoformat()
    if question.kind == "time":
        return f"{rng.randint(0, 23):02d}:{rng.choice(['00', '15', '30', '45'])}"
    if question.kind == "number":
        return str(rng.randint(5, 400))
    if question.kind == "textarea":
        return rng.choice(_TEXT.get(slug, _TEXT["incident"]))
    if question.key == "registration":
        return f"{rng.choice(['AB', 'DM', 'YK'])}{rng.randint(10, 72)} {rng.choice(['XYZ', 'KLM', 'PRT'])}"
    return "Not sure" if question.required else ""


def _answers(report_type: ReportType, rng: random.Random, created: dt.datetime) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    # Asked in order, each question only when the answers so far show it, as the journey would.
    for question in questions.questions_of(report_type):
        if question.key in {q.key for q in questions.visible_questions(report_type, answers)}:
            value = _answer(question, rng, report_type.slug, created)
            if value not in ("", None):
                answers[question.key] = value
    return questions.answers_clean(report_type, answers)


def _standards_login(ctx: Any) -> Any:
    from openbeat.demo.steps import DEMO_EMAIL_DOMAIN, demo_login, demo_password

    user = demo_login(
        ctx,
        username=STANDARDS_LOGIN,
        defaults={"email": f"{STANDARDS_LOGIN}@{DEMO_EMAIL_DOMAIN}", "first_name": "Standards", "last_name": "Demo"},
        division=None,
    )
    if user is None:
        return None
    user.groups.add(professional_standards_group())
    if not any(login.get("username") == STANDARDS_LOGIN for login in ctx.logins):
        ctx.logins.append(
            {
                "role": "Professional Standards",
                "username": STANDARDS_LOGIN,
                "password": demo_password(),
                "division": "force-wide",
            }
        )
    return user


def _handlers() -> list[Any]:
    """Demo staff who may handle some reports; each report picks among those who may handle it."""
    users = get_user_model().objects.filter(groups__permissions__codename="triage_report", is_active=True)
    return list(demo_tagged(users.distinct()).order_by("username"))


def _status_for(age_days: float, rng: random.Random) -> str:
    if age_days < 2:
        return rng.choice([Report.Status.NEW, Report.Status.NEW, Report.Status.TRIAGED])
    if age_days < 21 and rng.random() < 0.7:
        return rng.choice([Report.Status.TRIAGED, Report.Status.ASSIGNED, Report.Status.AWAITING_REPORTER])
    return Report.Status.CLOSED if rng.random() < 0.85 else Report.Status.ASSIGNED


def _outcome(report_type: ReportType, rng: random.Random) -> tuple[str, str]:
    if report_type.kind == ReportType.Kind.COMPLIMENT:
        return Report.Outcome.SHARED, ""
    if report_type.kind == ReportType.Kind.CRIME and rng.random() < 0.6:
        return Report.Outcome.CRIME_RECORDED, f"CRN {rng.randint(1000, 9999)}/{rng.randint(24, 26)}"
    outcome = rng.choice([Report.Outcome.NO_FURTHER_ACTION, Report.Outcome.PASSED_TO_AGENCY, Report.Outcome.RESOLVED])
    return outcome, "Council environmental health" if outcome == Report.Outcome.PASSED_TO_AGENCY else ""


def _prefix() -> str:
    """The prefix the demo's references carry (see the module's docstring)."""
    mine = demo_tagged(Report.objects.all()).values_list("reference", flat=True).first()
    if mine:
        return mine.rsplit("-", 2)[0]  # as the demo's reports already are, so a run never makes a second set
    if demo_foreign_rows():  # loaded beside a force's own data: stay out of its sequence altogether
        return DEMO_PREFIX
    return reference_prefix()


def _plan(now: dt.datetime, rng: random.Random, prefix: str) -> list[tuple[str, dt.datetime, float]]:
    """(reference, created_at, age in days) for every demo report, oldest first so numbers follow dates."""
    per_year: dict[int, int] = {}
    planned = []
    for age in sorted((rng.random() ** 1.5 * DAYS for _ in range(COUNT)), reverse=True):
        created = now - dt.timedelta(days=age)
        year = timezone.localtime(created).year
        per_year[year] = per_year.get(year, 0) + 1
        planned.append((f"{prefix}-{year}-{per_year[year]:06d}", created, age))
    return planned


def step_reports(ctx: Any) -> str:
    report_types_seed()
    _standards_login(ctx)
    types = {t.slug: t for t in ReportType.objects.filter(slug__in=WEIGHTS).prefetch_related("questions")}
    slugs = [s for s in WEIGHTS if s in types]
    if not slugs:
        return "no default report types to report against"
    from openbeat.demo.steps import demo_neighbourhoods

    by_code = demo_neighbourhoods()
    places = [by_code[code] for code in sorted(by_code)]
    officers: dict[int, list[Officer]] = {}
    for officer in demo_tagged(Officer.objects.order_by("pk")):
        officers.setdefault(officer.division_id, []).append(officer)
    handlers = _handlers()
    rng = random.Random(SEED)
    # Dates are relative to today, at a whole day, so loading again later the same day plans the same reports.
    now = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    prefix = _prefix()
    planned = _plan(now, rng, prefix)
    # Anyone's report, not only the demo's: a reference that is taken stays with the report that has it.
    existing = set(Report.objects.filter(reference__in=[p[0] for p in planned]).values_list("reference", flat=True))

    made = 0
    with transaction.atomic():
        for reference, created, age in planned:
            # Every report draws the same numbers whether or not it is created, so a re-run matches the first.
            report_type = types[rng.choices(slugs, [WEIGHTS[s] for s in slugs])[0]]
            place = rng.choice(places) if places else None
            answers = _answers(report_type, rng, created)
            status = _status_for(age, rng)
            outcome, detail = _outcome(report_type, rng)
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            flags = [rng.random() for _ in range(4)]
            if reference in existing:
                continue
            located = place is not None and report_type.location != ReportType.Location.NONE and flags[3] < 0.92
            division = place.division if located and place else None
            closed = status == Report.Status.CLOSED
            named = officers.get(division.pk, []) if division and report_type.asks_named_officer else []
            report = Report.objects.create(
                reference=reference,
                report_type=report_type,
                source=Report.Source.OPEN311 if flags[0] < 0.05 and report_type.open311 else Report.Source.WEB,
                status=status,
                outcome=outcome if closed else "",
                outcome_detail=detail if closed else "",
                division=division,
                neighbourhood=place if located else None,
                location_source=Report.LocationSource.MAP if located else "",
                lat=place.centroid_lat if located and place else None,
                lon=place.centroid_lon if located and place else None,
                answers=answers,
                answers_shown=[
                    {k: r[k] for k in ("key", "label", "answer")}
                    for r in questions.answers_display(report_type, answers)
                ],
                reporter_name=name,
                reporter_email=f"{name.lower().replace(' ', '.')}{int(flags[1] * 99)}@example.com",
                named_officer=named[int(flags[1] * len(named))] if named and flags[1] < 0.6 else None,
                created_at=created,
                closed_at=created + dt.timedelta(days=min(age, 1 + flags[2] * 10)) if closed else None,
                sla_amber_at=created + dt.timedelta(hours=report_type.sla_amber_hours),
                sla_red_at=created + dt.timedelta(hours=report_type.sla_red_hours),
                public_note=_PUBLIC_NOTES.get(outcome, "") if closed else "",
            )
            demo_tag(objs=[report])
            _timeline(report, rng=random.Random(reference), handlers=handlers)
            made += 1
        if prefix == reference_prefix():
            _counters_past(planned)
    return f"{made} new reports ({demo_tagged(Report.objects.all()).count()} in all)"


def _counters_past(planned: list[tuple[str, dt.datetime, float]]) -> None:
    """Move each year's reference counter past the demo's numbers."""
    last: dict[int, int] = {}
    for reference, *_ in planned:
        year, number = (int(part) for part in reference.rsplit("-", 2)[1:])
        last[year] = max(last.get(year, 0), number)
    for year, number in last.items():
        ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year, last=0)], ignore_conflicts=True)
        ReferenceCounter.objects.filter(year=year, last__lt=number).update(last=number)


def _timeline(report: Report, *, rng: random.Random, handlers: list[Any]) -> None:
    """Events that tell the report's story so far, and who it is assigned to."""
    if report.status == Report.Status.NEW:
        return
    people = [user for user in handlers if can_handle(user, report)]
    handler = rng.choice(people) if people else None
    events = [ReportEvent(report=report, kind=ReportEvent.Kind.STATUS, author=handler, data={"new": "triaged"})]
    if report.status != Report.Status.TRIAGED:
        if handler is not None:
            report.assigned_to = handler
        else:
            report.assigned_team = "Neighbourhood team"
        who = (handler.get_full_name() or handler.get_username()) if handler is not None else report.assigned_team
        events.append(
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.ASSIGNMENT,
                author=handler,
                body=f"Assigned to {who}",
                data={"assignee": handler.pk if handler is not None else None, "team": report.assigned_team},
            )
        )
    if rng.random() < 0.4:
        events.append(ReportEvent(report=report, kind=ReportEvent.Kind.NOTE, author=handler, body=rng.choice(_NOTES)))
    if report.status == Report.Status.AWAITING_REPORTER or rng.random() < 0.2:
        events.append(
            ReportEvent(report=report, kind=ReportEvent.Kind.TO_REPORTER, author=handler, body=rng.choice(_MESSAGES))
        )
        if report.status != Report.Status.AWAITING_REPORTER:
            events.append(ReportEvent(report=report, kind=ReportEvent.Kind.FROM_REPORTER, body=rng.choice(_REPLIES)))
    if report.status == Report.Status.CLOSED:
        events.append(
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.STATUS,
                author=handler,
                body=report.public_note,
                data={"new": "closed", "outcome": report.outcome},
            )
        )
    ReportEvent.objects.bulk_create(events)
    report.save(update_fields=["assigned_to", "assigned_team"])


def reports_reset() -> int:
    """Delete the demo's reports (with their events). Reports anyone else made stay, and so do the reference
    counters: moving one back would hand a real report's number out again."""
    return demo_delete(models_to_delete=[Report])["removed"].get(demo_label(Report), 0)
