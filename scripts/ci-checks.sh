#!/usr/bin/env bash
# CI's checks beyond lint and tests: no model change without its migration, and Django's deployment checks
# (security settings, collected static files) passing at WARNING level in a production-like environment.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== makemigrations --check"
.venv/bin/python manage.py makemigrations --check --dry-run

echo "== check --deploy (production-like environment)"
export DEBUG=false HTTPS=true ALLOWED_HOSTS=openbeat.example.police.uk BASE_URL=https://openbeat.example.police.uk
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY OPENBEAT_VAR_DIR="$tmp" STATIC_ROOT="$tmp/static" DATABASE_URL="sqlite:///$tmp/check.sqlite3"
unset REDIS_URL
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py check --deploy --fail-level WARNING
