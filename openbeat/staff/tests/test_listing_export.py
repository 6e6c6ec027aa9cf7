"""The listings of OpenBeat's back-office viewsets export (CSV/XLSX) only columns they name, and log every export.

Wagtail answers `?export=csv` on any listing, hidden button or not; without `list_export` the file was one blank
row per object, and nothing was audit-logged. A listing without `list_export` now shows its page instead; one
with it exports its in-scope rows and writes "<audit_name>.exported" to the audit log.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.viewsets import viewsets as registered_viewsets

from openbeat.areas.tests.factories import NeighbourhoodFactory, StationFactory
from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.admin_views import ScopedViewSetMixin
from openbeat.staff.areas_admin import StationViewSet
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db


def _openbeat_listings() -> list[Any]:
    reverse("wagtailadmin_home")  # the admin's URLs (and so the viewset registry) are loaded
    return [
        v
        for v in registered_viewsets.viewsets
        if isinstance(v, ScopedViewSetMixin) and isinstance(getattr(v, "model", None), type)
    ]


def _rows(response: Any, fmt: str) -> list[list[Any]]:
    """The data rows of an exported listing (without the headings)."""
    body = b"".join(response.streaming_content) if response.streaming else b"".join(response)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()][1:]


def test_listings_without_export_columns_serve_no_export(client, west):
    StationFactory(neighbourhood=NeighbourhoodFactory(division=west))
    client.force_login(staff_user(roles.ADMINISTRATOR, None, username="admin"))
    listings = [v for v in _openbeat_listings() if v.list_export is v.UNDEFINED or not v.list_export]
    assert {v.url_prefix for v in listings} >= {"stations", "neighbourhoods", "divisions", "officers", "teams"}
    for viewset in listings:
        url = reverse(viewset.get_url_name("index"))
        for fmt in ("csv", "xlsx"):
            response = client.get(url, {"export": fmt})
            where = (viewset.url_prefix, fmt)
            assert response.status_code == 200, where
            assert "Content-Disposition" not in response, where
            assert response["Content-Type"].startswith("text/html"), where
            assert "Download CSV" not in response.content.decode(), where
    assert not AuditEntry.objects.filter(action__endswith=".exported").exists()


def _export(viewset: Any, user: Any, fmt: str) -> Any:
    request = RequestFactory().get("/admin/stations/", {"export": fmt, "q": "Station"})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return viewset.index_view(request)


def test_a_listing_with_export_columns_exports_only_rows_in_scope_and_logs_it(west, east):
    StationFactory(name="Ashbridge Police Station", neighbourhood=NeighbourhoodFactory(division=west))
    StationFactory(name="Oswin Police Station", neighbourhood=NeighbourhoodFactory(division=east))
    viewset = StationViewSet("stations", list_export=["name", "division"])
    lead = staff_user(roles.DIVISION_LEAD, west, username="lead.west")

    for fmt in ("csv", "xlsx"):
        response = _export(viewset, lead, fmt)
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"], fmt
        assert _rows(response, fmt) == [["Ashbridge Police Station", str(west)]], fmt
    logged = AuditEntry.objects.filter(action="areas.station.exported").order_by("pk")
    assert [(e.actor, e.data["format"], e.data["rows"]) for e in logged] == [(lead, "csv", 1), (lead, "xlsx", 1)]
    assert logged[0].data["filters"] == {"q": ["Station"]}

    hq = staff_user(roles.HQ_MEDIA, None, username="hq")
    assert sorted(row[0] for row in _rows(_export(viewset, hq, "csv"), "csv")) == [
        "Ashbridge Police Station",
        "Oswin Police Station",
    ]
    assert AuditEntry.objects.filter(action="areas.station.exported", actor=hq).count() == 1
