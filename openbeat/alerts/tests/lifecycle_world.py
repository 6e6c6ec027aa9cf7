"""A small force for the alert lifecycle tests: two divisions, three neighbourhoods side by side, staff in
each role, and subscribers to count. Plain functions (not fixtures) so each test module wraps them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import Group

from openbeat.alerts.models import AlertSettings
from openbeat.areas.models import Division, Neighbourhood
from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.staff import roles
from openbeat.staff.models import StaffProfile
from openbeat.staff.tests.factories import UserFactory
from openbeat.subscriptions.models import Interest, Subscriber
from openbeat.subscriptions.services import AreaChoice, subscriber_set_areas

CONFIRMED = datetime(2026, 1, 1, tzinfo=UTC)
_emails = itertools.count()


@dataclass
class World:
    west: Division
    east: Division
    west_a: Neighbourhood  # square(-2.00, 54.0)
    west_b: Neighbourhood  # square(-1.99, 54.0), beside west_a
    east_a: Neighbourhood  # square(-1.98, 54.0), beside west_b
    officer_west: Any
    officer_east: Any
    lead_west: Any
    lead_east: Any
    hq: Any
    hq_other: Any
    contact: Any
    interest: Interest


def _staff(role: str, division: Division | None = None) -> Any:
    # staff_user() without its roles_sync() per call (make_world syncs once): eight logins per test add up.
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.update_or_create(user=user, defaults={"division": division})
    return user


def make_world(west: Division, east: Division) -> World:
    roles.roles_sync()
    return World(
        west=west,
        east=east,
        west_a=NeighbourhoodFactory(name="Abbey", division=west, boundary=square(-2.00, 54.0)),
        west_b=NeighbourhoodFactory(name="Brook", division=west, boundary=square(-1.99, 54.0)),
        east_a=NeighbourhoodFactory(name="Castle", division=east, boundary=square(-1.98, 54.0)),
        officer_west=_staff(roles.NEIGHBOURHOOD_OFFICER, west),
        officer_east=_staff(roles.NEIGHBOURHOOD_OFFICER, east),
        lead_west=_staff(roles.DIVISION_LEAD, west),
        lead_east=_staff(roles.DIVISION_LEAD, east),
        hq=_staff(roles.HQ_MEDIA),
        hq_other=_staff(roles.HQ_MEDIA),
        contact=_staff(roles.CONTACT_CENTRE),
        interest=Interest.objects.get(slug="crime-alerts"),
    )


def subscribe(neighbourhood: Neighbourhood, *, count: int = 1, email: bool = True, sms: bool = False) -> None:
    """`count` active subscribers living in the middle of `neighbourhood`."""
    for _ in range(count):
        subscriber = Subscriber.objects.create(
            status=Subscriber.Status.ACTIVE,
            email=f"resident{next(_emails)}@example.com" if email else None,
            email_confirmed_at=CONFIRMED if email else None,
            phone="+447700900123" if sms else None,
            phone_verified_at=CONFIRMED if sms else None,
            sms_day=sms,
        )
        subscriber_set_areas(
            subscriber=subscriber,
            home=AreaChoice(
                neighbourhood_id=neighbourhood.pk,
                postcode="DM1 1AA",
                lat=neighbourhood.centroid_lat,
                lon=neighbourhood.centroid_lon,
            ),
        )


def set_threshold(value: int) -> None:
    settings = AlertSettings.load()
    settings.approval_threshold = value
    settings.save()


def areas(**kwargs: Any) -> dict[str, Any]:
    """A targeting spec naming areas: areas(neighbourhoods=[1]), areas(whole_force=True), ..."""
    return {"areas": kwargs}


def compose(world: World, author: Any, targeting: dict[str, Any] | None = None, **fields: Any) -> Any:
    from openbeat.alerts.services import alert_create

    values: dict[str, Any] = {
        "title": "Burglaries on Mill Lane",
        "body": "Two homes were broken into overnight. **Lock your doors.**",
        "interest": world.interest,
        "priority": 1,
        "targeting": targeting or areas(neighbourhoods=[world.west_a.pk]),
    }
    return alert_create(author=author, **{**values, **fields})
