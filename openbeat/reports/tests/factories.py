"""Factories for Do It Online. `ReportFactory` fills in what `report_submit` would (reference, SLA times,
created_at) without going through it, so tests of other parts can make many reports cheaply.

References from the factory use the prefix "FX" so they never collide with `references.reference_next`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.reports.models import Question, Report, ReportEvent, ReportType


class ReportTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportType
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Report thing {n}")
    kind = ReportType.Kind.OTHER
    summary = "Tell us about a thing."
    location = ReportType.Location.OPTIONAL
    sla_amber_hours = 48
    sla_red_hours = 120


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    report_type = factory.SubFactory(ReportTypeFactory)
    key = factory.Sequence(lambda n: f"question-{n}")
    label = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.TEXT
    required = True
    page = 1
    sort_order = factory.Sequence(lambda n: n)


class ReportFactory(factory.django.DjangoModelFactory):
    """A report in a neighbourhood and its division. `division=west` alone gives a new neighbourhood in west;
    `division=None` alone gives a report in the force-wide queue (no location); pass `created_at` to age it
    (the SLA times follow)."""

    class Meta:
        model = Report

    reference = factory.Sequence(lambda n: f"FX-{timezone.now().year}-{n:06d}")
    report_type = factory.SubFactory(ReportTypeFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    division = factory.LazyAttribute(lambda o: o.neighbourhood.division if o.neighbourhood else None)
    location_source = factory.LazyAttribute(lambda o: Report.LocationSource.MAP if o.neighbourhood else "")
    lat = factory.LazyAttribute(lambda o: o.neighbourhood.centroid_lat if o.neighbourhood else None)
    lon = factory.LazyAttribute(lambda o: o.neighbourhood.centroid_lon if o.neighbourhood else None)
    answers = factory.LazyFunction(dict)
    answers_shown = factory.LazyFunction(list)
    reporter_name = "Sam Resident"
    reporter_email = factory.Sequence(lambda n: f"resident{n}@example.com")
    status = Report.Status.NEW
    created_at = factory.LazyFunction(timezone.now)
    sla_amber_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(hours=o.report_type.sla_amber_hours))
    sla_red_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(hours=o.report_type.sla_red_hours))
    closed_at = factory.LazyAttribute(lambda o: o.created_at if o.status == Report.Status.CLOSED else None)

    @classmethod
    def create(cls, **kwargs: Any) -> Report:
        # The neighbourhood follows a division given alone, so filters by either agree.
        if "division" in kwargs and "neighbourhood" not in kwargs:
            division = kwargs["division"]
            kwargs["neighbourhood"] = NeighbourhoodFactory(division=division) if division is not None else None
        return super().create(**kwargs)


class ReportEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportEvent

    report = factory.SubFactory(ReportFactory)
    kind = ReportEvent.Kind.NOTE
    body = "A note."
