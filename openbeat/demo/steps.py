"""The demo force, loaded in steps. Later capabilities append their own steps to STEPS.

Every step is idempotent: it creates what is missing and leaves what is there, so `load_demo` can run on
every `make run`. Every row a step creates is written down in the demo's register (`registry.demo_tag`), and
a step reads, links to and updates only rows written down there: loaded beside a force's own data, the demo
never picks up a real division called West or a real account called admin.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify
from shapely.geometry import Point

from openbeat.areas.models import Division, Neighbourhood, Postcode, Station
from openbeat.areas.services import division_get_or_create, neighbourhood_upsert, postcodes_upsert
from openbeat.core.models import Force
from openbeat.demo import geography
from openbeat.demo.registry import (
    DEMO_SUFFIXES,
    demo_delete,
    demo_keyed,
    demo_label,
    demo_tag,
    demo_tagged,
    demo_unused,
)
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
    # Demo login names taken by accounts the demo did not make: those accounts are left exactly as they are.
    skipped_logins: list[str] = field(default_factory=list)


def demo_divisions() -> dict[str, Division]:
    """The demo's divisions by the demo's name for them ("West"), whatever they are called in the database."""
    return demo_keyed(Division.objects.all())


def demo_neighbourhoods() -> dict[str, Neighbourhood]:
    """The demo's neighbourhoods by the code the demo generated for them."""
    return demo_keyed(Neighbourhood.objects.select_related("division"))


def step_force(ctx: DemoContext) -> str:
    values = {
        "name": settings.FORCE_NAME,
        "short_code": settings.FORCE_SHORT_CODE,
        "primary_colour": settings.FORCE_PRIMARY_COLOUR,
        "website": "https://www.demoshire.police.example",
    }
    force = demo_tagged(Force.objects.all()).first()
    if force is None:
        if Force.objects.exists():
            # The deployment's own force stays the one it serves (Force.current() is the first row).
            return f"left {Force.current().name} as it is (not the demo's)"
        force = Force.objects.create(code="demoshire", **values)
        demo_tag(objs=[force])
    else:
        Force.objects.filter(pk=force.pk).update(**values)
    return settings.FORCE_NAME


def _division(name: str) -> Division:
    existing = demo_divisions().get(name)
    if existing is not None:
        return existing
    # A free name: a force's own West is never borrowed, the demo's is then "West (demo)".
    option = demo_unused(Division, ({"name": name + s, "code": slugify(name + s)} for s in DEMO_SUFFIXES))
    division = division_get_or_create(**option)
    demo_tag(objs=[division], key=name)
    return division


# Neighbourhood codes go into addresses: "AB01-DEMO" when a force's own neighbourhood is already AB01.
_CODE_SUFFIXES = ("", "-DEMO", "-DEMO2", "-DEMO3", "-DEMO4")


def step_geography(ctx: DemoContext) -> str:
    divisions = {name: _division(name) for name in geography.DIVISIONS}
    existing = demo_neighbourhoods()
    changed = 0
    for n in ctx.neighbourhoods:
        mine = existing.get(n.code)
        if mine is not None:
            code = mine.code
        else:
            code = demo_unused(Neighbourhood, ({"code": n.code + s} for s in _CODE_SUFFIXES))["code"]
        neighbourhood, was_changed = neighbourhood_upsert(
            code=code,
            name=n.name,
            division=divisions[n.division],
            boundary=n.shape.__geo_interface__,
            population=n.population,
        )
        if mine is None:
            demo_tag(objs=[neighbourhood], key=n.code)
        changed += was_changed
    return f"{len(divisions)} divisions, {len(ctx.neighbourhoods)} neighbourhoods ({changed} new or changed)"


def step_postcodes(ctx: DemoContext) -> str:
    pks = {code: n.pk for code, n in demo_neighbourhoods().items()}
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
    # Any postcode already there is left alone, the demo's or not.
    existing = set(Postcode.objects.filter(postcode__startswith="DM").values_list("postcode", flat=True))
    new_rows = [row for row in rows if row[0] not in existing]
    postcodes_upsert(rows=new_rows)
    demo_tag(objs=[Postcode(postcode=row[0]) for row in new_rows])
    return f"{len(rows)} postcodes in the DM area ({len(new_rows)} new)"


