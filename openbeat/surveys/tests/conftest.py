"""The surveys' test world: two divisions with a neighbourhood and postcode each, staff in the roles that matter,
and a published survey with every kind of question and a condition."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.surveys import services
from openbeat.surveys.models import Question, Survey

PRIVACY = "We keep your answers for two years to plan neighbourhood policing. Nobody can be identified from results."


@pytest.fixture
def world(west, east) -> Any:
    west_nbh = NeighbourhoodFactory(code="W01", name="Ashbridge", division=west)
    east_nbh = NeighbourhoodFactory(code="E01", name="Eastfield", division=east)
    return SimpleNamespace(
        west=west,
        east=east,
        west_nbh=west_nbh,
        east_nbh=east_nbh,
        west_postcode=PostcodeFactory(neighbourhood=west_nbh).postcode,
        east_postcode=PostcodeFactory(neighbourhood=east_nbh).postcode,
        lead=staff_user(roles.DIVISION_LEAD, west, username="lead-west"),
        officer=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer-west"),
        other=staff_user(roles.DIVISION_LEAD, east, username="lead-east"),
        hq=staff_user(roles.HQ_MEDIA, None, username="hq"),
        public=UserFactory(username="public"),
    )


def build_survey(actor: Any, *, division: Any = None, slug: str = "feeling-safe") -> Survey:
    """Section 1: seen police (yes/no), how safe (1-5), postcode. Section 2 (only when 'Yes'): what they did
    (multiple), grid, likelihood (0-10). Section 3: comments (free text, optional)."""
    survey = services.survey_create(
        actor=actor, title="Feeling safe", slug=slug, privacy_notice=PRIVACY, intro="Tell us.", division=division
    )
    first = services.section_add(survey=survey, actor=actor, title="About you")
    seen = services.question_save(
        section=first,
        actor=actor,
        kind=Question.Kind.SINGLE,
        text="Have you seen police officers on patrol in the last month?",
        options=[(None, "Yes"), (None, "No")],
    )
    services.question_save(section=first, actor=actor, kind=Question.Kind.SCALE_5, text="How safe do you feel?")
    services.question_save(section=first, actor=actor, kind=Question.Kind.POSTCODE, text="What is your postcode?")
    second = services.section_add(survey=survey, actor=actor, title="The patrol")
    services.question_save(
        section=second,
        actor=actor,
        kind=Question.Kind.MULTIPLE,
        text="What were they doing?",
        options=[(None, "Walking"), (None, "Driving"), (None, "Talking to people")],
    )
    services.question_save(
        section=second,
        actor=actor,
        kind=Question.Kind.GRID,
        text="How far do you agree?",
        options=[(None, "They were friendly"), (None, "They were easy to approach")],
    )
    services.question_save(
        section=second, actor=actor, kind=Question.Kind.SCALE_10, text="How likely are you to talk to them?"
    )
    services.section_condition_set(section=second, actor=actor, show_when=seen.options.get(label="Yes"))
    third = services.section_add(survey=survey, actor=actor, title="Anything else")
    services.question_save(
        section=third, actor=actor, kind=Question.Kind.TEXT, text="Anything else to tell us?", required=False
    )
    return survey


class Ids:
    """The survey's question and option ids by name, for writing answers."""

    def __init__(self, survey: Survey) -> None:
        questions = list(Question.objects.filter(section__survey=survey).order_by("section__position", "position"))
        self.seen, self.safe, self.postcode, self.doing, self.grid, self.likely, self.comments = questions
        self.yes, self.no = (o.pk for o in self.seen.options.all())
        self.walking, self.driving, self.talking = (o.pk for o in self.doing.options.all())
        self.friendly, self.approachable = (o.pk for o in self.grid.options.all())

    def answers(self, *, postcode: str, seen: bool = True, safe: int = 4, comment: str = "") -> dict[str, Any]:
        answers: dict[str, Any] = {
            str(self.seen.pk): self.yes if seen else self.no,
            str(self.safe.pk): safe,
            str(self.postcode.pk): postcode,
        }
        if seen:
            answers |= {
                str(self.doing.pk): [self.walking, self.talking],
                str(self.grid.pk): {str(self.friendly): 4, str(self.approachable): 5},
                str(self.likely.pk): 7,
            }
        if comment:
            answers[str(self.comments.pk)] = comment
        return answers


@pytest.fixture
def survey(world) -> Survey:
    built = build_survey(world.lead, division=world.west)
    services.survey_publish(survey=built, actor=world.lead)
    built.refresh_from_db()
    return built


@pytest.fixture
def ids(survey) -> Ids:
    return Ids(survey)
