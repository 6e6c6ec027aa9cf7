"""Answering residents (issue 17): staff answer a reply by email, urgent replies reach the on-duty team and
wait on a timer until picked up, and rating comments appear (moderated) on the alert's statistics page.
Every new staff view: the owner (the alert's division), another division and outsiders."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.core import sms
from openbeat.delivery import feedback
from openbeat.delivery.links import read_link, reply_url
from openbeat.delivery.models import DeliverySettings, Rating, Reply, ReplyAnswer
from openbeat.delivery.tests.feedback_world import alert_in, delivery_for
from openbeat.delivery.wagtail_hooks import register_replies_menu_item
from openbeat.staff import roles
from openbeat.staff.models import StaffProfile
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db

OUTSIDERS = ["anonymous", "no role", "board viewer"]


def outsider(kind):
    if kind == "anonymous":
        return None
    if kind == "no role":
        return UserFactory(username="public")
    return staff_user(roles.BOARD_VIEWER, None, username="board")


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner", first_name="Sam", last_name="Patel")


@pytest.fixture
def other_division(east):
    return staff_user(roles.DIVISION_LEAD, east, username="other")


@pytest.fixture
def delivery(west):
    return delivery_for(west)


@pytest.fixture
def reply(delivery):
    return feedback.reply_create(delivery=delivery, body="A van keeps parking on the verge.")


def answer_url(reply):
    return f"/admin/replies/{reply.pk}/answer/"


def post_answer(user, reply, body="We have asked the team to look. Thank you.", key=None):
    return client_for(user).post(answer_url(reply), {"body": body, "key": str(key or uuid.uuid4())})


# ------------------------------------------------------------------------------------------ (a) answering


def test_the_owner_answers_a_reply_and_the_resident_gets_it_by_email(
    owner, reply, delivery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_answer(owner, reply)
    assert response.status_code == 302
    answer = ReplyAnswer.objects.get()
    assert (answer.reply, answer.author, answer.author_name, answer.email_state) == (
        reply,
        owner,
        "Sam Patel",
        ReplyAnswer.EmailState.SENT,
    )
    [message] = mail.outbox
    assert message.to == [delivery.subscriber.email]
    assert "We have asked the team to look. Thank you." in message.body
    assert "A van keeps parking on the verge." in message.body  # what they wrote, quoted
    assert "Sam Patel" in message.body
    assert "call 999" in message.body
    # The same signed reply link as the alert's, so the resident can write back.
    assert reply_url(delivery) in message.body
    entry = AuditEntry.objects.get(action="delivery.reply.answer")
    assert (entry.actor, entry.target_id, entry.data) == (owner, str(reply.pk), {"answer": answer.pk})
    reply.refresh_from_db()
    assert (reply.picked_up_by, reply.state) == (owner, Reply.State.IN_PROGRESS)


def test_the_answer_is_stored_before_sending_and_sent_only_after_the_commit(owner, reply, queued_tasks):
    post_answer(owner, reply)
    answer = ReplyAnswer.objects.get()
    assert answer.email_state == ReplyAnswer.EmailState.QUEUED
    assert mail.outbox == []


@pytest.fixture
def queued_tasks(settings):
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    task_backends["default"].clear()
    return task_backends["default"].results


def test_sending_an_answer_twice_emails_once(owner, reply, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(owner, reply)
    answer = ReplyAnswer.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback.reply_answer_send(answer.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_the_same_form_sent_twice_answers_once(owner, reply, django_capture_on_commit_callbacks):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(owner, reply, key=key)
        post_answer(owner, reply, key=key)
    assert ReplyAnswer.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_answer_to_an_erased_resident_is_kept_and_marked_unsent(
    owner, reply, delivery, django_capture_on_commit_callbacks
):
    delivery.subscriber.delete()
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(owner, reply)
    assert ReplyAnswer.objects.get().email_state == ReplyAnswer.EmailState.NO_ADDRESS
    assert mail.outbox == []


def test_the_conversation_is_kept_and_shown_with_who_answered_when(
    owner, reply, delivery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(owner, reply, body="Which end of the lane?")
    # The resident follows the link in the answer and writes back.
    signed = mail.outbox[0].body.split("/d/reply/")[1].split("/")[0]
    assert read_link("reply", signed) == delivery
    response = client_for(None).post(f"/d/reply/{signed}/", {"body": "The north end, by the school."})
    assert response.status_code == 302
    again = Reply.objects.exclude(pk=reply.pk).get()
    page = client_for(owner).get(f"/admin/replies/{again.pk}/").content.decode()
    parts = [page.index(text) for text in ["the verge", "Which end of the lane?", "The north end, by the school."]]
    assert parts == sorted(parts)
    assert "Sam Patel</strong> answered" in page
    assert delivery.subscriber.email not in page


def test_the_reply_page_never_shows_the_address_by_default(owner, reply, delivery, refused):
    page = client_for(owner).get(f"/admin/replies/{reply.pk}/").content.decode()
    assert delivery.subscriber.email not in page
    assert "Show the resident's email address" not in page
    assert refused(client_for(owner).post(f"/admin/replies/{reply.pk}/address/"))
    assert not AuditEntry.objects.filter(action="delivery.reply.address_view").exists()


def test_staff_whose_role_allows_see_the_address_and_each_look_is_audited(owner, reply, delivery):
    owner.user_permissions.add(Permission.objects.get(codename="view_reply_address"))
    client = client_for(owner)
    assert "Show the resident's email address" in client.get(f"/admin/replies/{reply.pk}/").content.decode()
    response = client.post(f"/admin/replies/{reply.pk}/address/")
    assert delivery.subscriber.email in response.content.decode()
    entry = AuditEntry.objects.get(action="delivery.reply.address_view")
    assert (entry.actor, entry.target_id) == (owner, str(reply.pk))
    assert delivery.subscriber.email not in str(entry.data)


def test_another_division_cannot_see_the_address(other_division, reply):
    other_division.user_permissions.add(Permission.objects.get(codename="view_reply_address"))
    assert client_for(other_division).post(f"/admin/replies/{reply.pk}/address/").status_code == 404
    assert not AuditEntry.objects.filter(action="delivery.reply.address_view").exists()


def test_an_empty_or_too_long_answer_shows_the_error_summary_and_keeps_what_was_typed(owner, reply):
    response = post_answer(owner, reply, body="   ")
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert '<a href="#id_body">Enter your answer to the resident</a>' in page
    assert "<title>Error: " in page
    long = "Thank you " + "x" * 4000
    page = post_answer(owner, reply, body=long).content.decode()
    assert "Your answer must be 4000 characters or fewer" in page
    assert long in page
    assert not ReplyAnswer.objects.exists()


def test_another_division_cannot_answer(other_division, reply):
    assert post_answer(other_division, reply).status_code == 404
    assert not ReplyAnswer.objects.exists()


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_answer(kind, refused, reply):
    assert refused(post_answer(outsider(kind), reply))
    assert not ReplyAnswer.objects.exists()


def test_the_contact_centre_answers_any_division(reply, django_capture_on_commit_callbacks):
    contact = staff_user(roles.CONTACT_CENTRE, None, username="contact")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_answer(contact, reply).status_code == 302
    assert len(mail.outbox) == 1


def test_erasing_the_resident_erases_the_answers(owner, reply, delivery):
    from openbeat.delivery.privacy import ERASED, erase_feedback

    feedback.reply_answer(reply=reply, body="About your neighbour at number 4", actor=owner)
    erase_feedback(delivery.subscriber)
    assert ReplyAnswer.objects.get().body == ERASED


# -------------------------------------------------------------------------------------- (b) urgent replies


@pytest.fixture
def duty():
    duty = DeliverySettings.load()
    duty.duty_email = "duty@police.example"
    duty.duty_sms = "+447700900999"
    duty.save()
    sms.outbox.clear()
    return duty


def test_an_urgent_reply_emails_and_texts_the_on_duty_team_at_once(duty, west, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        urgent = feedback.reply_create(delivery=delivery_for(west), body="There is a man with a weapon outside")
    [message] = mail.outbox
    assert message.to == ["duty@police.example"]
    assert f"/admin/replies/{urgent.pk}/" in message.body
    assert "West" in message.subject
    [text] = sms.outbox
    assert text.to == "+447700900999"
    assert f"/admin/replies/{urgent.pk}/" in text.body
    # A link to the reply, never its text.
    assert "man with a weapon" not in message.body + message.subject + text.body
    entry = AuditEntry.objects.get(action="delivery.reply.duty_notify")
    assert entry.data == {"email": True, "sms": True}


def test_without_an_sms_number_only_the_email_goes(duty, west, django_capture_on_commit_callbacks):
    duty.duty_sms = ""
    duty.save()
    with django_capture_on_commit_callbacks(execute=True):
        feedback.reply_create(delivery=delivery_for(west), body="This is an emergency")
    assert len(mail.outbox) == 1
    assert sms.outbox == []


def test_a_reply_that_is_not_urgent_notifies_nobody(duty, west, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback.reply_create(delivery=delivery_for(west), body="Thanks for letting us know")
    assert mail.outbox == []
    assert sms.outbox == []


@pytest.mark.parametrize("word", ["urgent", "emergency", "danger", "threat", "weapon", "suicide", "hurt", "attack"])
def test_the_default_trigger_words(word):
    assert feedback.reply_create(delivery=delivery_for(), body=f"It is about {word.upper()}, please.").urgent


def test_the_duty_numbers_are_settings_checked_when_edited():
    from django.core.exceptions import ValidationError

    duty = DeliverySettings.load()
    duty.duty_sms = "07700 900999"
    with pytest.raises(ValidationError):
        duty.full_clean()


def test_an_urgent_reply_waits_on_a_timer_until_picked_up(owner, west):
    urgent = feedback.reply_create(delivery=delivery_for(west), body="I am in danger")
    Reply.objects.filter(pk=urgent.pk).update(created_at=timezone.now() - timedelta(minutes=12, seconds=5))
    client = client_for(owner)
    assert "waiting 12 min" in client.get("/admin/replies/").content.decode()
    assert "Waiting 12 min" in client.get(f"/admin/replies/{urgent.pk}/").content.decode()

    response = client.post(f"/admin/replies/{urgent.pk}/pick-up/")
    assert response.status_code == 302
    urgent.refresh_from_db()
    assert (urgent.picked_up_by, urgent.assigned_to, urgent.state) == (owner, owner, Reply.State.IN_PROGRESS)
    assert urgent.waited_minutes == 12
    assert "waiting 12 min" not in client.get("/admin/replies/").content.decode()
    assert "Picked up by Sam Patel after 12 min" in client.get(f"/admin/replies/{urgent.pk}/").content.decode()
    entry = AuditEntry.objects.get(action="delivery.reply.pick_up")
    assert entry.actor == owner
    assert entry.data["urgent"] is True


def test_a_second_pick_up_keeps_the_first(owner, west):
    urgent = feedback.reply_create(delivery=delivery_for(west), body="I am in danger")
    colleague = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="colleague")
    client_for(owner).post(f"/admin/replies/{urgent.pk}/pick-up/")
    client_for(colleague).post(f"/admin/replies/{urgent.pk}/pick-up/")
    urgent.refresh_from_db()
    assert urgent.picked_up_by == owner
    assert AuditEntry.objects.filter(action="delivery.reply.pick_up").count() == 1


def test_another_division_cannot_pick_up(other_division, reply):
    assert client_for(other_division).post(f"/admin/replies/{reply.pk}/pick-up/").status_code == 404
    reply.refresh_from_db()
    assert reply.picked_up_at is None


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_pick_up(kind, refused, reply):
    assert refused(client_for(outsider(kind)).post(f"/admin/replies/{reply.pk}/pick-up/"))
    reply.refresh_from_db()
    assert reply.picked_up_at is None


def test_the_replies_menu_item_counts_urgent_replies_waiting_in_scope(owner, other_division, west):
    feedback.reply_create(delivery=delivery_for(west), body="Someone tried to attack me")
    feedback.reply_create(delivery=delivery_for(west), body="Thanks")
    request = RequestFactory().get("/admin/")
    item = register_replies_menu_item()
    request.user = owner
    assert item.render_component(request).label == "Residents' replies (1 urgent waiting)"
    request.user = other_division
    assert item.render_component(request).label == "Residents' replies"


def test_the_residents_confirmation_still_says_call_999(delivery):
    from openbeat.delivery.links import _sign

    signed = _sign("reply", delivery)
    page = client_for(None).get(f"/d/reply/{signed}/sent/").content.decode()
    assert "call 999" in page


# ------------------------------------------------------------------------------------- (c) rating comments


def viewer_without_moderation(division):
    """Someone who may see the division's alerts but not moderate comments."""
    group, _ = Group.objects.get_or_create(name="Alert readers")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["wagtailadmin", "alerts"], codename__in=["access_admin", "view_alert"]
        )
    )
    user = UserFactory(username="reader")
    user.groups.add(group)
    StaffProfile.objects.update_or_create(user=user, defaults={"division": division})
    return user


