# complaint-coach: `make run` sets everything up and starts the coach; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
MODEL  := models/coach.tar.gz
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3

# Everything the trained model depends on: retrain when any of it changes, and only then.
MODEL_INPUTS := $(shell find data/nlu data/rules data/stories data/patterns -name '*.yml' 2>/dev/null) \
                config.yml domain.yml bot/adapters/nlu_component.py bot/domain/session/commands.py $(wildcard bot/domain/moves/*.py)

.PHONY: setup model run test test-fast lint format bench-moves bench-customer bench-diet validate clean browser

setup: $(VENV)/.installed

# Find a Python 3.10 (Rasa 3.6 needs >=3.8,<3.11), make .venv, install the pinned lock file.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-dev.lock
	@set -e; \
	ok() { [ -n "$$1" ] && "$$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }; \
	if ! ok $(PY); then \
	  found=""; \
	  pyenv_root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
	  for candidate in "$$PYTHON310" python3.10 $$pyenv_root/versions/3.10*/bin/python \
	                   /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	    if ok "$$candidate"; then found="$$candidate"; break; fi; \
	  done; \
	  if [ -z "$$found" ]; then \
	    echo "error: complaint-coach needs Python 3.10 (Rasa 3.6 supports 3.8-3.10) and none was found." >&2; \
	    echo "       Install one (for example: pyenv install 3.10.13) or set PYTHON310=/path/to/python3.10." >&2; \
	    exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $$found"; \
	  rm -rf $(VENV); "$$found" -m venv $(VENV); \
	fi; \
	echo "Installing pinned dependencies (about 3 minutes the first time)..."; \
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<25"; \
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock -r requirements-dev.lock; \
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .; \
	touch $@

# The learned legal-statement model (bot/domain/law/model.py), kept in models/law/.
LAW_INPUTS := data/course/law.yml data/course/law_examples.yml $(wildcard data/nlu/*.yml) $(wildcard bot/domain/law/*.py) \
              bot/domain/moves/classifier.py bot/domain/moves/text.py
LAW_MODEL  := models/law/.trained

model: $(MODEL) $(LAW_MODEL)

$(LAW_MODEL): $(LAW_INPUTS) | $(VENV)/.installed
	@echo "Training the legal-statement model (its inputs changed)..."
	@$(VENV)/bin/coach law-model
	@touch $@

$(MODEL): $(MODEL_INPUTS) | $(VENV)/.installed
	@echo "Training the Rasa model (training data changed)..."
	$(RASA) train --fixed-model-name coach --out models --quiet
	@touch $@

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded at run time).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: setup model
	@$(VENV)/bin/coach serve

test: lint model browser
	$(PY) -m pytest

# ruff (lint and format check), mypy on the domain layer, and the import-linter layer contracts.
lint: setup
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/ruff format --check bot actions tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format bot actions tests
	$(VENV)/bin/ruff check --fix bot actions tests

# Unit tests only: no servers.
test-fast: setup model
	$(PY) -m pytest -m "not e2e"

bench-moves: setup model
	$(VENV)/bin/coach bench-moves --alternatives --release

bench-customer: setup model
	$(VENV)/bin/coach bench-customer --release

# Rasa's own DIETClassifier on the same examples and held-out set (several minutes; not in `make test`).
bench-diet: setup
	$(VENV)/bin/coach bench-diet

validate: setup
	$(RASA) data validate --fail-on-warnings

clean:
	rm -rf models .rasa var .pytest_cache

# Tutor dashboard (issue 7): on its own (make run starts it too), and its list-page benchmark.
.PHONY: dashboard bench-dashboard
dashboard: setup
	@$(VENV)/bin/coach dashboard

bench-dashboard: setup
	$(VENV)/bin/coach bench-dashboard --conversations 10000

# -- Load, faults, security, scale-out (issue 8) -------------------------------------------
.PHONY: audit test-scale bench-load

# Known vulnerabilities in requirements.lock. pip-audit runs from its own environment
# (var/audit-venv), never from .venv: it would upgrade packages Rasa pins and break it.
audit:
	@python3 bot/ops/deploy/audit.py

# Opt-in: PostgreSQL tracker store, Redis lock store, two Rasa replicas behind nginx.
# Installs postgresql, redis-server and nginx with apt-get when missing; runs throwaway
# instances on free ports under /tmp (plain `make test` skips these tests).
test-scale: setup model
	@bash bot/ops/deploy/install-scale-deps.sh
	COACH_SCALE_TESTS=1 $(PY) -m pytest tests/ops/scale -v

# 50 concurrent learners against the coach and against a bare Rasa assistant.
bench-load: setup model
	$(VENV)/bin/coach bench-load --learners 50
