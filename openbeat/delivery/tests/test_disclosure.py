"""The delivery figures of an alert sent to a demographic group show no small group (alerts.disclosure, rule 4): its
statistics page, the progress JSON and panel, and the latest alerts on the insights dashboard."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from openbeat.core.metric_sources import listing
from openbeat.delivery import feedback
from openbeat.delivery.models import Delivery
from openbeat.delivery.tests.feedback_world import alert_in, delivery_for
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user

pytestmark = pytest.mark.django_db
State = Delivery.State

DISABLED = {
    "areas": {"whole_force": False, "divisions": [], "neighbourhoods": [], "shapes": []},
    "demographics": {"disability": {"include": [], "must": ["yes"], "exclude": []}},
    "channels": ["email", "sms"],
}


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner")


def sent_to_the_disabled(west, *, audience: int, base: int):
    """An alert to the disabled people of a place (email only), `audience` of the `base` people there, with three
    deliveries: two delivered (one clicked and rated), one failed, and one reply."""
    alert = alert_in(
        west,
        created_by=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="author"),
        targeting=DISABLED,
        audience_subscribers=audience,
        audience_email=audience,
        audience_sms=0,
        audience_base_subscribers=base,
        audience_base_email=base,
        audience_base_sms=0,
    )
    delivered = [delivery_for(west, alert=alert, state=State.DELIVERED) for _ in range(2)]
    delivery_for(west, alert=alert, state=State.PERMANENT_FAILURE, failure_reason="mailbox unavailable")
    Delivery.objects.filter(pk=delivered[0].pk).update(clicked_at=timezone.now())
    feedback.rating_record(delivery=delivered[0], score=2)
    feedback.reply_create(delivery=delivered[0], body="Thanks")
    return alert


def cells_of(html: str, title: str) -> list[str]:
    """The cells of the table row whose heading is `title`, as text."""
    (row,) = [r for r in html.split("<tr>") if title in r]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def main_of(html: str) -> str:
    """The page's own content (not the admin's menus)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_statistics_of_an_alert_to_a_small_group_show_no_figure_about_it(west, owner):
    alert = sent_to_the_disabled(west, audience=3, base=40)

    page = main_of(client_for(owner).get(f"/admin/alerts/{alert.pk}/delivery/").content.decode())

    assert "fewer than 10 subscribers (by email and by SMS not shown)" in page
    assert "mailbox unavailable" not in page
    assert "out of 5" not in page
    figures = re.sub(r"<[^>]+>", " ", page.split('id="reach-heading"', 1)[1].split("Sign-ups", 1)[0])
    assert set(re.findall(r"\b\d+\b", figures)) == {"10"}  # "fewer than 10", and no other number


def test_the_statistics_of_an_alert_to_a_safe_group_show_its_audience_and_no_small_figure(west, owner):
    alert = sent_to_the_disabled(west, audience=40, base=80)

    page = main_of(client_for(owner).get(f"/admin/alerts/{alert.pk}/delivery/").content.decode())

    assert "40 subscribers (40 by email, 0 by SMS)" in page
    assert "Clicked a link</dt><dd>fewer than 10</dd>" in page
    assert "Rated</dt><dd>fewer than 10</dd>" in page
    assert "mailbox unavailable" not in page
    assert 'id="ob-delivery-bar"' not in page


def test_the_progress_of_an_alert_to_a_demographic_group_is_withheld(west, owner):
    alert = sent_to_the_disabled(west, audience=3, base=40)
    client = client_for(owner)

    progress = client.get(f"/admin/alerts/{alert.pk}/delivery/progress.json").json()
    panel = main_of(client.get(f"/admin/alerts/{alert.pk}/").content.decode())

    assert progress == {"withheld": True, "alert_state": "sending"}
    progress_panel = panel.split('id="ob-delivery-progress-heading"', 1)[1].split("</section>", 1)[0]
    assert "are not shown for an alert sent to a demographic group" in progress_panel
    assert not re.findall(r"\b\d+\b", re.sub(r"<[^>]+>", " ", progress_panel))


def test_the_dashboards_latest_alerts_show_no_small_group(west):
    alert = sent_to_the_disabled(west, audience=3, base=40)

    (row,) = listing("latest_alerts", limit=5)

    assert row["title"] == alert.title
    assert (row["audience"], row["delivered"], row["clicked"], row["replies"], row["rating"]) == (
        "fewer than 10",
        "not shown",
        "not shown",
        "not shown",
        None,
    )
    hq = client_for(staff_user(roles.HQ_MEDIA, None, username="hq"))
    html = hq.get(reverse("insights_staff:dashboard")).content.decode()
    assert cells_of(html, alert.title)[1:] == ["fewer than 10", "not shown", "not shown", "—", "not shown"]


def test_the_dashboard_shows_a_safe_groups_audience_and_hides_small_engagement(west):
    sent_to_the_disabled(west, audience=40, base=80)

    (row,) = listing("latest_alerts", limit=5)

    assert (row["audience"], row["delivered"], row["clicked"], row["replies"], row["rating"]) == (
        40,
        "not shown",
        "fewer than 10",
        "fewer than 10",
        None,
    )


def test_alerts_without_a_demographic_group_keep_every_figure(west, owner):
    alert = alert_in(west, audience_subscribers=3, audience_email=3, audience_sms=0)
    delivery_for(west, alert=alert, state=State.DELIVERED)

    (row,) = listing("latest_alerts", limit=5)
    progress = client_for(owner).get(f"/admin/alerts/{alert.pk}/delivery/progress.json").json()

    assert (row["audience"], row["delivered"]) == (3, 1)
    assert (progress["total"], progress["delivered"]) == (1, 1)
