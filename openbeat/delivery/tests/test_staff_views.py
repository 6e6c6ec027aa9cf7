"""The replies inbox and an alert's delivery statistics: the owner, another division, and outsiders."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from openbeat.audit.models import AuditEntry
from openbeat.delivery import feedback
from openbeat.delivery.models import Delivery, DeliverySettings, Reply
from openbeat.delivery.tests.feedback_world import alert_in, delivery_for
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user
from openbeat.subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db
State = Delivery.State


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner")


@pytest.fixture
def other_division(east):
    return staff_user(roles.DIVISION_LEAD, east, username="other")


@pytest.fixture
def contact():
    return staff_user(roles.CONTACT_CENTRE, None, username="contact")


@pytest.fixture
def reply(west):
    return feedback.reply_create(delivery=delivery_for(west), body="A van keeps parking on the verge.")


OUTSIDERS = ["anonymous", "no role", "board viewer"]


def outsider(kind):
    if kind == "anonymous":
        return None
    if kind == "no role":
        return UserFactory(username="public")
    return staff_user(roles.BOARD_VIEWER, None, username="board")


# The inbox


def test_division_staff_see_their_divisions_replies_only(owner, reply, east):
    theirs = feedback.reply_create(delivery=delivery_for(east), body="Other side of town")
    page = client_for(owner).get("/admin/replies/").content.decode()
    assert f"Reply {reply.pk}<" in page
    assert f"Reply {theirs.pk}<" not in page


def test_the_inbox_does_not_show_reply_text(owner, reply):
    assert "verge" not in client_for(owner).get("/admin/replies/").content.decode()


def test_the_contact_centre_sees_every_division_urgent_first_highlighted(contact, reply, east):
    urgent = feedback.reply_create(delivery=delivery_for(east), body="Someone with a knife at the shop")
    response = client_for(contact).get("/admin/replies/")
    page = response.content.decode()
    assert response.context["page"].object_list[0] == urgent
    assert [r.pk for r in response.context["page"].object_list] == [urgent.pk, reply.pk]
    assert "1 urgent reply not yet picked up" in page
    assert 'class="ob-reply--urgent"' in page
    assert ">Urgent<" in page


def test_the_inbox_filters_by_state_urgency_and_alert(contact, reply, west):
    urgent = feedback.reply_create(delivery=delivery_for(west), body="I am scared")
    feedback.reply_set_state(reply=reply, state=Reply.State.DONE, actor=contact)
    client = client_for(contact)

    def listed(query):
        return [r.pk for r in client.get(f"/admin/replies/?{query}").context["page"].object_list]

    assert listed("state=done") == [reply.pk]
    assert listed("urgent=yes") == [urgent.pk]
    assert listed("urgent=no") == [reply.pk]
    assert listed(f"alert={reply.alert_id}") == [reply.pk]


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_open_the_inbox(kind, refused, reply):
    assert refused(client_for(outsider(kind)).get("/admin/replies/"))


# Reading a reply


def test_the_owner_reads_a_reply_and_the_reading_is_audited(owner, reply):
    response = client_for(owner).get(f"/admin/replies/{reply.pk}/")
    assert response.status_code == 200
    assert "A van keeps parking on the verge." in response.content.decode()
    entry = AuditEntry.objects.get(action="delivery.reply.view")
    assert (entry.actor, entry.target_id, entry.data) == (owner, str(reply.pk), {})


def test_an_urgent_reply_says_why(contact, west):
    urgent = feedback.reply_create(delivery=delivery_for(west), body="Help me please")
    assert "it contains help me" in client_for(contact).get(f"/admin/replies/{urgent.pk}/").content.decode()


def test_another_division_gets_a_404_for_a_reply(other_division, reply):
    assert client_for(other_division).get(f"/admin/replies/{reply.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action="delivery.reply.view").exists()


def test_a_reply_with_no_division_is_for_the_contact_centre_only(owner, contact):
    orphan = feedback.reply_create(delivery=delivery_for(None), body="Hello")
    assert client_for(owner).get(f"/admin/replies/{orphan.pk}/").status_code == 404
    assert client_for(contact).get(f"/admin/replies/{orphan.pk}/").status_code == 200


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_read_a_reply(kind, refused, reply):
    assert refused(client_for(outsider(kind)).get(f"/admin/replies/{reply.pk}/"))


# Assigning and changing state


def test_the_owner_assigns_a_reply_to_a_colleague_in_the_division(owner, reply, west):
    colleague = staff_user(roles.DIVISION_LEAD, west, username="colleague")
    client = client_for(owner)
    page = client.get(f"/admin/replies/{reply.pk}/").content.decode()
    assert f'value="{colleague.pk}"' in page
    response = client.post(f"/admin/replies/{reply.pk}/assign/", {"assignee": colleague.pk})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.assigned_to == colleague
    assert AuditEntry.objects.filter(action="delivery.reply.assign", actor=owner).exists()


def test_a_reply_cannot_be_assigned_to_staff_of_another_division(owner, reply, east):
    stranger = staff_user(roles.DIVISION_LEAD, east, username="stranger")
    client = client_for(owner)
    assert f'value="{stranger.pk}"' not in client.get(f"/admin/replies/{reply.pk}/").content.decode()
    response = client.post(f"/admin/replies/{reply.pk}/assign/", {"assignee": stranger.pk}, follow=True)
    assert "That person cannot handle replies of this division." in response.content.decode()
    reply.refresh_from_db()
    assert reply.assigned_to is None


def test_the_owner_changes_the_state(owner, reply):
    client = client_for(owner)
    assert client.post(f"/admin/replies/{reply.pk}/state/", {"state": "in_progress"}).status_code == 302
    reply.refresh_from_db()
    assert reply.state == Reply.State.IN_PROGRESS
    client.post(f"/admin/replies/{reply.pk}/state/", {"state": "bogus"})
    reply.refresh_from_db()
    assert reply.state == Reply.State.IN_PROGRESS


def test_another_division_cannot_assign_or_change_state(other_division, reply):
    client = client_for(other_division)
    assert client.post(f"/admin/replies/{reply.pk}/assign/", {"assignee": other_division.pk}).status_code == 404
    assert client.post(f"/admin/replies/{reply.pk}/state/", {"state": "done"}).status_code == 404
    reply.refresh_from_db()
    assert (reply.state, reply.assigned_to) == (Reply.State.NEW, None)


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_assign_or_change_state(kind, refused, reply):
    client = client_for(outsider(kind))
    assert refused(client.post(f"/admin/replies/{reply.pk}/assign/", {"assignee": ""}))
    assert refused(client.post(f"/admin/replies/{reply.pk}/state/", {"state": "done"}))
    reply.refresh_from_db()
    assert reply.state == Reply.State.NEW


# Statistics and progress


@pytest.fixture
def sent_alert(west):
    """An alert of the west division with deliveries in every state, some opened, clicked and rated."""
    alert = alert_in(west, audience_subscribers=9, audience_email=8, audience_sms=1)
    for state in [State.DELIVERED] * 4 + [State.CREATED, State.SENDING, State.DIGESTED, State.SKIPPED]:
        delivery_for(west, alert=alert, state=state)
    delivery_for(west, alert=alert, state=State.PERMANENT_FAILURE, failure_reason="mailbox unavailable")
    delivery_for(west, alert=alert, state=State.TECHNICAL_FAILURE, failure_reason="mailbox unavailable")
    delivery_for(west, alert=alert, state=State.PERMANENT_FAILURE, failure_reason="invalid number", channel="sms")
    delivered = list(Delivery.objects.filter(alert=alert, state=State.DELIVERED))
    from django.utils import timezone

    Delivery.objects.filter(pk__in=[d.pk for d in delivered[:3]]).update(opened_at=timezone.now())
    Delivery.objects.filter(pk__in=[d.pk for d in delivered[:2]]).update(clicked_at=timezone.now())
    for delivery, score in zip(delivered, [5, 4, 4, 1], strict=True):
        feedback.rating_record(delivery=delivery, score=score)
    feedback.reply_create(delivery=delivered[0], body="Thanks")
    feedback.reply_create(delivery=delivered[1], body="I'm scared")
    Subscriber.objects.create(status="pending", email="new@example.com", source=f"alert-{alert.public_id.hex}")
    return alert


def test_the_owner_sees_the_alerts_delivery_statistics(owner, sent_alert):
    response = client_for(owner).get(f"/admin/alerts/{sent_alert.pk}/delivery/")
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.progress.as_json() == {
        "total": 11,
        "queued": 1,
        "sending": 1,
        "delivered": 4,
        "failed": 3,
        "digested": 1,
        "skipped": 1,
        "done": 9,
        "finished": False,
    }
    assert stats.failed_by_reason == [("mailbox unavailable", 2), ("invalid number", 1)]
    assert stats.by_channel == {"email": 10, "sms": 1}
    assert (stats.clicked, stats.rated, stats.rating_mean) == (2, 4, 3.5)
    assert [n for _, n, _ in stats.rating_distribution] == [1, 0, 0, 2, 1]
    assert (stats.replies, stats.urgent_replies, stats.conversions) == (2, 1, 1)
    page = response.content.decode()
    assert "Not counted: open tracking is off" in page
    assert "average 3.5 out of 5" in page
    assert "mailbox unavailable" in page


def test_opens_are_shown_only_when_tracking_is_on(owner, sent_alert):
    delivery_settings = DeliverySettings.load()
    delivery_settings.track_opens = True
    delivery_settings.save()
    response = client_for(owner).get(f"/admin/alerts/{sent_alert.pk}/delivery/")
    assert response.context["stats"].opened == 3
    assert "Not counted" not in response.content.decode()


def test_held_deliveries_are_counted(owner, west):
    from datetime import timedelta

    from django.utils import timezone

    alert = alert_in(west)
    delivery_for(west, alert=alert, state=State.CREATED, not_before=timezone.now() + timedelta(hours=8))
    delivery_for(west, alert=alert, state=State.CREATED)
    assert client_for(owner).get(f"/admin/alerts/{alert.pk}/delivery/").context["stats"].held == 1


def test_progress_is_json_for_the_live_bar(owner, sent_alert):
    response = client_for(owner).get(f"/admin/alerts/{sent_alert.pk}/delivery/progress.json")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    data = response.json()
    assert (data["total"], data["done"], data["queued"], data["alert_state"]) == (11, 9, 1, "sending")
    Delivery.objects.filter(alert=sent_alert, state__in=[State.CREATED, State.SENDING]).update(state=State.DELIVERED)
    data = client_for(owner).get(f"/admin/alerts/{sent_alert.pk}/delivery/progress.json").json()
    assert (data["delivered"], data["finished"]) == (6, True)


def test_the_statistics_page_has_an_accessible_live_progress_bar(owner, sent_alert):
    page = client_for(owner).get(f"/admin/alerts/{sent_alert.pk}/delivery/").content.decode()
    assert '<progress id="ob-delivery-bar" max="11" value="9">' in page
    assert 'aria-live="polite"' in page
    assert "9 of 11 finished" in page
    assert "delivery/progress.js" in page


def test_the_contact_centre_can_see_any_alerts_statistics(contact, sent_alert):
    assert client_for(contact).get(f"/admin/alerts/{sent_alert.pk}/delivery/").status_code == 200


@pytest.mark.parametrize("url", ["/admin/alerts/{}/delivery/", "/admin/alerts/{}/delivery/progress.json"])
def test_another_division_gets_a_404_for_statistics(url, other_division, sent_alert):
    assert client_for(other_division).get(url.format(sent_alert.pk)).status_code == 404


@pytest.mark.parametrize("url", ["/admin/alerts/{}/delivery/", "/admin/alerts/{}/delivery/progress.json"])
@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_see_statistics(url, kind, refused, sent_alert):
    assert refused(client_for(outsider(kind)).get(url.format(sent_alert.pk)))


def test_the_replies_inbox_is_in_the_in_the_know_menu_for_those_who_handle_replies(owner):
    dashboard = client_for(owner).get("/admin/").content.decode()
    assert '"/admin/replies/"' in dashboard
    board = staff_user(roles.BOARD_VIEWER, None, username="board")
    assert '"/admin/replies/"' not in client_for(board).get("/admin/").content.decode()


def test_the_alert_page_panel_shows_the_live_progress_once_sending(sent_alert):
    html = render_to_string("delivery/staff/alert_delivery_panel.html", {"alert": sent_alert})
    assert f"/admin/alerts/{sent_alert.pk}/delivery/progress.json" in html
    assert f'href="/admin/alerts/{sent_alert.pk}/delivery/"' in html
    sent_alert.state = "draft"
    assert render_to_string("delivery/staff/alert_delivery_panel.html", {"alert": sent_alert}).strip() == ""
