# Two commands do everything on a fresh machine with Python 3.11:
#   make run   - venv, install, migrate, demo data if the database is empty, serve on 127.0.0.1:5000
#                (`make run PORT=5077` for another) with a job worker beside the server (stopped with it)
#   make test  - the whole test suite (PostgreSQL too when a server answers at 127.0.0.1:5432, or TEST_DATABASE_URL)
#   make lint  - ruff (lint and format check) and mypy, with the settings in pyproject.toml
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# `make run PORT=5077` serves on another port (5000 may be taken); the workshop screen's join address
# (PUBLIC_BASE_URL) follows it unless set.
PORT ?= 5000

.PHONY: run test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The worker runs the reports, exports and paper PDFs the server queues (JOB_QUEUE_URL, by default
# instance/jobs.sqlite3). When the server stops, for whatever reason (Ctrl-C too), the worker is sent
# SIGTERM (SIGINT would be ignored by a background job still starting): a job still running gets 5 s.
run: install
	$(FLASK) init-db
	$(FLASK) demo --if-empty
	$(FLASK) worker --shutdown-timeout 5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker; trap - EXIT; exit' EXIT INT TERM; \
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}" $(FLASK) run --host 127.0.0.1 --port $(PORT)

# Whole modules to each worker, longest first (tests/conftest.py, _longest_modules_first).
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy instruments analysis survey

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .mypy_cache
