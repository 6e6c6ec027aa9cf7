"""The demo's surveys and indices: "Your neighbourhood, your say" open now (a few hundred responses over the last
months, through the public link, In the Know and officers' devices), and "Public confidence survey 2026" closed
(about 3,000 responses over a year across the demo's neighbourhoods, each with its own level of confidence, and a
few quiet neighbourhoods below the small-number minimum to show suppression); the indices "Confidence in local
policing" and "Satisfaction" defined on them; free-text answers, some shown, some hidden, some not yet read.

Fast: the builder rows are a few dozen creates; responses and answers are two bulk inserts. The surveys, their
versions, the responses and the indices are written in the demo's register (answers, sections, questions and
options go with them), so `demo_reset` removes them. Deterministic (its own seed) and idempotent: a second run adds
nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from openbeat.areas.models import Neighbourhood
from openbeat.demo.registry import demo_tag, demo_tagged, demo_unused
from openbeat.surveys import logic
from openbeat.surveys.models import (
    Answer,
    Channel,
    Option,
    Question,
    Response,
    Section,
    Survey,
    SurveyIndex,
    SurveyIndexComponent,
    SurveyVersion,
)
from openbeat.surveys.selectors import definition_of

SEED = "openbeat-demo-surveys"
PRIVACY = (
    "Demoshire Police asks these questions to understand how safe people feel and what they think of local "
    "policing. Answers are kept for two years, seen only by police staff planning neighbourhood policing, and "
    "published only as figures from which nobody can be identified."
)
AGREE = ["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree", "Strongly disagree",
         "Don't know"]  # fmt: skip
AGREE_SCORES = [100.0, 75.0, 50.0, 25.0, 0.0, None]  # "Don't know" left out
SATISFIED = ["Very satisfied", "Fairly satisfied", "Neither", "Fairly dissatisfied", "Very dissatisfied"]
SATISFIED_SCORES = [100.0, 75.0, 50.0, 25.0, 0.0]
RELIED_ON = "The police in this area can be relied on to be there when you need them"
UNDERSTAND = "The police in this area understand the issues that affect this community"
SAFE = "How safe do you feel walking alone in your area after dark?"
GOOD_JOB = "Taking everything into account, how good a job are the police in this area doing?"
TEAM = "How satisfied are you with the service from your neighbourhood team?"
COMMENTS = [
    "More patrols in the evening around the shops, please.",
    "The PCSO at the school gate is great with the children.",
    "Speeding on the main road is the biggest problem here.",
    "I did not know who my local officers were until this survey.",
    "Thank you for the quick response when our shed was broken into.",
    "Parking on the pavement makes it hard with a pushchair.",
    "Would like a PACT meeting at a time working people can get to.",
    "Anti-social behaviour in the park has got better this year.",
]


def _survey(title: str, slug: str, intro: str, state: str, questions: list[tuple[str, str, list[str]]]) -> Survey:
    """A survey with one section of `questions` (kind, text, options), published as version 1."""
    survey = Survey.objects.create(
        title=title,
        slug=demo_unused(Survey, [{"slug": f"{slug}{s}"} for s in ("", "-demo", "-demo-2", "-demo-3")])["slug"],
        intro=intro,
        privacy_notice=PRIVACY,
        state=state,
    )
    section = Section.objects.create(survey=survey, title="Your views", position=1)
    for position, (kind, text, options) in enumerate(questions, start=1):
        question = Question.objects.create(
            section=section, kind=kind, text=text, position=position, required=kind != logic.TEXT
        )
        Option.objects.bulk_create(
            [Option(question=question, label=label, position=n) for n, label in enumerate(options, start=1)]
        )
    version = SurveyVersion.objects.create(
        survey=survey, number=1, definition=definition_of(survey), published_at=timezone.now() - timedelta(days=400)
    )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


def _ids(survey: Survey) -> list[dict[str, Any]]:
    return logic.questions(survey.current_version.definition)  # type: ignore[union-attr]


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _respond(
    rng: random.Random,
    survey: Survey,
    *,
    count: int,
    days: int,
    places: list[Neighbourhood],
    weights: list[float],
    mood: dict[int, float],
    channels: list[tuple[str, float]],
) -> tuple[list[Response], list[Answer]]:
    """`count` responses over the last `days` days; a neighbourhood's `mood` (-1 to 1) tilts its answers."""
    questions = _ids(survey)
    now = timezone.now()
    responses, answers = [], []
    names, channel_weights = zip(*channels, strict=True)
    for _ in range(count):
        place = rng.choices(places, weights=weights)[0]
        submitted = now - timedelta(days=rng.random() * days, minutes=rng.randint(0, 600))
        response = Response(
            client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            survey=survey,
            version=survey.current_version,  # type: ignore[misc]
            channel=rng.choices(names, weights=channel_weights)[0],
            neighbourhood=place,
            division_id=place.division_id,
            digest="demo",
            submitted_at=submitted,
        )
        responses.append(response)
        tilt = mood[place.pk] + rng.gauss(0, 0.6)
        for question in questions:
            kind, qid = question["kind"], question["id"]
            common = {
                "response": response,
                "survey": survey,
                "question_id": qid,
                "channel": response.channel,
                "neighbourhood_id": place.pk,
                "division_id": place.division_id,
                "submitted_at": submitted,
            }
            options = [o["id"] for o in question["options"]]
            if kind == logic.SINGLE:
                if len(options) == len(AGREE) and rng.random() < 0.06:
                    chosen = options[-1]  # "Don't know"
                else:
                    scale = len(options) - (1 if len(options) == len(AGREE) else 0)
                    chosen = options[_clamp((scale - 1) / 2 - tilt * scale / 2.5 + rng.gauss(0, 0.8), 0, scale - 1)]
                answers.append(Answer(option_id=chosen, **common))
            elif kind == logic.SCALE_5:
                answers.append(Answer(value=_clamp(3 + tilt * 1.6 + rng.gauss(0, 0.7), 1, 5), **common))
            elif kind == logic.SCALE_10:
                answers.append(Answer(value=_clamp(6 + tilt * 3 + rng.gauss(0, 1.4), 0, 10), **common))
            elif kind == logic.GRID:
                for statement in options:
                    answers.append(
                        Answer(option_id=statement, value=_clamp(3.4 + tilt * 1.5 + rng.gauss(0, 0.8), 1, 5), **common)
                    )
            elif kind == logic.TEXT and rng.random() < 0.04:
                roll = rng.random()
                state = Answer.Moderation.SHOWN if roll < 0.5 else Answer.Moderation.HIDDEN if roll < 0.7 else (
                    Answer.Moderation.PENDING)  # fmt: skip
                answers.append(Answer(text=rng.choice(COMMENTS), moderation=state, **common))
    return responses, answers


