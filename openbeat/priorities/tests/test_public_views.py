"""Public priorities: the section on the neighbourhood page, the list and one priority's page with its history."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from openbeat.priorities import services
from openbeat.priorities.models import Status

pytestmark = pytest.mark.django_db


def test_the_neighbourhood_page_shows_current_and_done_priorities(make_priority, officer, home):
    current = make_priority(issue="Speeding on Mill Lane")
    services.priority_update_add(
        actor=officer, priority=current, date=datetime.date(2026, 1, 20), status=Status.IN_PROGRESS, note="Checks begun"
    )
    done = make_priority(issue="Drug dealing in the park")
    services.priority_update_add(
        actor=officer,
        priority=done,
        date=datetime.date(2026, 2, 1),
        status=Status.DONE,
        note="x",
        outcome="Two arrests",
    )
    make_priority(issue="A draft nobody sees", published=False)
    page = Client().get(home.get_absolute_url()).content.decode()
    assert "You said, we did" in page
    assert "Speeding on Mill Lane" in page
    assert "Checks begun" in page
    assert "In progress" in page
    assert "Two arrests" in page
    assert current.get_absolute_url() in page
    assert "A draft nobody sees" not in page


def test_the_history_page_lists_updates_in_date_order(make_priority, officer, home):
    priority = make_priority()
    for day, note in ((5, "Second"), (2, "First")):
        services.priority_update_add(
            actor=officer, priority=priority, date=datetime.date(2026, 2, day), status=Status.OPEN, note=note
        )
    page = Client().get(priority.get_absolute_url()).content.decode()
    assert page.index("First") < page.index("Second")
    listing = Client().get(reverse("priorities:list", kwargs={"code": home.code})).content.decode()
    assert listing.index("First") < listing.index("Second")


def test_a_draft_or_another_neighbourhoods_priority_is_not_found(make_priority, home, away):
    draft = make_priority(published=False)
    assert Client().get(draft.get_absolute_url()).status_code == 404
    shown = make_priority()
    assert Client().get(reverse("priorities:detail", kwargs={"code": away.code, "pk": shown.pk})).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/neighbourhoods/NOPE/priorities/",
        "/neighbourhoods/%00/priorities/",
        "/neighbourhoods/W01/priorities/99999999999999999999/",
        "/neighbourhoods/" + "x" * 300 + "/priorities/",
    ],
)
def test_bad_addresses_are_not_found_never_an_error(home, path):
    assert Client().get(path).status_code == 404
