"""In the Know survey invitations: the personal signed link, one response per recipient, the composer's choice,
and the link in the email as sent through the real delivery path (and in the staff preview)."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from freezegun import freeze_time

from openbeat.alerts.models import Alert
from openbeat.audit.models import AuditEntry
from openbeat.core.paths import absolute_url, path_for
from openbeat.delivery import outbox
from openbeat.delivery.outbox import batch_ranges, outbox_fill_for_alert
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user
from openbeat.subscriptions.models import Interest
from openbeat.surveys import invitations, services
from openbeat.surveys.models import Channel, Response, SurveyInvitation
from openbeat.surveys.tests.conftest import build_survey

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def invitations_in(text: str) -> list[invitations.Invitation]:
    """What each invitation link in `text` carries. Links are compared by that, not as strings: a link is signed with
    the second it was made, so one made in the test and one in the page differ when a second ends between them."""
    prefix = re.escape(absolute_url(path_for("surveys:invited", signed="SIGNED")))
    pattern = prefix.replace("SIGNED", r"([\w:-]+)")
    return [invitations.invitation_read(signed) for signed in re.findall(pattern, text.replace("&amp;", "&"))]


def preview(survey) -> invitations.Invitation:
    return invitations.Invitation(survey.pk, invitations.PREVIEW, None)


def own(survey, subscriber, neighbourhood) -> invitations.Invitation:
    return invitations.Invitation(survey.pk, invitations.recipient_key(survey.pk, subscriber.pk), neighbourhood.pk)


def link(survey, subscriber_id: int = 7, neighbourhood=None) -> str:
    return path_of(
        invitations.invitation_url(
            survey.pk, subscriber_id=subscriber_id, neighbourhood_id=neighbourhood.pk if neighbourhood else None
        )
    )


def answer_all(client, survey, ids, postcode):
    """The whole public journey (not seen a patrol: sections 1 and 3), then submit."""
    first, _second, third = [s["id"] for s in survey.current_version.definition["sections"]]
    client.post(
        f"/surveys/{survey.slug}/page/{first}/",
        {f"q{ids.seen.pk}": str(ids.no), f"q{ids.safe.pk}": "3", f"q{ids.postcode.pk}": postcode},
    )
    client.post(f"/surveys/{survey.slug}/page/{third}/", {f"q{ids.comments.pk}": ""})
    return client.post(f"/surveys/{survey.slug}/check-your-answers/")


def test_the_recipient_key_is_stable_per_survey_and_names_nobody(survey):
    key = invitations.recipient_key(survey.pk, 7)
    assert key == invitations.recipient_key(survey.pk, 7)
    assert key != invitations.recipient_key(survey.pk, 8)
    assert key != invitations.recipient_key(survey.pk + 1, 7)
    assert len(key) == 32


def test_a_personal_link_answers_once_with_the_channel_in_the_know_and_the_home_neighbourhood(world, survey, ids):
    client = client_for(None)
    response = client.get(link(survey, neighbourhood=world.east_nbh))
    assert response.status_code == 302
    assert response["Location"] == f"/surveys/{survey.slug}/"
    assert answer_all(client, survey, ids, world.west_postcode)["Location"] == f"/surveys/{survey.slug}/thank-you/"
    stored = Response.objects.get()
    assert stored.channel == Channel.IN_THE_KNOW
    assert stored.recipient_key == invitations.recipient_key(survey.pk, 7)
    # The subscriber's home neighbourhood, not the postcode's.
    assert (stored.neighbourhood_id, stored.division_id) == (world.east_nbh.pk, world.east.pk)

    # The same link again (another browser, or later): it says so, and nothing more is stored.
    again = client_for(None).get(link(survey, neighbourhood=world.east_nbh))
    assert again.status_code == 200
    assert "You have already answered" in again.text
    # Even someone who opened the link before answering, in another browser, cannot add a second response.
    other = client_for(None)
    second_browser = client_for(None)
    Response.objects.all().delete()
    other.get(link(survey, subscriber_id=9))
    second_browser.get(link(survey, subscriber_id=9))
    answer_all(other, survey, ids, world.west_postcode)
    refused = answer_all(second_browser, survey, ids, world.west_postcode)
    assert refused.status_code == 200
    assert "You have already answered" in refused.text
    assert Response.objects.count() == 1


def test_a_public_answer_is_not_in_the_know(world, survey, ids):
    client = client_for(None)
    answer_all(client, survey, ids, world.west_postcode)
    stored = Response.objects.get()
    assert (stored.channel, stored.recipient_key) == (Channel.PUBLIC, "")


def test_a_tampered_link_gets_a_clear_page(world, survey):
    good = link(survey)
    signed = good.rstrip("/").rsplit("/", 1)[1]
    tampered = good.replace(signed, signed[:-2] + ("AA" if signed[-2:] != "AA" else "BB"))
    response = client_for(None).get(tampered)
    assert response.status_code == 400
    assert "This link is not valid" in response.text
    assert client_for(None).get("/surveys/i/nonsense:here/").status_code == 400


def test_a_link_cannot_be_moved_to_another_survey(world, survey):
    other = build_survey(world.lead, division=world.west, slug="other")
    services.survey_publish(survey=other, actor=world.lead)
    good = link(survey)
    signed = good.rstrip("/").rsplit("/", 1)[1]
    _survey_id, _, rest = signed.partition("-")
    moved = good.replace(signed, f"{other.pk}-{rest}")
    response = client_for(None).get(moved)
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_an_expired_link_says_so(world, survey, settings):
    settings.SURVEYS_INVITATION_MAX_AGE_DAYS = 30
    with freeze_time("2026-01-01 12:00"):
        old = link(survey)
    with freeze_time("2026-03-01 12:00"):
        response = client_for(None).get(old)
    assert response.status_code == 410
    assert "This link has expired" in response.text


def test_the_preview_link_opens_a_page_that_cannot_answer(world, survey, ids):
    client = client_for(None)
    response = client.get(path_of(invitations.preview_url(survey.pk)))
    assert response.status_code == 200
    assert "This is a preview link" in response.text
    answer_all(client, survey, ids, world.west_postcode)
    assert Response.objects.get().channel == Channel.PUBLIC  # the preview gave this browser no recipient key


def test_a_link_to_a_closed_survey_says_it_is_closed(world, survey):
    services.survey_close(survey=survey, actor=world.lead)
    assert "This survey has closed" in client_for(None).get(link(survey)).text


def test_one_response_per_recipient_by_the_service_whatever_the_client_id(world, survey, ids):
    key = invitations.recipient_key(survey.pk, 3)
    answers = ids.answers(postcode=world.west_postcode)
    version = survey.current_version
    services.response_submit(
        client_id=uuid.uuid4(), version=version, answers=answers, channel=Channel.IN_THE_KNOW, recipient_key=key
    )
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(
            client_id=uuid.uuid4(), version=version, answers=answers, channel=Channel.IN_THE_KNOW, recipient_key=key
        )
    assert Response.objects.count() == 1


def test_an_insert_that_loses_the_race_for_a_recipient_is_already_answered(world, survey, ids, monkeypatch):
    """The read before the insert saw nothing, yet the same recipient's other response got in: the unique
    constraint refuses the second, and the person is told they have answered."""
    key = invitations.recipient_key(survey.pk, 3)
    version = survey.current_version
    answers = ids.answers(postcode=world.west_postcode)
    services.response_submit(client_id=uuid.uuid4(), version=version, answers=answers, recipient_key=key)
    real_filter = Response.objects.filter

    def blind(*args, **kwargs):
        if "recipient_key" in kwargs:
            return Response.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Response.objects, "filter", blind)
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(client_id=uuid.uuid4(), version=version, answers=answers, recipient_key=key)
    assert Response.objects.count() == 1


# Marked, not skipped in the body: on SQLite the skip comes before the transactional database is built and
# flushed, which alone took seconds.
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database serialises threads: PostgreSQL runs this for real",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_for_one_recipient_make_one_response(world, survey, ids):
    key = invitations.recipient_key(survey.pk, 5)
    version = survey.current_version
    barrier = threading.Barrier(2)
    outcomes: list = []

    def submit() -> None:
        try:
            barrier.wait()
            services.response_submit(
                client_id=uuid.uuid4(),
                version=version,
                answers=ids.answers(postcode=world.west_postcode),
                channel=Channel.IN_THE_KNOW,
                recipient_key=key,
            )
            outcomes.append("created")
        except services.AlreadyAnswered:
            outcomes.append("already")
        except Exception as error:  # anything else fails the test below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "created"]
    assert Response.objects.filter(recipient_key=key).count() == 1


# The composer and the email


@pytest.fixture
def sender(world):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, world.west, username="sender-west")


def test_who_may_invite_to_a_survey(world, survey, sender):
    assert services.survey_can_distribute(world.lead, survey)
    assert services.survey_can_distribute(sender, survey) == sender.has_perm("alerts.send_alert")
    assert not services.survey_can_distribute(world.other, survey)  # another division's survey
    assert not services.survey_can_distribute(world.public, survey)
    services.survey_close(survey=survey, actor=world.lead)
    survey.refresh_from_db()
    assert not services.survey_can_distribute(world.lead, survey)


def test_an_alert_of_another_division_cannot_carry_the_survey(world, survey):
    alert = sending_alert(state=Alert.State.DRAFT)
    with pytest.raises(services.SurveyPermissionError):
        services.invitation_set(alert=alert, survey=survey, actor=world.other)
    assert not SurveyInvitation.objects.exists()
    services.invitation_set(alert=alert, survey=survey, actor=world.lead)
    assert SurveyInvitation.objects.get().survey == survey
    assert AuditEntry.objects.filter(action="surveys.invitation.set", actor=world.lead).exists()
    services.invitation_set(alert=alert, survey=None, actor=world.lead)
    assert not SurveyInvitation.objects.exists()


def test_the_composer_offers_the_survey_and_its_preview_shows_the_preview_link(world, survey):
    client = client_for(world.lead)
    page = client.get("/admin/alerts/new/")
    assert page.status_code == 200
    assert 'name="survey"' in page.text
    assert survey.title in page.text
    previews = client.post(
        "/admin/alerts/preview/", {"title": "Have your say", "body": "Tell us.", "priority": "1", "survey": survey.pk}
    )
    assert previews.status_code == 200
    assert set(invitations_in(previews.text)) == {preview(survey)}
    assert "Answer the survey" in previews.text
    # Someone who may not see the survey gets no invitation in their preview.
    other = client_for(world.other).post(
        "/admin/alerts/preview/", {"title": "x", "body": "y", "priority": "1", "survey": survey.pk}
    )
    assert "Answer the survey" not in other.text


def test_the_email_as_sent_carries_each_recipients_own_link_and_the_preview_the_same_section(
    world, survey, ids, smtp_server
):
    people = subscribers(world.west_nbh, 2)
    alert = sending_alert(division=world.west, created_by=world.lead)
    SurveyInvitation.objects.create(alert=alert, survey=survey, created_by=world.lead)
    outbox_fill_for_alert(alert=alert, audience=audience(email=people))
    for first, last in batch_ranges(alert_id=alert.pk, channel="email"):
        outbox.batch_send(alert_id=alert.pk, channel="email", first_id=first, last_id=last, task_result_id="t")

    received = {m["To"]: m for m in smtp_server.messages}
    assert set(received) == {p.email for p in people}
    for person in people:
        message = received[person.email]
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert set(invitations_in(html)) == {own(survey, person, world.west_nbh)}
        assert set(invitations_in(text)) == {own(survey, person, world.west_nbh)}
        assert "Answer the survey" in html

    # The link works once for its recipient.
    client = client_for(None)
    first = people[0]
    client.get(
        path_of(invitations.invitation_url(survey.pk, subscriber_id=first.pk, neighbourhood_id=world.west_nbh.pk))
    )
    answer_all(client, survey, ids, world.west_postcode)
    assert Response.objects.get().recipient_key == invitations.recipient_key(survey.pk, first.pk)

    # The alert's page previews the same section, with the harmless preview link.
    page = client_for(world.lead).get(f"/admin/alerts/{alert.pk}/")
    assert page.status_code == 200
    assert set(invitations_in(page.text)) == {preview(survey)}
    assert "Answer the survey" in page.text


def test_the_sms_carries_the_link(world, survey, settings):
    from openbeat.delivery import messages
    from openbeat.delivery.models import Delivery

    people = subscribers(world.west_nbh, 1, email=False, sms=True)
    alert = sending_alert()
    SurveyInvitation.objects.create(alert=alert, survey=survey)
    outbox_fill_for_alert(alert=alert, audience=audience(sms=people))
    Delivery.objects.filter(alert=alert).update(token=uuid.uuid4())
    deliveries = list(Delivery.objects.select_related("alert", "subscriber").filter(alert=alert))
    (sms,) = messages.build_sms(deliveries)
    before, link_sent = sms.body.rsplit("Survey: ", 1)
    assert before
    assert invitations_in(link_sent) == [own(survey, people[0], world.west_nbh)]
    assert re.fullmatch(r"\S+/", link_sent)  # the link alone ends the message


def test_results_show_invited_against_answered(world, survey, ids, settings):
    settings.SURVEYS_SMALL_NUMBER_MIN = 2
    alert = sending_alert(state=Alert.State.SENT, audience_subscribers=40)
    SurveyInvitation.objects.create(alert=alert, survey=survey)
    for n in range(4):
        services.response_submit(
            client_id=uuid.uuid4(),
            version=survey.current_version,
            answers=ids.answers(postcode=world.west_postcode),
            channel=Channel.IN_THE_KNOW,
            recipient_key=invitations.recipient_key(survey.pk, n),
        )
    page = client_for(world.lead).get(f"/admin/surveys/{survey.pk}/results/?channel=itk")
    assert "40 residents invited" in page.text
    assert "4 answered by their link (10.0%)" in page.text


def test_a_link_made_long_ago_still_within_its_age_works(world, survey, settings):
    settings.SURVEYS_INVITATION_MAX_AGE_DAYS = 90
    with freeze_time("2026-01-01 12:00"):
        made = link(survey)
    with freeze_time("2026-01-01 12:00") as frozen:
        frozen.tick(timedelta(days=60))
        assert client_for(None).get(made).status_code == 302


def composer_data(world, **changes):
    from openbeat.subscriptions.models import Interest

    interest = Interest.objects.get_or_create(
        slug="crime-alerts", defaults={"name": "Crime alerts and appeals", "kind": "topic", "bit": 0}
    )[0]
    data = {
        "title": "Have your say on patrols",
        "body": "Tell us how safe you feel.",
        "interest": interest.pk,
        "priority": "1",
        "neighbourhoods": [str(world.west_nbh.pk)],
        "channels": ["email", "sms"],
        "targeting": "",
    }
    return {**data, **changes}


def test_the_composer_saves_the_invitation_with_the_draft_and_can_take_it_off(world, survey):
    client = client_for(world.lead)
    response = client.post("/admin/alerts/new/", composer_data(world, survey=str(survey.pk)))
    assert response.status_code == 302, response.content[:2000]
    invitation = SurveyInvitation.objects.get()
    assert (invitation.survey, invitation.created_by) == (survey, world.lead)
    alert = invitation.alert
    assert f'value="{survey.pk}" selected' in client.get(f"/admin/alerts/{alert.pk}/edit/").text
    client.post(f"/admin/alerts/{alert.pk}/edit/", composer_data(world, survey=""))
    assert not SurveyInvitation.objects.exists()


def test_the_composer_refuses_a_survey_its_author_may_not_distribute(world, survey):
    own = build_survey(world.other, division=world.east, slug="east-survey")
    services.survey_publish(survey=own, actor=world.other)
    east = client_for(world.other)
    assert 'name="survey"' in east.get("/admin/alerts/new/").text  # their own survey is offered
    data = composer_data(world, survey=str(survey.pk), neighbourhoods=[str(world.east_nbh.pk)])
    response = east.post("/admin/alerts/new/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not SurveyInvitation.objects.exists()
    assert not Alert.objects.exists()


def sent_alert(world):
    """A sent alert of west's lead to their own neighbourhood, as the composer makes one."""
    from openbeat.alerts.services import alert_create
    from openbeat.alerts.tests.lifecycle_world import areas

    alert = alert_create(
        author=world.lead,
        title="Burglaries on Mill Lane",
        body="Two homes were broken into overnight.",
        interest=Interest.objects.get_or_create(slug="crime-alerts", defaults={"name": "Crime alerts", "bit": 0})[0],
        priority=1,
        targeting=areas(neighbourhoods=[world.west_nbh.pk]),
    )
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENT)
    return Alert.objects.get(pk=alert.pk)


