"""Schemathesis against the served OpenAPI document, on the WSGI app (no network): no 500, and every response
conforms to the document (status code, content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from openbeat.reports import open311
from openbeat.reports.models import Question, ReportType
from openbeat.reports.openapi import openapi_document
from openbeat.reports.tests.factories import QuestionFactory, ReportFactory, ReportTypeFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections closes a
    connection that is inside the test's transaction (on PostgreSQL). Django's test client disconnects it
    for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_seeded_types(db):
    """The default types seeded after migrate would share these tests' slugs: start from none."""
    ReportType.objects.all().delete()


@pytest.fixture
def api_key(db, settings) -> str:
    # Enough data for the read side to have something to show, and a real key so POSTs can succeed.
    settings.OPEN311_RATE_LIMITS = {"read": (10**9, 60), "write": (10**9, 60)}
    report_type = ReportTypeFactory(slug="incident", name="Report an incident")
    QuestionFactory(report_type=report_type, key="what", label="What happened?", kind=Question.Kind.TEXTAREA)
    QuestionFactory(
        report_type=report_type,
        key="kind",
        label="What kind?",
        kind=Question.Kind.CHOICE,
        choices=[{"value": "noise", "label": "Noise"}],
        required=False,
    )
    ReportFactory(report_type=report_type, public_note="Officers attended.")
    ReportFactory(report_type=report_type, division=None, status="closed")
    return open311.key_create(name="fuzz", actor=None)[1]


# The document as the view serves it (test_served_document_is_the_one_fuzzed); loaded at import, needing no DB.
schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = get_wsgi_application()


@schema.parametrize()
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_open311_conforms_and_never_500(case, api_key):
    if case.method == "POST" and isinstance(case.body, dict):
        # With a working key the fuzzed body reaches validation and report_submit, not just the key check.
        case.body["api_key"] = api_key
    case.call_and_validate(checks=CHECKS)


def test_served_document_is_the_one_fuzzed(client):
    assert client.get("/open311/v2/openapi.json").json() == openapi_document()
