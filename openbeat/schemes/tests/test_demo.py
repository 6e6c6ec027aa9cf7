"""The demo's watch schemes: about twenty with coordinators, found by the finder, added once, removed by a reset."""

import pytest

from openbeat.areas.postcodes import postcode_locate
from openbeat.demo.steps import demo_context, demo_reset, step_force, step_geography, step_postcodes
from openbeat.schemes import selectors
from openbeat.schemes.demo import COUNT, step_schemes
from openbeat.schemes.models import Coordinator, Scheme
from openbeat.subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    ctx = demo_context()
    for step in (step_force, step_geography, step_postcodes):
        step(ctx)
    return ctx, step_schemes(ctx)


def test_the_demo_adds_schemes_with_coordinators_once(demo):
    ctx, message = demo
    assert message.startswith(f"{COUNT} watch schemes with ")
    assert Scheme.objects.count() == COUNT
    assert Scheme.objects.filter(status=Scheme.Status.PENDING).exists()
    assert Scheme.objects.filter(status=Scheme.Status.VERIFIED).count() > COUNT // 2
    assert all(s.coordinators.filter(is_lead=True).count() == 1 for s in Scheme.objects.all())
    assert Coordinator.objects.filter(show_contact=True).exists()
    assert not Subscriber.objects.filter(email__endswith="@example.org").exists()  # nobody signed up unasked
    assert step_schemes(ctx) == "already there"
    assert Scheme.objects.count() == COUNT


def test_the_finder_finds_demo_schemes_from_a_demo_postcode(demo):
    scheme = Scheme.objects.filter(status=Scheme.Status.VERIFIED).exclude(postcode="").first()
    finding = selectors.find(postcode_locate(scheme.postcode))
    assert scheme in finding.inside
    assert len(finding.nearest) == min(7, Scheme.objects.filter(status=Scheme.Status.VERIFIED).count())


def test_a_demo_reset_removes_the_schemes_and_their_coordinators(demo):
    demo_reset()
    assert not Scheme.objects.exists()
    assert not Coordinator.objects.exists()
