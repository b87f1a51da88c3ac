# Homeward: `make run` serves a demo on SQLite; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
INSTANCE := instance
export HOMEWARD_DATABASE_URL ?= sqlite:///$(CURDIR)/$(INSTANCE)/homeward.db
export HOMEWARD_KEY_FILE ?= $(CURDIR)/$(INSTANCE)/keys.json
# pytest processes (pytest-xdist): one per core; each has its own PostgreSQL database beside
# TEST_DATABASE_URL (tests/databases.py). `make test JOBS=0` runs pytest in one process.
# pytest ends with its 25 slowest tests, so a run that nears CI's time shows where it went.
JOBS ?= auto
# `make bench BENCH_ARGS="--large-database-url URL --large-key-file KEYS"`: bench/run_all.py's
# options (there: P2's growth against a larger database filled before; `--quick`: a smoke run).
BENCH_ARGS ?=

.PHONY: run test lint types imports pytest bench install install-dev translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%.mo: translations/%.po | $(BIN)/python
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

$(INSTANCE)/secret_key:
	mkdir -p $(INSTANCE)
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@

$(INSTANCE)/keys.json: | $(VENV)/.installed
	mkdir -p $(INSTANCE)
	$(BIN)/python -c "from core.keys import ensure_development_key_file as e; e('$@')"

run: install $(INSTANCE)/secret_key $(INSTANCE)/keys.json
	$(BIN)/homeward db upgrade
	$(BIN)/homeward demo --if-empty --credentials-json $(INSTANCE)/demo-credentials.json
	@$(BIN)/python -m core.demo_logins $(INSTANCE)/demo-credentials.json
	@echo "Homeward is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/homeward run --host $(HOST) --port $(PORT) --no-reload

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install-dev
	$(BIN)/mypy

imports: install-dev
	$(BIN)/lint-imports

pytest: install-dev
	$(BIN)/pytest -n $(JOBS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

test: lint types imports pytest

bench: install-dev
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Services raise these with an English message that the routes translate when they show it.
ERROR_KEYWORDS = -k CaseworkError -k ReferralError -k ReferralConflict -k AdminError \
	-k SurveyConflict -k DirectoryError -k TransferConflict

extract-messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_plural:1,2 $(ERROR_KEYWORDS) -o translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache test-output
