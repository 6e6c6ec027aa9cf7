"""The triage queue and a report's back-office page: the owner's division, another division, outsiders, the
force-wide contact centre, and complaints seen only by Professional Standards. Every action through the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.reports.models import Evidence, Report, ReportEvent, ReportType
from openbeat.reports.tests import triage_world as world
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory
from openbeat.reports.tests.triage_world import OUTSIDERS, outsider
from openbeat.staff import roles
from openbeat.staff.tests.factories import OfficerFactory, client_for, staff_user

pytestmark = pytest.mark.django_db

# The shared fixtures (triage_world), bound here so that pytest finds them.
abbey, castle, crime_type, complaint_type = world.abbey, world.castle, world.crime_type, world.complaint_type
owner, other_division, contact, standards = world.owner, world.other_division, world.contact, world.standards
standards_group = world.standards_group

VIEWED = "reports.report.view_personal_data"


@pytest.fixture
def crime(abbey, crime_type):
    return ReportFactory(
        reference="LC-2026-000101",
        neighbourhood=abbey,
        report_type=crime_type,
        reporter_name="Robin Reporter",
        reporter_email="robin@example.com",
        reporter_phone="01632 960001",
        answers_shown=[{"key": "what", "label": "What happened?", "answer": "My shed was broken into."}],
    )


@pytest.fixture
def complaint(abbey, complaint_type):
    return ReportFactory(reference="LC-2026-000102", neighbourhood=abbey, report_type=complaint_type)


@pytest.fixture
def nowhere(crime_type):
    return ReportFactory(reference="LC-2026-000103", neighbourhood=None, division=None, report_type=crime_type)


def listed(response) -> list[str]:
    return [report.reference for report in response.context["page"].reports]


# ------------------------------------------------------------------------------------------------ the queue


def test_the_owner_sees_their_divisions_reports_without_personal_data(owner, crime, castle, crime_type):
    ReportFactory(reference="LC-2026-000900", neighbourhood=castle, report_type=crime_type)
    response = client_for(owner).get("/admin/reports/")
    assert response.status_code == 200
    assert listed(response) == ["LC-2026-000101"]
    page = response.content.decode()
    assert f'href="/admin/reports/{crime.pk}/"' in page
    for personal in ("Robin Reporter", "robin@example.com", "01632 960001", "shed"):
        assert personal not in page
    assert not AuditEntry.objects.filter(action=VIEWED).exists()


def test_another_division_does_not_see_the_report(other_division, crime):
    assert listed(client_for(other_division).get("/admin/reports/")) == []


def test_the_contact_centre_sees_every_division_and_the_force_wide_queue(contact, crime, nowhere, complaint):
    assert sorted(listed(client_for(contact).get("/admin/reports/"))) == ["LC-2026-000101", "LC-2026-000103"]


def test_complaints_are_listed_for_professional_standards_only(owner, standards, crime, complaint):
    assert listed(client_for(standards).get("/admin/reports/")) == ["LC-2026-000102"]
    assert "LC-2026-000102" not in listed(client_for(owner).get("/admin/reports/"))


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_open_the_queue(kind, refused, crime):
    assert refused(client_for(outsider(kind)).get("/admin/reports/"))


def test_the_queue_shows_sla_badges_in_words_and_counts_per_status(owner, abbey, crime_type):
    now = timezone.now()
    ReportFactory(reference="RED", neighbourhood=abbey, report_type=crime_type, created_at=now - dt.timedelta(days=6))
    ReportFactory(reference="AMBER", neighbourhood=abbey, report_type=crime_type, created_at=now - dt.timedelta(days=3))
    ReportFactory(reference="OK", neighbourhood=abbey, report_type=crime_type, status="triaged")
    response = client_for(owner).get("/admin/reports/")
    assert listed(response) == ["RED", "AMBER", "OK"]
    page = response.content.decode()
    assert page.index("ob-sla--red") < page.index("ob-sla--amber") < page.index("ob-sla--ok")
    assert "Overdue (red)" in page
    assert "Due soon (amber)" in page
    assert "Red: overdue" not in page  # "Red: overdue red 12 Jan" read awkwardly
    assert "Within time" in page
    assert '<span data-count="new">(2)</span>' in page
    assert '<span data-count="triaged">(1)</span>' in page
    assert '<span data-count="closed">(0)</span>' in page


def test_the_queue_filters_from_the_address(contact, crime, nowhere, abbey, castle, crime_type):
    lost = ReportTypeFactory(slug="test-lost", name="Lost property", kind=ReportType.Kind.LOST)
    ReportFactory(reference="LOST-EAST", neighbourhood=castle, report_type=lost, status="closed")
    client = client_for(contact)
    assert listed(client.get("/admin/reports/?report_type=test-lost")) == []  # open only, by default
    assert listed(client.get("/admin/reports/?report_type=test-lost&status=closed")) == ["LOST-EAST"]
    assert listed(client.get("/admin/reports/?division=none")) == ["LC-2026-000103"]
    assert listed(client.get(f"/admin/reports/?neighbourhood={abbey.pk}")) == ["LC-2026-000101"]
    assert listed(client.get(f"/admin/reports/?division={castle.division_id}&status=all")) == ["LOST-EAST"]
    assert listed(client.get("/admin/reports/?assigned=me")) == []
    assert sorted(listed(client.get("/admin/reports/?sla=ok"))) == ["LC-2026-000101", "LC-2026-000103"]
    assert listed(client.get("/admin/reports/?age=gt7")) == []


def test_a_filter_outside_the_scope_is_dropped_not_obeyed(owner, crime, castle, crime_type):
    ReportFactory(reference="EAST", neighbourhood=castle, report_type=crime_type)
    client = client_for(owner)
    response = client.get(f"/admin/reports/?division={castle.division_id}&neighbourhood={castle.pk}&report_type=x")
    assert response.status_code == 200
    assert listed(response) == ["LC-2026-000101"]
    assert "Force-wide queue" not in response.content.decode()  # not offered to division staff


def test_the_queue_pages_without_counting_everything(owner, abbey, crime_type):
    for n in range(51):
        ReportFactory(reference=f"R{n:03d}", neighbourhood=abbey, report_type=crime_type)
    client = client_for(owner)
    first = client.get("/admin/reports/?report_type=test-crime")
    assert len(listed(first)) == 50
    page = first.content.decode()
    assert 'href="?report_type=test-crime&amp;p=2"' in page
    assert "Previous page" not in page
    second = client.get("/admin/reports/?report_type=test-crime&p=2")
    assert len(listed(second)) == 1
    assert "Previous page" in second.content.decode()
    assert "Next page" not in second.content.decode()


def test_the_queue_costs_the_same_few_queries_however_many_reports(
    contact, abbey, castle, crime_type, django_assert_max_num_queries
):
    client = client_for(contact)
    client.get("/admin/reports/")  # warm the session and the permission caches
    for n in range(60):
        assignee = contact if n % 2 else None
        neighbourhood = abbey if n % 3 else castle
        ReportFactory(neighbourhood=neighbourhood, report_type=crime_type, assigned_to=assignee)
    with django_assert_max_num_queries(22):
        response = client.get("/admin/reports/")
    assert len(listed(response)) == 50


# ------------------------------------------------------------------------------------------------ the report


def test_the_owner_opens_a_report_and_the_viewing_is_audited(owner, crime):
    response = client_for(owner).get(f"/admin/reports/{crime.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("Robin Reporter", "robin@example.com", "01632 960001", "What happened?", "My shed was broken into."):
        assert shown in page
    entry = AuditEntry.objects.get(action=VIEWED)
    assert (entry.actor, entry.target_id, entry.data) == (owner, str(crime.pk), {})


def test_another_division_gets_a_404_and_nothing_is_logged(other_division, crime):
    assert client_for(other_division).get(f"/admin/reports/{crime.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action=VIEWED).exists()


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_open_a_report(kind, refused, crime):
    assert refused(client_for(outsider(kind)).get(f"/admin/reports/{crime.pk}/"))
    assert not AuditEntry.objects.filter(action=VIEWED).exists()


def test_a_force_wide_report_is_for_force_wide_staff_only(owner, contact, nowhere):
    assert client_for(owner).get(f"/admin/reports/{nowhere.pk}/").status_code == 404
    assert client_for(contact).get(f"/admin/reports/{nowhere.pk}/").status_code == 200


def test_a_complaint_is_for_professional_standards_only(owner, contact, standards, complaint):
    assert client_for(owner).get(f"/admin/reports/{complaint.pk}/").status_code == 404
    assert client_for(contact).get(f"/admin/reports/{complaint.pk}/").status_code == 404
    assert client_for(standards).get(f"/admin/reports/{complaint.pk}/").status_code == 200
    assert list(AuditEntry.objects.filter(action=VIEWED).values_list("actor__username", flat=True)) == ["standards"]


def test_the_timeline_marks_what_the_reporter_cannot_see(owner, crime):
    ReportEvent.objects.create(report=crime, kind=ReportEvent.Kind.NOTE, author=owner, body="Known to us.")
    ReportEvent.objects.create(report=crime, kind=ReportEvent.Kind.FROM_REPORTER, body="Any news?")
    page = client_for(owner).get(f"/admin/reports/{crime.pk}/").content.decode()
    assert page.index("Known to us.") < page.index("Any news?")
    note = page[page.index('data-event="note"') : page.index("Known to us.")]
    assert "(staff only)" in note
    reply = page[page.index('data-event="from_reporter"') : page.index("Any news?")]
    assert "(staff only)" not in reply


def test_evidence_links_for_those_who_may_open_it_but_never_to_a_quarantined_file(owner, crime, west):
    fields = {"report": crime, "content_type": "image/jpeg", "size": 10, "sha256": "0" * 64}
    clean = Evidence.objects.create(path="a.jpg", original_name="shed.jpg", scan=Evidence.Scan.CLEAN, **fields)
    bad = Evidence.objects.create(path="b.jpg", original_name="bad.jpg", scan=Evidence.Scan.QUARANTINED, **fields)
    page = client_for(owner).get(f"/admin/reports/{crime.pk}/").content.decode()
    assert f'href="/admin/reports/evidence/{clean.pk}/"' in page
    assert f'href="/admin/reports/evidence/{bad.pk}/"' not in page
    assert "bad.jpg" in page
    # A user who may triage but not open evidence sees the names only.
    user = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="no-evidence")
    user.user_permissions.clear()
    from django.contrib.auth.models import Group, Permission

    limited, _ = Group.objects.get_or_create(name="Triage without evidence")
    limited.permissions.set(Permission.objects.filter(codename__in=["triage_report", "access_admin"]))
    user.groups.set([limited])
    page = client_for(user).get(f"/admin/reports/{crime.pk}/").content.decode()
    assert "shed.jpg" in page
    assert f'href="/admin/reports/evidence/{clean.pk}/"' not in page
    assert "Your role cannot open evidence files." in page


# ------------------------------------------------------------------------------------------------ actions


def test_triage(owner, crime):
    response = client_for(owner).post(f"/admin/reports/{crime.pk}/triage/")
    assert response.status_code == 302
    crime.refresh_from_db()
    assert crime.status == Report.Status.TRIAGED
    assert AuditEntry.objects.filter(action="reports.report.triage", actor=owner).exists()
    # Twice: the service refuses, the page says why.
    page = client_for(owner).post(f"/admin/reports/{crime.pk}/triage/").content.decode()
    assert "Only a new report can be triaged" in page


def test_assign_to_a_colleague_in_the_division_or_a_team(owner, crime, west):
    colleague = staff_user(roles.DIVISION_LEAD, west, username="colleague", first_name="Cal", last_name="Lead")
    client = client_for(owner)
    assert f'value="{colleague.pk}"' in client.get(f"/admin/reports/{crime.pk}/").content.decode()
    response = client.post(f"/admin/reports/{crime.pk}/assign/", {"assign-assignee": colleague.pk, "assign-team": ""})
    assert response.status_code == 302
    crime.refresh_from_db()
    assert (crime.assigned_to, crime.status) == (colleague, Report.Status.ASSIGNED)
    client.post(f"/admin/reports/{crime.pk}/assign/", {"assign-assignee": "", "assign-team": "Roads policing"})
    crime.refresh_from_db()
    assert (crime.assigned_to, crime.assigned_team) == (None, "Roads policing")
    assert AuditEntry.objects.filter(action="reports.report.assign", actor=owner).count() == 2


def test_a_report_cannot_be_assigned_to_someone_outside_its_scope(owner, crime, east):
    stranger = staff_user(roles.DIVISION_LEAD, east, username="stranger")
    client = client_for(owner)
    assert f'value="{stranger.pk}"' not in client.get(f"/admin/reports/{crime.pk}/").content.decode()
    response = client.post(f"/admin/reports/{crime.pk}/assign/", {"assign-assignee": stranger.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    crime.refresh_from_db()
    assert crime.assigned_to is None


def test_closing_needs_an_outcome_and_a_crime_needs_its_crn(owner, crime):
    client = client_for(owner)
    url = f"/admin/reports/{crime.pk}/status/"
    page = client.post(url, {"status-status": "closed", "status-public_note": "Thanks"}).content.decode()
    assert "Choose an outcome to close the report" in page
    assert "Thanks</textarea>" in page  # what was typed is kept
    page = client.post(url, {"status-status": "closed", "status-outcome": "crime_recorded"}).content.decode()
    assert "Enter the crime reference number (CRN)" in page
    crime.refresh_from_db()
    assert crime.status == Report.Status.NEW
    data = {"status-status": "closed", "status-outcome": "crime_recorded", "status-outcome_detail": "CRN 12/3456/26"}
    assert client.post(url, {**data, "status-public_note": "A crime has been recorded."}).status_code == 302
    crime.refresh_from_db()
    assert (crime.status, crime.outcome, crime.outcome_detail) == ("closed", "crime_recorded", "CRN 12/3456/26")
    assert crime.public_note == "A crime has been recorded."
    assert AuditEntry.objects.filter(action="reports.report.status", actor=owner).count() == 1


def test_an_internal_note_is_added_and_shown(owner, crime):
    client = client_for(owner)
    assert client.post(f"/admin/reports/{crime.pk}/note/", {"note-body": "Spoke to the neighbour."}).status_code == 302
    assert ReportEvent.objects.get(report=crime, kind="note").body == "Spoke to the neighbour."
    assert "Spoke to the neighbour." in client.get(f"/admin/reports/{crime.pk}/").content.decode()
    page = client.post(f"/admin/reports/{crime.pk}/note/", {"note-body": ""}).content.decode()
    assert "This field is required." in page
    assert ReportEvent.objects.filter(report=crime, kind="note").count() == 1


def test_a_message_to_the_reporter_emails_a_notice_not_the_message(owner, crime, django_capture_on_commit_callbacks):
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/reports/{crime.pk}/message/", {"message-body": "Please send the CCTV."})
    assert response.status_code == 302
    assert ReportEvent.objects.get(report=crime, kind="to_reporter").body == "Please send the CCTV."
    (email,) = mail.outbox
    assert email.to == ["robin@example.com"]
    assert crime.reference in email.body
    assert "CCTV" not in email.body
    assert AuditEntry.objects.filter(action="reports.report.message", actor=owner).exists()


def test_a_compliment_is_shared_with_the_officer_it_names(owner, abbey, west, django_capture_on_commit_callbacks):
    kind = ReportType.Kind.COMPLIMENT
    compliment_type = ReportTypeFactory(slug="test-compliment", kind=kind, asks_named_officer=True)
    officer = OfficerFactory(name="Dana Constable", division=west, email="dana.constable@police.example")
    compliment = ReportFactory(
        neighbourhood=abbey,
        report_type=compliment_type,
        named_officer=officer,
        answers_shown=[{"key": "what", "label": "What did they do?", "answer": "Found my dog."}],
    )
    client = client_for(owner)
    assert "Share with the officer" in client.get(f"/admin/reports/{compliment.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/admin/reports/{compliment.pk}/share/").status_code == 302
    (email,) = mail.outbox
    assert email.to == ["dana.constable@police.example"]
    assert "Found my dog." in email.body
    assert AuditEntry.objects.filter(action="reports.report.share_compliment", actor=owner).exists()


def test_only_a_compliment_can_be_shared(owner, crime):
    client = client_for(owner)
    assert "Share with the officer" not in client.get(f"/admin/reports/{crime.pk}/").content.decode()
    page = client.post(f"/admin/reports/{crime.pk}/share/").content.decode()
    assert "Only a compliment can be shared with an officer" in page
    assert mail.outbox == []


ERASE = {"erase-reason": "Erasure request DP-SAR-17"}
CONTACT = ("Robin Reporter", "robin@example.com", "01632 960001")


def _contact(report: Report) -> tuple[str, str, str]:
    report.refresh_from_db()
    return report.reporter_name, report.reporter_email, report.reporter_phone


def _closed(report: Report) -> Report:
    Report.objects.filter(pk=report.pk).update(status=Report.Status.CLOSED, closed_at=timezone.now())
    report.refresh_from_db()
    return report


def test_the_owner_erases_the_reporters_details_on_a_closed_report(owner, crime):
    client = client_for(owner)
    assert "Erase the reporter" not in client.get(f"/admin/reports/{crime.pk}/").content.decode()
    _closed(crime)
    assert "Erase the reporter" in client.get(f"/admin/reports/{crime.pk}/").content.decode()

    assert client.post(f"/admin/reports/{crime.pk}/erase-reporter/", ERASE).status_code == 302

    assert _contact(crime) == ("", "", "")
    assert crime.answers_shown[0]["answer"] == "My shed was broken into."
    assert ReportEvent.objects.get(report=crime, kind="note").body.endswith("Erasure request DP-SAR-17")
    entry = AuditEntry.objects.get(action="reports.reporter.erased", actor=owner)
    assert "robin" not in str(entry.data).lower()
    assert "Erase the reporter" not in client.get(f"/admin/reports/{crime.pk}/").content.decode()


def test_erasing_needs_a_reason_and_a_closed_report(owner, crime):
    client = client_for(owner)
    page = client.post(f"/admin/reports/{crime.pk}/erase-reporter/", ERASE).content.decode()
    assert "Close the report first" in page
    assert 'value="Erasure request DP-SAR-17"' in page
    _closed(crime)
    page = client.post(f"/admin/reports/{crime.pk}/erase-reporter/", {"erase-reason": ""}).content.decode()
    assert "This field is required." in page
    assert _contact(crime) == CONTACT


def test_another_division_and_outsiders_cannot_erase_the_reporters_details(other_division, refused, crime):
    _closed(crime)
    assert client_for(other_division).post(f"/admin/reports/{crime.pk}/erase-reporter/", ERASE).status_code == 404
    for kind in OUTSIDERS:
        assert refused(client_for(outsider(kind)).post(f"/admin/reports/{crime.pk}/erase-reporter/", ERASE))
    assert _contact(crime) == CONTACT
    assert not AuditEntry.objects.filter(action="reports.reporter.erased").exists()


ACTIONS = [
    ("triage", {}),
    ("assign", {"assign-team": "Roads policing"}),
    ("status", {"status-status": "closed", "status-outcome": "nfa"}),
    ("note", {"note-body": "A note"}),
    ("message", {"message-body": "A message"}),
    ("share", {}),
    ("erase-reporter", {"erase-reason": "Erasure request DP-SAR-17"}),
]


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_another_division_cannot_act_on_the_report(action, data, other_division, crime):
    assert client_for(other_division).post(f"/admin/reports/{crime.pk}/{action}/", data).status_code == 404
    crime.refresh_from_db()
    assert (crime.status, crime.assigned_team, crime.events.count()) == ("new", "", 0)


@pytest.mark.parametrize(("action", "data"), ACTIONS)
@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_act_on_the_report(kind, action, data, refused, crime):
    assert refused(client_for(outsider(kind)).post(f"/admin/reports/{crime.pk}/{action}/", data))
    crime.refresh_from_db()
    assert (crime.status, crime.assigned_team, crime.events.count()) == ("new", "", 0)


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_only_professional_standards_act_on_a_complaint(action, data, contact, complaint):
    assert client_for(contact).post(f"/admin/reports/{complaint.pk}/{action}/", data).status_code == 404
    assert complaint.events.count() == 0


def test_professional_standards_handle_a_complaint(standards, complaint):
    client = client_for(standards)
    client.post(f"/admin/reports/{complaint.pk}/assign/", {"assign-assignee": standards.pk})
    complaint.refresh_from_db()
    assert complaint.assigned_to == standards


def test_actions_only_accept_post(owner, crime):
    assert client_for(owner).get(f"/admin/reports/{crime.pk}/triage/").status_code == 405


# ------------------------------------------------------------------------------------------------ the menu


def test_the_do_it_online_menu_has_the_triage_queue_for_staff_who_triage(owner):
    from openbeat.reports import wagtail_hooks
    from openbeat.reports.views import staff_menu

    assert staff_menu.REPORTS_MENU_HOOK == wagtail_hooks.REPORTS_MENU_HOOK
    page = client_for(owner).get("/admin/").content.decode()
    assert "Do It Online" in page
    assert "Triage queue" in page
    assert "/admin/reports/" in page


def test_the_triage_queue_is_in_the_menu_once_and_wagtails_reports_stay_in_their_own(owner):
    # The section's hook was once named like Wagtail's own "Reports" menu hook: the queue showed in both menus
    # and Wagtail's reports (locked pages, site history...) showed inside Do It Online.
    from wagtail import hooks

    from openbeat.reports.views import staff_menu

    assert staff_menu.REPORTS_MENU_HOOK != "register_reports_menu_item"
    assert staff_menu.register_triage_menu_item not in hooks.get_hooks("register_reports_menu_item")
    page = client_for(owner).get("/admin/").content.decode()
    assert page.count("Triage queue") == 1


def test_the_menu_is_hidden_from_staff_who_do_not_triage():
    board = staff_user(roles.BOARD_VIEWER, None, username="board")
    page = client_for(board).get("/admin/").content.decode()
    assert "Triage queue" not in page
