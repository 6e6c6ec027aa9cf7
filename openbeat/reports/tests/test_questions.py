import datetime as dt

import pytest
from django.utils import timezone

from openbeat.reports import questions
from openbeat.reports.models import Question
from openbeat.reports.tests.factories import QuestionFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db

KIND = [{"value": "asb", "label": "Anti-social behaviour"}, {"value": "road", "label": "Road-related"}]


@pytest.fixture
def incident():
    report_type = ReportTypeFactory(slug="test-incident")
    QuestionFactory(
        report_type=report_type, key="kind", label="What kind?", kind=Question.Kind.CHOICE, choices=KIND, page=1
    )
    QuestionFactory(
        report_type=report_type,
        key="vehicle",
        label="Was a vehicle involved?",
        kind=Question.Kind.YES_NO,
        page=2,
        page_title="The road",
        condition={"question": "kind", "in": ["road"]},
    )
    QuestionFactory(
        report_type=report_type,
        key="registration",
        label="Registration",
        page=2,
        required=False,
        condition={"question": "vehicle", "in": ["yes"]},
    )
    QuestionFactory(report_type=report_type, key="what", label="What happened?", kind=Question.Kind.TEXTAREA, page=3)
    QuestionFactory(report_type=report_type, key="when", label="When?", kind=Question.Kind.DATE, page=3, required=False)
    return report_type


def keys(qs):
    return [q.key for q in qs]


def test_conditional_questions_show_only_when_the_earlier_answer_matches(incident):
    assert keys(questions.visible_questions(incident, {})) == ["kind", "what", "when"]
    assert keys(questions.visible_questions(incident, {"kind": "road"})) == ["kind", "vehicle", "what", "when"]
    assert keys(questions.visible_questions(incident, {"kind": "road", "vehicle": "yes"})) == [
        "kind",
        "vehicle",
        "registration",
        "what",
        "when",
    ]


def test_a_question_whose_parent_is_hidden_is_hidden_too(incident):
    # "vehicle" was answered yes, then the kind changed: registration must not be asked any more.
    assert "registration" not in keys(questions.visible_questions(incident, {"kind": "asb", "vehicle": "yes"}))


def test_circular_and_malformed_conditions_hide_the_question():
    report_type = ReportTypeFactory()
    QuestionFactory(report_type=report_type, key="a", condition={"question": "b", "in": ["x"]})
    QuestionFactory(report_type=report_type, key="b", condition={"question": "a", "in": ["x"]})
    QuestionFactory(report_type=report_type, key="c", condition=["nonsense"])
    QuestionFactory(report_type=report_type, key="d", condition={"question": "missing", "in": ["x"]})
    QuestionFactory(report_type=report_type, key="e")
    assert keys(questions.visible_questions(report_type, {"a": "x", "b": "x"})) == ["e"]


def test_multichoice_answers_match_a_condition_on_any_value():
    report_type = ReportTypeFactory()
    QuestionFactory(report_type=report_type, key="items", kind=Question.Kind.MULTICHOICE, choices=["bag", "phone"])
    QuestionFactory(report_type=report_type, key="imei", condition={"question": "items", "in": ["phone"]})
    assert keys(questions.visible_questions(report_type, {"items": ["bag", "phone"]})) == ["items", "imei"]
    assert keys(questions.visible_questions(report_type, {"items": ["bag"]})) == ["items"]


def test_pages_group_shown_questions_and_drop_empty_pages(incident):
    found = questions.pages(incident, {"kind": "asb"})
    assert [(p.number, p.title, keys(p.questions)) for p in found] == [
        (1, "What kind?", ["kind"]),
        (3, "What happened?", ["what", "when"]),
    ]
    found = questions.pages(incident, {"kind": "road"})
    assert [(p.number, p.title) for p in found] == [(1, "What kind?"), (2, "The road"), (3, "What happened?")]


def test_validation_errors_by_key(incident):
    errors = questions.validate_answers(incident, {"kind": "road"})
    assert set(errors) == {"vehicle", "what"}
    assert errors["vehicle"] == 'Select an option for "Was a vehicle involved"'
    assert errors["what"] == 'Enter an answer for "What happened"'


def test_validation_limited_to_one_page(incident):
    assert questions.validate_answers(incident, {}, only={"kind"}) == {"kind": 'Select an option for "What kind"'}
    assert questions.validate_answers(incident, {"kind": "asb"}, only={"kind"}) == {}


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"kind": "boat"}, "kind"),
        ({"kind": ["asb"]}, "kind"),
        ({"kind": "road", "vehicle": "maybe"}, "vehicle"),
        ({"what": "x" * 5001}, "what"),
        ({"what": {"a": 1}}, "what"),
        ({"what": "nul\x00byte"}, "what"),
        ({"when": "2026-02-30"}, "when"),
        ({"when": "yesterday"}, "when"),
    ],
)
def test_bad_answers_are_refused(incident, answers, key):
    base = {"kind": "asb", "what": "Noise"}
    assert key in questions.validate_answers(incident, {**base, **answers})


def test_dates_in_the_future_are_refused(incident):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    errors = questions.validate_answers(incident, {"kind": "asb", "what": "x", "when": tomorrow})
    assert errors == {"when": '"When" must be today or in the past'}


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (Question.Kind.TIME, ["14:30", "9:05", "00:00"], ["24:00", "2pm", "14.30"]),
        (Question.Kind.NUMBER, ["0", "12", "3.5"], ["-1", "ten", "NaN", "1e40"]),
    ],
)
def test_times_and_numbers(kind, good, bad):
    report_type = ReportTypeFactory()
    QuestionFactory(report_type=report_type, key="q", kind=kind)
    for value in good:
        assert questions.validate_answers(report_type, {"q": value}) == {}, value
    for value in bad:
        assert "q" in questions.validate_answers(report_type, {"q": value}), value


def test_optional_questions_may_be_blank_and_hidden_answers_are_not_validated(incident):
    assert questions.validate_answers(incident, {"kind": "asb", "what": "Noise", "vehicle": "nonsense"}) == {}


def test_clean_keeps_only_shown_answers_trimmed(incident):
    answers = {"kind": "asb", "what": "  Noise\r\nat night ", "vehicle": "yes", "registration": "AB12CDE", "x": 1}
    assert questions.answers_clean(incident, answers) == {"kind": "asb", "what": "Noise\nat night"}


def test_display_uses_labels_and_readable_dates(incident):
    rows = questions.answers_display(
        incident, {"kind": "road", "vehicle": "no", "what": "A crash", "when": "2026-03-04"}
    )
    assert [(r["key"], r["label"], r["answer"]) for r in rows] == [
        ("kind", "What kind?", "Road-related"),
        ("vehicle", "Was a vehicle involved?", "No"),
        ("what", "What happened?", "A crash"),
        ("when", "When?", "4 March 2026"),
    ]
    assert [r["page"] for r in rows] == [1, 2, 3, 3]


def test_multichoice_display_and_clean_follow_the_options_order():
    report_type = ReportTypeFactory()
    QuestionFactory(
        report_type=report_type,
        key="items",
        kind=Question.Kind.MULTICHOICE,
        choices=[{"value": "bag", "label": "A bag"}, {"value": "phone", "label": "A phone"}],
    )
    assert questions.answers_clean(report_type, {"items": ["phone", "bag"]}) == {"items": ["bag", "phone"]}
    assert questions.answers_display(report_type, {"items": ["phone", "bag"]})[0]["answer"] == "A bag, A phone"
    assert "items" in questions.validate_answers(report_type, {"items": ["bag", "car"]})
