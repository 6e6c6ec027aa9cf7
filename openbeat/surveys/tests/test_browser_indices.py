"""The index pages in a real browser: the list, the builder's steps and the scores page with its chart, and the gap
map showing an index; 0 axe violations in what the pages add (Wagtail's own frame is Wagtail's), keyboard to the
builder's fields."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure
from openbeat.staff.tests.browser import sign_in
from openbeat.subscriptions.tests.test_browser_signup import tab_to
from openbeat.surveys import indices, services
from openbeat.surveys.tests.conftest import Ids, build_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def index(world):
    site_pages_ensure()
    survey = build_survey(world.hq)
    services.survey_publish(survey=survey, actor=world.hq)
    survey.refresh_from_db()
    ids = Ids(survey)
    built = indices.index_create(actor=world.hq, name="Feeling safe", slug="feeling-safe")
    safe = next(c for c in indices.candidates([survey]) if c.question_id == ids.safe.pk)
    indices.component_save(index=built, actor=world.hq, candidate=safe)
    for postcode, n in ((world.west_postcode, 12), (world.east_postcode, 3)):
        for _ in range(n):
            services.response_submit(
                client_id=uuid.uuid4(), version=survey.current_version, answers=ids.answers(postcode=postcode, safe=4)
            )
    # The index was computed (empty) by its task when its question was added; the scheduler's job counts these.
    indices.cells_refresh_due()
    return built, survey, ids


def test_the_index_pages_are_accessible_and_work_by_keyboard(
    live_server, page, world, index, assert_accessible, console_errors
):
    built, survey, ids = index
    sign_in(page, live_server, "hq")
    page.goto(f"{live_server.url}/admin/surveys/indices/")
    expect(page.get_by_role("link", name="Feeling safe")).to_be_visible()
    assert_accessible(page, "index list")

    page.goto(f"{live_server.url}/admin/surveys/indices/{built.pk}/")
    expect(page.get_by_role("img")).to_have_count(1)
    expect(page.get_by_role("row", name=world.east.name)).to_contain_text("Too few responses")
    assert_accessible(page, "index page")

    page.goto(f"{live_server.url}/admin/surveys/indices/{built.pk}/questions/add/")
    assert_accessible(page, "choose a question")
    select = page.get_by_label("Question")
    tab_to(page, select)
    select.select_option(f"{survey.pk}:{ids.seen.pk}:")
    tab_to(page, page.get_by_role("button", name="Next"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Score a question")).to_be_visible()
    tab_to(page, page.get_by_label("Score for 'Yes'"))
    page.keyboard.type("150")
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Score for 'Yes'")
    expect(page.get_by_label("Score for 'Yes'")).to_have_value("150")
    assert_accessible(page, "score a question with an error")

    month = timezone.localdate().strftime("%Y-%m")  # the responses' month
    page.goto(f"{live_server.url}/admin/insights/gap-map/?metric=index-feeling-safe&from={month}&to={month}")
    expect(page.get_by_role("heading", name="Feeling safe: score from 0 to 100")).to_be_visible()
    assert_accessible(page, "gap map of an index")
    assert [e for e in console_errors if "Content Security Policy" in e] == []
