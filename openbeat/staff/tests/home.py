"""The staff home (/admin/) as a signed-in user sees it, and one panel of it: for the apps' panel tests."""

from __future__ import annotations

from typing import Any

from openbeat.staff.tests.factories import client_for


def home(user: Any) -> str:
    response = client_for(user).get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, key: str) -> str:
    start = page.index(f'id="home-{key}-section"')
    return page[start : page.index("</section>", start)]
