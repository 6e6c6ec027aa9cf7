"""Which words raise a safeguarding alert: whole words and phrases, any case and spacing."""

from __future__ import annotations

import pytest

from openbeat.youth import words

pytestmark = pytest.mark.django_db


def test_a_phrase_matches_with_any_case_and_spacing():
    assert words.matches("he HURTS   me every day") == ["hurts me"]


def test_a_word_inside_another_does_not_match():
    assert words.matches("I like grapes and therapists") == []


def test_general_questions_about_a_topic_raise_nothing():
    assert words.matches("Is it illegal to carry a pocket knife? What do drugs do to you?") == []
