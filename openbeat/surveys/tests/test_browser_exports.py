"""A background export's page in Debian's chromium: its progress updates live under the CSP (no inline script),
the download link appears when the file is ready and is reached by keyboard; axe finds nothing."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure
from openbeat.staff.tests.browser import sign_in
from openbeat.subscriptions.tests.test_browser_signup import tab_to
from openbeat.surveys import exporting, services
from openbeat.surveys.models import SurveyExport
from openbeat.surveys.tests.conftest import Ids, build_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_export_page_follows_the_task_to_the_download(
    live_server, page, world, settings, tmp_path, assert_accessible, console_errors
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.SURVEYS_SMALL_NUMBER_MIN = 2
    site_pages_ensure()
    survey = build_survey(world.lead, division=world.west)
    services.survey_publish(survey=survey, actor=world.lead)
    survey.refresh_from_db()
    ids = Ids(survey)
    for _ in range(3):
        services.response_submit(
            client_id=uuid.uuid4(), version=survey.current_version, answers=ids.answers(postcode=world.west_postcode)
        )
    export = SurveyExport.objects.create(survey=survey, kind="responses", format="csv", requested_by=world.lead)
    sign_in(page, live_server, world.lead.username)

    page.goto(f"{live_server.url}/admin/surveys/{survey.pk}/exports/{export.pk}/")
    status = page.locator("#ob-survey-export [role=status]")
    expect(status).to_have_text("Waiting to start")
    download = page.get_by_role("link", name="Download the file")
    expect(download).to_be_hidden()
    assert_accessible(page, "export waiting")

    exporting.export_run(export_id=export.pk)  # the worker builds it; the page learns of it by polling
    expect(status).to_have_text("Ready to download")
    expect(page.locator("[data-field=done]")).to_have_text("3")
    expect(download).to_be_visible()
    tab_to(page, download)
    with page.expect_download() as fetched:
        page.keyboard.press("Enter")
    assert fetched.value.suggested_filename == f"survey-{survey.slug}-responses.csv"
    assert_accessible(page, "export ready")
    assert [e for e in console_errors if "Content Security Policy" in e] == []
