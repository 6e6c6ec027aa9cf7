"""Interests in the back office: listed, added and edited by HQ; slug and bit fixed; never deleted."""

from __future__ import annotations

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.subscriptions.models import MAX_INTEREST_BIT, Interest

pytestmark = pytest.mark.django_db

LIST = "/admin/in-the-know/interests/"
ADD = f"{LIST}new/"


@pytest.fixture
def owner():
    return staff_user(roles.HQ_MEDIA, username="hq")


@pytest.fixture
def other_role(west):
    return staff_user(roles.DIVISION_LEAD, west, username="lead.west")


@pytest.fixture
def outsider():
    return UserFactory(username="member.of.public")


def form(**overrides: str) -> dict[str, str]:
    return {"name": "Dog walkers", "description": "", "kind": "group", "sort_order": "5", "active": "on", **overrides}


def test_the_owner_lists_the_interests(client, owner):
    client.force_login(owner)

    page = client.get(LIST).content.decode()

    assert "Crime alerts and appeals" in page
    assert "crime-alerts" in page


def test_a_new_interest_gets_a_slug_from_its_name_and_the_lowest_free_bit(client, owner):
    Interest.objects.filter(slug="recruitment").delete()  # frees bit 8, as if it had never been used
    client.force_login(owner)
    assert client.get(ADD).status_code == 200

    response = client.post(ADD, form(name="Dog walkers & runners"))

    assert response.status_code == 302
    interest = Interest.objects.get(name="Dog walkers & runners")
    assert (interest.slug, interest.bit, interest.kind, interest.active) == ("dog-walkers-runners", 8, "group", True)
    entry = AuditEntry.objects.get(action="subscriptions.interest.create")
    assert (entry.actor, entry.target_id) == (owner, str(interest.pk))


def test_an_inactive_interest_keeps_its_bit_so_a_new_one_never_reuses_it(client, owner):
    Interest.objects.filter(slug="young-people").update(active=False)
    highest = max(Interest.objects.values_list("bit", flat=True))
    client.force_login(owner)

    client.post(ADD, form(name="Young people (new)"))

    assert Interest.objects.get(name="Young people (new)").bit == highest + 1


def test_a_name_already_used_as_a_slug_gets_a_distinct_slug(client, owner):
    client.force_login(owner)

    client.post(ADD, form(name="Crime alerts"))

    assert Interest.objects.get(name="Crime alerts").slug == "crime-alerts-2"


def test_editing_changes_the_words_but_never_the_slug_or_the_bit(client, owner):
    interest = Interest.objects.get(slug="roads-travel")
    client.force_login(owner)
    edit = f"{LIST}edit/{interest.pk}/"
    page = client.get(edit).content.decode()
    assert 'name="slug"' not in page
    assert 'name="bit"' not in page

    response = client.post(edit, form(name="Roads", kind="topic", slug="hijacked", bit="40", active=""))

    assert response.status_code == 302
    interest.refresh_from_db()
    assert (interest.name, interest.slug, interest.bit, interest.active) == ("Roads", "roads-travel", 3, False)
    entry = AuditEntry.objects.get(action="subscriptions.interest.change")
    assert set(entry.data["fields"]) >= {"name", "active"}


def test_there_is_no_delete_only_deactivate(client, owner, refused):
    interest = Interest.objects.get(slug="roads-travel")
    admin = staff_user(roles.ADMINISTRATOR, username="admin")
    for user in (owner, admin):
        client.force_login(user)
        assert f"{LIST}delete/{interest.pk}/" not in client.get(f"{LIST}edit/{interest.pk}/").content.decode()
        assert refused(client.post(f"{LIST}delete/{interest.pk}/"))
    assert Interest.objects.filter(pk=interest.pk).exists()


def test_when_all_63_bits_are_used_adding_one_says_so(client, owner):
    taken = set(Interest.objects.values_list("bit", flat=True))
    Interest.objects.bulk_create(
        Interest(slug=f"filler-{bit}", name=f"Filler {bit}", bit=bit, active=False)
        for bit in range(MAX_INTEREST_BIT + 1)
        if bit not in taken
    )
    client.force_login(owner)

    response = client.post(ADD, form())

    assert response.status_code == 200
    assert "No more interests can be added: all 63 places are taken" in response.content.decode()
    assert not Interest.objects.filter(name="Dog walkers").exists()


def test_another_role_may_not_list_add_or_edit_interests(client, other_role, refused):
    interest = Interest.objects.get(slug="roads-travel")
    client.force_login(other_role)

    assert refused(client.get(LIST))
    assert refused(client.get(ADD))
    assert refused(client.post(ADD, form()))
    assert refused(client.post(f"{LIST}edit/{interest.pk}/", form(name="Hijacked")))
    assert not Interest.objects.filter(name__in=["Dog walkers", "Hijacked"]).exists()
    assert LIST not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "no role"])
def test_outsiders_may_not_list_add_or_edit_interests(client, outsider, refused, who):
    interest = Interest.objects.get(slug="roads-travel")
    if who == "no role":
        client.force_login(outsider)

    assert refused(client.get(LIST))
    assert refused(client.post(ADD, form()))
    assert refused(client.post(f"{LIST}edit/{interest.pk}/", form(name="Hijacked")))
    assert not Interest.objects.filter(name__in=["Dog walkers", "Hijacked"]).exists()
