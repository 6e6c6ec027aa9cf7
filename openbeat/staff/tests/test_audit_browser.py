"""The audit browser (staff.audit_browser): each reader sees the log within their division scope."""

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.audit.tests.factories import logged_changes
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(west, east):
    return logged_changes(west, east)


def test_a_force_wide_reader_sees_everything_and_filters_it(client, entries):
    client.force_login(staff_user(roles.HQ_MEDIA, None, username="hq2"))
    html = client.get("/admin/audit/").content.decode()
    assert "West Station" in html
    assert "East Station" in html
    assert "staff.login.success" in html
    filtered = client.get("/admin/audit/", {"action": "areas.", "target_type": "areas.station"}).content.decode()
    assert "staff.login.success" not in filtered
    assert "West Station" in filtered


def test_a_division_lead_sees_only_their_division(client, entries, west):
    client.force_login(staff_user(roles.DIVISION_LEAD, west, username="lead.west"))
    html = client.get("/admin/audit/").content.decode()
    assert "West Station" in html
    assert "East Station" not in html


def test_another_division_does_not_see_it_even_when_filtering_for_it(client, entries, east):
    client.force_login(staff_user(roles.DIVISION_LEAD, east, username="lead.east"))
    html = client.get(
        "/admin/audit/", {"target_id": str(entries[0].pk), "target_type": "areas.station"}
    ).content.decode()
    assert "West Station" not in html


def test_roles_without_the_permission_and_outsiders_are_refused(client, entries, west):
    for user in [staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west"), UserFactory()]:
        client.force_login(user)
        response = client.get("/admin/audit/")
        assert response.status_code in (302, 403)
        assert "West Station" not in response.content.decode()
    client.logout()
    assert client.get("/admin/audit/").status_code == 302


def test_the_export_is_a_csv_of_the_filtered_entries_and_is_itself_logged(client, entries):
    reader = staff_user(roles.HQ_MEDIA, None, username="hq3")
    client.force_login(reader)
    response = client.get("/admin/audit/export.csv", {"action": "areas.station"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = response.content.decode().splitlines()
    assert rows[0].startswith("at,actor,action")
    assert len(rows) == 3
    export = AuditEntry.objects.get(action="audit.log.export")
    assert export.actor == reader
    assert export.data == {"filters": {"action": "areas.station"}}
