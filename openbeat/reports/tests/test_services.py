import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory
from openbeat.audit.models import AuditEntry
from openbeat.reports import services
from openbeat.reports.models import Question, Report, ReportDraft, ReportEvent, ReportType
from openbeat.reports.services import ReportAlreadySent, ReportInvalid, ReportPermissionError
from openbeat.reports.tests.factories import QuestionFactory, ReportFactory, ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import OfficerFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

RESIDENT = {"reporter_name": "Sam Resident", "reporter_email": "sam@example.com"}


@pytest.fixture
def crime():
    report_type = ReportTypeFactory(slug="test-crime", name="Report a crime", sla_amber_hours=24, sla_red_hours=72)
    QuestionFactory(report_type=report_type, key="what", label="What happened?", kind=Question.Kind.TEXTAREA)
    return report_type


@pytest.fixture
def place(west):
    return NeighbourhoodFactory(division=west)


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner")


@pytest.fixture
def other_division(east):
    return staff_user(roles.DIVISION_LEAD, east, username="other")


@pytest.fixture
def report(place, crime):
    return ReportFactory(neighbourhood=place, report_type=crime, reporter_email="sam@example.com")


def test_submit_by_map_pin_routes_to_the_neighbourhood_and_emails_a_confirmation(
    crime, place, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            report_type=crime,
            answers={"what": "  Shed broken into  ", "stale": "dropped"},
            lat=place.centroid_lat,
            lon=place.centroid_lon,
            now=now,
            **RESIDENT,
        )
    report.refresh_from_db()
    assert (report.neighbourhood, report.division, report.location_source) == (place, place.division, "map")
    assert report.reference.endswith(f"-{now.year}-000001")
    assert report.sla_amber_at == now + dt.timedelta(hours=24)
    assert report.sla_red_at == now + dt.timedelta(hours=72)
    assert report.answers == {"what": "Shed broken into"}
    assert report.answers_shown == [{"key": "what", "label": "What happened?", "answer": "Shed broken into"}]
    assert report.status == Report.Status.NEW

    [email] = mail.outbox
    assert email.to == ["sam@example.com"]
    assert report.reference in email.subject
    assert report.reference in email.body
    assert "/report/status/" in email.body
    html = email.alternatives[0][0]
    assert report.reference in html
    # The reference and a link, never a copy of what was typed (see test_confirmation_email_...).
    assert "Shed broken into" not in email.body
    assert "Shed broken into" not in html

    entry = AuditEntry.objects.get(action="reports.report.submit")
    assert entry.actor is None
    assert entry.target_id == str(report.pk)
    assert entry.division == place.division
    assert "sam@example.com" not in str(entry.data)
    assert "Sam" not in str(entry.data)


TYPED = "Buy cheap watches at spam.example and call 0900 123456"


def test_confirmation_email_has_the_reference_and_status_link_but_not_the_typed_text(
    crime, place, settings, django_capture_on_commit_callbacks
):
    """Anyone can type anyone's address: the force's mail server must not carry their words to it."""
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            report_type=crime,
            answers={"what": TYPED},
            reporter_name="Visit spam.example now",
            reporter_email="someone.else@example.com",
            address="Outside spam.example HQ",
            lat=place.centroid_lat,
            lon=place.centroid_lon,
        )
    [email] = mail.outbox
    assert email.to == ["someone.else@example.com"]
    html = email.alternatives[0][0]
    for text in (email.subject, email.body, html):
        assert report.reference in text
        assert "spam.example" not in text
        assert "0900" not in text
    for text in (email.body, html):
        assert f"{settings.BASE_URL.rstrip('/')}/report/status/" in text
        assert "Report a crime" in text  # the type's name, which staff wrote
        assert "What happens next" in text
    # What was typed is kept for staff, and for the reporter behind the status page's magic link.
    assert report.answers == {"what": TYPED}


