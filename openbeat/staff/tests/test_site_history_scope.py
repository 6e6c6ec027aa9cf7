"""Wagtail's site history report shows a division-scoped user only the log entries of objects in their division.

The penetration test's last finding: a West division lead opening /admin/reports/site-history/ read East's edit
events, the names of East's stations and officers and who edited them, because Wagtail filters that report by
content type permission, not by division. OpenBeat serves the report at the same paths (openbeat.staff.
site_history): force-wide staff see every entry, a division's staff only their division's objects.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import resolve, reverse
from wagtail.log_actions import log

from openbeat.areas.tests.factories import NeighbourhoodFactory, StationFactory
from openbeat.audit.models import AuditEntry
from openbeat.core.models import Force
from openbeat.staff import roles
from openbeat.staff.site_history import ScopedLogEntriesView
from openbeat.staff.tests.factories import OfficerFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/site-history/"
RESULTS = "/admin/reports/site-history/results/"
WEST_NAMES = ["Ashbridge Police Station", "Wendy Westbrook"]
# East's objects (one since deleted), their editor, and the force (no division: force-wide staff only).
OTHER_NAMES = ["Oswin Police Station", "PC Sam Oswin", "Oswin Old Station", "Edgar Eastwick", "Testshire"]


@pytest.fixture
def history(west: Any, east: Any) -> dict[str, Any]:
    """Edits in both divisions and to the force, as Wagtail's views log them."""
    west_lead = staff_user(roles.DIVISION_LEAD, west, username="lead.west", first_name="Wendy", last_name="Westbrook")
    east_lead = staff_user(roles.DIVISION_LEAD, east, username="lead.east", first_name="Edgar", last_name="Eastwick")
    hq = staff_user(roles.HQ_MEDIA, None, username="hq", first_name="Harriet", last_name="Headley")
    # The force has no division: give the West lead a permission on it, so that only the scope keeps it out.
    west_lead.user_permissions.add(Permission.objects.get(codename="view_force"))

    ours = StationFactory(name="Ashbridge Police Station", neighbourhood=NeighbourhoodFactory(division=west))
    log(ours, "wagtail.edit", user=west_lead)
    log(west, "wagtail.edit", user=hq)
    theirs = StationFactory(name="Oswin Police Station", neighbourhood=NeighbourhoodFactory(division=east))
    log(theirs, "wagtail.edit", user=east_lead)
    log(OfficerFactory(division=east, name="Sam Oswin"), "wagtail.create", user=east_lead)
    gone = StationFactory(name="Oswin Old Station", neighbourhood=NeighbourhoodFactory(division=east))
    log(gone, "wagtail.delete", user=east_lead, deleted=True)
    gone.delete()
    force = Force.objects.create(code="testshire", name="Testshire Constabulary", short_code="TC")
    log(force, "wagtail.edit", user=hq)
    return {"west_lead": west_lead, "east_lead": east_lead, "hq": hq}


def _labels(response: Any) -> set[str]:
    return {entry.label for entry in response.context["object_list"]}


def _csv_body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_reports_paths_are_served_by_the_scoped_view():
    assert reverse("wagtailadmin_reports:site_history") == REPORT
    assert reverse("wagtailadmin_reports:site_history_results") == RESULTS
    for url in (REPORT, RESULTS):
        assert resolve(url).func.view_class is ScopedLogEntriesView, url


def test_a_division_lead_sees_only_their_divisions_entries(client, history, west):
    client.force_login(history["west_lead"])
    for url in (REPORT, RESULTS):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _labels(response) == {"Ashbridge Police Station", str(west)}, url
        # The page's frame (its title, the sidebar's logo) carries the force's name: look inside <main> only.
        html = response.content.decode().split("<main", 1)[-1]
        for name in WEST_NAMES:
            assert name in html, (url, name)
        # Neither in the rows nor in the filters' users.
        for name in OTHER_NAMES:
            assert name not in html, (url, name)


def test_a_division_leads_filters_cannot_reach_another_divisions_entries(client, history, west):
    client.force_login(history["west_lead"])
    assert _labels(client.get(RESULTS, {"label": "Oswin"})) == set()
    # East's lead is not a choice: the filter is ignored, and the lead sees their own entries as before.
    assert _labels(client.get(RESULTS, {"user": history["east_lead"].pk})) == {"Ashbridge Police Station", str(west)}
    filters = client.get(REPORT).context["view"].filters
    assert list(filters.filters["user"].extra["queryset"]) == [history["hq"], history["west_lead"]]
    offered_types = {str(ct.model) for ct in filters.form.fields["object_type"].queryset}
    assert offered_types == {"station", "division"}  # not officer (East's only) nor force


def test_a_division_leads_export_has_only_their_entries_and_is_audit_logged(client, history):
    client.force_login(history["west_lead"])
    response = client.get(REPORT, {"export": "csv", "label": "Station"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(_csv_body(response))))
    assert [row[1] for row in rows[1:]] == ["Ashbridge Police Station"]
    body = "\n".join(",".join(row) for row in rows)
    for name in OTHER_NAMES:
        assert name not in body, name
    entry = AuditEntry.objects.get(action="staff.sitehistory.exported")
    assert entry.actor == history["west_lead"]
    assert entry.data == {"format": "csv", "rows": 1, "filters": {"label": ["Station"]}}


def test_a_lead_without_a_division_sees_no_entries(client, history):
    client.force_login(staff_user(roles.DIVISION_LEAD, None, username="lead.nowhere"))
    assert _labels(client.get(REPORT)) == set()


@pytest.mark.parametrize("role", [roles.HQ_MEDIA, roles.ADMINISTRATOR])
def test_force_wide_staff_see_every_divisions_entries(client, history, west, role):
    client.force_login(history["hq"] if role == roles.HQ_MEDIA else staff_user(role, None, username="admin"))
    everything = {"Ashbridge Police Station", str(west), "Oswin Police Station", "PC Sam Oswin", "Oswin Old Station"}
    for url in (REPORT, RESULTS):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _labels(response) >= everything, url
        assert "Edgar Eastwick" in response.content.decode(), url
    assert "Oswin Police Station" in _csv_body(client.get(REPORT, {"export": "csv"}))


def test_outsiders_and_anonymous_visitors_are_refused(client, history, refused):
    client.force_login(UserFactory(username="member.of.public"))
    for url in (REPORT, RESULTS, f"{REPORT}?export=csv"):
        assert refused(client.get(url)), url
    client.logout()
    for url in (REPORT, RESULTS, f"{REPORT}?export=csv"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    assert not AuditEntry.objects.filter(action="staff.sitehistory.exported").exists()
