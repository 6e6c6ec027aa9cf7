"""Surveys for insights (the board report's "Events and surveys"): metric source "surveys".

Per month (of submission, UK time):
- `survey_responses`: responses received, per division of the respondent's postcode (none: force-wide figure);
- `surveys_run`: surveys that took at least one response in the month, per the survey's own division (a
  force-wide survey: no division).
Two aggregate queries, whatever the number of responses.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from django.db.models.functions import TruncMonth

from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_ends_at, month_of, month_starts_at
from openbeat.surveys.models import Response

LABELS = {"survey_responses": "Survey responses", "surveys_run": "Surveys run"}


def survey_figures(*, first_month: str, last_month: str) -> Iterable[Figure]:
    window = Response.objects.filter(
        submitted_at__gte=month_starts_at(first_month), submitted_at__lt=month_ends_at(last_month)
    ).annotate(month=TruncMonth("submitted_at"))
    responses = window.values("month", "division__code").annotate(n=Count("pk")).order_by()
    for row in responses:
        yield Figure(
            "survey_responses",
            month_of(row["month"]),
            float(row["n"]),
            division=row["division__code"],
            label=LABELS["survey_responses"],
        )
    surveys = window.values("month", "survey__division__code").annotate(n=Count("survey", distinct=True)).order_by()
    for run in surveys:
        yield Figure(
            "surveys_run",
            month_of(run["month"]),
            float(run["n"]),
            division=run["survey__division__code"],
            label=LABELS["surveys_run"],
        )
