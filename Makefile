# Tracker: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app tracker
# Two install stamps: `make run`/`make serve` need only the package itself; the test,
# lint and benchmark targets add the test and fuzz extras.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= $(shell echo $$(( 2 * $$(nproc) + 1 )))

.PHONY: run install test lint typecheck validate serve test-postgres test-wheel bandit e2e bench clean

$(RUN_STAMP): pyproject.toml setup.py
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(TEST_STAMP): $(RUN_STAMP)
	$(PIP) install -q -e '.[test,fuzz]'
	touch $@

install: $(RUN_STAMP)

run: $(RUN_STAMP)
	$(FLASK) init-db
	$(FLASK) seed-demo
	@echo "Serving Tracker on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: $(RUN_STAMP)
	$(FLASK) init-db
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) 'tracker:create_app()'

# Import contracts: [tool.importlinter] in pyproject.toml (layers, engine purity, web below
# the domains, no domain imports the API); tests/test_layers.py adds the no-cycle check.
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check tracker tests bench
	$(VENV)/bin/ruff format --check tracker tests bench
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(TEST_STAMP)
	$(VENV)/bin/mypy --strict tracker

validate: $(RUN_STAMP)
	$(PY) -m tracker.requirements_engine validate seed/credentials

PYTEST := $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)
# pytest exits 5 when it collected no tests: a broken run, not a green one.
NO_TESTS_FAILS := rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

test: $(TEST_STAMP) lint typecheck validate
	$(PYTEST); $(NO_TESTS_FAILS)

# The whole suite against a throw-away PostgreSQL server (started and removed by the script).
test-postgres: $(TEST_STAMP)
	.ci/with-postgres.sh $(PYTEST); $(NO_TESTS_FAILS)

# The wheel, installed in a throw-away virtualenv and run from an empty directory
# (init-db, seed-demo, run, log in over HTTP, statement). Needs no .venv.
test-wheel:
	PYTHON=$(PYTHON) .ci/wheel-install.sh

bandit: $(TEST_STAMP)
	$(VENV)/bin/bandit -q -r tracker -lll

# Every benchmark on generated data (about 10-15 minutes on 2 cores): prints a table and
# writes bench/results.json and docs/performance.svg. BENCH_ARGS="--dir /tmp/b" keeps and
# reuses the generated database.
bench: $(TEST_STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

# Real-browser tests: Playwright drives Debian's Chromium (never `playwright install`).
e2e: $(TEST_STAMP)
	$(PIP) install -q -e '.[test,fuzz,e2e]'
	test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }
	TRACKER_E2E=1 $(PYTEST) tests/e2e -m e2e; $(NO_TESTS_FAILS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
