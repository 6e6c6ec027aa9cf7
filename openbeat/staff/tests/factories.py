"""Staff factories. `staff_user(role, division)` gives a login in a role, scoped to a division; `client_for(user)`
a test client signed in as them."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from openbeat.areas.tests.factories import DivisionFactory
from openbeat.staff.models import Officer, StaffProfile, TeamMembership
from openbeat.staff.roles import roles_sync

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@police.example")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def staff_user(role: str, division: Any = None, *, username: str | None = None, **kwargs: Any) -> Any:
    """A staff login in `role` (a name from staff.roles), with a profile in `division`."""
    roles_sync()
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.update_or_create(user=user, defaults={"division": division})
    return user


def client_for(user: Any) -> Client:
    """A test client signed in as `user`; not signed in when `user` is None (an anonymous visitor)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    name = factory.Sequence(lambda n: f"Alex Officer{n}")
    rank = "PC"
    role = "Neighbourhood Beat Manager"
    division = factory.SubFactory(DivisionFactory)
    email = factory.LazyAttribute(lambda o: f"{o.name.replace(' ', '.').lower()}@police.example")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    officer = factory.SubFactory(OfficerFactory)
    neighbourhood = factory.SubFactory("openbeat.areas.tests.factories.NeighbourhoodFactory")