def test_copying_an_alert_copies_its_survey_invitation(world, survey):
    alert = sent_alert(world)
    services.invitation_set(alert=alert, survey=survey, actor=world.lead)
    response = client_for(world.lead).post(f"/admin/alerts/{alert.pk}/copy/")
    assert response.status_code == 302
    copy = Alert.objects.exclude(pk=alert.pk).get()
    assert response["Location"] == f"/admin/alerts/{copy.pk}/edit/"
    assert SurveyInvitation.objects.get(alert=copy).survey == survey
    assert SurveyInvitation.objects.get(alert=alert).survey == survey  # the original keeps its own


def test_a_closed_survey_is_not_carried_into_a_copy_and_the_copier_is_told(world, survey):
    alert = sent_alert(world)
    services.invitation_set(alert=alert, survey=survey, actor=world.lead)
    services.survey_close(survey=survey, actor=world.lead)
    client = client_for(world.lead)
    response = client.post(f"/admin/alerts/{alert.pk}/copy/", follow=True)
    copy = Alert.objects.exclude(pk=alert.pk).get()
    assert not SurveyInvitation.objects.filter(alert=copy).exists()
    assert "The survey invitation was not copied: &#x27;Feeling safe&#x27; is closed." in response.text


def test_an_invitation_is_carried_only_for_a_copier_who_may_invite_to_the_survey(world, survey):
    alert = sending_alert(state=Alert.State.SENT)
    services.invitation_set(alert=alert, survey=survey, actor=world.hq)
    draft = sending_alert(state=Alert.State.DRAFT)
    said = services.invitation_copy(source=alert, alert=draft, actor=world.other)  # another division's survey
    assert said == "The survey invitation was not copied: you cannot invite residents to 'Feeling safe'."
    assert not SurveyInvitation.objects.filter(alert=draft).exists()
    assert services.invitation_copy(source=alert, alert=draft, actor=world.lead) == ""
    assert SurveyInvitation.objects.get(alert=draft).survey == survey
    bare, blank = sending_alert(state=Alert.State.SENT), sending_alert(state=Alert.State.DRAFT)
    assert services.invitation_copy(source=bare, alert=blank, actor=world.lead) == ""  # nothing to carry
    assert not SurveyInvitation.objects.filter(alert=blank).exists()