@pytest.fixture
def rated(west):
    alert = alert_in(west)
    first = feedback.rating_record(delivery=delivery_for(west, alert=alert), score=5, comment="Clear and quick")
    second = feedback.rating_record(delivery=delivery_for(west, alert=alert), score=1, comment="Ring me on 07700900123")
    feedback.rating_record(delivery=delivery_for(west, alert=alert), score=4)
    return alert, first, second


def stats_url(alert):
    return f"/admin/alerts/{alert.pk}/delivery/"


def test_comments_are_hidden_until_a_moderator_shows_them(owner, rated, west):
    alert, first, _ = rated
    reader = viewer_without_moderation(west)
    assert "Clear and quick" not in client_for(reader).get(stats_url(alert)).content.decode()

    page = client_for(owner).get(stats_url(alert)).content.decode()
    # The moderator sees both, marked hidden.
    assert "Clear and quick" in page
    assert "Ring me on" in page
    response = client_for(owner).post(f"{stats_url(alert)}comments/{first.pk}/", {"shown": "yes"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.comment_shown, first.comment_moderated_by) == (True, owner)

    page = client_for(reader).get(stats_url(alert)).content.decode()
    assert "Clear and quick" in page
    assert "5 out of 5</strong>" in page
    assert "Ring me on" not in page
    assert AuditEntry.objects.get(action="delivery.rating.comment_show").target_id == str(first.pk)


def test_a_moderator_hides_a_shown_comment_again(owner, rated):
    alert, first, _ = rated
    client = client_for(owner)
    client.post(f"{stats_url(alert)}comments/{first.pk}/", {"shown": "yes"})
    client.post(f"{stats_url(alert)}comments/{first.pk}/", {"shown": "no"})
    first.refresh_from_db()
    assert first.comment_shown is False
    assert AuditEntry.objects.filter(action="delivery.rating.comment_hide").count() == 1


def test_a_changed_comment_is_hidden_again(owner, rated):
    _, first, _ = rated
    feedback.rating_comment_set_shown(rating=first, shown=True, actor=owner)
    again = feedback.rating_record(delivery=first.delivery, score=4, comment="Actually, call me")
    assert again.comment_shown is False
    same = feedback.rating_record(delivery=first.delivery, score=3, comment="Actually, call me")
    feedback.rating_comment_set_shown(rating=same, shown=True, actor=owner)
    assert feedback.rating_record(delivery=first.delivery, score=2).comment_shown is True


def test_another_division_cannot_moderate(other_division, rated):
    alert, first, _ = rated
    assert (
        client_for(other_division).post(f"{stats_url(alert)}comments/{first.pk}/", {"shown": "yes"}).status_code == 404
    )
    first.refresh_from_db()
    assert first.comment_shown is False


def test_viewers_without_the_permission_cannot_moderate(rated, west, refused):
    alert, first, _ = rated
    assert refused(
        client_for(viewer_without_moderation(west)).post(f"{stats_url(alert)}comments/{first.pk}/", {"shown": "yes"})
    )


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_outsiders_cannot_moderate(kind, refused, rated):
    alert, first, _ = rated
    assert refused(client_for(outsider(kind)).post(f"{stats_url(alert)}comments/{first.pk}/", {"shown": "yes"}))
    first.refresh_from_db()
    assert first.comment_shown is False


def test_a_rating_of_another_alert_cannot_be_moderated_through_this_one(owner, rated, west):
    alert, _, _ = rated
    elsewhere = feedback.rating_record(delivery=delivery_for(west), score=2, comment="Other alert")
    assert client_for(owner).post(f"{stats_url(alert)}comments/{elsewhere.pk}/", {"shown": "yes"}).status_code == 404
    assert Rating.objects.get(pk=elsewhere.pk).comment_shown is False


def test_the_answer_is_in_the_residents_language_in_the_forces_frame(
    owner, reply, delivery, django_capture_on_commit_callbacks
):
    from openbeat.alerts.models import AlertTranslation
    from openbeat.core.email_frame import html_to_text

    subscriber = delivery.subscriber
    subscriber.language = "cy"
    subscriber.save()
    delivery.language = "cy"
    delivery.save()
    AlertTranslation.objects.create(alert=reply.alert, language="cy", title="Fan ar y llain", body="Corff.")
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(owner, reply)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject.startswith("Ateb i'ch neges am “Fan ar y llain”")
    assert '<html lang="cy" dir="ltr">' in html
    assert "Mae Sam Patel o " in html
    assert "Ateb Sam Patel" in html
    assert "We have asked the team to look. Thank you." in html  # the officer's own words, as written
    assert "Newid beth rydych yn ei gael neu sut rydych yn ei gael" in html  # their preferences link
    assert message.body == html_to_text(html)