def _component(index: SurveyIndex, survey: Survey, position: int, *, kind: str, text: str, scores: list[float | None],
               statement: int | None = None, weight: float = 1.0) -> SurveyIndexComponent:  # fmt: skip
    question = next(q for q in _ids(survey) if q["text"] == text)
    if statement is not None:
        text += ": " + next(o["label"] for o in question["options"] if o["id"] == statement)
    keys = [str(o["id"]) for o in question["options"]] if kind == logic.SINGLE else [str(n) for n in range(1, 6)]
    return SurveyIndexComponent(
        index=index,
        survey=survey,
        question_id=question["id"],
        statement_id=statement,
        kind=kind,
        label=f"{survey.title}: {text}",
        weight=weight,
        scores={k: v for k, v in zip(keys, scores, strict=False) if v is not None},
        position=position,
    )


def surveys_demo(ctx: Any = None) -> str:
    if demo_tagged(Survey.objects.all()).exists():
        return "already there"
    places = list(demo_tagged(Neighbourhood.objects.all()).order_by("code"))
    if not places:
        return "skipped: no demo neighbourhoods"
    rng = random.Random(SEED)
    # Each neighbourhood its own level of confidence; most answer often, a few hardly at all (below the minimum).
    mood = {n.pk: rng.gauss(0.15, 0.45) for n in places}
    weights = [0.15 if i % 11 == 5 else rng.uniform(0.6, 1.6) for i, _ in enumerate(places)]
    with transaction.atomic():
        confidence = _survey(
            "Public confidence survey 2026",
            "public-confidence-2026",
            "A year-long survey of confidence in policing in your neighbourhood.",
            Survey.State.CLOSED,
            [
                (logic.SINGLE, RELIED_ON, list(AGREE)),
                (logic.SINGLE, UNDERSTAND, list(AGREE)),
                (logic.SCALE_5, SAFE, []),
                (logic.SINGLE, GOOD_JOB, ["Excellent", "Good", "Fair", "Poor", "Very poor"]),
                (logic.TEXT, "Is there anything else you would like to tell us?", []),
            ],
        )  # fmt: skip
        say = _survey(
            "Your neighbourhood, your say",
            "your-neighbourhood-your-say",
            "Tell your neighbourhood team what matters to you.",
            Survey.State.OPEN,
            [
                (logic.SINGLE, TEAM, list(SATISFIED)),
                (logic.GRID, "How far do you agree?", ["My neighbourhood team is easy to contact",
                                                      "They keep us informed about what they are doing"]),
                (logic.SCALE_10, "How likely are you to contact your neighbourhood team about a concern?", []),
                (logic.TEXT, "What should your neighbourhood team focus on?", []),
            ],
        )  # fmt: skip
        responses, answers = _respond(
            rng, confidence, count=3_000, days=365, places=places, weights=weights, mood=mood,
            channels=[(Channel.PUBLIC, 0.6), (Channel.IN_THE_KNOW, 0.3), (Channel.OFFICER, 0.1)],
        )  # fmt: skip
        more, more_answers = _respond(
            rng, say, count=420, days=75, places=places, weights=weights, mood=mood,
            channels=[(Channel.PUBLIC, 0.4), (Channel.IN_THE_KNOW, 0.4), (Channel.OFFICER, 0.2)],
        )  # fmt: skip
        responses += more
        Response.objects.bulk_create(responses, batch_size=1_000)
        for answer in [*answers, *more_answers]:
            answer.response_id = answer.response.pk
        Answer.objects.bulk_create([*answers, *more_answers], batch_size=2_000)
        trust = SurveyIndex.objects.create(
            name="Confidence in local policing",
            slug=demo_unused(SurveyIndex, [{"slug": s} for s in ("confidence", "confidence-demo")])["slug"],
            description="The Crime Survey for England and Wales' confidence questions: relied on, understands the "
            "community, and a good job overall; with feeling safe after dark.",
        )
        satisfaction = SurveyIndex.objects.create(
            name="Satisfaction",
            slug=demo_unused(SurveyIndex, [{"slug": s} for s in ("satisfaction", "satisfaction-demo")])["slug"],
            description="Satisfaction with the neighbourhood team, how easy it is to contact and how well it informs.",
        )
        grid = next(q for q in _ids(say) if q["kind"] == logic.GRID)
        SurveyIndexComponent.objects.bulk_create(
            [
                _component(trust, confidence, 1, kind=logic.SINGLE, text=RELIED_ON, scores=list(AGREE_SCORES)),
                _component(trust, confidence, 2, kind=logic.SINGLE, text=UNDERSTAND, scores=list(AGREE_SCORES)),
                _component(trust, confidence, 3, kind=logic.SINGLE, weight=2.0, text=GOOD_JOB,
                           scores=list(SATISFIED_SCORES)),
                _component(trust, confidence, 4, kind=logic.SCALE_5, text=SAFE, scores=[]),
                _component(satisfaction, say, 1, kind=logic.SINGLE, weight=2.0, text=TEAM,
                           scores=list(SATISFIED_SCORES)),
                *[_component(satisfaction, say, 2 + n, kind=logic.GRID, statement=s["id"], text=grid["text"],
                             scores=[0.0, 25.0, 50.0, 75.0, 100.0]) for n, s in enumerate(grid["options"])],
            ]
        )  # fmt: skip
        demo_tag(objs=[confidence, say, confidence.current_version, say.current_version, trust, satisfaction])  # type: ignore[list-item]
        demo_tag(objs=responses)
    return f"2 surveys with {len(responses):,} responses and {len(answers) + len(more_answers):,} answers; 2 indices"
