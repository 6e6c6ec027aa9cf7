import json

import pytest
from django.core.exceptions import PermissionDenied

from openbeat.audit.models import AuditEntry
from openbeat.core.tokens import LinkInvalid, LinkUsed
from openbeat.schemes import services
from openbeat.schemes.models import Coordinator, Scheme
from openbeat.schemes.tests.conftest import last_email, last_token
from openbeat.schemes.tests.factories import make_coordinator, make_scheme
from openbeat.subscriptions.models import Consent, Interest, Subscriber

pytestmark = pytest.mark.django_db


def _register(**fields):
    values = {
        "name": "Mill Lane Neighbourhood Watch",
        "kind": "neighbourhood",
        "description": "Mill Lane and the streets off it",
        "postcode": "pr11ab",
        "radius_m": 250,
        "households": "42",
        "coordinator_name": "Pat Jones",
        "email": "Pat@Example.com",
        "phone": "01632 960 001",
    }
    return services.scheme_register(**{**values, **fields})


def test_registering_makes_a_pending_scheme_and_emails_the_coordinator_a_link(postcode, home):
    coordinator = _register()
    scheme = coordinator.scheme
    assert scheme.status == Scheme.Status.PENDING
    assert (scheme.slug, scheme.postcode, scheme.households, scheme.division) == (
        "mill-lane-neighbourhood-watch",
        "PR1 1AB",
        42,
        home.division,
    )
    assert (scheme.centre_lat, scheme.centre_lon) == (53.80, -2.70)
    assert scheme.min_lat < 53.80 < scheme.max_lat
    assert coordinator.email == "pat@example.com"
    assert coordinator.is_lead
    assert not coordinator.is_verified
    assert not coordinator.show_contact
    assert not coordinator.itk_opt_in
    assert coordinator.itk_wording == ""
    email = last_email()
    assert email.to == "pat@example.com"
    assert "/watch-schemes/confirm/" in email.body_text
    assert AuditEntry.objects.filter(action="schemes.scheme.register").count() == 1


def test_registering_says_what_to_correct(postcode):
    with pytest.raises(services.SchemeInvalid) as caught:
        _register(name="", kind="castle", postcode="XX", radius_m=7, households="-1", coordinator_name="", email="x")
    assert set(caught.value.errors) == {"name", "kind", "postcode", "households", "coordinator_name", "email"}
    assert not Scheme.objects.exists()


def test_a_second_scheme_with_the_same_name_gets_its_own_slug(postcode):
    first = _register().scheme
    second = _register(email="other@example.com").scheme
    assert second.slug == f"{first.slug}-2"
    assert _register(name="Register", email="x@example.com").scheme.slug == "register-2"


def test_the_link_verifies_the_coordinator_once(postcode):
    coordinator = _register()
    token = last_token()
    assert services.link_read(token) == coordinator
    assert services.link_confirm(token=token).is_verified
    with pytest.raises(LinkUsed):
        services.link_confirm(token=token)
    with pytest.raises(LinkInvalid):
        services.link_read(token[:-2] + "xx")


def test_sign_in_sends_a_link_only_to_a_coordinator_but_answers_the_same(postcode):
    _register()
    assert services.sign_in_request(email="PAT@example.com") == 1
    assert services.sign_in_request(email="stranger@example.com") == 0
    with pytest.raises(services.SchemeInvalid):
        services.sign_in_request(email="not an address")


