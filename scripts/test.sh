#!/usr/bin/env bash
# The whole suite: unit, integration and browser tests. Exit code 5 ("no tests collected") is not a
# failure when a selection (-k, a path) matched nothing on purpose; anything else is passed through.
set -uo pipefail
cd "$(dirname "$0")/.."
# Browser tests need chromium and proxy tests nginx: install them, or stop saying how (never skip silently).
scripts/system-packages.sh || exit 1
# Two pytest-xdist workers by default (the suite's processes and browsers fit two CPUs), a test file to a worker
# so that module fixtures (live servers, browsers) start once; TEST_WORKERS=1, or a -n of your own, overrides it.
parallel=()
workers="${TEST_WORKERS:-2}"
if [ "$workers" != "1" ] && [[ " $* " != *" -n "* ]] && [[ " $* " != *" -n="* ]]; then
  parallel=(-n "$workers" --dist loadfile)
fi
.venv/bin/python -m pytest "${parallel[@]}" "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests for this selection (exit 5); treating as success"
  exit 0
fi
exit "$rc"
