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
    "'hosts': settings.ALLOWED_HOSTS, 'force': settings.FORCE_NAME, '2fa': settings.STAFF_REQUIRE_2FA, "
    "'cache': settings.CACHES['default']['BACKEND']}))"
)


OURS = {"SECRET_KEY", "DATABASE_URL", "DEBUG", "TASKS_BACKEND", "REDIS_URL", "HTTPS", "ALLOWED_HOSTS", "PRODUCTION"}


def probe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OURS and not k.startswith("STAFF_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "openbeat.settings", "OPENBEAT_VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=clean, capture_output=True, text=True)


def read_settings(tmp_path: Path, **env: str) -> dict:
    out = probe(tmp_path, **env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults_are_safe(tmp_path):
    values = read_settings(tmp_path)
    assert values["debug"] is False
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "openbeat.sqlite3")
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["mailer"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["hosts"] == ["127.0.0.1", "localhost"]
    assert values["2fa"] is False  # one machine (the demo): no second factor forced
    # Counters every process shares (rate limits, one notice per lock): never per-process memory.
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"


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


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    for production in ({"HTTPS": "on"}, {"ALLOWED_HOSTS": "beat.police.example"}):
        out = probe(tmp_path, **production)
        assert out.returncode != 0
        assert "SECRET_KEY is not set" in out.stderr
        assert not (tmp_path / "secret_key").exists()  # no per-host key generated behind the operator's back


def test_production_requires_two_factor_sign_in_unless_relaxed_explicitly(tmp_path):
    production = {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "beat.police.example"}
    assert read_settings(tmp_path, **production)["2fa"] is True
    assert read_settings(tmp_path, **production, STAFF_REQUIRE_2FA="off")["2fa"] is False


def test_redis_holds_the_shared_cache_when_set(tmp_path):
    values = read_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/9")
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
