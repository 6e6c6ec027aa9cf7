"""The question lifecycle, votes, word lists, flagged questions and actions, through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from openbeat.audit.models import AuditEntry
from openbeat.meetings import services
from openbeat.meetings.models import Action, Question, Vote, WordList
from openbeat.meetings.tests.conftest import last_email, last_token, question, verified
from openbeat.priorities.models import Priority, PriorityUpdate, Source
from openbeat.reports.models import Report
from openbeat.reports.tests.factories import QuestionFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db


def test_a_question_waits_for_its_link_and_keeps_no_address(world):
    q = services.question_submit(
        meeting=world.meeting, display_name="Sam", text="Why so few patrols?", email="Sam@Example.org"
    )
    assert q.state == Question.State.UNVERIFIED
    assert q.contact_email == ""
    assert last_email().to == "sam@example.org"
    assert "sam@example.org" not in str(list(q.participant.__dict__.values()))
    assert q.participant.email_hash == services.email_hash(meeting=world.meeting, email="sam@example.org")


def test_invalid_questions_say_what_to_correct(world):
    with pytest.raises(services.MeetingInvalid) as error:
        services.question_submit(meeting=world.meeting, display_name=" ", text="x" * 1001, email="nope")
    assert set(error.value.errors) == {"display_name", "text", "email"}


def test_abusive_words_hold_a_question_for_review(world):
    q = services.question_submit(
        meeting=world.meeting,
        display_name="A",
        text="You are all useless   coppers",
        participant=verified(world.meeting),
    )
    assert q.state == Question.State.HELD
    assert "useless coppers" in q.matched_words
    services.question_approve(question=q, actor=world.officer)  # a moderator may still publish it
    q.refresh_from_db()
    assert q.state == Question.State.APPROVED


def test_the_staff_edited_list_is_used(world):
    services.word_list_save(kind=WordList.Kind.ABUSIVE, words_text="bins\n", actor=world.hq)
    q = services.question_submit(
        meeting=world.meeting, display_name="A", text="The BINS again!", participant=verified(world.meeting)
    )
    assert q.state == Question.State.HELD
    with pytest.raises(PermissionDenied):
        services.word_list_save(kind=WordList.Kind.ABUSIVE, words_text="", actor=world.officer)


def test_harm_words_flag_a_question_never_to_be_approved(world):
    q = services.question_submit(
        meeting=world.meeting, display_name="B", text="He hit me last night", email="b@example.org"
    )
    assert q.state == Question.State.FLAGGED
    assert q.contact_email == "b@example.org"
    with pytest.raises(services.MeetingStateError):
        services.question_approve(question=q, actor=world.officer)
    with pytest.raises(services.MeetingStateError):
        services.question_answer(question=q, actor=world.officer, answer="No")


def test_a_flagged_question_becomes_a_report_in_one_audited_action(world):
    q = services.question_submit(
        meeting=world.meeting, display_name="B", text="Someone pulled a knife on me", email="b@example.org"
    )
    report_type = ReportTypeFactory(location="optional")
    QuestionFactory(report_type=report_type, key="what", kind="textarea")
    report = services.question_to_report(question=q, actor=world.officer, report_type=report_type)
    q.refresh_from_db()
    assert report.reporter_email == "b@example.org"
    assert report.source == Report.Source.PACT
    assert "knife" in report.answers["what"]
    assert "PACT meeting" in report.answers["what"]
    assert q.state == Question.State.CONVERTED
    assert q.contact_email == ""
    assert q.report_reference == report.reference
    entry = AuditEntry.objects.get(action="meetings.question.to_report")
    assert entry.actor == world.officer
    assert entry.data["report"] == report.reference
    assert entry.data["source"] == "PACT meeting"
    with pytest.raises(services.MeetingPermissionError):
        services.question_to_report(question=q, actor=world.other, report_type=report_type)


def test_a_flagged_question_can_send_the_resident_the_route(world):
    q = services.question_submit(
        meeting=world.meeting, display_name="B", text="I am being abused at home", email="b@example.org"
    )
    services.question_send_route(question=q, actor=world.officer)
    q.refresh_from_db()
    assert q.state == Question.State.ROUTED
    assert q.contact_email == ""
    sent = last_email()
    assert "999" in sent.body_text
    assert "101" in sent.body_text
    assert sent.to == "b@example.org"
    assert AuditEntry.objects.filter(action="meetings.question.route").exists()
    assert not Report.objects.exists()


def test_one_vote_per_verified_person(world):
    q = question(world.meeting, n=1)
    voter = verified(world.meeting, 2)
    assert services.vote_cast(question=q, participant=voter) is True
    assert services.vote_cast(question=q, participant=voter) is False
    assert Vote.objects.filter(question=q).count() == 1


def test_an_unverified_person_cannot_vote(world):
    q = question(world.meeting, n=1)
    p = verified(world.meeting, 2)
    p.verified_at = None
    p.save()
    with pytest.raises(services.MeetingStateError):
        services.vote_cast(question=q, participant=p)


def test_a_vote_by_link_counts_once(world):
    q = question(world.meeting, n=1)
    services.vote_request(meeting=world.meeting, question=q, email="v@example.org")
    token = last_token()
    services.link_confirm(token=token)
    services.vote_request(meeting=world.meeting, question=q, email="V@example.org ")
    token = last_token()
    assert services.link_confirm(token=token).counted is False
    assert q.votes.count() == 1


def test_merge_combines_votes_counting_each_voter_once(world):
    a = question(world.meeting, "Speeding on Mill Lane", n=1)
    b = question(world.meeting, "Cars speed on Mill Lane", n=2, state="awaiting")
    both, only_b, only_a = verified(world.meeting, 3), verified(world.meeting, 4), verified(world.meeting, 5)
    for p in (both, only_a):
        Vote.objects.create(question=a, participant=p)
    for p in (both, only_b):
        Vote.objects.create(question=b, participant=p)
    services.question_merge(question=b, into=a, actor=world.officer)
    b.refresh_from_db()
    assert b.state == Question.State.MERGED
    assert b.merged_into == a
    # both, only_a, only_b and b's author: four people, each once.
    assert sorted(a.votes.values_list("participant_id", flat=True)) == sorted(
        [both.pk, only_a.pk, only_b.pk, b.participant_id]
    )
    assert AuditEntry.objects.get(action="meetings.question.merge").data["votes_moved"] == 2


def test_reject_needs_a_reason_and_is_audited(world):
    q = question(world.meeting, state="awaiting")
    with pytest.raises(services.MeetingInvalid):
        services.question_reject(question=q, actor=world.officer, reason=" ")
    services.question_reject(question=q, actor=world.officer, reason="Not about policing")
    q.refresh_from_db()
    assert q.state == Question.State.REJECTED
    assert q.reject_reason == "Not about policing"
    assert AuditEntry.objects.filter(action="meetings.question.reject", actor=world.officer).exists()


def test_another_division_cannot_moderate(world):
    q = question(world.meeting, state="awaiting")
    for act in (services.question_approve, services.question_hide):
        with pytest.raises(services.MeetingPermissionError):
            act(question=q, actor=world.other)
    services.question_approve(question=q, actor=world.hq)  # force-wide staff moderate any


def test_an_action_creates_a_priority_from_the_meeting(world):
    action = services.action_add(
        meeting=world.meeting, actor=world.officer, summary="Speed checks on Mill Lane", action="Weekly checks"
    )
    priority = action.priority
    assert priority.neighbourhood == world.abbey
    assert priority.source_kind == Source.PACT
    assert "Abbey PACT meeting" in priority.source_reference
    assert priority.source_url.endswith(world.meeting.get_absolute_url())
    assert AuditEntry.objects.filter(action="priorities.priority.create").exists()
    assert AuditEntry.objects.filter(action="meetings.action.add").exists()


def test_an_action_updates_an_existing_priority(world):
    first = services.action_add(meeting=world.meeting, actor=world.officer, summary="Litter at the park")
    services.action_add(
        meeting=world.meeting,
        actor=world.officer,
        summary="Bins ordered",
        priority=first.priority,
        status="in_progress",
    )
    update = PriorityUpdate.objects.get()
    assert update.priority == first.priority
    assert "Bins ordered" in update.note
    assert update.status == "in_progress"
    assert Priority.objects.count() == 1
    assert Action.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.action_add(meeting=world.meeting, actor=world.other, summary="x")
