"""The demo force, loaded in steps. Later capabilities append their own steps to STEPS.

Every step is idempotent: it creates what is missing and leaves what is there, so `load_demo` can run on
every `make run`.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from shapely.geometry import Point

from openbeat.areas.models import Division, Force, Neighbourhood, Postcode, Station
from openbeat.areas.services import division_get_or_create, neighbourhood_upsert, postcodes_upsert
from openbeat.demo import geography
from openbeat.staff import roles
from openbeat.staff.models import Officer, StaffProfile, TeamMembership

DEMO_EMAIL_DOMAIN = "demoshire.police.example"


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "openbeat-demo")


@dataclass
class DemoContext:
    rng: random.Random
    neighbourhoods: list[geography.DemoNeighbourhood]
    logins: list[dict[str, str]]


def step_force(ctx: DemoContext) -> str:
    Force.objects.update_or_create(
        code="demoshire",
        defaults={
            "name": settings.FORCE_NAME,
            "short_code": settings.FORCE_SHORT_CODE,
            "primary_colour": settings.FORCE_PRIMARY_COLOUR,
            "website": "https://www.demoshire.police.example",
        },
    )
    return settings.FORCE_NAME


def step_geography(ctx: DemoContext) -> str:
    divisions = {name: division_get_or_create(name=name) for name in geography.DIVISIONS}
    changed = 0
    for n in ctx.neighbourhoods:
        _, was_changed = neighbourhood_upsert(
            code=n.code,
            name=n.name,
            division=divisions[n.division],
            boundary=n.shape.__geo_interface__,
            population=n.population,
        )
        changed += was_changed
    return f"{len(divisions)} divisions, {len(ctx.neighbourhoods)} neighbourhoods ({changed} new or changed)"


def step_postcodes(ctx: DemoContext) -> str:
    pks = dict(Neighbourhood.objects.values_list("code", "pk"))
    rows: list[tuple[str, float, float, int | None, str]] = []
    seen: set[str] = set()
    for n in ctx.neighbourhoods:
        centre = n.shape.representative_point()
        count = 60 if n.population is None else max(40, n.population // 90)
        for unit in range(min(count, 400)):
            code = geography.postcode(n.district, n.sector, unit)
            assert code not in seen, code
            seen.add(code)
            p = geography.random_point_in(n.shape, ctx.rng, near=centre, spread=0.01)
            rows.append((code, round(p.y, 6), round(p.x, 6), pks[n.code], n.code))
    # Just outside the county: known postcodes in no neighbourhood ("outside the area" in the demo).
    for unit in range(20):
        rows.append((geography.postcode(99, 1, unit), 53.60 - unit * 0.002, -3.05, None, ""))
    existing = set(Postcode.objects.filter(postcode__startswith="DM").values_list("postcode", flat=True))
    new_rows = [row for row in rows if row[0] not in existing]
    postcodes_upsert(rows=new_rows)
    return f"{len(rows)} postcodes in the DM area ({len(new_rows)} new)"


def step_stations(ctx: DemoContext) -> str:
    by_code = {n.code: n for n in Neighbourhood.objects.select_related("division")}
    created = 0
    for town in geography.TOWNS:
        first = next(n for n in ctx.neighbourhoods if n.town is town)
        nbh = by_code[first.code]
        point = geography.random_point_in(first.shape, ctx.rng, near=Point(town.lon, town.lat), spread=0.003)
        number = ctx.rng.randint(1, 120)
        _, was_created = Station.objects.get_or_create(
            name=f"{town.name} Police Station",
            defaults={
                "address": f"{number} {ctx.rng.choice(geography.STREETS)}\n{town.name}",
                "postcode": geography.postcode(first.district, 1, number % 400),
                "lat": round(point.y, 6),
                "lon": round(point.x, 6),
                "neighbourhood": nbh,
                "division": nbh.division,
                "opening_hours": "Monday to Friday, 8am to 6pm\nSaturday, 9am to 1pm"
                if len(town.wards) > 2
                else "Monday to Friday, 10am to 2pm",
                "front_counter": len(town.wards) > 1,
                "phone": "101",
            },
        )
        created += was_created
    return f"{len(geography.TOWNS)} stations ({created} new)"


_FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Emma",
    "Farhan",
    "Grace",
    "Harry",
    "Imran",
    "Jess",
    "Kofi",
    "Laura",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Priya",
    "Quentin",
    "Rachel",
    "Sam",
    "Tariq",
    "Uma",
    "Vikram",
    "Wes",
    "Yasmin",
    "Zoe",
    "Adam",
    "Bethany",
    "Callum",
    "Daisy",
    "Ellis",
]
_LAST = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Dawson",
    "Evans",
    "Fletcher",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lord",
    "Mistry",
    "Nolan",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Shaw",
    "Taylor",
    "Walsh",
    "Yates",
]


def _officer(ctx: DemoContext, *, rank: str, role: str, division: Division, place: str) -> Officer:
    name = f"{ctx.rng.choice(_FIRST)} {ctx.rng.choice(_LAST)}"
    bio = {
        "Sergeant": f"I lead the neighbourhood teams in {place} and have served for {ctx.rng.randint(8, 20)} years.",
        "PC": f"I am your beat manager for {place}. Tackling anti-social behaviour and burglary are my priorities.",
        "PCSO": f"I patrol {place} every week; come and say hello at our PACT meetings.",
    }[rank]
    officer, _ = Officer.objects.get_or_create(
        name=name,
        rank=rank,
        division=division,
        defaults={
            "role": role,
            "bio": bio,
            "email": f"{name.lower().replace(' ', '.').replace(chr(39), '')}@{DEMO_EMAIL_DOMAIN}",
        },
    )
    return officer


def step_teams(ctx: DemoContext) -> str:
    by_code = {n.code: n for n in Neighbourhood.objects.select_related("division")}
    members = 0
    for town in geography.TOWNS:
        town_nbhs = [by_code[n.code] for n in ctx.neighbourhoods if n.town is town]
        division = town_nbhs[0].division
        sergeant = _officer(ctx, rank="Sergeant", role="Neighbourhood Sergeant", division=division, place=town.name)
        for nbh in town_nbhs:
            team = [
                (0, sergeant),
                (1, _officer(ctx, rank="PC", role="Neighbourhood Beat Manager", division=division, place=nbh.name)),
                (
                    2,
                    _officer(
                        ctx, rank="PCSO", role="Police Community Support Officer", division=division, place=nbh.name
                    ),
                ),
            ]
            for order, officer in team:
                TeamMembership.objects.get_or_create(neighbourhood=nbh, officer=officer, defaults={"sort_order": order})
                members += 1
    return f"{Officer.objects.count()} officers, {members} team places"


# (username, role, division name or None, superuser)
LOGINS = [
    ("admin", roles.ADMINISTRATOR, None, True),
    ("hq", roles.HQ_MEDIA, None, False),
    ("lead.west", roles.DIVISION_LEAD, "West", False),
    ("officer.west", roles.NEIGHBOURHOOD_OFFICER, "West", False),
    ("officer.east", roles.NEIGHBOURHOOD_OFFICER, "East", False),
    ("contact", roles.CONTACT_CENTRE, None, False),
    ("board", roles.BOARD_VIEWER, None, False),
]


def step_staff(ctx: DemoContext) -> str:
    roles.roles_sync()
    user_model = get_user_model()
    password = demo_password()
    for username, role, division_name, superuser in LOGINS:
        division = Division.objects.get(name=division_name) if division_name else None
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                "first_name": username.split(".")[0].capitalize(),
                "last_name": "Demo",
                "is_superuser": superuser,
                "is_staff": superuser,
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"division": division})
        if role == roles.NEIGHBOURHOOD_OFFICER and division is not None and not profile.neighbourhoods.exists():
            profile.neighbourhoods.set(Neighbourhood.objects.filter(division=division).order_by("code")[:3])
            officer = Officer.objects.filter(division=division, rank="PC", user=None).order_by("pk").first()
            if officer is not None:
                officer.user = user
                officer.save(update_fields=["user"])
        ctx.logins.append(
            {"role": role, "username": username, "password": password, "division": division_name or "force-wide"}
        )
    return f"{len(LOGINS)} staff logins"


def step_subscribers(ctx: DemoContext) -> str:
    from openbeat.demo.subscribers import step_subscribers as step

    return step(ctx)


def step_alerts(ctx: DemoContext) -> str:
    from openbeat.demo.alerts import step_alerts as step

    return step(ctx)


def step_reports(ctx: DemoContext) -> str:
    from openbeat.reports.demo import step_reports as reports

    return reports(ctx)


def step_insights(ctx: DemoContext) -> str:
    from openbeat.demo.insights import step_insights as insights

    return insights(ctx)


def step_site_pages(ctx: DemoContext) -> str:
    from openbeat.core.services import site_pages_ensure

    home = site_pages_ensure()
    return f"home page and {home.get_children().count()} pages under it"


STEPS: list[tuple[str, Callable[[DemoContext], str]]] = [
    ("force", step_force),
    ("geography", step_geography),
    ("postcodes", step_postcodes),
    ("stations", step_stations),
    ("officers and teams", step_teams),
    ("staff logins", step_staff),
    ("In the Know subscribers", step_subscribers),
    ("alerts", step_alerts),
    ("Do It Online reports", step_reports),
    ("engagement figures", step_insights),
    ("site pages", step_site_pages),
]


def demo_context() -> DemoContext:
    rng = random.Random(geography.SEED)
    return DemoContext(rng=rng, neighbourhoods=geography.neighbourhoods(rng), logins=[])


def demo_reset() -> dict[str, Any]:
    """Remove the demo's rows (not the site pages or anything staff made that the demo did not)."""
    from openbeat.demo.alerts import demo_alerts_reset
    from openbeat.demo.insights import insights_reset
    from openbeat.demo.subscribers import subscribers_reset
    from openbeat.reports.demo import reports_reset

    user_model = get_user_model()
    deleted = {
        "alerts": demo_alerts_reset(),
        "engagement accounts": insights_reset(),
        "reports": reports_reset(),
        "subscribers": subscribers_reset(),
        "team": TeamMembership.objects.all().delete()[0],
        "officers": Officer.objects.all().delete()[0],
        "stations": Station.objects.all().delete()[0],
        "postcodes": Postcode.objects.filter(postcode__startswith="DM").delete()[0],
        "users": user_model.objects.filter(username__in=[*(u for u, *_ in LOGINS), "standards"]).delete()[0],
    }
    deleted["neighbourhoods"] = Neighbourhood.objects.all().delete()[0]
    return deleted
