#!/usr/bin/env bash
# Serves OpenBeat on 127.0.0.1:8000 with a task worker and the scheduler (the periodic jobs: due alerts,
# recovery of a dead worker's deliveries, digests, retention; no cron) beside it; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export MAIL_BACKEND="${MAIL_BACKEND:-file}"
BIND="${BIND:-127.0.0.1:8000}"

.venv/bin/python manage.py db_worker --queue-name default &
worker=$!
.venv/bin/python manage.py run_scheduler &
scheduler=$!
.venv/bin/gunicorn openbeat.wsgi --bind "$BIND" --workers "${WEB_WORKERS:-2}" --config python:openbeat.gunicorn_conf &
web=$!
stop() { kill "$web" "$worker" "$scheduler" 2>/dev/null || true; wait 2>/dev/null || true; echo "OpenBeat stopped."; }
trap stop INT TERM EXIT
echo "OpenBeat is running on http://$BIND (back office: http://$BIND/admin/). Mail goes to var/mail/. Ctrl-C stops."
wait -n "$web" "$worker" "$scheduler"
