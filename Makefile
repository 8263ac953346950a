# Dangvu — every target creates the virtual environment it needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DANGVU := $(VENV)/bin/dangvu
STAMP := $(VENV)/.installed

# The first Python >= 3.11 on the machine.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	command -v $$p; break; fi; done)

.PHONY: install run test test-postgres lint e2e chromium bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Dangvu needs Python >= 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(DANGVU) compilemessages_dangvu
	$(DANGVU) migrate --noinput
	$(DANGVU) demo
	$(DANGVU) serve --host 127.0.0.1 --port 8000

test: install
	$(DANGVU) compilemessages_dangvu
	$(PY) -m pytest

# The same suite against PostgreSQL: DATABASE_URL must point at a server (.ci/run starts one).
test-postgres: install
	@test -n "$$DATABASE_URL" || { echo "set DATABASE_URL=postgres://…"; exit 1; }
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check src
	$(VENV)/bin/ruff format --check src

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

e2e: install chromium
	$(DANGVU) compilemessages_dangvu
	$(PY) -m pytest -m e2e -p no:randomly

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) data
