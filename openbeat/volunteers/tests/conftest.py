"""The volunteers' test world: two divisions, a division lead for each, HQ, an officer without the permission,
and a helper to make counts and opportunities."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.volunteers.models import Opportunity, Role, VolunteerCount


@pytest.fixture
def world(west, east) -> Any:
    return SimpleNamespace(
        west=west,
        east=east,
        lead=staff_user(roles.DIVISION_LEAD, west, username="lead-west"),
        other=staff_user(roles.DIVISION_LEAD, east, username="lead-east"),
        hq=staff_user(roles.HQ_MEDIA, None, username="hq"),
        officer=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer-west"),
        board=staff_user(roles.BOARD_VIEWER, None, username="board"),
        public=UserFactory(username="public"),
    )


def make_count(division: Any, month: str, role: str = Role.SPECIAL_CONSTABLE, headcount: int = 40,
               joiners: int = 0, leavers: int = 0) -> VolunteerCount:  # fmt: skip
    return VolunteerCount.objects.create(
        division=division,
        month=date(int(month[:4]), int(month[5:]), 1),
        role=role,
        headcount=headcount,
        joiners=joiners,
        leavers=leavers,
    )


def make_opportunity(division: Any = None, **changes: Any) -> Opportunity:
    values: dict[str, Any] = {
        "title": "Become a special constable",
        "slug": "special-constable",
        "role": Role.SPECIAL_CONSTABLE,
        "summary": "Volunteer officers with full powers.",
        "body": "Give 16 hours a month.\n\nFull training given.",
        "division": division,
        "live": True,
    }
    values.update(changes)
    return Opportunity.objects.create(**values)
