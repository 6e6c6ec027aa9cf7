"""Reviewing conflicting submissions: the owner, a user of another division and an outsider; keep or replace;
the audit log; resolved conflicts listed apart."""

from __future__ import annotations

import uuid

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.staff.tests.factories import client_for
from openbeat.surveys import services
from openbeat.surveys.models import Answer, Response, ResponseConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(world, survey, ids):
    client_id = uuid.uuid4()
    version = survey.current_version
    services.response_submit(
        client_id=client_id, version=version, answers=ids.answers(postcode=world.west_postcode, safe=4, comment="Hi")
    )
    result = services.response_submit(
        client_id=client_id,
        version=version,
        answers=ids.answers(postcode=world.west_postcode, safe=1, comment="Changed my mind"),
        channel="officer",
    )
    assert result.outcome == services.Outcome.CONFLICT
    return result.conflict


def url(survey, *rest: str) -> str:
    return "/".join([f"/admin/surveys/{survey.pk}/conflicts", *rest, ""]).replace("//", "/")


def test_the_owner_sees_the_answers_side_by_side_and_the_count_on_the_survey_page(world, survey, ids, conflict):
    client = client_for(world.lead)
    assert "1 to review" in client.get(f"/admin/surveys/{survey.pk}/").text
    page = client.get(f"/admin/surveys/{survey.pk}/conflicts/")
    assert page.status_code == 200
    text = page.text
    assert "How safe do you feel?" in text
    assert "<td>4</td>" in text
    assert "<strong>1</strong>" in text  # the conflicting answer, marked as different
    assert "Changed my mind" in text
    assert "Officer&#x27;s device" in text or "Officer's device" in text


def test_keeping_the_stored_answers_resolves_it_with_who_and_when(world, survey, ids, conflict):
    client = client_for(world.lead)
    response = client.post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "keep"})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.resolved, conflict.resolution, conflict.resolved_by) == (True, "kept", world.lead)
    assert conflict.resolved_at is not None
    assert Answer.objects.get(question_id=ids.safe.pk).value == 4
    assert AuditEntry.objects.filter(action="surveys.conflict.keep", actor=world.lead).exists()
    page = client.get(f"/admin/surveys/{survey.pk}/conflicts/").text
    assert "None to review." in page
    assert "Stored answers kept" in page
    assert "0 to review" in client.get(f"/admin/surveys/{survey.pk}/").text


def test_replacing_rewrites_the_answers_through_the_service_and_is_audited(world, survey, ids, conflict):
    client = client_for(world.lead)
    client.post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "replace"})
    conflict.refresh_from_db()
    assert (conflict.resolved, conflict.resolution) == (True, "replaced")
    response = Response.objects.get()
    assert response.digest == conflict.digest
    assert Answer.objects.get(question_id=ids.safe.pk).value == 1
    comment = Answer.objects.get(question_id=ids.comments.pk)
    assert (comment.text, comment.moderation) == ("Changed my mind", Answer.Moderation.PENDING)
    assert Response.objects.count() == 1
    entry = AuditEntry.objects.get(action="surveys.conflict.replace")
    assert entry.actor == world.lead
    assert entry.data["conflict"] == conflict.pk
    # A second decision on the same conflict is refused.
    client.post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "keep"})
    conflict.refresh_from_db()
    assert conflict.resolution == "replaced"
    # The same answers sent again now match the stored ones: a duplicate, not a new conflict.
    again = services.response_submit(
        client_id=response.client_id,
        version=survey.current_version,
        answers=ids.answers(postcode=world.west_postcode, safe=1, comment="Changed my mind"),
    )
    assert again.outcome == services.Outcome.DUPLICATE


def test_an_unknown_action_changes_nothing(world, survey, conflict):
    client_for(world.lead).post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "x"})
    conflict.refresh_from_db()
    assert not conflict.resolved


def test_another_divisions_lead_can_neither_see_nor_resolve(world, survey, conflict):
    client = client_for(world.other)
    assert client.get(f"/admin/surveys/{survey.pk}/conflicts/").status_code == 404
    response = client.post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "replace"})
    assert response.status_code == 404
    conflict.refresh_from_db()
    assert not conflict.resolved
    with pytest.raises(services.SurveyPermissionError):
        services.conflict_resolve(conflict=conflict, actor=world.other, replace=True)
    assert not ResponseConflict.objects.get().resolved


def test_an_outsider_is_refused(world, survey, conflict, refused):
    client = client_for(world.public)
    assert refused(client.get(f"/admin/surveys/{survey.pk}/conflicts/"))
    assert refused(client.post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "keep"}))
    conflict.refresh_from_db()
    assert not conflict.resolved


def test_division_staff_review_only_their_divisions_responses_of_a_force_wide_survey(world, ids):
    from openbeat.surveys.tests.conftest import build_survey

    survey = build_survey(world.hq, division=None, slug="force")
    services.survey_publish(survey=survey, actor=world.hq)
    survey.refresh_from_db()
    from openbeat.surveys.tests.conftest import Ids

    force_ids = Ids(survey)
    client_id = uuid.uuid4()
    version = survey.current_version
    services.response_submit(
        client_id=client_id, version=version, answers=force_ids.answers(postcode=world.east_postcode)
    )
    conflict = services.response_submit(
        client_id=client_id, version=version, answers=force_ids.answers(postcode=world.east_postcode, safe=2)
    ).conflict
    west = client_for(world.lead)
    assert "None to review." in west.get(f"/admin/surveys/{survey.pk}/conflicts/").text
    assert (
        west.post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "keep"}).status_code == 404
    )
    east = client_for(world.other)
    east.post(f"/admin/surveys/{survey.pk}/conflicts/{conflict.pk}/resolve/", {"action": "keep"})
    conflict.refresh_from_db()
    assert conflict.resolved_by == world.other