def step_stations(ctx: DemoContext) -> str:
    by_code = demo_neighbourhoods()
    names = set(demo_tagged(Station.objects.all()).values_list("name", flat=True))
    created = 0
    for town in geography.TOWNS:
        first = next(n for n in ctx.neighbourhoods if n.town is town)
        nbh = by_code[first.code]
        point = geography.random_point_in(first.shape, ctx.rng, near=Point(town.lon, town.lat), spread=0.003)
        number = ctx.rng.randint(1, 120)
        street = ctx.rng.choice(geography.STREETS)
        if f"{town.name} Police Station" in names:
            continue
        station = Station.objects.create(
            name=f"{town.name} Police Station",
            address=f"{number} {street}\n{town.name}",
            postcode=geography.postcode(first.district, 1, number % 400),
            lat=round(point.y, 6),
            lon=round(point.x, 6),
            neighbourhood=nbh,
            division=nbh.division,
            opening_hours="Monday to Friday, 8am to 6pm\nSaturday, 9am to 1pm"
            if len(town.wards) > 2
            else "Monday to Friday, 10am to 2pm",
            front_counter=len(town.wards) > 1,
            phone="101",
        )
        demo_tag(objs=[station])
        created += 1
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
    officer = demo_tagged(Officer.objects.filter(name=name, rank=rank, division=division)).first()
    if officer is None:
        officer = Officer.objects.create(
            name=name,
            rank=rank,
            division=division,
            role=role,
            bio=bio,
            email=f"{name.lower().replace(' ', '.').replace(chr(39), '')}@{DEMO_EMAIL_DOMAIN}",
        )
        demo_tag(objs=[officer])
    return officer


def step_teams(ctx: DemoContext) -> str:
    by_code = demo_neighbourhoods()
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
                membership, created = TeamMembership.objects.get_or_create(
                    neighbourhood=nbh, officer=officer, defaults={"sort_order": order}
                )
                if created:
                    demo_tag(objs=[membership])
                members += 1
    return f"{demo_tagged(Officer.objects.all()).count()} officers, {members} team places"


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


def demo_login(ctx: DemoContext, *, username: str, defaults: dict[str, Any], division: Division | None) -> Any:
    """The demo's login `username` with its staff profile, made if need be and given the demo password.

    None when the name (in any case) belongs to an account the demo did not make: that account is left exactly
    as it is (password, groups, profile) and the name is noted in `ctx.skipped_logins`.
    """
    user_model = get_user_model()
    user = demo_tagged(user_model.objects.filter(username=username)).first()
    if user is None:
        if user_model.objects.filter(username__iexact=username).exists():
            if username not in ctx.skipped_logins:
                ctx.skipped_logins.append(username)
            return None
        user = user_model.objects.create(username=username, **defaults)
        demo_tag(objs=[user])
    password = demo_password()
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"division": division})
    demo_tag(objs=[profile])  # the demo user's profile is the demo's, whoever made it
    return user


def step_staff(ctx: DemoContext) -> str:
    roles.roles_sync()
    password = demo_password()
    divisions = demo_divisions()
    made = 0
    for username, role, division_name, superuser in LOGINS:
        division = divisions[division_name] if division_name else None
        user = demo_login(
            ctx,
            username=username,
            defaults={
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                "first_name": username.split(".")[0].capitalize(),
                "last_name": "Demo",
                "is_superuser": superuser,
                "is_staff": superuser,
            },
            division=division,
        )
        if user is None:
            continue
        made += 1
        user.groups.add(Group.objects.get(name=role))
        profile = StaffProfile.objects.get(user=user)
        if role == roles.NEIGHBOURHOOD_OFFICER and division is not None and not profile.neighbourhoods.exists():
            profile.neighbourhoods.set(
                demo_tagged(Neighbourhood.objects.filter(division=division)).order_by("code")[:3]
            )
            officer = (
                demo_tagged(Officer.objects.filter(division=division, rank="PC", user=None)).order_by("pk").first()
            )
            if officer is not None:
                officer.user = user
                officer.save(update_fields=["user"])
        ctx.logins.append(
            {
                "role": role,
                "username": username,
                "password": password,
                "division": division.name if division else "force-wide",
            }
        )
    skipped = [name for name, *_ in LOGINS if name in ctx.skipped_logins]
    if skipped:
        return f"{made} staff logins; left alone (accounts the demo did not make): {', '.join(skipped)}"
    return f"{made} staff logins"


def step_subscribers(ctx: DemoContext) -> str:
    from openbeat.demo.subscribers import step_subscribers as step

    return step(ctx)


def step_alerts(ctx: DemoContext) -> str:
    from openbeat.demo.alerts import step_alerts as step

    return step(ctx)


def step_cap(ctx: DemoContext) -> str:
    from openbeat.demo.cap import step_cap as cap

    return cap(ctx)


def step_reports(ctx: DemoContext) -> str:
    from openbeat.demo.reports import step_reports as reports

    return reports(ctx)


def step_crimes(ctx: DemoContext) -> str:
    from openbeat.demo.neighbourhood_life import step_crimes as crimes

    return crimes(ctx)


def step_neighbourhood_life(ctx: DemoContext) -> str:
    from openbeat.demo.neighbourhood_life import step_neighbourhood_life as life

    return life(ctx)


