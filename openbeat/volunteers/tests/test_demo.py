"""The demo's Citizens in Policing: two years of counts per demo division and role, opportunities on the public
site, loading twice adds nothing, and demo_reset takes them all out (a real count stays)."""

from __future__ import annotations

from datetime import date

import pytest

from openbeat.areas.tests.factories import DivisionFactory
from openbeat.core.months import month_of
from openbeat.demo.steps import STEPS, demo_context, demo_reset, step_force, step_geography
from openbeat.volunteers.demo import volunteers_demo
from openbeat.volunteers.models import Opportunity, Role, VolunteerCount
from openbeat.volunteers.tests.conftest import make_count

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture
def demo_divisions():
    ctx = demo_context()
    step_force(ctx)
    step_geography(ctx)
    return ctx


def test_the_demo_makes_two_years_of_counts_and_some_opportunities(demo_divisions, client):
    summary = volunteers_demo(demo_divisions, today=TODAY)
    divisions = VolunteerCount.objects.values("division").distinct().count()
    assert divisions >= 2
    assert VolunteerCount.objects.count() == divisions * len(Role.values) * 24
    months = sorted({month_of(m) for m in VolunteerCount.objects.values_list("month", flat=True)})
    assert (months[0], months[-1], len(months)) == ("2024-06", "2026-05", 24)
    assert all(c.headcount >= 0 for c in VolunteerCount.objects.all())
    assert Opportunity.objects.filter(live=True).count() == 4
    assert "monthly counts added" in summary
    assert "Become a special constable" in client.get("/volunteering/").text


def test_loading_twice_adds_nothing_and_reset_removes_only_the_demo_s(demo_divisions):
    volunteers_demo(demo_divisions, today=TODAY)
    counts = VolunteerCount.objects.count()
    assert volunteers_demo(demo_divisions, today=TODAY).startswith("0 monthly counts added")
    assert VolunteerCount.objects.count() == counts
    real = make_count(DivisionFactory(name="The force's own", code="own"), "2026-01")
    demo_reset()
    assert list(VolunteerCount.objects.all()) == [real]
    assert not Opportunity.objects.exists()


def test_the_step_is_in_the_demo():
    assert "Citizens in Policing counts and opportunities" in [name for name, _ in STEPS]
