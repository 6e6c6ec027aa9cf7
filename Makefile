# OpenBeat: `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.12 || command -v python3)
PYTEST_ARGS ?=
export PYTHONUNBUFFERED := 1

.PHONY: run test lint check bench install install-dev demo migrate vendor clean

$(VENV)/.installed: requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "OpenBeat needs Python 3.12+ (see .python-version)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/lock.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo --skip-if-real-data

run: demo
	$(PY) manage.py collectstatic --noinput -v0
	scripts/run.sh

test: install
	scripts/test.sh $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy openbeat
	$(VENV)/bin/lint-imports --no-logo

# makemigrations --check, and check --deploy in a production-like environment (CI runs it).
check: install
	scripts/ci-checks.sh

bench: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Leaflet comes from npm (package.json pins it) and is vendored into static files: no CDN at run time.
vendor:
	npm ci --no-audit --no-fund
	rm -rf openbeat/core/static/vendor/leaflet
	mkdir -p openbeat/core/static/vendor/leaflet
	cp -r node_modules/leaflet/dist/* openbeat/core/static/vendor/leaflet/
	cp node_modules/leaflet/LICENSE openbeat/core/static/vendor/leaflet/

clean:
	rm -rf $(VENV) var/static
