"""The page that describes the API, in Debian's chromium: every endpoint with its examples, and axe finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_page_describes_every_endpoint_and_is_accessible(
    live_server: Any, page: Any, world: Any, assert_accessible: Any, console_errors: Any
) -> None:
    site_pages_ensure()
    page.goto(f"{live_server.url}/api/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data API")
    expect(page.get_by_role("heading", name="GET /api/{force}/{neighbourhood}/priorities")).to_be_visible()
    expect(page.get_by_role("heading", name="GET /api/crimes-street/{category}")).to_be_visible()
    expect(page.get_by_role("link", name="Open Government Licence v3.0")).to_be_visible()
    expect(page.get_by_text("/api/lancashire/PR11/priorities", exact=True)).to_be_visible()
    assert_accessible(page, "API page")
    assert console_errors == []
