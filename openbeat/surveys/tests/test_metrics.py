"""The surveys' figures for the board report's "Events and surveys"."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.utils import timezone

from openbeat.core.metric_sources import figures
from openbeat.surveys import services

pytestmark = pytest.mark.django_db


def test_responses_and_surveys_run_per_month_and_division(world, survey, ids):
    march = timezone.make_aware(datetime(2026, 3, 10, 12, 0))
    april = timezone.make_aware(datetime(2026, 4, 2, 12, 0))
    for postcode, when in ((world.west_postcode, march), (world.east_postcode, march), (world.west_postcode, april)):
        services.response_submit(
            client_id=uuid.uuid4(),
            version=survey.current_version,
            answers=ids.answers(postcode=postcode),
            submitted_at=when,
        )
    found = {
        (f.metric, f.month, f.division): f.value
        for f in figures(first_month="2026-03", last_month="2026-04", only=["surveys"])
    }
    assert found == {
        ("survey_responses", "2026-03", "west"): 1.0,
        ("survey_responses", "2026-03", "east"): 1.0,
        ("survey_responses", "2026-04", "west"): 1.0,
        ("surveys_run", "2026-03", "west"): 1.0,
        ("surveys_run", "2026-04", "west"): 1.0,
    }
