"""News and appeal pages in Debian's chromium: axe (0 violations) on the index, a news story, an open appeal, a
resolved one and a neighbourhood page with its "News and appeals" section."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openbeat.news import services
from openbeat.news.tests.conftest import appeal, image, news

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_news_and_appeal_pages_pass_axe(live_server, page, site, world, assert_accessible, console_errors):
    story = news(
        site.index,
        neighbourhoods=[world.west_a],
        lead_image=image(),
        lead_image_alt="Two officers talking to pupils",
    )
    story.tags.add("schools")
    story.save_revision().publish()
    open_appeal = appeal(site.index, neighbourhoods=[world.west_a], reference="log 0213 of 14 October")
    resolved = appeal(site.index, "Witness appeal", slug="witness", kind="witness", subject_name="")
    services.appeal_add_update(appeal=resolved, actor=world.hq, note="New CCTV released.")
    services.appeal_set_outcome(appeal=resolved, actor=world.hq, outcome="charged", note="A man is charged.")

    page.goto(f"{live_server.url}{site.index.url}")
    expect(page.get_by_role("heading", name="News and appeals", level=1)).to_be_visible()
    assert_accessible(page, "news index")
    page.goto(f"{live_server.url}{site.index.url}?kind=appeals&neighbourhood={world.west_a.code}")
    assert_accessible(page, "news index, filtered")
    page.goto(f"{live_server.url}{story.url}")
    expect(page.get_by_role("img", name="Two officers talking to pupils")).to_be_visible()
    assert_accessible(page, "news story")
    page.goto(f"{live_server.url}{open_appeal.url}")
    expect(page.get_by_text("Crimestoppers", exact=False)).to_be_visible()
    assert_accessible(page, "open appeal")
    page.goto(f"{live_server.url}{resolved.url}")
    expect(page.get_by_role("heading", name="Appeal resolved: Charged")).to_be_visible()
    assert_accessible(page, "resolved appeal")
    page.goto(f"{live_server.url}{world.west_a.get_absolute_url()}")
    expect(page.get_by_role("heading", name="News and appeals")).to_be_visible()
    assert_accessible(page, "neighbourhood page")
    assert [e for e in console_errors if "Content Security Policy" in e] == []
