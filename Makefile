# Daily commands. On a fresh machine with Python 3.11, make and git: `make demo` and `make test`.
# Each target installs what it needs into .venv first (again only when a requirements file changed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
ARGS ?=
EMULATOR_DIR ?= var/demo-org
EMULATOR_PORT ?= 8765
export PY

# A checkout with neither DJANGO_DEBUG set nor a .env file is a development checkout: use the development
# defaults (settings refuse to start without secrets otherwise). A .env file or the environment always wins.
ifeq ($(origin DJANGO_DEBUG),undefined)
ifeq ($(wildcard .env),)
export DJANGO_DEBUG := true
endif
endif

.PHONY: help venv demo test lint format audit bench migrate worker beat emulator clean

help:
	@echo "make demo      generate a demo org, sync it, and serve coachapp on http://127.0.0.1:8000"
	@echo "make test      the whole test suite on SQLite, then on PostgreSQL + Redis when they answer"
	@echo "make lint      ruff format --check, ruff check and mypy (type checking)"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make audit     pip-audit of requirements.txt (needs PyPI's vulnerability data: network; docs/security.md)"
	@echo "make bench     the benchmarks"
	@echo "make migrate   apply database migrations"
	@echo "make worker    a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat      the Celery beat scheduler (needs CELERY_BROKER_URL)"
	@echo "make emulator  serve EMULATOR_DIR (default $(EMULATOR_DIR)) as a Salesforce org on EMULATOR_PORT ($(EMULATOR_PORT))"
	@echo "make clean     remove .venv, caches, collected static files and test artifacts (keeps var/)"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@bash scripts/venv.sh "$(VENV)"
	@touch "$@"

demo: venv
	@bash scripts/demo.sh

test: venv
	@bash scripts/test.sh $(ARGS)

lint: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# --strict: a package it could not look up fails the run, instead of passing having audited nothing (an index
# mirror without PyPI's vulnerability data, e.g. offline).
audit: venv
	$(VENV)/bin/pip-audit --strict --requirement requirements.txt

bench: venv
	$(PY) -m bench $(ARGS)

migrate: venv
	$(PY) manage.py migrate

worker: venv
	@test -n "$$CELERY_BROKER_URL" || grep -qs '^CELERY_BROKER_URL=.' .env || { \
		echo "make worker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1); without a broker tasks run in-process." >&2; \
		exit 1; }
	@$(PY) manage.py migrate --check >/dev/null || { \
		echo "make worker: the database is missing migrations (or unreachable); run make migrate first." >&2; exit 1; }
	$(PY) -m celery -A coachapp worker --loglevel INFO

beat: venv
	@test -n "$$CELERY_BROKER_URL" || grep -qs '^CELERY_BROKER_URL=.' .env || { \
		echo "make beat: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1); beat only queues tasks for workers." >&2; \
		exit 1; }
	@$(PY) manage.py migrate --check >/dev/null || { \
		echo "make beat: the database is missing migrations (or unreachable); run make migrate first." >&2; exit 1; }
	$(PY) -m celery -A coachapp beat --loglevel INFO

emulator: venv
	$(PY) manage.py run_emulator "$(EMULATOR_DIR)" --port $(EMULATOR_PORT)

clean:
	rm -rf "$(VENV)" staticfiles test-artifacts .pytest_cache .ruff_cache .mypy_cache
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
