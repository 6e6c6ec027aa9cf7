"""Shared set-up for the triage tests: two divisions with a neighbourhood each, staff of every kind, and a
complaint type handled by a Professional Standards team that nobody else may see.

A test module binds the fixtures it uses to module names (`owner = triage_world.owner`) so pytest finds them.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.reports.models import ReportType
from openbeat.reports.tests.factories import ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user

OUTSIDERS = ["anonymous", "no role", "board viewer"]


def outsider(kind):
    if kind == "anonymous":
        return None
    if kind == "no role":
        return UserFactory(username="public")
    return staff_user(roles.BOARD_VIEWER, None, username="board")


@pytest.fixture
def abbey(west):
    return NeighbourhoodFactory(name="Abbey", code="W01", division=west)


@pytest.fixture
def castle(east):
    return NeighbourhoodFactory(name="Castle", code="E01", division=east)


@pytest.fixture
def crime_type():
    # Own slugs and hours: the default types seeded after migrate (reports.seed) use "crime", "complaint" and so on.
    hours = {"sla_amber_hours": 48, "sla_red_hours": 120}
    return ReportTypeFactory(slug="test-crime", name="Report a crime", kind=ReportType.Kind.CRIME, **hours)


@pytest.fixture
def standards_group():
    group, _ = Group.objects.get_or_create(name="Professional Standards")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="reports", codename__in=["triage_report", "view_evidence"]),
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
    )
    return group


@pytest.fixture
def complaint_type(standards_group):
    return ReportTypeFactory(
        slug="test-complaint",
        name="Complain about the police",
        kind=ReportType.Kind.COMPLAINT,
        handling_group=standards_group,
    )


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner", first_name="Olive", last_name="Owner")


@pytest.fixture
def other_division(east):
    return staff_user(roles.DIVISION_LEAD, east, username="other")


@pytest.fixture
def contact():
    return staff_user(roles.CONTACT_CENTRE, None, username="contact")


@pytest.fixture
def standards(standards_group):
    """A Professional Standards investigator: in that team only, no division, no other role."""
    user = UserFactory(username="standards", first_name="Pat", last_name="Standards")
    user.groups.add(standards_group)
    return user
