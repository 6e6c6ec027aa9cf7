"""Survey logic over a frozen definition: conditions, required questions, canonical answers (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from openbeat.surveys import logic


def definition(*, required_second: bool = True) -> dict:
    return {
        "title": "T",
        "intro": "",
        "privacy_notice": "P",
        "sections": [
            {
                "id": 1,
                "title": "First",
                "intro": "",
                "conditions": [],
                "questions": [
                    {
                        "id": 10,
                        "kind": "single",
                        "text": "Seen police?",
                        "hint": "",
                        "required": True,
                        "conditions": [],
                        "options": [{"id": 100, "label": "Yes"}, {"id": 101, "label": "No"}],
                    },
                    {
                        "id": 11,
                        "kind": "text",
                        "text": "Why not?",
                        "hint": "",
                        "required": True,
                        "conditions": [101],
                        "options": [],
                    },
                ],
            },
            {
                "id": 2,
                "title": "Patrol",
                "intro": "",
                "conditions": [100],
                "questions": [
                    {
                        "id": 20,
                        "kind": "scale5",
                        "text": "Friendly?",
                        "hint": "",
                        "required": required_second,
                        "conditions": [],
                        "options": [],
                    },
                    {
                        "id": 21,
                        "kind": "grid",
                        "text": "Agree?",
                        "hint": "",
                        "required": True,
                        "conditions": [],
                        "options": [{"id": 210, "label": "A"}, {"id": 211, "label": "B"}],
                    },
                ],
            },
        ],
    }


def test_a_section_is_shown_only_when_its_condition_is_chosen():
    d = definition()
    assert [s["id"] for s in logic.visible_sections(d, {"10": 100})] == [1, 2]
    assert [s["id"] for s in logic.visible_sections(d, {"10": 101})] == [1]
    assert [q["id"] for q in logic.visible_questions(d, {"10": 101})] == [10, 11]
    assert [q["id"] for q in logic.visible_questions(d, {})] == [10]


def test_required_questions_are_asked_for_only_when_shown():
    d = definition()
    _, errors = logic.validate(d, {"10": 101})
    assert errors == {"11": "Enter your answer"}
    cleaned, errors = logic.validate(d, {"10": 101, "11": "Never see them"})
    assert errors == {}
    assert cleaned == {"10": 101, "11": "Never see them"}


def test_answers_to_hidden_questions_are_dropped():
    cleaned, errors = logic.validate(definition(), {"10": 101, "11": "x", "20": 3, "21": {"210": 1, "211": 2}})
    assert errors == {}
    assert cleaned == {"10": 101, "11": "x"}


def test_a_grid_needs_every_statement_when_required():
    _, errors = logic.validate(definition(), {"10": 100, "20": 3, "21": {"210": 1}})
    assert errors == {"21": "Choose an answer for each statement"}


def test_a_later_condition_on_an_earlier_question_is_a_publishing_problem():
    d = definition()
    d["sections"][0]["conditions"] = [100]
    assert logic.condition_problems(d) == ["Section 'First' depends on an answer that does not come before it"]
    assert logic.condition_problems(definition()) == []


answer_values = st.one_of(
    st.none(),
    st.integers(-5, 300),
    st.booleans(),
    st.text(max_size=5),
    st.lists(st.integers(95, 105), max_size=3),
    st.dictionaries(st.sampled_from(["210", "211", "999", "x"]), st.integers(-1, 6), max_size=3),
)
answer_sets = st.dictionaries(st.sampled_from(["10", "11", "20", "21", "99"]), answer_values, max_size=5)


@given(answer_sets, st.booleans())
@settings(max_examples=300, deadline=None)
def test_valid_answers_cover_exactly_the_shown_required_questions(answers, required_second):
    d = definition(required_second=required_second)
    cleaned, errors = logic.validate(d, answers)
    shown = {str(q["id"]): q for q in logic.visible_questions(d, answers)}
    # Nothing outside the shown questions is kept or complained about.
    assert set(cleaned) <= set(shown)
    assert set(errors) <= set(shown)
    if not errors:
        for key, question in shown.items():
            if question["required"]:
                assert key in cleaned
        # Valid answers validate again to themselves, with the same questions shown.
        assert logic.validate(d, cleaned) == (cleaned, {})
        assert [q["id"] for q in logic.visible_questions(d, cleaned)] == [int(k) for k in shown]


@given(answer_sets)
@settings(max_examples=200, deadline=None)
def test_the_digest_ignores_order(answers):
    d = definition()
    cleaned, _errors = logic.validate(d, answers)
    reordered = dict(reversed(list(cleaned.items())))
    assert logic.answers_digest(1, cleaned) == logic.answers_digest(1, reordered)
    assert logic.answers_digest(1, cleaned) != logic.answers_digest(2, cleaned)


@given(st.lists(st.sampled_from([100, 101]), min_size=1, max_size=4))
def test_multiple_choice_lists_are_canonical(chosen):
    question = {"id": 1, "kind": "multiple", "required": True, "options": [{"id": 100}, {"id": 101}]}
    assert logic.clean_answer(question, chosen) == sorted(set(chosen))
