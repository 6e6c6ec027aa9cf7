#!/usr/bin/env bash
# Serves OpenBeat on 127.0.0.1:8000 with a task worker and the scheduler (the periodic jobs: due alerts,
# recovery of a dead worker's deliveries, digests, retention; no cron) beside it, and the local stand-ins of the
# social networks that the demo force's social accounts talk to (openbeat/social/standins, on DEMO_PORTS), so
# "Test connection", posting, results and mentions work in the demo without reaching a real network.
# Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export MAIL_BACKEND="${MAIL_BACKEND:-file}"
BIND="${BIND:-127.0.0.1:8000}"

.venv/bin/python -m openbeat.social.standins demo >/dev/null &
standins=$!
# The stand-ins start empty: give them the posts the demo accounts have on them (it waits for them to listen).
.venv/bin/python manage.py demo_standins &
.venv/bin/python manage.py db_worker --queue-name default &
worker=$!
.venv/bin/python manage.py run_scheduler &
scheduler=$!
.venv/bin/gunicorn openbeat.wsgi --bind "$BIND" --workers "${WEB_WORKERS:-2}" --config python:openbeat.gunicorn_conf &
web=$!
stop() { kill "$web" "$worker" "$scheduler" "$standins" 2>/dev/null || true; wait 2>/dev/null || true; echo "OpenBeat stopped."; }
trap stop INT TERM EXIT
standin_ports=$(.venv/bin/python -c 'from openbeat.social.standins import DEMO_PORTS as p; print(", ".join(f"{n} {v}" for n, v in p.items()))')
echo "OpenBeat is running on http://$BIND (back office: http://$BIND/admin/). Mail goes to var/mail/."
echo "The demo's social accounts post to local stand-ins on 127.0.0.1 ($standin_ports), never a real network. Ctrl-C stops."
wait -n "$web" "$worker" "$scheduler" "$standins"
