"""Asking anonymously, the safeguarding alert, answering, rejecting, and the safeguarding settings."""

from __future__ import annotations

import pytest
from django.core import mail

from openbeat.audit.models import AuditEntry
from openbeat.core.models import TransactionalMessage
from openbeat.youth import selectors, services
from openbeat.youth.models import AnonymousQuestion, SafeguardingAlert, SafeguardingSettings
from openbeat.youth.references import ALPHABET

pytestmark = pytest.mark.django_db

WORRYING = "My stepdad hurts me when mum is out and I am scared to go home"


@pytest.fixture
def safeguarding() -> SafeguardingSettings:
    return SafeguardingSettings.objects.create(emails="duty@police.example\nmash@council.example")


def test_a_question_gets_a_random_reference_and_only_its_hash_is_kept():
    first = services.question_submit(text="Is it illegal to carry a pocket knife?")
    second = services.question_submit(text="Is it illegal to carry a pocket knife?")
    raw = first.reference.replace("-", "")
    assert len(raw) == 12
    assert set(raw) <= set(ALPHABET)
    assert first.reference != second.reference
    assert first.reference not in first.question.reference_hash
    assert raw not in first.question.reference_hash


def test_the_reference_finds_its_question_however_it_is_typed():
    submitted = services.question_submit(text="Can the police see my messages?")
    typed = f"  {submitted.reference.replace('-', ' ').lower()} "
    assert selectors.question_by_reference(typed) == submitted.question


def test_a_wrong_or_empty_reference_finds_nothing():
    services.question_submit(text="Can the police see my messages?")
    assert selectors.question_by_reference("AAAA-BBBB-CCCC") is None
    assert selectors.question_by_reference(" - ") is None


def test_an_empty_or_long_question_is_refused():
    with pytest.raises(services.YouthInvalid) as empty:
        services.question_submit(text="   ")
    with pytest.raises(services.YouthInvalid) as long:
        services.question_submit(text="x" * 1501)
    assert empty.value.errors == {"text": "Enter your question"}
    assert "1500 characters" in long.value.errors["text"]
    assert AnonymousQuestion.objects.count() == 0


def test_asking_is_audited_without_an_address():
    submitted = services.question_submit(text="Is vaping illegal?")
    entry = AuditEntry.objects.get(action="youth.question.submit")
    assert entry.target_id == str(submitted.question.pk)
    assert entry.ip is None


def test_an_ordinary_question_raises_no_alert(safeguarding):
    submitted = services.question_submit(text="What age can I get a part-time job?")
    assert not submitted.question.urgent
    assert SafeguardingAlert.objects.count() == 0
    assert TransactionalMessage.objects.count() == 0


