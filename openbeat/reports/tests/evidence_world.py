"""Shared set-up for the evidence tests: a private folder per test, sample files, a draft, an upload."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openbeat.reports.models import ReportDraft, ReportType
from openbeat.reports.tests.factories import ReportTypeFactory

FILES = Path(__file__).resolve().parent / "files"


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()


def upload(name: str, content: bytes | None = None, *, as_name: str | None = None) -> SimpleUploadedFile:
    """An upload as a browser sends it: the browser's claimed type is deliberately wrong, to show it is ignored."""
    data = sample(name) if content is None else content
    return SimpleUploadedFile(as_name or name, data, content_type="image/jpeg")


@pytest.fixture
def private(settings, tmp_path) -> Path:
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    return tmp_path / "private"


@pytest.fixture
def evidence_type() -> ReportType:
    return ReportTypeFactory(slug="crime-evidence", allows_evidence=True, max_evidence_files=3)


@pytest.fixture
def draft(evidence_type) -> ReportDraft:
    return ReportDraft.objects.create(key=secrets.token_urlsafe(32), report_type=evidence_type, data={})
