"""Importing figures in a real browser: the upload, and the progress page following a batch live."""

import pytest
from playwright.sync_api import expect

from openbeat.insights.models import ImportBatch, Observation
from openbeat.insights.services import IMPORT_FOLDER, import_run
from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "period,channel,account,group,metric,value\n"
    "2025-01,facebook,@WestPolice,West,followers,1200\n"
    "2025-01,facebook,@WestPolice,West,followers,abc\n"
)


@pytest.fixture
def signed_in(live_server, page, settings, tmp_path):
    from openbeat.core.services import site_pages_ensure

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    site_pages_ensure()
    staff_user(roles.HQ_MEDIA, username="hq")
    sign_in(page, live_server, "hq")
    return page


def test_hq_uploads_a_file_and_sees_what_was_imported(live_server, signed_in, console_errors, assert_accessible):
    page = signed_in
    page.goto(live_server.url + "/admin/insights/imports/")
    assert_accessible(page, "insights import upload")

    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload and import").click()

    expect(page.locator('[data-field="state_label"]')).to_have_text("Done")
    expect(page.locator('[data-field="created"]')).to_have_text("1")
    expect(page.locator('[data-field="errors"] li')).to_have_text(["line 3: value: 'abc' is not a number"])
    assert Observation.objects.get().value == 1200
    assert_accessible(page, "insights import progress")
    page.goto(live_server.url + "/admin/insights/figures/")
    assert_accessible(page, "insights figures entered by hand")
    assert console_errors == []


def test_the_progress_page_follows_a_queued_batch_without_reloading(live_server, signed_in, console_errors, tmp_path):
    page = signed_in
    (tmp_path / IMPORT_FOLDER).mkdir()
    (tmp_path / IMPORT_FOLDER / "waiting").write_text(CSV)
    batch = ImportBatch.objects.create(
        format="auto", filename="figures.csv", sha256="0" * 64, path=f"{IMPORT_FOLDER}/waiting"
    )
    page.goto(f"{live_server.url}/admin/insights/imports/{batch.pk}/")
    expect(page.locator('[data-field="state_label"]')).to_have_text("Queued")
    expect(page.locator('[data-field="no_errors"]')).to_be_visible()

    import_run(batch_id=batch.pk)

    expect(page.locator('[data-field="state_label"]')).to_have_text("Done", timeout=5000)
    expect(page.locator('[data-field="processed"]')).to_have_text("1")
    expect(page.locator('[data-field="errors"] li')).to_have_text(["line 3: value: 'abc' is not a number"])
    expect(page.locator('[data-field="no_errors"]')).to_be_hidden()
    assert console_errors == []
