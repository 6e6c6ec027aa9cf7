"""Schemathesis drives every endpoint of the API (the force and neighbourhood ones, and the crime ones) from the
OpenAPI document, on the WSGI app (no network): no 5xx, and every answer conforms to the document (status, content
type, body schema)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from openbeat.opendata.openapi import document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections would close the
    connection inside the test's transaction (on PostgreSQL); Django's test client disconnects it too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The document as /api/openapi.json serves it (test_the_served_document_is_the_one_fuzzed); needs no database.
schema = schemathesis.openapi.from_dict(document())
schema.app = get_wsgi_application()


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_endpoint_conforms_and_never_fails(case: Any, world: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
def test_the_served_document_is_the_one_fuzzed(api: Client) -> None:
    assert api.get("/api/openapi.json").json() == document()