def test_a_coordinator_updates_the_details_and_chooses_to_be_shown(west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    coordinator = make_coordinator(scheme)
    services.scheme_update_by_coordinator(
        scheme=scheme,
        coordinator=coordinator,
        name="Mill Lane Watch",
        kind="farm",
        description="",
        households=55,
        show_contact=True,
    )
    scheme.refresh_from_db()
    assert (scheme.name, scheme.kind, scheme.households) == ("Mill Lane Watch", "farm", 55)
    assert Coordinator.objects.get(pk=coordinator.pk).show_contact


def test_only_a_verified_coordinator_of_this_scheme_can_update_it(west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    other = make_coordinator(make_scheme(division=west, lat=53.90, lon=-2.70))
    unverified = make_coordinator(scheme, verified=False)
    for coordinator in (other, unverified):
        with pytest.raises(PermissionDenied):
            services.scheme_update_by_coordinator(
                scheme=scheme,
                coordinator=coordinator,
                name="x",
                kind="farm",
                description="",
                households=1,
                show_contact=True,
            )


def test_a_suspended_scheme_cannot_be_changed_by_its_coordinators(west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, status=Scheme.Status.SUSPENDED)
    with pytest.raises(services.SchemeStateError):
        services.coordinator_add(scheme=scheme, by=make_coordinator(scheme), name="Sam", email="sam@example.com")


def test_a_co_coordinator_is_invited_and_starts_private(west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    lead = make_coordinator(scheme)
    added = services.coordinator_add(scheme=scheme, by=lead, name="Sam Lee", email="Sam@example.com")
    assert (added.email, added.is_verified, added.show_contact, added.itk_opt_in) == (
        "sam@example.com",
        False,
        False,
        False,
    )
    assert last_email().to == "sam@example.com"
    with pytest.raises(services.SchemeInvalid) as caught:
        services.coordinator_add(scheme=scheme, by=lead, name="Sam Lee", email="sam@example.com")
    assert "already a coordinator" in caught.value.errors["email"]


def test_staff_verify_only_in_their_division_and_only_with_a_confirmed_coordinator(west, officer, other_officer):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, status=Scheme.Status.PENDING)
    with pytest.raises(PermissionDenied):
        services.scheme_verify(scheme=scheme, actor=other_officer)
    with pytest.raises(services.SchemeStateError, match="confirmed"):
        services.scheme_verify(scheme=scheme, actor=officer)
    make_coordinator(scheme)
    verified = services.scheme_verify(scheme=scheme, actor=officer)
    assert verified.status == Scheme.Status.VERIFIED
    assert verified.verified_by == officer
    assert AuditEntry.objects.get(action="schemes.scheme.verify").actor == officer
    with pytest.raises(services.SchemeStateError):
        services.scheme_verify(scheme=verified, actor=officer)
    suspended = services.scheme_suspend(scheme=verified, actor=officer, reason="Closed")
    assert suspended.status == Scheme.Status.SUSPENDED
    assert suspended.suspended_at
    assert AuditEntry.objects.get(action="schemes.scheme.suspend").data["reason"] == "Closed"


def test_verifying_signs_up_a_consenting_coordinator_to_the_group_with_double_opt_in(west, home, officer):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, status=Scheme.Status.PENDING)
    consenting = make_coordinator(scheme, email="yes@example.com", itk_opt_in=True, itk_wording="I agree ...")
    make_coordinator(scheme, email="no@example.com")
    services.scheme_verify(scheme=scheme, actor=officer)
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "yes@example.com"
    assert subscriber.status == Subscriber.Status.PENDING  # In the Know's own confirmation email decides
    group = Interest.objects.get(slug=services.ITK_GROUP)
    assert group.kind == Interest.Kind.GROUP
    assert subscriber.interest_bits == group.mask
    assert subscriber.home_neighbourhood == home
    assert Consent.objects.get(subscriber=subscriber).wording == "I agree ..."
    consenting.refresh_from_db()
    assert consenting.itk_subscriber_id == subscriber.pk
    assert last_email().to == "yes@example.com"


def test_an_existing_subscriber_only_gains_the_group(west, officer, home):
    existing = Subscriber.objects.create(email="yes@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    topic = Interest.objects.get(slug="crime-alerts")
    existing.interest_bits = topic.mask
    existing.save()
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, status=Scheme.Status.PENDING)
    make_coordinator(scheme, email="yes@example.com", itk_opt_in=True)
    services.scheme_verify(scheme=scheme, actor=officer)
    existing.refresh_from_db()
    assert existing.status == Subscriber.Status.UNSUBSCRIBED  # never re-subscribed
    assert existing.interest_bits == topic.mask | Interest.objects.get(slug=services.ITK_GROUP).mask
    assert Subscriber.objects.count() == 1


def test_a_co_coordinator_who_opts_in_later_joins_when_the_scheme_is_verified(west, home):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    coordinator = make_coordinator(scheme, email="later@example.com")
    assert not Subscriber.objects.exists()
    services.coordinator_set_preferences(coordinator=coordinator, show_contact=False, itk_opt_in=True)
    assert Subscriber.objects.get().email == "later@example.com"
    assert "In the Know" in Coordinator.objects.get(pk=coordinator.pk).itk_wording


def test_staff_edit_the_area_as_chosen_neighbourhoods_in_their_scope(west, home, away, officer):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    fields = {"name": "Ashbridge Watch", "kind": "neighbourhood", "description": "", "households": 10}
    with pytest.raises(services.SchemeInvalid) as caught:
        services.scheme_edit(
            scheme=scheme, actor=officer, area_source="neighbourhoods", neighbourhoods=[away], **fields
        )
    assert "your division" in caught.value.errors["neighbourhoods"]
    services.scheme_edit(scheme=scheme, actor=officer, area_source="neighbourhoods", neighbourhoods=[home], **fields)
    scheme.refresh_from_db()
    assert scheme.bbox == pytest.approx((-2.75, 53.75, -2.65, 53.85))
    assert list(scheme.neighbourhoods.all()) == [home]
    assert AuditEntry.objects.filter(action="schemes.scheme.edit").count() == 1


def test_staff_edit_a_drawn_area_from_pasted_geojson(west, officer, other_officer):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    fields = {"name": "x", "kind": "shop", "description": "", "households": 1, "area_source": "drawn"}
    square = '{"type": "Polygon", "coordinates": [[[-2.7, 53.8], [-2.6, 53.8], [-2.6, 53.9], [-2.7, 53.8]]]}'
    with pytest.raises(PermissionDenied):
        services.scheme_edit(scheme=scheme, actor=other_officer, area_geojson=square, **fields)
    with pytest.raises(services.SchemeInvalid):
        services.scheme_edit(scheme=scheme, actor=officer, area_geojson="{", **fields)
    services.scheme_edit(scheme=scheme, actor=officer, area_geojson=square, **fields)
    scheme.refresh_from_db()
    assert scheme.bbox == pytest.approx((-2.7, 53.8, -2.6, 53.9))


_DRAWN = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [[[-2.71, 53.79], [-2.69, 53.79], [-2.69, 53.81], [-2.71, 53.81], [-2.71, 53.79]]],
    }
)


