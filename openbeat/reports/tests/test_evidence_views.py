"""Opening evidence in the back office: the owner, another division, outsiders, and quarantined files."""

from __future__ import annotations

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.reports.evidence import evidence_add
from openbeat.reports.models import Evidence
from openbeat.reports.tests import evidence_world
from openbeat.reports.tests.evidence_world import sample, upload
from openbeat.reports.tests.factories import ReportFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db

# The shared fixtures (a private folder per test, a report type taking files, a draft).
evidence_type = evidence_world.evidence_type
private = evidence_world.private


@pytest.fixture
def report(evidence_type, west):
    return ReportFactory(report_type=evidence_type, division=west, reference="LC-2026-000042")


@pytest.fixture
def evidence(report, private):
    return evidence_add(report=report, upload=upload("photo.jpg", as_name="my <photo>.jpg"), from_reporter=True)


def url(evidence: Evidence) -> str:
    return f"/admin/reports/evidence/{evidence.pk}/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", [roles.NEIGHBOURHOOD_OFFICER, roles.DIVISION_LEAD])
def test_staff_of_the_division_download_the_original_as_a_safe_attachment(role, west, evidence):
    response = client_for(staff_user(role, west)).get(url(evidence))
    assert response.status_code == 200
    assert _body(response) == sample("photo.jpg")
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="LC-2026-000042-{evidence.pk}-my-photo.jpg"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="reports.evidence.download")
    assert entry.actor.get_username() == response.wsgi_request.user.get_username()
    assert entry.data == {"evidence_id": evidence.pk}
    assert entry.target_id == str(evidence.report_id)


def test_the_force_wide_contact_centre_downloads_it(evidence):
    assert client_for(staff_user(roles.CONTACT_CENTRE, None)).get(url(evidence)).status_code == 200


def test_another_division_gets_not_found_and_nothing_is_logged(east, evidence):
    response = client_for(staff_user(roles.DIVISION_LEAD, east)).get(url(evidence))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="reports.evidence.download").exists()


@pytest.mark.parametrize("kind", ["anonymous", "no role", "board viewer"])
def test_outsiders_are_refused(kind, evidence, refused):
    user = {
        "anonymous": lambda: None,
        "no role": lambda: UserFactory(username="public"),
        "board viewer": lambda: staff_user(roles.BOARD_VIEWER, None),
    }[kind]()
    response = client_for(user).get(url(evidence))
    assert refused(response) or response.status_code == 404
    assert b"\xff\xd8" not in (response.content if not response.streaming else _body(response))


def test_staff_who_handle_reports_but_may_not_open_evidence_are_refused(west, evidence):
    from django.contrib.auth.models import Permission

    user = staff_user(roles.NEIGHBOURHOOD_OFFICER, west)
    user.groups.clear()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "triage_report"]),
    )
    response = client_for(user).get(url(evidence))
    assert response.status_code == 403
    assert b"do not have permission to open evidence" in response.content


def test_a_quarantined_file_cannot_be_downloaded(west, evidence):
    Evidence.objects.filter(pk=evidence.pk).update(scan=Evidence.Scan.QUARANTINED, scan_detail="Eicar-Test-Signature")
    response = client_for(staff_user(roles.NEIGHBOURHOOD_OFFICER, west)).get(url(evidence))
    assert response.status_code == 403
    assert b"quarantined" in response.content
    assert not AuditEntry.objects.filter(action="reports.evidence.download").exists()


def test_a_file_waiting_for_its_scan_is_not_sent_yet(west, evidence):
    Evidence.objects.filter(pk=evidence.pk).update(scan=Evidence.Scan.PENDING)
    response = client_for(staff_user(roles.NEIGHBOURHOOD_OFFICER, west)).get(url(evidence))
    assert response.status_code == 403
    assert b"waiting for its virus scan" in response.content


def test_a_missing_file_or_evidence_is_not_found(west, evidence):
    client = client_for(staff_user(roles.NEIGHBOURHOOD_OFFICER, west))
    assert client.get(f"/admin/reports/evidence/{evidence.pk + 100}/").status_code == 404
    Evidence.objects.filter(pk=evidence.pk).update(path="../../../etc/passwd")
    assert client.get(url(evidence)).status_code == 404


def test_only_get_is_allowed(west, evidence):
    assert client_for(staff_user(roles.NEIGHBOURHOOD_OFFICER, west)).post(url(evidence)).status_code == 405


def test_evidence_of_a_team_handled_type_is_only_for_that_team(west, private):
    from django.contrib.auth.models import Group

    standards = Group.objects.create(name="Professional Standards")
    complaint = ReportFactory(
        report_type=evidence_world.ReportTypeFactory(slug="complaint", allows_evidence=True, handling_group=standards),
        division=west,
    )
    evidence = evidence_add(report=complaint, upload=upload("document.pdf"), from_reporter=True)
    assert client_for(staff_user(roles.DIVISION_LEAD, west)).get(url(evidence)).status_code == 404
    member = staff_user(roles.CONTACT_CENTRE, None)
    member.groups.add(standards)
    assert _body(client_for(member).get(url(evidence))) == sample("document.pdf")