def test_no_email_to_the_reporter_carries_text_anyone_typed(
    crime, place, owner, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            report_type=crime,
            answers={"what": TYPED},
            lat=place.centroid_lat,
            lon=place.centroid_lon,
            **RESIDENT,
        )
        services.report_message_to_reporter(report=report, actor=owner, body="Staff words: ring 0900 654321")
        client.post("/report/status/", {"reference": report.reference, "email": RESIDENT["reporter_email"]})
    assert [m.to for m in mail.outbox] == [[RESIDENT["reporter_email"]]] * 3
    for email in mail.outbox:
        bodies = [email.subject, email.body, *(content for content, _ in email.alternatives)]
        for text in bodies:
            assert report.reference in text
            for typed in ("spam.example", "0900", "Staff words", RESIDENT["reporter_name"]):
                assert typed not in text


def test_submit_by_postcode(crime, place):
    postcode = PostcodeFactory(neighbourhood=place)
    report = services.report_submit(
        report_type=crime, answers={"what": "x"}, postcode=postcode.postcode.lower().replace(" ", ""), **RESIDENT
    )
    assert (report.postcode, report.division, report.location_source) == (postcode.postcode, place.division, "postcode")


def test_a_pin_outside_every_neighbourhood_or_no_location_goes_to_the_force_wide_queue(crime, place):
    outside = services.report_submit(report_type=crime, answers={"what": "x"}, lat=10.0, lon=10.0, **RESIDENT)
    assert (outside.division, outside.neighbourhood, outside.lat) == (None, None, 10.0)
    nowhere = services.report_submit(report_type=crime, answers={"what": "x"}, address="Behind the shops", **RESIDENT)
    assert (nowhere.division, nowhere.location_source, nowhere.address) == (None, "address", "Behind the shops")


def test_location_required_and_bad_postcode(crime):
    crime.location = ReportType.Location.REQUIRED
    crime.save()
    with pytest.raises(ReportInvalid) as caught:
        services.report_submit(report_type=crime, answers={"what": "x"}, **RESIDENT)
    assert set(caught.value.errors) == {"location"}
    with pytest.raises(ReportInvalid) as caught:
        services.report_submit(report_type=crime, answers={"what": "x"}, postcode="not a postcode", **RESIDENT)
    assert caught.value.errors == {"postcode": "Enter a full UK postcode"}
    with pytest.raises(ReportInvalid) as caught:
        services.report_submit(report_type=crime, answers={"what": "x"}, lat="north", lon=1, **RESIDENT)
    assert set(caught.value.errors) == {"location"}
    with pytest.raises(ReportInvalid) as caught:
        services.report_submit(report_type=crime, answers={"what": "x"}, address="x" * 301, **RESIDENT)
    assert set(caught.value.errors) == {"address"}


def test_invalid_input_is_refused_with_every_error_and_nothing_is_kept(crime):
    with pytest.raises(ReportInvalid) as caught:
        services.report_submit(
            report_type=crime, answers={}, reporter_name="", reporter_email="not-an-email", reporter_phone="call me"
        )
    assert set(caught.value.errors) == {"what", "reporter_name", "reporter_email", "reporter_phone"}
    assert not Report.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_draft_goes_with_the_report_it_filed_and_files_only_one(crime):
    draft = ReportDraft.objects.create(key="k1", report_type=crime, data={})
    report = services.report_submit(report_type=crime, answers={"what": "x"}, draft=draft, **RESIDENT)
    assert not ReportDraft.objects.exists()

    # The same draft sent again (a double click that got past the page): nothing more is filed.
    with pytest.raises(ReportAlreadySent):
        services.report_submit(report_type=crime, answers={"what": "x"}, draft=draft, **RESIDENT)
    assert list(Report.objects.all()) == [report]


def test_a_report_refused_leaves_its_draft_as_it_was(crime):
    draft = ReportDraft.objects.create(key="k1", report_type=crime, data={"answers": {"what": ""}})
    with pytest.raises(ReportInvalid):
        services.report_submit(report_type=crime, answers={}, draft=draft, **RESIDENT)
    assert ReportDraft.objects.get().data == {"answers": {"what": ""}}


