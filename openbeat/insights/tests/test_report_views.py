"""The board report's back-office pages: who may build, see and download which reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.core.months import last_complete_month
from openbeat.insights.models import Account, ReportBuild
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lead(west):
    return staff_user(roles.DIVISION_LEAD, west, username="lead")


@pytest.fixture
def other_lead(east):
    return staff_user(roles.DIVISION_LEAD, east, username="other")


@pytest.fixture
def board():
    return staff_user(roles.BOARD_VIEWER, None, username="board")


@pytest.fixture
def officer(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer")


@pytest.fixture
def figures(west):
    account = AccountFactory(
        platform=Account.Platform.FACEBOOK, name="@West", group=GroupFactory(name="West", slug="west", division=west)
    )
    observe(account, "followers", last_complete_month(), 4321)


def ask(user, **data) -> tuple:
    month = last_complete_month()
    form = {"period_from": month, "period_to": month, "output_format": "json", "division": "", **data}
    response = client_for(user).post(reverse("insights_staff:report"), form)
    return response, ReportBuild.objects.order_by("-pk").first()


def test_a_division_lead_builds_downloads_their_divisions_report(
    lead, west, figures, django_capture_on_commit_callbacks
):
    page = client_for(lead).get(reverse("insights_staff:report"))
    assert page.status_code == 200
    assert "Whole force" not in page.content.decode()  # a lead's choice is their division

    with django_capture_on_commit_callbacks(execute=True):
        response, build = ask(lead, division="west")
    build.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("insights_staff:report_build", args=[build.pk])
    assert (build.status, build.division, build.format, build.created_by) == ("done", west, "json", lead)
    assert build.path.startswith("reports/")

    status = client_for(lead).get(reverse("insights_staff:report_status", args=[build.pk])).json()
    assert status == {"status": "done", "status_label": "Ready", "finished": True, "ready": True, "error": ""}
    detail = client_for(lead).get(reverse("insights_staff:report_build", args=[build.pk])).content.decode()
    assert reverse("insights_staff:report_download", args=[build.pk]) in detail

    download = client_for(lead).get(reverse("insights_staff:report_download", args=[build.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert (
        f'filename="board-report-west-{build.period_from}-to-{build.period_to}.json"' in download["Content-Disposition"]
    )
    data = json.loads(b"".join(download.streaming_content))
    assert data["division"] == "West"
    assert (
        AuditEntry.objects.filter(action="insights.report.download", target_id=str(build.pk), actor=lead).count() == 1
    )
    assert AuditEntry.objects.filter(action="insights.report.request", target_id=str(build.pk), actor=lead).exists()


def test_a_division_lead_cannot_build_the_force_or_another_divisions_report(lead):
    response, build = ask(lead, division="")
    assert response.status_code == 200
    assert build is None
    response, build = ask(lead, division="east")
    assert response.status_code == 200
    assert build is None
    assert "Select a valid choice" in response.content.decode()


def test_another_division_cannot_see_status_or_download(lead, other_lead, figures, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, build = ask(lead, division="west")
    for name in ("report_build", "report_status", "report_download"):
        assert client_for(other_lead).get(reverse(f"insights_staff:{name}", args=[build.pk])).status_code == 404
    listing = client_for(other_lead).get(reverse("insights_staff:report")).content.decode()
    assert reverse("insights_staff:report_build", args=[build.pk]) not in listing
    assert not AuditEntry.objects.filter(action="insights.report.download").exists()


def test_the_board_builds_the_force_report_and_sees_every_build(
    board, lead, figures, django_capture_on_commit_callbacks, private_storage
):
    with django_capture_on_commit_callbacks(execute=True):
        _, west_build = ask(lead, division="west")
        response, build = ask(board, output_format="xlsx")
    build.refresh_from_db()
    assert response.status_code == 302
    assert (build.division, build.status) == (None, "done")
    assert (private_storage / build.path).read_bytes().startswith(b"PK")
    listing = client_for(board).get(reverse("insights_staff:report")).content.decode()
    assert reverse("insights_staff:report_build", args=[west_build.pk]) in listing
    assert client_for(board).get(reverse("insights_staff:report_download", args=[west_build.pk])).status_code == 200
    # The lead does not see the force's report.
    assert client_for(lead).get(reverse("insights_staff:report_download", args=[build.pk])).status_code == 404


@pytest.mark.parametrize("kind", ["anonymous", "no role", "neighbourhood officer"])
def test_outsiders_are_refused(kind, lead, officer, figures, refused, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, build = ask(lead, division="west")
    user = {"anonymous": None, "no role": UserFactory(username="public"), "neighbourhood officer": officer}[kind]
    client = client_for(user)
    for url in [
        reverse("insights_staff:report"),
        reverse("insights_staff:report_build", args=[build.pk]),
        reverse("insights_staff:report_status", args=[build.pk]),
        reverse("insights_staff:report_download", args=[build.pk]),
    ]:
        assert refused(client.get(url)), url
    assert refused(client.post(reverse("insights_staff:report"), {"period_from": "2026-01"}))
    assert ReportBuild.objects.count() == 1


def test_the_form_checks_the_months(board):
    response, build = ask(board, period_from="2026-13", period_to="2025-01")
    assert build is None
    assert "Enter a month like 2026-01" in response.content.decode()
    response, build = ask(board, period_from="2026-03", period_to="2026-01")
    assert build is None
    assert "The last month must be the same as or after the first month" in response.content.decode()
    response, build = ask(board, period_from="2026-03", period_to="2999-01")
    assert "The last month must be a month that has ended" in response.content.decode()


def test_a_build_not_ready_or_whose_file_is_gone_is_not_found(
    board, figures, private_storage, django_capture_on_commit_callbacks
):
    queued = ReportBuild.objects.create(period_from="2026-01", period_to="2026-01", format="pdf")
    client = client_for(board)
    assert client.get(reverse("insights_staff:report_status", args=[queued.pk])).json()["finished"] is False
    assert client.get(reverse("insights_staff:report_download", args=[queued.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        _, build = ask(board)
    build.refresh_from_db()
    Path(private_storage / build.path).unlink()
    assert client.get(reverse("insights_staff:report_download", args=[build.pk])).status_code == 404


def test_the_insights_menu_has_the_board_report_for_those_who_may_use_it(board, officer):
    assert reverse("insights_staff:report") in client_for(board).get("/admin/").content.decode()
    assert reverse("insights_staff:report") not in client_for(officer).get("/admin/").content.decode()


def test_the_report_form_offers_what_board_report_does_and_the_build_uses_it(
    board, figures, django_capture_on_commit_callbacks
):
    page = client_for(board).get(reverse("insights_staff:report")).content.decode()
    for name in ("comparison", "grouping", "threshold_pct"):
        assert f'name="{name}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        _, build = ask(board, comparison="year", grouping="account", threshold_pct="2.5")
    build.refresh_from_db()
    assert build.options == {"comparison": "year", "grouping": "account", "threshold_pct": 2.5}
    data = json.loads(_built(build))
    assert (data["comparison"], data["grouping"], data["threshold_pct"]) == ("year", "account", 2.5)
    request = AuditEntry.objects.get(action="insights.report.request", target_id=str(build.pk))
    assert request.data["comparison"] == "year"


def test_a_threshold_that_is_not_a_percentage_is_refused_and_kept(board):
    response, build = ask(board, threshold_pct="lots")
    assert response.status_code == 200
    assert build is None
    html = response.content.decode()
    assert "Enter a percentage, like 1 or 2.5" in html
    assert 'value="lots"' in html


def test_without_the_options_the_build_takes_the_defaults(board, figures, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, build = ask(board)
    build.refresh_from_db()
    assert build.options == {}
    data = json.loads(_built(build))
    assert (data["comparison"], data["grouping"]) == ("within", "group")


def _built(build: ReportBuild) -> bytes:
    from django.conf import settings

    return (Path(settings.PRIVATE_STORAGE_ROOT) / build.path).read_bytes()
