"""roles_sync(): the role groups match ROLE_PERMISSIONS, and a call that finds them matching writes nothing."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openbeat.staff import roles

pytestmark = pytest.mark.django_db


def labels(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_it_creates_missing_groups_and_puts_back_what_was_changed():
    Group.objects.filter(name=roles.BOARD_VIEWER).delete()
    lead = Group.objects.get_or_create(name=roles.DIVISION_LEAD)[0]
    lead.permissions.add(Permission.objects.get(codename="delete_group"))  # an extra one, given by hand
    admin = Group.objects.get_or_create(name=roles.ADMINISTRATOR)[0]
    admin.permissions.remove(Permission.objects.get(codename="add_group"))  # one taken away

    groups = roles.roles_sync()

    assert list(groups) == roles.ROLES
    for role in roles.ROLES:
        wanted = (
            {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
            if role == roles.ADMINISTRATOR
            else set(roles.ROLE_PERMISSIONS[role])
        )
        assert labels(Group.objects.get(name=role)) == wanted, role


def test_a_second_call_reads_and_writes_nothing_more():
    roles.roles_sync()

    with CaptureQueriesContext(connection) as queries:
        roles.roles_sync()

    statements = [query["sql"].split()[0].upper() for query in queries]
    assert statements == ["SELECT"] * 3


def test_an_unknown_permission_is_refused_by_name(monkeypatch):
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, roles.BOARD_VIEWER, ["staff.no_such_thing"])

    with pytest.raises(LookupError, match=r"staff\.no_such_thing"):
        roles.roles_sync()
