"""The public report journey through Django's test client: pages in order, the draft cookie, errors that keep
what was typed, conditional questions, location, evidence, contact details, check your answers and sending."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory
from openbeat.audit.models import AuditEntry
from openbeat.reports.models import Evidence, Question, Report, ReportDraft, ReportType
from openbeat.reports.tests.factories import QuestionFactory, ReportTypeFactory
from openbeat.staff.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent / "files"
BASE = "/report/disturbance/"
COOKIE = "ob_report_disturbance"
# "When did it happen?" answered in GOV.UK's date input: 5 January 2026.
WHEN = {"when_day": "5", "when_month": "1", "when_year": "2026"}


def build_type(**overrides: object) -> ReportType:
    """An incident type with a conditional question, a page of two questions, location and evidence."""
    fields: dict[str, object] = {
        "slug": "disturbance",
        "name": "Report an incident",
        "kind": ReportType.Kind.INCIDENT,
        "summary": "Anti-social behaviour, something on the road, or another incident.",
        "start_page": "Use this form for incidents that are not happening now.\n\nIt takes about 10 minutes.",
        "signposts": [{"text": "Report fraud to Action Fraud", "url": "https://www.actionfraud.police.uk/"}],
        "location": ReportType.Location.OPTIONAL,
        "allows_evidence": True,
        "max_evidence_files": 2,
        **overrides,
    }
    report_type = ReportTypeFactory(**fields)
    QuestionFactory(
        report_type=report_type,
        key="what",
        label="What kind of incident was it?",
        kind=Question.Kind.CHOICE,
        choices=[
            {"value": "asb", "label": "Anti-social behaviour"},
            {"value": "road", "label": "Something on the road"},
        ],
        page=1,
    )
    QuestionFactory(
        report_type=report_type,
        key="vehicle",
        label="Vehicle registration",
        page=2,
        page_title="About the vehicle",
        condition={"question": "what", "in": ["road"]},
    )
    QuestionFactory(
        report_type=report_type, key="details", label="Tell us what happened", kind=Question.Kind.TEXTAREA, page=3
    )
    QuestionFactory(
        report_type=report_type,
        key="when",
        label="When did it happen?",
        kind=Question.Kind.DATE,
        page=3,
        required=False,
    )
    return report_type


@pytest.fixture
def place():
    west = DivisionFactory(name="West", code="west")
    home = NeighbourhoodFactory(code="W01", name="Ashbridge", division=west)
    PostcodeFactory(postcode="DM1 1AA", neighbourhood=home)
    return home


@pytest.fixture
def incident(place, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    return build_type()


def upload(name: str, as_name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(as_name or name, (FILES / name).read_bytes(), content_type="image/png")


def answer_questions(client: Client, what: str = "asb") -> None:
    assert client.post(BASE + "questions/1/", {"what": what}).status_code == 302
    if what == "road":
        assert client.post(BASE + "questions/2/", {"vehicle": "AB12 CDE"}).status_code == 302
    assert client.post(BASE + "questions/3/", {"details": "Bins set on fire", **WHEN}).status_code == 302


def reach_check(client: Client, email: str = "ann@example.com", **about: str) -> None:
    answer_questions(client)
    client.post(BASE + "location/", {"postcode": "DM1 1AA"})
    client.post(BASE + "evidence/", {"action": "continue"})
    response = client.post(BASE + "about-you/", {"name": "Ann Smith", "email": email, **about})
    assert response["Location"] == BASE + "check-your-answers/"


def test_the_list_shows_active_types_and_the_start_page_signposts_999_and_other_services(client, incident):
    ReportTypeFactory(slug="retired", name="An old form", active=False)
    response = client.get("/report/")
    assert response.status_code == 200
    assert "Report an incident" in response.text
    assert "An old form" not in response.text
    assert client.get("/report/retired/").status_code == 404

    start = client.get(BASE)
    assert "call 999" in start.text
    assert 'href="https://www.actionfraud.police.uk/"' in start.text
    assert "It takes about 10 minutes." in start.text
    assert f'href="{BASE}questions/1/"' in start.text
    # Reading pages stores nothing.
    assert not ReportDraft.objects.exists()


def test_a_whole_journey_sends_a_routed_report_with_its_evidence_and_emails_the_reference(
    client, incident, place, django_capture_on_commit_callbacks
):
    response = client.post(BASE + "questions/1/", {})
    assert response.status_code == 200
    assert "Select an option for" in response.text
    assert 'href="#id_what_0"' in response.text
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == BASE
    assert cookie["max-age"] == 30 * 24 * 3600

    assert client.post(BASE + "questions/1/", {"what": "road"})["Location"] == BASE + "questions/2/"
    assert client.post(BASE + "questions/2/", {"vehicle": "AB12 CDE"})["Location"] == BASE + "questions/3/"
    response = client.post(BASE + "questions/3/", {"details": "", **WHEN})
    assert "Enter an answer for" in response.text
    assert 'name="when_month" value="1"' in response.text  # what was typed stays
    response = client.post(BASE + "questions/3/", {"details": "A car parked on the pavement", **WHEN})
    assert response["Location"] == BASE + "location/"

    response = client.post(BASE + "location/", {"postcode": "DM9 9ZZ"})
    assert "We could not find that postcode" in response.text
    assert 'value="DM9 9ZZ"' in response.text
    assert client.post(BASE + "location/", {"postcode": "dm1 1aa"})["Location"] == BASE + "evidence/"

    assert (
        client.post(BASE + "evidence/", {"action": "upload", "file": upload("photo.png", "car.png")}).status_code == 302
    )
    response = client.get(BASE + "evidence/")
    assert "car.png" in response.text
    response = client.post(BASE + "evidence/", {"action": "upload", "file": upload("disguised-page.jpg")})
    assert response.status_code == 200
    assert 'href="#id_file"' in response.text
    assert client.post(BASE + "evidence/", {"action": "continue"})["Location"] == BASE + "about-you/"

    response = client.post(BASE + "about-you/", {"name": "Ann Smith", "email": "ann@", "phone": "07700 900982"})
    assert "Enter an email address in the correct format" in response.text
    assert 'value="Ann Smith"' in response.text
    assert 'value="07700 900982"' in response.text
    response = client.post(BASE + "about-you/", {"name": "Ann Smith", "email": "ann@example.com", "phone": ""})
    assert response["Location"] == BASE + "check-your-answers/"

    check = client.get(BASE + "check-your-answers/")
    for shown in ["Something on the road", "AB12 CDE", "A car parked on the pavement", "5 January 2026", "DM1 1AA",
                  "car.png", "Ann Smith", "ann@example.com"]:  # fmt: skip
        assert shown in check.text
    assert f'href="{BASE}questions/2/"' in check.text
    assert f'href="{BASE}location/"' in check.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BASE + "check-your-answers/")
    assert response["Location"] == BASE + "sent/"
    assert response.cookies[COOKIE]["max-age"] == 0
    report = Report.objects.get()
    assert report.neighbourhood == place
    assert report.division == place.division
    assert report.answers == {"what": "road", "vehicle": "AB12 CDE", "details": "A car parked on the pavement",
                              "when": "2026-01-05"}  # fmt: skip
    assert (report.reporter_name, report.reporter_email, report.postcode) == ("Ann Smith", "ann@example.com", "DM1 1AA")
    assert [e.original_name for e in Evidence.objects.filter(report=report)] == ["car.png"]
    assert not ReportDraft.objects.exists()
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    assert report.reference in mail.outbox[0].body

    sent = client.get(BASE + "sent/")
    assert report.reference in sent.text
    assert "Report sent" in sent.text
    # A second click on "Send report" sends nothing more.
    assert client.post(BASE + "check-your-answers/")["Location"] == BASE + "sent/"
    assert Report.objects.count() == 1


def test_changing_an_answer_hides_the_question_it_revealed_and_drops_its_answer(client, incident):
    answer_questions(client, what="road")
    client.post(BASE + "location/", {})
    assert client.get(BASE + "questions/2/").status_code == 200
    assert client.post(BASE + "questions/1/", {"what": "asb"})["Location"] == BASE + "evidence/"
    assert client.get(BASE + "questions/2/")["Location"] == BASE + "evidence/"
    assert "vehicle" not in ReportDraft.objects.get().data["answers"]


def test_a_page_asked_for_too_early_sends_the_person_to_the_first_one_not_done(client, incident):
    assert client.get(BASE + "check-your-answers/")["Location"] == BASE + "questions/1/"
    assert client.get(BASE + "about-you/")["Location"] == BASE + "questions/1/"
    client.post(BASE + "questions/1/", {"what": "asb"})
    assert client.get(BASE + "location/")["Location"] == BASE + "questions/3/"
    assert client.get(BASE + "questions/9/")["Location"] == BASE + "questions/3/"


def test_the_draft_outlives_the_session_and_a_forged_cookie_finds_nothing(client, incident):
    answer_questions(client)
    later = Client()  # a new browser session: only the long-lived draft cookie came along
    later.cookies[COOKIE] = client.cookies[COOKIE].value
    start = later.get(BASE)
    assert "Continue your report" in start.text
    assert f'href="{BASE}location/"' in start.text
    assert 'value="Bins set on fire"' not in later.get(BASE + "questions/3/").text  # a textarea, not a value
    assert "Bins set on fire" in later.get(BASE + "questions/3/").text

    forged = Client()
    forged.cookies[COOKIE] = ReportDraft.objects.get().key  # the key without the signature
    assert forged.get(BASE + "location/")["Location"] == BASE + "questions/1/"


def test_a_filled_in_honeypot_sends_nothing_but_looks_the_same(client, incident):
    reach_check(client, website="http://spam.example")
    response = client.post(BASE + "check-your-answers/")
    assert response["Location"] == BASE + "sent/"
    assert not Report.objects.exists()
    assert "Report sent" in client.get(BASE + "sent/").text
    assert AuditEntry.objects.filter(action="reports.report.honeypot").exists()


def test_sending_is_rate_limited_per_email_address(incident, settings):
    settings.REPORTS_SUBMIT_LIMIT = 2
    for n in range(3):
        browser = Client(REMOTE_ADDR=f"10.0.0.{n}")
        reach_check(browser, email="ann@example.com")
        response = browser.post(BASE + "check-your-answers/")
        assert response.status_code == (429 if n == 2 else 302)
    assert Report.objects.count() == 2


def test_a_required_location_needs_one_of_the_three_and_a_pin_routes_the_report(client, place, settings, tmp_path):
    build_type(location=ReportType.Location.REQUIRED, allows_evidence=False)
    answer_questions(client)
    response = client.post(BASE + "location/", {"address": "", "lat": "nan", "lon": "1"})
    assert "Enter a postcode, describe the place, or put a pin on the map" in response.text
    lat, lon = place.centroid_lat, place.centroid_lon
    assert client.post(BASE + "location/", {"lat": lat, "lon": lon})["Location"] == BASE + "about-you/"
    client.post(BASE + "about-you/", {"name": "Ann Smith", "email": "ann@example.com"})
    assert "A pin on the map" in client.get(BASE + "check-your-answers/").text
    client.post(BASE + "check-your-answers/")
    report = Report.objects.get()
    assert report.location_source == Report.LocationSource.MAP
    assert report.neighbourhood == place


def test_types_without_location_or_evidence_skip_those_pages_and_a_named_officer_is_kept(client, place):
    officer = OfficerFactory(name="Jo Bloggs", rank="PC", division=place.division)
    contact = ReportTypeFactory(slug="talk-to-us", location=ReportType.Location.NONE, asks_named_officer=True)
    QuestionFactory(report_type=contact, key="message", label="Your message", kind=Question.Kind.TEXTAREA)
    base = "/report/talk-to-us/"
    assert client.post(base + "questions/1/", {"message": "Thank you"})["Location"] == base + "officer/"
    assert client.get(base + "location/")["Location"] == base + "officer/"
    assert "PC Jo Bloggs" in client.get(base + "officer/").text
    assert client.post(base + "officer/", {"officer": "999999"}).status_code == 200  # not a choice: an error
    assert client.post(base + "officer/", {"officer": officer.pk})["Location"] == base + "about-you/"
    client.post(base + "about-you/", {"name": "Ann Smith", "email": "ann@example.com"})
    assert "PC Jo Bloggs" in client.get(base + "check-your-answers/").text
    client.post(base + "check-your-answers/")
    assert Report.objects.get().named_officer == officer


def test_staged_files_can_be_removed_and_stop_at_the_types_limit(client, incident):
    answer_questions(client)
    client.post(BASE + "location/", {})
    client.post(BASE + "evidence/", {"action": "upload", "file": upload("photo.png")})
    client.post(BASE + "evidence/", {"action": "upload", "file": upload("photo.jpg")})
    page = client.get(BASE + "evidence/")
    assert "Upload this file" not in page.text  # 2 of 2
    token = ReportDraft.objects.get().data["evidence"][0]["token"]
    client.post(BASE + "evidence/", {"remove": token})
    names = [f["name"] for f in ReportDraft.objects.get().data["evidence"]]
    assert names == ["photo.jpg"]
    # Continue with a file chosen uploads it too.
    response = client.post(BASE + "evidence/", {"action": "continue", "file": upload("document.pdf")})
    assert response["Location"] == BASE + "about-you/"
    assert [f["name"] for f in ReportDraft.objects.get().data["evidence"]] == ["photo.jpg", "document.pdf"]


def test_a_nul_character_is_refused_and_the_rest_of_what_was_typed_is_kept(client, incident):
    # Found by the fuzzer on PostgreSQL, which cannot keep a NUL in the draft's JSON.
    client.post(BASE + "questions/1/", {"what": "asb"})
    response = client.post(BASE + "questions/3/", {"details": "Bins\x00 on fire", **WHEN})
    assert "Null characters are not allowed." in response.text
    typed = ReportDraft.objects.get().data["typed"]
    assert ["Bins on fire"] in [fields.get("details") for fields in typed.values()]


def test_the_date_is_asked_day_month_year_and_a_wrong_one_is_explained_and_kept(client, incident):
    client.post(BASE + "questions/1/", {"what": "asb"})
    page = client.get(BASE + "questions/3/").text
    assert 'type="date"' not in page
    assert 'class="ob-date-input"' in page
    assert 'name="when_day"' in page
    assert 'name="when_month"' in page
    assert 'name="when_year"' in page

    # 01 11 2026 is 1 November, never 11 January; 31 February is not a date; the future is refused.
    for typed, error in [
        (("31", "2", "2025"), "&quot;When did it happen&quot; must be a real date"),
        (("1", "", "2025"), "&quot;When did it happen&quot; must include a month"),
        (("1", "1", "1066"), "&quot;When did it happen&quot; must be the same as or after 1 January 1900"),
        (("1", "1", "2999"), "&quot;When did it happen&quot; must be today or in the past"),
    ]:
        day, month, year = typed
        data = {"details": "Bins set on fire", "when_day": day, "when_month": month, "when_year": year}
        response = client.post(BASE + "questions/3/", data)
        assert response.status_code == 200
        assert error in response.text
        first_wrong = "1" if not month else "0"
        assert f'<a href="#id_when_{first_wrong}">' in response.text
        assert f'name="when_year" value="{year}"' in response.text
        # Kept in the draft as typed, for coming back to the page.
        assert client.get(BASE + "questions/3/").text.count(f'value="{year}"') == 1

    data = {"details": "Bins set on fire", "when_day": "01", "when_month": "11", "when_year": "2025"}
    assert client.post(BASE + "questions/3/", data)["Location"] == BASE + "location/"
    assert ReportDraft.objects.get().data["answers"]["when"] == "2025-11-01"
    page = client.get(BASE + "questions/3/").text  # coming back shows the answer in the three boxes
    assert 'name="when_day" value="1"' in page
    assert 'name="when_month" value="11"' in page


def test_the_optional_file_box_is_not_marked_required_and_upload_without_a_file_asks_for_one(client, incident):
    answer_questions(client)
    client.post(BASE + "location/", {"postcode": "DM1 1AA"})
    page = client.get(BASE + "evidence/").text
    file_input = page[page.index('<input type="file"') :].split(">")[0]
    assert "required" not in file_input
    assert "Upload a file (optional)" in page

    response = client.post(BASE + "evidence/", {"action": "upload"})
    assert response.status_code == 200
    assert '<a href="#id_file">Choose a file to upload</a>' in response.text
    assert client.post(BASE + "evidence/", {"action": "continue"})["Location"] == BASE + "about-you/"
