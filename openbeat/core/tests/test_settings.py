"""Settings come from the environment with safe defaults (read in a fresh interpreter each time)."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, 'key': settings.SECRET_KEY, "
    "'db': settings.DATABASES['default']['ENGINE'], 'name': str(settings.DATABASES['default']['NAME']), "
    "'tasks': settings.TASKS['default']['BACKEND'], 'mailer': settings.MAILERS['default']['BACKEND'], "
    "'hosts': settings.ALLOWED_HOSTS, 'force': settings.FORCE_NAME}))"
)


def read_settings(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "DEBUG", "TASKS_BACKEND"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "openbeat.settings", "OPENBEAT_VAR_DIR": str(tmp_path), **env})
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults_are_safe(tmp_path):
    values = read_settings(tmp_path)
    assert values["debug"] is False
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "openbeat.sqlite3")
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["mailer"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["hosts"] == ["127.0.0.1", "localhost"]


def test_a_secret_key_is_generated_once_into_var_and_kept(tmp_path):
    first = read_settings(tmp_path)["key"]
    assert len(first) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert read_settings(tmp_path)["key"] == first


def test_the_environment_overrides_the_defaults(tmp_path):
    values = read_settings(
        tmp_path,
        SECRET_KEY="from-the-environment",
        DEBUG="true",
        DATABASE_URL="postgres://u@127.0.0.1:5432/openbeat",
        TASKS_BACKEND="rq",
        MAIL_BACKEND="file",
        ALLOWED_HOSTS="beat.police.example",
        FORCE_NAME="Lancashire Constabulary",
    )
    assert values["key"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    assert values["debug"] is True
    assert values["db"] == "django.db.backends.postgresql"
    assert values["tasks"] == "django_tasks_rq.RQBackend"
    assert values["mailer"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["hosts"] == ["beat.police.example"]
    assert values["force"] == "Lancashire Constabulary"