def test_an_inactive_type_is_refused(crime):
    crime.active = False
    crime.save()
    with pytest.raises(ReportInvalid) as caught:
        services.report_submit(report_type=crime, answers={"what": "x"}, **RESIDENT)
    assert "report_type" in caught.value.errors


def test_open311_reports_may_come_without_contact_details_and_send_no_email(crime, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            report_type=crime, answers={"what": "x"}, reporter_name="", reporter_email="", source="open311"
        )
    assert report.source == "open311"
    assert mail.outbox == []


def test_the_handling_team_is_told_without_personal_data(crime, django_capture_on_commit_callbacks):
    crime.handling_email = "team@police.example"
    crime.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report_type=crime, answers={"what": "My neighbour Bob"}, **RESIDENT)
    [team] = [m for m in mail.outbox if m.to == ["team@police.example"]]
    assert report.reference in team.subject
    assert f"/admin/reports/{report.pk}/" in team.body
    for private in ("Sam", "sam@example.com", "Bob"):
        assert private not in team.body
        assert private not in team.subject


def test_named_officer_kept_only_where_the_type_asks(crime):
    officer = OfficerFactory()
    report = services.report_submit(report_type=crime, answers={"what": "x"}, named_officer=officer, **RESIDENT)
    assert report.named_officer is None
    crime.asks_named_officer = True
    crime.save()
    report = services.report_submit(report_type=crime, answers={"what": "x"}, named_officer=officer, **RESIDENT)
    assert report.named_officer == officer


def test_staged_evidence_is_ignored_where_the_type_allows_none(crime):
    # No evidence module is touched: a forged staged list for a type without evidence attaches nothing.
    report = services.report_submit(
        report_type=crime, answers={"what": "x"}, staged_evidence=[{"token": "forged"}], **RESIDENT
    )
    assert report.evidence.count() == 0


# ---------------------------------------------------------------------------------------------- staff


def test_triage_by_the_owner_and_refused_to_another_division(report, owner, other_division):
    with pytest.raises(ReportPermissionError):
        services.report_triage(report=report, actor=other_division)
    with pytest.raises(ReportPermissionError):
        services.report_triage(report=report, actor=UserFactory())
    services.report_triage(report=report, actor=owner)
    assert report.status == Report.Status.TRIAGED
    assert Report.objects.get(pk=report.pk).status == Report.Status.TRIAGED
    assert AuditEntry.objects.filter(action="reports.report.triage", actor=owner).count() == 1
    with pytest.raises(ReportInvalid):
        services.report_triage(report=report, actor=owner)


def test_assign_to_a_person_in_scope_or_a_team(report, owner, other_division):
    with pytest.raises(ReportInvalid) as caught:
        services.report_assign(report=report, actor=owner, assignee=other_division)
    assert "assignee" in caught.value.errors
    services.report_assign(report=report, actor=owner, assignee=owner)
    assert (report.assigned_to, report.status) == (owner, Report.Status.ASSIGNED)
    services.report_assign(report=report, actor=owner, team="Burglary team")
    assert (report.assigned_to, report.assigned_team) == (None, "Burglary team")
    services.report_assign(report=report, actor=owner)
    assert (report.assigned_team, report.status) == ("", Report.Status.TRIAGED)
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds.count(ReportEvent.Kind.ASSIGNMENT) == 3
    assert AuditEntry.objects.filter(action="reports.report.assign").count() == 3


