"""The demo's Citizens in Policing: two years of monthly counts for each demo division and role, and a few
volunteering opportunities (one force-wide, one per role).

Deterministic (its own seed) and idempotent: a month that already has a count is left as it is (its headcount
carries the walk on), and an opportunity is found by its slug among the demo's rows. Every row made is written
in the demo's register, so `demo_reset` removes them; a real count is never touched.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from openbeat.core.months import month_of, month_shift, month_start, months_between
from openbeat.demo.registry import demo_tag, demo_tagged
from openbeat.volunteers.models import Opportunity, Role, VolunteerCount

SEED = "openbeat-demo-volunteers"
MONTHS = 24
# (typical headcount in a division, monthly joiners and leavers at most)
SIZES = {
    Role.SPECIAL_CONSTABLE: (45, 4, 3),
    Role.POLICE_SUPPORT_VOLUNTEER: (30, 3, 2),
    Role.CADET: (60, 6, 5),
    Role.MINI_POLICE: (25, 4, 3),
}
OPPORTUNITIES: list[dict[str, Any]] = [
    {
        "slug": "special-constable",
        "title": "Become a special constable",
        "role": Role.SPECIAL_CONSTABLE,
        "summary": "Volunteer police officers with the same powers as regular officers, for at least 16 hours a month.",
        "body": "Special constables patrol, respond to incidents and support their neighbourhood team.\n\n"
        "You need to be 18 or over and able to give at least 16 hours a month. Full training is given.",
        "division": None,
    },
    {
        "slug": "police-support-volunteer-front-counter",
        "title": "Front counter volunteer",
        "role": Role.POLICE_SUPPORT_VOLUNTEER,
        "summary": "Welcome visitors at the police station front counter and help them find the right service.",
        "body": "Front counter volunteers greet visitors, take lost and found property and book appointments.\n\n"
        "A few hours a week, during the day.",
        "division": "West",
    },
    {
        "slug": "volunteer-police-cadet-leader",
        "title": "Volunteer police cadet leader",
        "role": Role.CADET,
        "summary": "Help run a weekly cadet unit for young people aged 13 to 17.",
        "body": "Cadet leaders plan sessions, go on community events with the cadets and mentor them.\n\n"
        "One evening a week in term time. A DBS check is needed.",
        "division": "East",
    },
    {
        "slug": "mini-police-helper",
        "title": "Mini police helper",
        "role": Role.MINI_POLICE,
        "summary": "Support mini police sessions in primary schools (ages 9 to 11).",
        "body": "Helpers go with the schools' mini police on litter picks, road safety checks and visits.\n\n"
        "A few hours a month, during school time.",
        "division": None,
    },
]


def _counts(divisions: dict[str, Any], months: list[str], rng: random.Random) -> int:
    """Walk each division's headcount month by month; returns the counts made."""
    existing = {
        (c.division_id, month_of(c.month), c.role): c.headcount
        for c in VolunteerCount.objects.filter(division__in=divisions.values(), month__gte=month_start(months[0]))
    }
    made: list[VolunteerCount] = []
    for name in sorted(divisions):
        division = divisions[name]
        for role in Role.values:
            size, most_joining, most_leaving = SIZES[Role(role)]
            headcount = rng.randint(size * 3 // 4, size * 5 // 4)
            for month in months:
                # Growth in spring and autumn intakes; drawn every month so the walk does not depend on what exists.
                joiners = rng.randint(0, most_joining) + (most_joining if month[5:] in ("04", "09") else 0)
                leavers = min(rng.randint(0, most_leaving), headcount)
                known = existing.get((division.pk, month, role))
                if known is not None:
                    headcount = known
                    continue
                headcount = headcount + joiners - leavers
                made.append(
                    VolunteerCount(division=division, month=month_start(month), role=role, headcount=headcount,
                                   joiners=joiners, leavers=leavers, source=VolunteerCount.Source.ENTERED)
                )  # fmt: skip
    demo_tag(objs=VolunteerCount.objects.bulk_create(made))
    return len(made)


def _opportunities(divisions: dict[str, Any], today: datetime.date) -> int:
    made = 0
    for n, values in enumerate(OPPORTUNITIES):
        if demo_tagged(Opportunity.objects.filter(slug=values["slug"])).exists():
            continue
        if Opportunity.objects.filter(slug=values["slug"]).exists():
            continue  # the force's own opportunity with that slug: left alone
        division = divisions.get(values["division"]) if values["division"] else None
        if values["division"] and division is None:
            continue
        opportunity = Opportunity.objects.create(
            **{k: v for k, v in values.items() if k != "division"},
            division=division,
            live=True,
            closes_on=None if n % 2 == 0 else today + datetime.timedelta(days=60),
        )
        demo_tag(objs=[opportunity])
        made += 1
    return made


def volunteers_demo(ctx: Any = None, *, today: datetime.date | None = None) -> str:
    """Two years of counts for the demo's divisions (up to last month) and the demo's opportunities."""
    from openbeat.demo.steps import demo_divisions

    today = today or timezone.localdate()
    divisions = demo_divisions()
    if not divisions:
        return "skipped: no demo divisions"
    last = month_shift(month_of(today), -1)
    months = months_between(month_shift(last, -(MONTHS - 1)), last)
    counts = _counts(divisions, months, random.Random(SEED))
    opportunities = _opportunities(divisions, today)
    return (
        f"{counts} monthly counts added ({months[0]} to {months[-1]}, {len(divisions)} divisions), "
        f"{opportunities} opportunities added"
    )
