"""Report types in the back office: HQ edits them and their questions; others are refused; never deleted."""

from __future__ import annotations

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.reports.models import ReportType
from openbeat.reports.tests.factories import QuestionFactory, ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

LIST = "/admin/report-types/"
ADD = f"{LIST}new/"


@pytest.fixture
def owner():
    return staff_user(roles.HQ_MEDIA, username="hq")


@pytest.fixture
def administrator():
    return staff_user(roles.ADMINISTRATOR, username="admin.person")


def form(questions: list[dict[str, str]] = (), **overrides: str) -> dict[str, str]:
    data = {
        "name": "Report a noisy party",
        "slug": "noisy-party",
        "kind": "incident",
        "summary": "Loud music late at night.",
        "start_page": "",
        "signposts": '[{"text": "Your council", "url": "https://www.gov.uk/find-local-council"}]',
        "location": "required",
        "max_evidence_files": "3",
        "sla_amber_hours": "24",
        "sla_red_hours": "48",
        "handling_group": "",
        "handling_email": "",
        "active": "on",
        "open311": "on",
        "sort_order": "5",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        **overrides,
    }
    for n, question in enumerate(questions):
        row = {
            "key": "",
            "label": "A question?",
            "hint": "",
            "kind": "text",
            "choices": "[]",
            "required": "on",
            "max_length": "5000",
            "page": "1",
            "page_title": "",
            "condition": "null",
            "sort_order": str(n),
            "ORDER": str(n + 1),
            **question,
        }
        data.update({f"questions-{n}-{k}": v for k, v in row.items()})
    return data


PARTY_QUESTIONS = [
    {"key": "music", "label": "Is there loud music?", "kind": "yes_no"},
    {"key": "since", "label": "Since when?", "kind": "time", "condition": '{"question": "music", "in": ["yes"]}'},
    {"key": "where", "label": "What kind of place?", "kind": "choice", "choices": '["house", "pub"]'},
]


def test_hq_adds_a_type_with_conditional_questions_and_it_is_audit_logged(client, owner):
    client.force_login(owner)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, form(PARTY_QUESTIONS))
    assert response.status_code == 302, response.content.decode()[:3000]
    report_type = ReportType.objects.get(slug="noisy-party")
    assert [q.key for q in report_type.questions.all()] == ["music", "since", "where"]
    assert report_type.questions.get(key="since").condition == {"question": "music", "in": ["yes"]}
    entry = AuditEntry.objects.get(action="reports.reporttype.create")
    assert entry.actor == owner
    assert "questions" in entry.data["fields"]


def test_hq_edits_a_question_and_the_change_is_logged(client, owner):
    report_type = ReportTypeFactory(slug="edit-me", name="Edit me")
    question = QuestionFactory(report_type=report_type, key="what", label="What?")
    client.force_login(owner)
    data = form(
        [{"key": "what", "label": "What happened?", "id": str(question.pk)}],
        name="Edit me",
        slug="edit-me",
        **{"questions-INITIAL_FORMS": "1"},
    )
    response = client.post(f"{LIST}edit/{report_type.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert question.label == "What happened?"
    assert "questions" in AuditEntry.objects.get(action="reports.reporttype.change").data["fields"]


@pytest.mark.parametrize(
    ("questions", "overrides", "message"),
    [
        ([{"key": "a", "kind": "choice", "choices": "[]"}], {}, "Enter the choices"),
        ([{"key": "a", "condition": '{"question": "nope", "in": ["x"]}'}], {}, "must name another question"),
        ([{"key": "a", "condition": '{"question": "a", "in": ["x"]}'}], {}, "must name another question"),
        ([{"key": "a"}, {"key": "a"}], {}, "already has this key"),
        ([], {"signposts": '[{"text": "Bad", "url": "javascript:alert(1)"}]'}, "must start with https://"),
    ],
)
def test_the_form_refuses_what_the_journey_could_not_ask(client, owner, questions, overrides, message):
    client.force_login(owner)
    response = client.post(ADD, form(questions, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportType.objects.filter(slug="noisy-party").exists()


@pytest.mark.parametrize("who", ["division lead", "neighbourhood officer", "contact centre", "no role"])
def test_others_are_refused(client, west, refused, who):
    user = {
        "division lead": lambda: staff_user(roles.DIVISION_LEAD, west),
        "neighbourhood officer": lambda: staff_user(roles.NEIGHBOURHOOD_OFFICER, west),
        "contact centre": lambda: staff_user(roles.CONTACT_CENTRE),
        "no role": lambda: UserFactory(),
    }[who]()
    report_type = ReportTypeFactory(slug="locked")
    client.force_login(user)
    assert refused(client.get(LIST))
    assert refused(client.post(ADD, form()))
    assert refused(client.post(f"{LIST}edit/{report_type.pk}/", form(slug="locked", name="Changed")))
    assert ReportType.objects.get(pk=report_type.pk).name != "Changed"
    assert not ReportType.objects.filter(slug="noisy-party").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, refused):
    assert refused(client.get(LIST))


def test_types_are_never_deleted_not_even_by_an_administrator(client, administrator, refused):
    report_type = ReportTypeFactory(slug="keep-me")
    client.force_login(administrator)
    assert client.get(LIST).status_code == 200
    assert refused(client.post(f"{LIST}delete/{report_type.pk}/"))
    assert ReportType.objects.filter(pk=report_type.pk).exists()


def test_the_menu_item_sits_in_the_do_it_online_section(client, owner):
    client.force_login(owner)
    page = client.get("/admin/").content.decode()
    assert "Report types" in page