def test_closing_needs_an_outcome_and_a_crn_for_a_recorded_crime(report, owner):
    with pytest.raises(ReportInvalid) as caught:
        services.report_status_set(report=report, actor=owner, status="closed")
    assert "outcome" in caught.value.errors
    with pytest.raises(ReportInvalid) as caught:
        services.report_status_set(report=report, actor=owner, status="closed", outcome="crime_recorded")
    assert "outcome_detail" in caught.value.errors
    with pytest.raises(ReportInvalid):
        services.report_status_set(report=report, actor=owner, status="resolved-ish")
    services.report_status_set(
        report=report,
        actor=owner,
        status="closed",
        outcome="crime_recorded",
        outcome_detail="CRN 0412/26",
        public_note="Recorded as a crime.",
    )
    report.refresh_from_db()
    assert (report.status, report.outcome, report.outcome_detail) == ("closed", "crime_recorded", "CRN 0412/26")
    assert report.closed_at is not None
    assert report.public_note == "Recorded as a crime."
    event = report.events.get(kind=ReportEvent.Kind.STATUS)
    assert event.body == "Recorded as a crime."
    assert event.visible_to_reporter
    entry = AuditEntry.objects.get(action="reports.report.status")
    assert entry.data["status"] == "closed"
    assert entry.data["outcome"] == "crime_recorded"

    services.report_status_set(report=report, actor=owner, status="triaged")
    report.refresh_from_db()
    assert (report.closed_at, report.outcome, report.public_note) == (None, "", "Recorded as a crime.")


def test_notes_are_internal_and_the_audit_log_does_not_copy_them(report, owner):
    with pytest.raises(ReportInvalid):
        services.report_note_add(report=report, actor=owner, body="   ")
    event = services.report_note_add(report=report, actor=owner, body="Spoke to the neighbour.")
    assert not event.visible_to_reporter
    assert "neighbour" not in str(AuditEntry.objects.get(action="reports.report.note").data)


def test_a_message_to_the_reporter_emails_a_notice_without_the_message(
    report, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.report_message_to_reporter(report=report, actor=owner, body="Can you send a photo?")
    assert event.visible_to_reporter
    assert event.body == "Can you send a photo?"
    [email] = mail.outbox
    assert email.to == ["sam@example.com"]
    assert report.reference in email.subject
    assert "photo" not in email.body
    assert "/report/status/" in email.body
    assert AuditEntry.objects.filter(action="reports.report.message", actor=owner).exists()


def test_a_reply_from_the_reporter_returns_the_report_to_its_handler(report, owner, django_capture_on_commit_callbacks):
    services.report_assign(report=report, actor=owner, assignee=owner)
    services.report_status_set(report=report, actor=owner, status="awaiting_reporter")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.report_reply_from_reporter(report=report, body="Photo attached.")
    assert event.kind == ReportEvent.Kind.FROM_REPORTER
    assert event.author is None
    assert report.status == Report.Status.ASSIGNED
    [notice] = mail.outbox
    assert notice.to == [owner.email]
    assert "Photo" not in notice.body
    with pytest.raises(ReportInvalid):
        services.report_reply_from_reporter(report=report, body="")


def test_personal_data_views_are_audited(report, owner):
    services.report_personal_data_viewed(report=report, actor=owner)
    entry = AuditEntry.objects.get(action="reports.report.view_personal_data")
    assert (entry.actor, entry.target_id) == (owner, str(report.pk))


def test_a_compliment_is_shared_with_the_named_officer_only(place, owner, django_capture_on_commit_callbacks):
    compliment_type = ReportTypeFactory(kind=ReportType.Kind.COMPLIMENT)
    officer = OfficerFactory(email="pc.kind@police.example")
    compliment = ReportFactory(
        neighbourhood=place,
        report_type=compliment_type,
        named_officer=officer,
        reporter_email="grateful@example.com",
        answers_shown=[{"key": "what", "label": "What did they do?", "answer": "Found my dog"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.compliment_share(report=compliment, actor=owner)
    [email] = mail.outbox
    assert email.to == ["pc.kind@police.example"]
    assert "Found my dog" in email.body
    assert "grateful@example.com" not in email.body
    assert "Sam Resident" not in email.body
    assert AuditEntry.objects.filter(action="reports.report.share_compliment").exists()

    compliment.named_officer = OfficerFactory(email="")
    compliment.save()
    with pytest.raises(ReportInvalid):
        services.compliment_share(report=compliment, actor=owner)


def test_only_compliments_can_be_shared(report, owner):
    report.named_officer = OfficerFactory()
    report.save()
    with pytest.raises(ReportInvalid):
        services.compliment_share(report=report, actor=owner)
