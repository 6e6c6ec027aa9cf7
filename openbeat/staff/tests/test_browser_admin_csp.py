"""The back office's content security policy (settings.SECURE_CSP_ADMIN) is as strict as Wagtail allows: every
back-office screen loads and runs under it with no violation, in a real browser."""

import pytest

from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = [
    "/admin/",
    "/admin/pages/",
    "/admin/pages/{home}/edit/",
    "/admin/pages/{home}/add_subpage/",
    "/admin/images/",
    "/admin/images/multiple/add/",
    "/admin/documents/multiple/add/",
    "/admin/neighbourhoods/new/",
    "/admin/stations/new/",
    "/admin/officers/new/",
    "/admin/teams/new/",
    "/admin/report-types/new/",
    "/admin/alerts/",
    "/admin/alerts/new/",
    "/admin/replies/",
    "/admin/reports/",
    "/admin/insights/",
    "/admin/insights/gap-map/",
    "/admin/insights/board-report/",
    "/admin/in-the-know/import/",
    "/admin/audit/",
    "/admin/users/",
    "/admin/users/new/",
    "/admin/2fa/setup/",
    "/admin/reports/site-history/",
    "/admin/workflows/list/",
    "/admin/reports/aging-pages/",
    "/admin/sites/",
    "/admin/redirects/",
    "/admin/collections/",
]


@pytest.mark.browser
def test_every_back_office_screen_runs_under_the_admin_policy(live_server, page, console_errors):
    from wagtail.models import Page

    from openbeat.core.services import site_pages_ensure

    site_pages_ensure()
    home = Page.objects.get(depth=2)
    staff_user(roles.ADMINISTRATOR, None, username="admin.csp")
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None,
    )
    sign_in(page, live_server, "admin.csp")
    for screen in SCREENS:
        response = page.goto(live_server.url + screen.format(home=home.pk))
        assert response is not None, screen
        assert response.status < 400, screen
        page.wait_for_load_state("networkidle")
    assert violations == []
    assert [e for e in console_errors if "EvalError" in e or "unsafe-eval" in e] == []


def test_inline_scripts_are_allowed_only_on_wagtails_editing_forms(client):
    hq = staff_user(roles.ADMINISTRATOR, None, username="admin.csp")
    client.force_login(hq)
    strict = client.get("/admin/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in strict
    assert "unsafe-inline" not in strict.split("style-src")[0]
    form = client.get("/admin/stations/new/").headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline';" in form
    assert "unsafe-eval" not in strict + form
