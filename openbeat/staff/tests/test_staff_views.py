"""The Staff section (officer profiles, neighbourhood teams): owner, another division, outsider."""

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.models import Officer, TeamMembership
from openbeat.staff.tests.factories import OfficerFactory, TeamMembershipFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(west):
    return OfficerFactory(name="Priya Shah", rank="PCSO", division=west)


@pytest.fixture
def membership(officer, west):
    return TeamMembershipFactory(officer=officer, neighbourhood=NeighbourhoodFactory(division=west, name="Ashbridge"))


def officer_form(officer, **changes):
    data = {
        "name": officer.name,
        "rank": officer.rank,
        "role": officer.role,
        "bio": officer.bio,
        "photo": "",
        "email": officer.email,
        "phone": officer.phone,
        "division": officer.division_id,
        "public": "on",
    }
    return {**data, **changes}


def test_the_owner_edits_an_officer_profile_and_it_is_audited(client, west, officer):
    lead = staff_user(roles.DIVISION_LEAD, west, username="lead.west")
    client.force_login(lead)
    assert "Priya Shah" in client.get("/admin/officers/").content.decode()
    response = client.post(f"/admin/officers/edit/{officer.pk}/", officer_form(officer, bio="Ask me about PACT."))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.bio == "Ask me about PACT."
    assert AuditEntry.objects.get(action="staff.officer.change").actor == lead


def test_another_division_cannot_see_or_change_the_profile_or_move_it(client, east, west, officer, refused):
    client.force_login(staff_user(roles.DIVISION_LEAD, east, username="lead.east"))
    assert "Priya Shah" not in client.get("/admin/officers/").content.decode()
    assert refused(client.get(f"/admin/officers/edit/{officer.pk}/"))
    assert refused(client.post(f"/admin/officers/edit/{officer.pk}/", officer_form(officer, division=east.pk)))
    assert refused(client.post(f"/admin/officers/delete/{officer.pk}/"))
    officer.refresh_from_db()
    assert officer.division == west


def test_teams_are_scoped_through_their_neighbourhood(client, east, west, membership, refused):
    client.force_login(staff_user(roles.DIVISION_LEAD, west, username="lead.west"))
    assert "Priya Shah" in client.get("/admin/teams/").content.decode()
    client.force_login(staff_user(roles.DIVISION_LEAD, east, username="lead.east"))
    assert "Priya Shah" not in client.get("/admin/teams/").content.decode()
    assert refused(client.post(f"/admin/teams/delete/{membership.pk}/"))
    assert TeamMembership.objects.filter(pk=membership.pk).exists()


def test_a_team_place_offers_only_officers_and_neighbourhoods_in_scope(client, east, west, officer):
    OfficerFactory(name="Eastern Officer", division=east)
    client.force_login(staff_user(roles.DIVISION_LEAD, west, username="lead.west"))
    form = client.get("/admin/teams/new/").content.decode()
    assert "Priya Shah" in form
    assert "Eastern Officer" not in form


def test_outsiders_and_read_only_roles_cannot_change_profiles(client, west, officer, refused):
    for user in [UserFactory(username="public"), staff_user(roles.BOARD_VIEWER, None, username="board")]:
        client.force_login(user)
        assert refused(client.get(f"/admin/officers/edit/{officer.pk}/"))
        assert refused(client.post(f"/admin/officers/delete/{officer.pk}/"))
    assert Officer.objects.filter(pk=officer.pk).exists()
    client.logout()
    assert client.get("/admin/officers/")["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("role", "sees", "hidden"),
    [
        (roles.ADMINISTRATOR, ["Areas", "Staff", "Audit log"], []),
        (roles.HQ_MEDIA, ["Areas", "Staff", "Audit log"], []),
        (roles.DIVISION_LEAD, ["Areas", "Staff", "Audit log"], []),
        (roles.NEIGHBOURHOOD_OFFICER, ["Areas", "Staff"], ["Audit log"]),
        (roles.CONTACT_CENTRE, ["Areas", "Staff"], ["Audit log"]),
        (roles.BOARD_VIEWER, [], ["Audit log", "Stations"]),
    ],
)
def test_every_role_reaches_the_back_office_and_sees_only_its_sections(client, west, role, sees, hidden):
    user = staff_user(role, west if role in (roles.DIVISION_LEAD, roles.NEIGHBOURHOOD_OFFICER) else None)
    if role == roles.ADMINISTRATOR:
        user.is_superuser = True
        user.save()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in sees:
        assert f'"{label}"' in html or f">{label}<" in html, label
    for label in hidden:
        assert f'"{label}"' not in html, label
