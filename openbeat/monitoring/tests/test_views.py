"""/health/ and /metrics: for a monitoring system's token or staff with the permission, nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db

TOKEN = "monitor-" + "x" * 32


@pytest.fixture(autouse=True)
def _token(settings: Any) -> None:
    settings.MONITORING_TOKEN = TOKEN


def _bearer(token: str = TOKEN) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/health/", "/metrics"])
def test_nobody_else_may_read_them(client: Client, path: str, west: Any) -> None:
    assert client.get(path).status_code == 403
    assert client.get(path, **_bearer("wrong")).status_code == 403
    client.force_login(staff_user(roles.DIVISION_LEAD, west, username="lead"))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/health/", "/metrics"])
def test_an_empty_token_setting_lets_no_token_in(client: Client, path: str, settings: Any) -> None:
    settings.MONITORING_TOKEN = ""
    assert client.get(path, HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_the_health_report_lists_every_check(client: Client) -> None:
    response = client.get("/health/?format=json", **_bearer())
    assert response.status_code in (200, 500)  # a fresh test database has no scheduler runs: unhealthy
    names = " ".join(response.json())
    for check in ("Database", "Cache", "TaskQueue", "WorkerHeartbeat", "Scheduler", "MailServer", "PrivateFilesDisk"):
        assert check in names


def test_staff_with_the_permission_see_the_page(client: Client, west: Any) -> None:
    client.force_login(staff_user(roles.ADMINISTRATOR, west, username="admin"))
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 500)
    assert "Service health" in response.content.decode()
    assert "WorkerHeartbeat" in response.content.decode()


def test_metrics_count_requests_and_read_the_service_state(client: Client) -> None:
    client.get("/healthz")
    body = client.get("/metrics", **_bearer()).content.decode()
    assert 'openbeat_http_requests_total{area="pages",method="GET",status="2xx"}' in body
    assert "openbeat_http_request_duration_seconds_bucket" in body
    assert "# TYPE openbeat_messages gauge" in body
    assert "# TYPE openbeat_tasks gauge" in body
    assert "openbeat_task_oldest_waiting_seconds 0.0" in body
    assert "# TYPE openbeat_scheduler_last_run_timestamp_seconds gauge" in body
