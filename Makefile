# Tracker: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app tracker
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= $(shell echo $$(( 2 * $$(nproc) + 1 )))

.PHONY: run install test lint typecheck validate serve test-postgres e2e bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(FLASK) init-db
	$(FLASK) seed-demo
	@echo "Serving Tracker on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: $(STAMP)
	$(FLASK) init-db
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'tracker:create_app()'

lint: $(STAMP)
	$(VENV)/bin/ruff check tracker tests bench
	$(VENV)/bin/ruff format --check tracker/requirements_engine tests/requirements_engine

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict tracker/requirements_engine

validate: $(STAMP)
	$(PY) -m tracker.requirements_engine validate seed/credentials

test: $(STAMP) lint typecheck validate
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
