"""Upgrades (issue 23): a database at the previous release's schema (openbeat/core/releases.py), holding data put
in through that release's own (historical) models, migrates to the current schema with its data intact.

MigrationExecutor directly rather than django-test-migrations: that library's Migrator starts from the whole
project's clean plan cut off at the last target, which for a whole release's targets also applies the newer
migrations of apps that sort before that target, so its "old state" would not be the release. Migrating the test
database back to the release's leaves (and forward again after) is the real upgrade path, and it also proves
every newer migration can be reversed, so an upgrade can be rolled back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from openbeat.core.releases import RELEASES, previous_release, release_targets

NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def executor(transactional_db) -> Iterator[MigrationExecutor]:
    yield MigrationExecutor(connection)
    call_command("migrate", verbosity=0)  # the current schema again, for the tests after this one


def migrate(executor: MigrationExecutor, targets: list[tuple[str, str]]):
    executor.loader.build_graph()
    state = executor.migrate(targets)
    state.clear_delayed_apps_cache()
    return state.apps


def current_leaves() -> list[tuple[str, str]]:
    return sorted(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def test_the_previous_release_names_a_migration_of_every_app_that_had_one():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    release = RELEASES[previous_release()]
    for app, name in release.items():
        assert (app, name) in graph.nodes, f"{app}.{name} is not a migration this code has"
    # Apps added since the release are the only ones it may leave out, and they must be new (0001 onwards).
    for app, _name in current_leaves():
        if app not in release:
            assert (app, "0001_initial") in graph.nodes


def fill(apps) -> dict[str, int]:
    """Representative rows through the release's models: a resident watching areas, an alert, a report with its
    events, a survey response, a social post."""
    User = apps.get_model("auth", "User")
    Division = apps.get_model("areas", "Division")
    Neighbourhood = apps.get_model("areas", "Neighbourhood")
    Interest = apps.get_model("subscriptions", "Interest")
    Subscriber = apps.get_model("subscriptions", "Subscriber")
    WatchedArea = apps.get_model("subscriptions", "WatchedArea")
    Alert = apps.get_model("alerts", "Alert")
    ReportType = apps.get_model("reports", "ReportType")
    Report = apps.get_model("reports", "Report")
    ReportEvent = apps.get_model("reports", "ReportEvent")
    Survey = apps.get_model("surveys", "Survey")
    SurveyVersion = apps.get_model("surveys", "SurveyVersion")
    Response = apps.get_model("surveys", "Response")
    Post = apps.get_model("social", "Post")

    officer = User.objects.create(username="upgrade-officer", password="!")
    division = Division.objects.create(code="upgrade-west", name="Upgrade West")
    north = Neighbourhood.objects.create(code="UPG1", name="Upgrade North", division=division)
    south = Neighbourhood.objects.create(code="UPG2", name="Upgrade South", division=division)
    interest = Interest.objects.order_by("bit").first() or Interest.objects.create(slug="upgrade", name="Up", bit=0)
    subscriber = Subscriber.objects.create(email="resident@example.org", status="active", home_neighbourhood=north)
    WatchedArea.objects.create(subscriber=subscriber, neighbourhood=north, postcode="AB1 2CD", is_home=True)
    WatchedArea.objects.create(subscriber=subscriber, neighbourhood=south, label="Work")
    alert = Alert.objects.create(
        title="Burglaries", body="Lock your doors.", interest=interest, division=division, created_by=officer
    )
    report_type = ReportType.objects.create(slug="upgrade-type", name="Upgrade thing", summary="One line.")
    report = Report.objects.create(
        reference="LC-2026-900001",
        report_type=report_type,
        division=division,
        neighbourhood=north,
        answers={"what": "a broken window"},
        created_at=NOW,
        sla_amber_at=NOW + dt.timedelta(hours=48),
        sla_red_at=NOW + dt.timedelta(hours=120),
    )
    ReportEvent.objects.create(report=report, kind="note", author=officer, body="Called back.")
    ReportEvent.objects.create(report=report, kind="status", body="In progress")
    survey = Survey.objects.create(title="Feeling safe", slug="feeling-safe", division=division, created_by=officer)
    version = SurveyVersion.objects.create(survey=survey, number=1, definition={"questions": []}, published_at=NOW)
    response = Response.objects.create(
        survey=survey, version=version, channel="web", neighbourhood=north, division=division,
        digest="0" * 64, submitted_at=NOW, client_id=uuid.uuid4(),
    )  # fmt: skip
    post = Post.objects.create(text="Our surgery is on Friday.", author=officer, division=division)
    return {
        "subscriber": subscriber.pk,
        "alert": alert.pk,
        "report": report.pk,
        "survey": survey.pk,
        "response": response.pk,
        "post": post.pk,
    }


def test_a_database_of_the_previous_release_with_data_migrates_to_the_current_schema(executor):
    old = migrate(executor, release_targets(previous_release()))
    ids = fill(old)

    new = migrate(executor, current_leaves())

    assert set(MigrationLoader(connection).applied_migrations) >= set(current_leaves())
    subscriber = new.get_model("subscriptions", "Subscriber").objects.get(pk=ids["subscriber"])
    assert subscriber.email == "resident@example.org"
    assert subscriber.status == "active"
    areas = new.get_model("subscriptions", "WatchedArea").objects.filter(subscriber_id=subscriber.pk)
    assert sorted(areas.values_list("neighbourhood__code", "postcode", "is_home", "label")) == [
        ("UPG1", "AB1 2CD", True, ""),
        ("UPG2", "", False, "Work"),
    ]
    alert = new.get_model("alerts", "Alert").objects.get(pk=ids["alert"])
    assert (alert.title, alert.state, alert.division.code) == ("Burglaries", "draft", "upgrade-west")
    report = new.get_model("reports", "Report").objects.get(pk=ids["report"])
    assert (report.reference, report.status, report.answers) == ("LC-2026-900001", "new", {"what": "a broken window"})
    assert sorted(report.events.values_list("kind", "body")) == [("note", "Called back."), ("status", "In progress")]
    response = new.get_model("surveys", "Response").objects.get(pk=ids["response"])
    assert (response.survey_id, response.version.number, response.channel) == (ids["survey"], 1, "web")
    post = new.get_model("social", "Post").objects.get(pk=ids["post"])
    assert (post.text, post.author.username) == ("Our surgery is on Friday.", "upgrade-officer")
