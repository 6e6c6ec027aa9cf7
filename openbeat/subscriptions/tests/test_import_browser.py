"""Importing subscribers in a real browser: the upload, and the progress page following a job live."""

import pytest
from playwright.sync_api import expect

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user
from openbeat.subscriptions.importers import IMPORT_FOLDER, import_job_run
from openbeat.subscriptions.models import ImportJob, Subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "email,phone,postcode,interests,consent_date,consent_source\n"
    "ann@example.com,,DM1 1AB,,2023-04-01,Neighbourhood Alert\n"
    "bad,,DM1 1AB,,2023-04-01,Neighbourhood Alert\n"
)


@pytest.fixture
def signed_in(live_server, page, settings, tmp_path):
    from openbeat.core.services import site_pages_ensure

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    site_pages_ensure()
    PostcodeFactory(postcode="DM1 1AB", neighbourhood=NeighbourhoodFactory(division=DivisionFactory(code="west")))
    staff_user(roles.HQ_MEDIA, username="hq")
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("hq")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    return page


def test_hq_uploads_a_file_and_sees_what_was_imported(live_server, signed_in, console_errors, assert_accessible):
    page = signed_in
    page.goto(live_server.url + "/admin/in-the-know/import/")
    assert_accessible(page, "import upload")

    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload and import").click()

    expect(page.locator('[data-field="state_label"]')).to_have_text("Finished")
    expect(page.locator('[data-field="created"]')).to_have_text("1")
    expect(page.locator('[data-field="errors"] li')).to_have_text(["line 3: email: not a valid email address"])
    assert Subscriber.objects.get().email == "ann@example.com"
    assert_accessible(page, "import progress")
    assert console_errors == []


def test_the_progress_page_follows_a_running_job_without_reloading(live_server, signed_in, console_errors, tmp_path):
    page = signed_in
    (tmp_path / IMPORT_FOLDER).mkdir()
    (tmp_path / IMPORT_FOLDER / "waiting.csv").write_text(CSV)
    job = ImportJob.objects.create(file_name="export.csv", stored_file=f"{IMPORT_FOLDER}/waiting.csv", total=2)
    page.goto(f"{live_server.url}/admin/in-the-know/import/{job.pk}/")
    expect(page.locator('[data-field="state_label"]')).to_have_text("Waiting to start")
    expect(page.locator('[data-field="no_errors"]')).to_be_visible()

    import_job_run(job_id=job.pk)

    expect(page.locator('[data-field="state_label"]')).to_have_text("Finished", timeout=5000)
    expect(page.locator('[data-field="processed"]')).to_have_text("2")
    expect(page.locator('[data-field="created"]')).to_have_text("1")
    expect(page.locator('[data-field="errors"] li')).to_have_text(["line 3: email: not a valid email address"])
    expect(page.locator('[data-field="no_errors"]')).to_be_hidden()
    assert page.locator("progress").evaluate("bar => [bar.value, bar.max]") == [2, 2]
    assert console_errors == []
