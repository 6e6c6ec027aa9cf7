import pytest
from django.core.exceptions import PermissionDenied

from openbeat.audit.models import AuditEntry
from openbeat.delivery import feedback
from openbeat.delivery.models import DeliverySettings, Rating, Reply
from openbeat.delivery.tests.feedback_world import delivery_for
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_a_rating_is_stored_once_per_delivery_and_a_second_click_changes_it():
    delivery = delivery_for()
    feedback.rating_record(delivery=delivery, score=2)
    feedback.rating_record(delivery=delivery, score=4)
    assert list(Rating.objects.values_list("score", flat=True)) == [4]


def test_a_comment_is_kept_when_the_score_is_clicked_again():
    delivery = delivery_for()
    feedback.rating_record(delivery=delivery, score=4, comment="  Useful, thanks  ")
    feedback.rating_record(delivery=delivery, score=5)
    rating = Rating.objects.get()
    assert (rating.score, rating.comment) == (5, "Useful, thanks")


def test_a_rating_outside_one_to_five_is_refused():
    with pytest.raises(ValueError, match="from 1 to 5"):
        feedback.rating_record(delivery=delivery_for(), score=6)


def test_a_reply_goes_to_the_division_of_the_delivery(west):
    delivery = delivery_for(west)
    reply = feedback.reply_create(delivery=delivery, body="Thanks, I saw a van there too.")
    assert (reply.alert, reply.division, reply.urgent, reply.triggers) == (delivery.alert, west, False, "")


@pytest.mark.parametrize(
    ("body", "triggers"),
    [
        ("Please HELP ME, someone is outside", "help me"),
        ("I think I'm being\nfollowed home and I'm scared!", "being followed, scared"),
        ("There was a Knife.", "knife"),
        ("The works have begun on the road", ""),  # "gun" inside a word is not "gun"
        ("Helpme with the form", ""),
    ],
)
def test_trigger_words_make_a_reply_urgent_matching_whole_words_in_any_case(body, triggers):
    reply = feedback.reply_create(delivery=delivery_for(), body=body)
    assert reply.triggers == triggers
    assert reply.urgent is bool(triggers)


def test_trigger_words_are_the_forces_own():
    delivery_settings = DeliverySettings.load()
    delivery_settings.trigger_words = "flood\n  fire alarm  \n"
    delivery_settings.save()
    assert feedback.reply_create(delivery=delivery_for(), body="The fire  alarm is going").triggers == "fire alarm"
    assert not feedback.reply_create(delivery=delivery_for(), body="I am in danger").urgent


def test_an_empty_reply_is_refused():
    with pytest.raises(ValueError, match="needs some text"):
        feedback.reply_create(delivery=delivery_for(), body="   ")


def test_the_audit_log_never_holds_the_reply_text():
    reply = feedback.reply_create(delivery=delivery_for(), body="Help me, my neighbour is shouting")
    entry = AuditEntry.objects.get(action="delivery.reply.create")
    assert entry.target_id == str(reply.pk)
    assert "neighbour" not in str(entry.data)
    assert "help" not in str(entry.data).lower()


def test_replies_are_assigned_to_staff_in_scope_and_audited(west):
    reply = feedback.reply_create(delivery=delivery_for(west), body="Hello")
    lead = staff_user(roles.DIVISION_LEAD, west)
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west)
    feedback.reply_assign(reply=reply, assignee=officer, actor=lead)
    reply.refresh_from_db()
    assert reply.assigned_to == officer
    assert AuditEntry.objects.filter(action="delivery.reply.assign", actor=lead, division=west).exists()


def test_a_reply_cannot_be_assigned_to_someone_outside_its_division(west, east):
    reply = feedback.reply_create(delivery=delivery_for(west), body="Hello")
    lead = staff_user(roles.DIVISION_LEAD, west)
    with pytest.raises(PermissionDenied):
        feedback.reply_assign(reply=reply, assignee=staff_user(roles.NEIGHBOURHOOD_OFFICER, east), actor=lead)
    with pytest.raises(PermissionDenied):
        feedback.reply_assign(reply=reply, assignee=staff_user(roles.BOARD_VIEWER), actor=lead)


def test_staff_of_another_division_cannot_handle_a_reply(west, east):
    reply = feedback.reply_create(delivery=delivery_for(west), body="Hello")
    with pytest.raises(PermissionDenied):
        feedback.reply_set_state(reply=reply, state=Reply.State.DONE, actor=staff_user(roles.DIVISION_LEAD, east))


def test_state_changes_are_audited_with_from_and_to(west):
    reply = feedback.reply_create(delivery=delivery_for(west), body="Hello")
    contact = staff_user(roles.CONTACT_CENTRE)
    feedback.reply_set_state(reply=reply, state=Reply.State.IN_PROGRESS, actor=contact)
    reply.refresh_from_db()
    assert reply.state == Reply.State.IN_PROGRESS
    entry = AuditEntry.objects.get(action="delivery.reply.state")
    assert entry.data == {"from": "new", "to": "in_progress"}
    with pytest.raises(ValueError, match="Unknown reply state"):
        feedback.reply_set_state(reply=reply, state="closed", actor=contact)
