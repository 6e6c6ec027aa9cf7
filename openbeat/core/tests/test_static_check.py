"""Without collected static files the site refuses to start, with the command; it never serves 500s."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from openbeat.core.static_check import static_files_problem
from openbeat.core.tests.processes import REPO, app_environment, free_port

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    return tmp_path / "static"


def test_no_manifest_is_reported_with_the_command(manifest_storage):
    problem = static_files_problem()
    assert problem is not None
    assert "have not been collected" in problem
    assert "collectstatic" in problem


def test_a_manifest_older_than_the_files_is_reported(manifest_storage):
    manifest_storage.mkdir()
    (manifest_storage / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1", "hash": "x"}))
    problem = static_files_problem()
    assert problem is not None
    assert "newer than the last collectstatic" in problem
    assert "core/openbeat.js" in problem or "…" in problem


def test_files_served_as_found_need_no_collecting(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert static_files_problem() is None


def test_check_deploy_reports_it(manifest_storage):
    with pytest.raises(SystemCheckError, match=r"openbeat\.E001"):
        call_command("check", "--deploy", "--tag", "staticfiles")


@pytest.mark.django_db
def test_gunicorn_refuses_to_start_without_collectstatic(tmp_path):
    env = app_environment(
        tmp_path, f"sqlite:///{tmp_path}/db.sqlite3", STATIC_MANIFEST="true", STATIC_ROOT=str(tmp_path / "empty")
    )
    command = [sys.executable, "-m", "gunicorn", "openbeat.wsgi", "--bind", f"127.0.0.1:{free_port()}"]
    run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "Static files have not been collected" in run.stderr
    assert "manage.py collectstatic --noinput" in run.stderr