def step_concerns(ctx: DemoContext) -> str:
    from openbeat.demo.neighbourhood_life import step_concerns as concerns

    return concerns(ctx)


def step_insights(ctx: DemoContext) -> str:
    from openbeat.demo.insights import step_insights as insights

    return insights(ctx)


def step_social(ctx: DemoContext) -> str:
    from openbeat.demo.social import step_social as social

    return social(ctx)


def step_site_pages(ctx: DemoContext) -> str:
    from openbeat.core.services import site_pages_ensure

    home = site_pages_ensure()
    return f"home page and {home.get_children().count()} pages under it"


def step_youth(ctx: DemoContext) -> str:
    from openbeat.demo.youth import step_youth as youth

    return youth(ctx)


def step_news(ctx: DemoContext) -> str:
    from openbeat.demo.news import step_news as news

    return news(ctx)


def step_campaigns(ctx: DemoContext) -> str:
    from openbeat.demo.campaigns import step_campaigns as campaigns

    return campaigns(ctx)


def step_volunteers(ctx: DemoContext) -> str:
    from openbeat.volunteers.demo import volunteers_demo

    return volunteers_demo(ctx)


def step_schemes(ctx: DemoContext) -> str:
    from openbeat.schemes.demo import step_schemes as schemes

    return schemes(ctx)


def step_surveys(ctx: DemoContext) -> str:
    from openbeat.surveys.demo import surveys_demo

    return surveys_demo(ctx)


STEPS: list[tuple[str, Callable[[DemoContext], str]]] = [
    ("force", step_force),
    ("geography", step_geography),
    ("postcodes", step_postcodes),
    ("stations", step_stations),
    ("officers and teams", step_teams),
    ("staff logins", step_staff),
    ("In the Know subscribers", step_subscribers),
    ("alerts", step_alerts),
    ("urgent warnings (CAP)", step_cap),
    ("Do It Online reports", step_reports),
    ("a year of crimes", step_crimes),
    ("priorities, events and PACT meetings", step_neighbourhood_life),
    ("residents' concerns", step_concerns),
    ("engagement figures", step_insights),
    # After the engagement figures: its accounts are theirs, and its posts' results go beside their figures.
    ("social media accounts (stand-ins), posts and inbox", step_social),
    ("site pages", step_site_pages),
    ("youth site", step_youth),
    ("news and appeals", step_news),
    ("Citizens in Policing counts and opportunities", step_volunteers),
    ("watch schemes and their coordinators", step_schemes),
    ("surveys, their responses and indices", step_surveys),
    # Last: it groups what the earlier steps made (alerts, events, pages).
    ("a campaign with its results", step_campaigns),
]


def demo_context() -> DemoContext:
    rng = random.Random(geography.SEED)
    return DemoContext(rng=rng, neighbourhoods=geography.neighbourhoods(rng), logins=[])


def _demo_pages_delete() -> int:
    """The demo's own news, appeal and youth pages, deepest first, through Wagtail (so that
    revisions, search entries and links to divisions and neighbourhoods go with them): a page the force added
    under a demo page keeps that page. Left in place, a demo news page would keep the demo's divisions in use."""
    from wagtail.models import Page

    from openbeat.demo.models import DemoRow

    # News and the youth site only: the home page and the site pages stay, as the site needs them.
    page_types = [m for m in apps.get_models() if issubclass(m, Page) and m._meta.app_label in ("news", "youth")]
    tagged: set[int] = set()
    for model in page_types:
        tagged |= set(demo_tagged(model._default_manager.all()).values_list("pk", flat=True))
    deleted = 0
    for page in Page.objects.filter(pk__in=tagged).order_by("-depth"):
        if page.get_children().exists():
            continue
        page.delete()
        deleted += 1
    DemoRow.objects.filter(content_type__in=[ContentType.objects.get_for_model(m) for m in page_types]).filter(
        object_id__in=[str(pk) for pk in tagged if not Page.objects.filter(pk=pk).exists()]
    ).delete()
    return deleted


def demo_reset() -> dict[str, dict[str, int]]:
    """Remove the demo's rows, and only those (see `registry.demo_delete`): what the demo did not make stays,
    and so does a demo row that something the demo did not make still uses. Reference counters are never
    touched, so a real report's number is never handed out again."""
    from openbeat.areas import geo
    from openbeat.areas.services import boundaries_changed

    pages = _demo_pages_delete()
    result = demo_delete()
    if pages:
        result["removed"]["pages"] = pages
    if result["removed"].get(demo_label(Neighbourhood)):
        # Every process must drop the deleted boundaries from its spatial index. With no force row left, the
        # version they follow has gone, which tells them as much; a bump would create a row the demo did not.
        if Force.objects.exists():
            boundaries_changed()
        else:
            geo.invalidate()
    return result
