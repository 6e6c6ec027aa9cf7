#!/usr/bin/env bash
# The whole suite: unit, integration and browser tests. Exit code 5 ("no tests collected") is not a
# failure when a selection (-k, a path) matched nothing on purpose; anything else is passed through.
set -uo pipefail
cd "$(dirname "$0")/.."
# Browser tests need chromium and proxy tests nginx: install them, or stop saying how (never skip silently).
scripts/system-packages.sh || exit 1
# Two pytest-xdist workers by default (the suite's processes and browsers fit two CPUs); TEST_WORKERS=1, or a -n
# of your own, overrides it. `--dist load` hands each worker tests in the collected order, in which pytest-django
# puts transactional tests after the others: a worker never runs a test after a transactional one has emptied its
# database (the rows the migrations seed, Wagtail's root page), as one file to a worker (loadfile) would.
parallel=()
workers="${TEST_WORKERS:-2}"
if [ "$workers" != "1" ] && [[ " $* " != *" -n "* ]] && [[ " $* " != *" -n="* ]]; then
  parallel=(-n "$workers" --dist load)
fi
# --durations=25: every CI log names the slowest tests, so a slow newcomer is seen the day it lands.
.venv/bin/python -m pytest "${parallel[@]}" --durations=25 "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests for this selection (exit 5); treating as success"
  exit 0
fi
exit "$rc"