def test_registering_with_a_drawn_area_stores_it_instead_of_the_circle(postcode, home):
    scheme = _register(area_geojson=_DRAWN, radius_m="").scheme
    assert scheme.area_source == Scheme.AreaSource.DRAWN
    assert scheme.area["coordinates"][0][0] == [-2.71, 53.79]
    assert scheme.bbox == pytest.approx((-2.71, 53.79, -2.69, 53.81))
    assert (scheme.centre_lon, scheme.centre_lat) == pytest.approx((-2.70, 53.80))


def test_a_drawn_area_outside_the_force_is_refused_on_registering(postcode, home):
    outside = '{"type": "Polygon", "coordinates": [[[-2.66, 53.79], [-2.6, 53.79], [-2.6, 53.81], [-2.66, 53.79]]]}'
    with pytest.raises(services.SchemeInvalid) as caught:
        _register(area_geojson=outside)
    assert list(caught.value.errors) == ["area_geojson"]
    assert caught.value.errors["area_geojson"].startswith("Draw the area inside")
    assert not Scheme.objects.exists()


def test_a_coordinator_redraws_the_area_and_an_empty_box_keeps_it(west, home):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    before = scheme.area
    coordinator = make_coordinator(scheme)
    fields = {"name": "Mill Lane", "kind": "neighbourhood", "description": "", "households": 3, "show_contact": False}
    services.scheme_update_by_coordinator(scheme=scheme, coordinator=coordinator, area_geojson="", **fields)
    assert Scheme.objects.get().area == before
    services.scheme_update_by_coordinator(scheme=scheme, coordinator=coordinator, area_geojson=_DRAWN, **fields)
    scheme.refresh_from_db()
    assert scheme.bbox == pytest.approx((-2.71, 53.79, -2.69, 53.81))
    assert AuditEntry.objects.filter(action="schemes.scheme.change").order_by("pk").last().data["area_changed"] is True
    huge = '{"type": "Polygon", "coordinates": [[[-2.75, 53.75], [-2.3, 53.75], [-2.3, 54.2], [-2.75, 53.75]]]}'
    with pytest.raises(services.SchemeInvalid) as caught:
        services.scheme_update_by_coordinator(scheme=scheme, coordinator=coordinator, area_geojson=huge, **fields)
    assert "too large" in caught.value.errors["area_geojson"]
