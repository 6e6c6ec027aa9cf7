"""The cookies page a new site starts with names every cookie the public journeys set (PECR: a site says which
cookies it uses and why). Here, not in core: the names belong to the apps above it."""

from __future__ import annotations

from django.conf import settings

from openbeat.core.services import _PAGES
from openbeat.reports.journey import _cookie_name
from openbeat.reports.models import ReportType
from openbeat.reports.views.public import SENT_KEY as REPORT_SENT
from openbeat.subscriptions.views.signup import SENT_KEY as SIGN_UP_SENT


def test_the_seeded_cookies_page_names_every_cookie_a_resident_can_be_given():
    [text] = [body for title, slug, *_, body in _PAGES if slug == "cookies"]
    draft = _cookie_name(ReportType(slug="crime")).removesuffix("crime")
    for name in (settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME, draft, REPORT_SENT, SIGN_UP_SENT):
        assert f"<strong>{name}</strong>" in text, name
