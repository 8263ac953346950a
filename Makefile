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

.PHONY: install run test test-postgres lint e2e chromium system-libs fuzz soak bench clean

install: $(STAMP)

# What WeasyPrint (the PDF forms) needs from Debian: pango and a Times-like serif with every
# Vietnamese letter. Debian 12's fonts-liberation (1.07) lacks ơ, ư and the letters with two
# marks; fonts-liberation2 has them all. Installed with apt-get only when missing.
system-libs:
	@if ! ldconfig -p | grep -q libpango-1.0 || ! ldconfig -p | grep -q libpangoft2-1.0 \
		|| ! fc-list :lang=vi family 2>/dev/null | grep -q "Liberation Serif"; then \
		echo "installing pango and fonts-liberation2 with apt-get"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-liberation2 fonts-dejavu-core >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-libs
	@test -n "$(PYTHON)" || { echo "Dangvu needs Python >= 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(DANGVU) compilemessages_dangvu
	touch $(STAMP)

run: install
	$(DANGVU) compilemessages_dangvu
	$(DANGVU) migrate --noinput
	$(DANGVU) demo
	$(DANGVU) serve --host 127.0.0.1 --port 8000

test: install
	$(DANGVU) compilemessages_dangvu
	$(PY) -m pytest

# The same suite against PostgreSQL: on DATABASE_URL when set (.ci/run starts a server with
# scripts/pg-test-server), else on a throwaway server started and stopped here.
test-postgres: install
	$(DANGVU) compilemessages_dangvu
	@if [ -n "$$DATABASE_URL" ]; then \
		case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
		*) echo "DATABASE_URL is not a PostgreSQL URL: $$DATABASE_URL"; exit 1;; esac; \
		echo "$(PY) -m pytest  # on $$DATABASE_URL"; $(PY) -m pytest; \
	else \
		url=$$(scripts/pg-test-server start) || exit 1; \
		trap 'scripts/pg-test-server stop' EXIT; \
		echo "$(PY) -m pytest  # on $$url"; DATABASE_URL="$$url" $(PY) -m pytest; \
	fi

lint: install
	$(VENV)/bin/ruff check src
	$(VENV)/bin/ruff format --check src

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@test -x /usr/bin/chromium || { \
		echo "installing Debian's chromium with apt-get"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		test -x /usr/bin/chromium || { echo "chromium could not be installed"; exit 1; }; }

# Browser tests (src/dangvu/e2e): Playwright drives /usr/bin/chromium against a live server.
# Screenshots go to test-results/.
e2e: install chromium
	$(DANGVU) compilemessages_dangvu
	$(PY) -m pytest -m e2e -p no:randomly

# schemathesis against the real server (gunicorn) on a throwaway SQLite database with the demo
# data, as three users of different scopes: no 5xx, no undocumented status code, content type
# or body, and no error in the server's log (scripts/fuzz; FUZZ_EXAMPLES, FUZZ_SEED, FUZZ_KEEP=1).
fuzz: install
	scripts/fuzz

# Load and faults against the real server (scripts/soak), on SQLite then on a PostgreSQL cluster
# of its own: 50 users on the member list, search, reports and event recording for 5 minutes;
# the server killed (SIGKILL) and restarted mid-load; PostgreSQL stopped for 30 s. Exit 1 on any
# error outside those windows, a lost acknowledged write or a failing dangvu check. About 20
# minutes, not in CI (SOAK_SECONDS, SOAK_ENGINES, SOAK_USERS, SOAK_KEEP=1: see the script).
soak: install
	$(PY) scripts/soak

# Dangvu against the raw engine on a generated country (bench/run.py): SQLite, and PostgreSQL
# too when DATABASE_URL is set; non-zero exit when a target (bench/targets.py) is missed.
# Results in bench/out/ (untracked); RECORD=1 (or BENCH_RECORD=1) writes them to bench/results/.
bench: install
	$(PY) bench/run.py --members $${BENCH_MEMBERS:-1000000}$(if $(filter 1 yes true,$(RECORD)), --record)

# 8 writers for 60 s on PostgreSQL (DATABASE_URL, a dataset from make bench), then dangvu check.
contention: install
	$(PY) bench/contention.py

clean:
	rm -rf $(VENV) data
