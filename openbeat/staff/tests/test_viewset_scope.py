"""Every view of the division-scoped back-office viewsets applies the scope, not just edit and delete.

A penetration test found a West division lead reading the history and usage of East's officers, neighbourhoods
and stations. Each model is tested here on every URL its viewset registers (so a view a later Wagtail adds is
covered too): the owner reads it, another division's lead is refused as the edit view always refused them (a
PermissionDenied, which Wagtail answers with a redirect to the dashboard and a message), an outsider is refused
and an anonymous visitor sent to log in. Inspect, copy and chooser views, which no viewset
enables yet, are tested on viewsets built with them enabled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.viewsets import viewsets as registered_viewsets
from wagtail.admin.viewsets.chooser import ChooserViewSet

from openbeat.areas.models import Station
from openbeat.areas.tests.factories import NeighbourhoodFactory, StationFactory
from openbeat.staff import roles
from openbeat.staff.admin_views import ScopedMixin, ScopedObjectMixin, ScopedViewSetMixin
from openbeat.staff.areas_admin import StationViewSet
from openbeat.staff.tests.factories import OfficerFactory, TeamMembershipFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def _station(division: Any) -> Any:
    return StationFactory(name="Ashbridge Police Station", neighbourhood=NeighbourhoodFactory(division=division))


def _neighbourhood(division: Any) -> Any:
    return NeighbourhoodFactory(division=division, name="Ashbridge North")


def _officer(division: Any) -> Any:
    return OfficerFactory(division=division, name="Sam Ashbridge")


def _team_place(division: Any) -> Any:
    return TeamMembershipFactory(
        officer=OfficerFactory(division=division), neighbourhood=NeighbourhoodFactory(division=division)
    )


def _division(division: Any) -> Any:
    return division


# (url prefix, the object in the given division, permissions a division lead is given on top of the role's).
# A division lead may not change a division, so for that one both leads get the permission: it is the scope,
# not the role, that must refuse the other division.
SCOPED: list[tuple[str, Callable[[Any], Any], list[str]]] = [
    ("stations", _station, []),
    ("neighbourhoods", _neighbourhood, []),
    ("officers", _officer, []),
    ("teams", _team_place, []),
    ("divisions", _division, ["change_division"]),
]
SCOPED_IDS = [prefix for prefix, _, _ in SCOPED]


def _viewset(url_prefix: str) -> Any:
    return next(v for v in _openbeat_viewsets() if v.url_prefix == url_prefix)


def _openbeat_viewsets() -> list[Any]:
    """The registered viewsets of OpenBeat's own models (not Wagtail's pages, images, users...)."""
    reverse("wagtailadmin_home")  # the admin's URLs (and so the viewset registry) are loaded
    return [
        v
        for v in registered_viewsets.viewsets
        if isinstance(getattr(v, "model", None), type) and v.model.__module__.startswith("openbeat.")
    ]


def _object_urls(url_prefix: str, pk: Any) -> dict[str, str]:
    """Every URL the registered viewset has for one object, by URL name."""
    viewset = _viewset(url_prefix)
    return {
        pattern.name: reverse(f"{viewset.url_namespace}:{pattern.name}", args=[pk])
        for pattern in viewset.get_urlpatterns()
        if "<" in str(pattern.pattern)
    }


def _lead(division: Any, username: str, extra: list[str]) -> Any:
    user = staff_user(roles.DIVISION_LEAD, division, username=username)
    user.user_permissions.add(*Permission.objects.filter(codename__in=extra))
    return user


@pytest.mark.parametrize(("prefix", "make", "extra"), SCOPED, ids=SCOPED_IDS)
def test_the_owner_reads_the_history_and_usage_of_their_divisions_rows(client, west, prefix, make, extra):
    obj = make(west)
    client.force_login(_lead(west, "lead.west", extra))
    urls = _object_urls(prefix, obj.pk)
    for name in ("edit", "history", "history_results", "usage"):
        response = client.get(urls[name])
        assert response.status_code == 200, (name, response.status_code)
    assert str(obj) in client.get(urls["history"]).content.decode()


@pytest.mark.parametrize(("prefix", "make", "extra"), SCOPED, ids=SCOPED_IDS)
def test_another_division_is_refused_every_view_of_a_row(client, west, east, refused, prefix, make, extra):
    obj = make(west)
    before = str(obj)
    client.force_login(_lead(east, "lead.east", extra))
    urls = _object_urls(prefix, obj.pk)
    assert {"edit", "delete", "history", "history_results", "usage"} <= set(urls)
    for name, url in urls.items():
        assert refused(client.get(url)), ("GET", name)
        assert refused(client.post(url, {"name": "Hijacked"})), ("POST", name)
    obj.refresh_from_db()
    assert str(obj) == before


@pytest.mark.parametrize(("prefix", "make", "extra"), SCOPED, ids=SCOPED_IDS)
def test_outsiders_are_refused_every_view_of_a_row(client, west, refused, prefix, make, extra):
    obj = make(west)
    urls = _object_urls(prefix, obj.pk)
    client.force_login(UserFactory(username="member.of.public"))
    for name, url in urls.items():
        assert refused(client.get(url)), name
    client.logout()
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/admin/login/"), name


def test_a_lead_without_a_division_is_refused_like_another_division(client, west, refused):
    station = _station(west)
    client.force_login(staff_user(roles.DIVISION_LEAD, None, username="lead.nowhere"))
    for name, url in _object_urls("stations", station.pk).items():
        assert refused(client.get(url)), name


def test_force_wide_staff_read_every_divisions_history_and_usage(client, west, east):
    stations = [_station(west), _station(east)]
    client.force_login(staff_user(roles.HQ_MEDIA, None, username="hq"))
    for station in stations:
        urls = _object_urls("stations", station.pk)
        for name in ("edit", "history", "usage"):
            assert client.get(urls[name]).status_code == 200, name


def test_listings_and_filters_show_only_rows_in_scope(client, west, east):
    """(Exports: test_listing_export.py.)"""
    _station(west)
    StationFactory(name="Oswin Police Station", neighbourhood=NeighbourhoodFactory(division=east))
    client.force_login(staff_user(roles.DIVISION_LEAD, west, username="lead.west"))
    for url in ("/admin/stations/", "/admin/stations/results/"):
        html = client.get(url).content.decode()
        assert "Ashbridge Police Station" in html, url
        assert "Oswin Police Station" not in html, url
    response = client.get("/admin/stations/")
    offered = response.context["view"].filters.form.fields["division"].queryset
    assert list(offered) == [west]
    # Choosing the other division in the filter shows nothing of it either.
    html = client.get("/admin/stations/", {"division": east.pk}).content.decode()
    assert "Oswin Police Station" not in html


def test_team_listing_filters_offer_only_the_leads_division(client, west, east):
    _team_place(west)
    client.force_login(staff_user(roles.DIVISION_LEAD, west, username="lead.west"))
    response = client.get("/admin/teams/")
    assert list(response.context["view"].filters.form.fields["neighbourhood__division"].queryset) == [west]


def test_every_view_of_every_openbeat_viewset_carries_the_scope():
    """A viewset added later, or a view a later Wagtail adds, cannot skip the scope unnoticed."""
    ours = _openbeat_viewsets()
    assert {v.url_prefix for v in ours} >= {"stations", "neighbourhoods", "divisions", "force", "officers", "teams"}
    for viewset in ours:
        assert isinstance(viewset, ScopedViewSetMixin), viewset
        for pattern in viewset.get_urlpatterns():
            where = (viewset.url_prefix, pattern.name)
            view_class = pattern.callback.view_class
            assert issubclass(view_class, ScopedMixin), where
            assert pattern.callback.view_initkwargs["scope_field"] == viewset.scope_field, where
            if "<" in str(pattern.pattern):
                assert issubclass(view_class, ScopedObjectMixin), where


# Views no viewset enables yet: called directly on viewsets built with them, under the registered names so that
# the other URLs they link to resolve.


def _request(user: Any, method: str = "get", data: dict[str, Any] | None = None) -> Any:
    request = getattr(RequestFactory(), method)("/admin/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_inspect_and_copy_views_apply_the_scope(west, east):
    station = _station(west)
    viewset = StationViewSet("stations", inspect_view_enabled=True, copy_view_enabled=True)
    owner = staff_user(roles.DIVISION_LEAD, west, username="lead.west")
    other = staff_user(roles.DIVISION_LEAD, east, username="lead.east")

    response = viewset.inspect_view(_request(owner), pk=station.pk)
    response.render()
    assert response.status_code == 200
    assert "Ashbridge Police Station" in response.content.decode()
    with pytest.raises(PermissionDenied):
        viewset.inspect_view(_request(other), pk=station.pk)
    with pytest.raises(PermissionDenied):
        viewset.copy_view(_request(other), pk=station.pk)
    post = {"name": "Copied", "address": "x", "division": west.pk, "opening_hours": "", "phone": ""}
    with pytest.raises(PermissionDenied):
        viewset.copy_view(_request(other, "post", post), pk=station.pk)
    assert not Station.objects.filter(name="Copied").exists()


class StationChooserViewSet(ScopedViewSetMixin, ChooserViewSet):
    model = Station


def _view(view_function: Any, request: Any, **kwargs: Any) -> Any:
    view = view_function.view_class(**view_function.view_initkwargs)
    view.setup(request, **kwargs)
    return view


def test_a_chooser_lists_and_answers_only_rows_in_scope(west, east):
    mine, theirs = _station(west), StationFactory(neighbourhood=NeighbourhoodFactory(division=east))
    chooser = StationChooserViewSet("station_chooser")
    request = _request(staff_user(roles.DIVISION_LEAD, west, username="lead.west"))

    assert list(_view(chooser.choose_view, request).get_object_list()) == [mine]
    assert list(_view(chooser.choose_results_view, request).get_object_list()) == [mine]
    assert list(_view(chooser.chosen_multiple_view, request).get_objects([mine.pk, theirs.pk])) == [mine]
    chosen = _view(chooser.chosen_view, request, pk=theirs.pk)
    assert chosen.get_object(mine.pk) == mine
    with pytest.raises(PermissionDenied):
        chosen.get_object(theirs.pk)
