import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from openbeat.reports import questions
from openbeat.reports.apps import _seed_report_types, seeding_wanted
from openbeat.reports.models import Question, ReportType
from openbeat.reports.seed import DEFAULT_TYPES, PROFESSIONAL_STANDARDS, report_types_seed
from openbeat.reports.tests.factories import QuestionFactory, ReportTypeFactory
from openbeat.staff.roles import roles_sync

pytestmark = pytest.mark.django_db


def test_seed_creates_the_eight_default_types_once():
    ReportType.objects.all().delete()
    assert report_types_seed() == 8
    assert report_types_seed() == 0
    kinds = set(ReportType.objects.values_list("kind", flat=True))
    assert kinds == {"crime", "incident", "contact", "compliment", "complaint", "lost", "found", "join"}


def test_seed_keeps_the_forces_changes_and_creates_only_missing_types():
    ReportType.objects.all().delete()
    ours = ReportTypeFactory(slug="crime", name="Our own crime form")
    QuestionFactory(report_type=ours, key="only")
    assert report_types_seed() == 7
    ours.refresh_from_db()
    assert ours.name == "Our own crime form"
    assert list(ours.questions.values_list("key", flat=True)) == ["only"]


def test_complaints_go_to_professional_standards_with_back_office_access():
    roles_sync()
    ReportType.objects.all().delete()
    report_types_seed()
    complaint = ReportType.objects.get(slug="complaint")
    group = Group.objects.get(name=PROFESSIONAL_STANDARDS)
    assert complaint.handling_group == group
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert {"wagtailadmin.access_admin", "reports.triage_report", "reports.view_evidence"} <= perms
    assert any("iopc" in s["url"].lower() or "policeconduct" in s["url"] for s in complaint.signposts)


def test_every_seeded_type_is_coherent():
    ReportType.objects.all().delete()
    report_types_seed()
    for spec in DEFAULT_TYPES:
        report_type = ReportType.objects.get(slug=spec["slug"])
        assert report_type.sla_amber_hours < report_type.sla_red_hours
        keys = {q.key for q in report_type.questions.all()}
        for question in report_type.questions.all():
            if question.kind in (Question.Kind.CHOICE, Question.Kind.MULTICHOICE):
                assert questions.choices_of(question), question.key
            if question.condition:
                assert question.condition["question"] in keys, question.key
        for signpost in report_type.signposts:
            assert signpost["url"].startswith("https://")
        # With no answers, the unconditional questions give at least one page, and empty answers are refused.
        assert questions.pages(report_type, {})
        assert questions.validate_answers(report_type, {})


def test_fraud_is_signposted_to_action_fraud_from_the_crime_form():
    ReportType.objects.all().delete()
    report_types_seed()
    crime = ReportType.objects.get(slug="crime")
    assert "https://www.actionfraud.police.uk/" in [s["url"] for s in crime.signposts]


def test_the_incident_type_asks_road_questions_only_about_roads():
    ReportType.objects.all().delete()
    report_types_seed()
    incident = ReportType.objects.get(slug="incident")
    road = [q.key for q in questions.visible_questions(incident, {"incident_kind": "road"})]
    asb = [q.key for q in questions.visible_questions(incident, {"incident_kind": "asb"})]
    assert "registration" in road
    assert "asb_kind" not in road
    assert "asb_kind" in asb
    assert "registration" not in asb


def test_post_migrate_seeds_after_the_last_app_when_wanted(settings):
    ReportType.objects.all().delete()
    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    settings.REPORTS_SEED_ON_MIGRATE = False
    _seed_report_types(last)
    assert not ReportType.objects.exists()
    settings.REPORTS_SEED_ON_MIGRATE = True
    _seed_report_types(apps.get_app_config("reports"))
    assert not ReportType.objects.exists()
    _seed_report_types(last)
    assert ReportType.objects.count() == 8


def test_by_default_every_database_but_the_test_one_is_seeded(settings):
    settings.REPORTS_SEED_ON_MIGRATE = None  # not set
    assert not seeding_wanted()  # this is the test database
    test_name = connection.settings_dict["NAME"]
    try:
        connection.settings_dict["NAME"] = "openbeat"
        assert seeding_wanted()
    finally:
        connection.settings_dict["NAME"] = test_name