def test_words_of_a_child_at_risk_alert_every_configured_address_at_once(
    safeguarding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.question_submit(text=WORRYING)
    question = submitted.question
    assert question.urgent
    assert question.matched_words == "hurts me, scared to go home"
    assert sorted(m.to[0] for m in mail.outbox) == ["duty@police.example", "mash@council.example"]
    body = mail.outbox[0].body
    assert f"/admin/youth-questions/{question.pk}/" in body
    assert "hurts me" in body
    # The question itself is not put in an email: only the link to it.
    assert "stepdad" not in body


def test_the_alert_is_recorded_and_audited(safeguarding):
    question = services.question_submit(text=WORRYING).question
    alert = SafeguardingAlert.objects.get()
    entry = AuditEntry.objects.get(action="youth.question.safeguarding_alert")
    assert alert.question == question
    assert alert.recipients == 2
    assert entry.data["recipients"] == 2
    assert entry.ip is None


def test_the_alert_goes_through_a_real_mail_server(safeguarding, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.question_submit(text="someone at school is grooming my friend")
    recipients = sorted(address for e in smtp_server.envelopes for address in e.rcpt_tos)
    assert recipients == ["duty@police.example", "mash@council.example"]
    assert TransactionalMessage.objects.count() == 0  # sent, so deleted


def test_without_a_list_in_the_back_office_the_setting_applies(settings):
    settings.YOUTH_SAFEGUARDING_EMAILS = ["fallback@police.example"]
    services.question_submit(text="I want to kill myself")
    assert list(TransactionalMessage.objects.values_list("to", flat=True)) == ["fallback@police.example"]


def test_the_configured_words_replace_the_built_in_list():
    SafeguardingSettings.objects.create(emails="duty@police.example", words="purple elephant")
    assert services.question_submit(text="a PURPLE   elephant followed me").question.urgent
    assert not services.question_submit(text="someone hurts me").question.urgent


def test_urgent_questions_come_first_in_the_queue():
    calm = services.question_submit(text="What does a PCSO do?").question
    urgent = services.question_submit(text="He hit me again last night").question
    assert selectors.staff_queue()["waiting"] == [urgent, calm]


# ------------------------------------------------------------------------------------------------ answering


def test_a_private_answer_is_readable_with_the_reference_only(people):
    submitted = services.question_submit(text="Can I get in trouble for a photo my ex shared?")
    services.question_answer(question=submitted.question, actor=people.hq, answer="No. Talk to us.", public=False)
    found = selectors.question_by_reference(submitted.reference)
    assert found.state == AnonymousQuestion.State.ANSWERED
    assert found.answer == "No. Talk to us."
    assert list(selectors.published_questions()) == []


def test_a_public_answer_is_published_with_the_edited_question(people):
    question = services.question_submit(text="I'm Sam from Hill Top school: is vaping illegal?").question
    services.question_answer(
        question=question,
        actor=people.hq,
        answer="Selling to under-18s is.",
        public=True,
        public_text="Is vaping illegal?",
    )
    published = selectors.published_questions().get()
    assert published.public_text == "Is vaping illegal?"
    assert published.published_at is not None
    assert AuditEntry.objects.get(action="youth.question.publish").data == {"edited": True}


def test_an_urgent_question_is_never_published(people):
    question = services.question_submit(text="my uncle touched me").question
    with pytest.raises(services.YouthInvalid) as error:
        services.question_answer(question=question, actor=people.hq, answer="A", public=True, public_text="Q")
    assert "visibility" in error.value.errors
    assert list(selectors.published_questions()) == []


def test_an_answer_needs_text(people):
    question = services.question_submit(text="Q?").question
    with pytest.raises(services.YouthInvalid) as error:
        services.question_answer(question=question, actor=people.hq, answer=" ", public=True, public_text="")
    assert set(error.value.errors) == {"answer", "public_text"}


def test_rejecting_and_unpublishing_are_audited(people):
    question = services.question_submit(text="Q?").question
    services.question_answer(question=question, actor=people.hq, answer="A.", public=True, public_text="Q?")
    services.question_unpublish(question=question, actor=people.hq)
    services.question_reject(question=question, actor=people.hq)
    question.refresh_from_db()
    assert question.state == AnonymousQuestion.State.REJECTED
    assert AuditEntry.objects.filter(action__in=["youth.question.unpublish", "youth.question.reject"]).count() == 2


def test_only_force_wide_staff_with_the_permission_answer(people):
    question = services.question_submit(text="Q?").question
    for outsider in (people.lead, people.public):
        with pytest.raises(services.YouthPermissionError):
            services.question_answer(question=question, actor=outsider, answer="A", public=False)


def test_a_division_scoped_user_given_the_permission_is_still_refused(people):
    from django.contrib.auth.models import Permission

    people.lead.user_permissions.add(Permission.objects.get(codename="answer_question"))
    assert people.lead.has_perm("youth.answer_question")
    assert not services.can_answer(people.lead)


def test_hq_media_has_the_permission_and_the_division_roles_do_not(people):
    assert services.can_answer(people.hq)
    assert not people.lead.has_perm("youth.answer_question")


# ------------------------------------------------------------------------------------------------ settings


def test_an_administrator_sets_the_addresses_and_the_change_is_audited(people):
    services.safeguarding_settings_update(
        actor=people.admin, emails=" duty@police.example \n\n", words_text="hurts me\nnot safe"
    )
    row = SafeguardingSettings.objects.get()
    entry = AuditEntry.objects.get(action="youth.safeguarding_settings.change")
    assert row.email_list == ["duty@police.example"]
    assert row.word_list == ["hurts me", "not safe"]
    assert entry.actor == people.admin
    assert entry.data["emails"] == ["duty@police.example"]


def test_a_bad_address_is_refused(people):
    with pytest.raises(services.YouthInvalid) as error:
        services.safeguarding_settings_update(actor=people.admin, emails="not an address", words_text="")
    assert "emails" in error.value.errors
    assert not SafeguardingSettings.objects.exists()


def test_only_administrators_change_the_settings(people):
    with pytest.raises(services.YouthPermissionError):
        services.safeguarding_settings_update(actor=people.hq, emails="a@police.example", words_text="")
