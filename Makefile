# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := FLASK_DEBUG=1 TRACKER_PORT=$(PORT) $(BIN)/flask --app wsgi

.PHONY: run test lint install install-dev lock clean screenshots bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install exactly what the lock files pin (every transitive dependency, each with its hashes);
# reinstall only when a lock file changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.installed

# axe-core and the Nu HTML checker for the tests, exactly as package-lock.json pins them
# (no install scripts: vnu-jar's would fetch a Java runtime; Debian's is used instead).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

## run: set up, migrate the SQLite database, load the demo once, serve on http://127.0.0.1:$(PORT)
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) serve --host 127.0.0.1 --port $(PORT)

## test: the checks below, then the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: lint
	$(BIN)/python -m pytest

# What the suite needs from Debian, installed when missing: Chromium (browser tests) and a
# Java runtime (the Nu HTML checker). CHROMIUM and JAVA name what is checked for.
CHROMIUM ?= /usr/bin/chromium
JAVA     ?= java
APT_GET  ?= apt-get
SUDO     ?= $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_INSTALL = $(SUDO) $(APT_GET) update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq

.PHONY: system-tools
test: system-tools
system-tools:
	@test -x $(CHROMIUM) || { echo "Installing Chromium for the browser tests"; $(APT_INSTALL) chromium; }
	@command -v $(JAVA) >/dev/null || { echo "Installing Java for the Nu HTML checker"; $(APT_INSTALL) default-jre-headless; }

## lint: ruff (ruff.toml), the layering contracts (.importlinter, see ARCHITECTURE.md), no tracked file ignored
lint: install-dev
	$(BIN)/ruff check --quiet .
	$(BIN)/lint-imports --no-logo
	@! git ls-files -ci --exclude-standard 2>/dev/null | grep . || { echo ".gitignore lists the tracked files above"; exit 1; }

## screenshots: the demo in Chromium, every navigation page of each role at 1280 and 390 px into screenshots/
## (ignored), and the README's pictures into docs/screenshots/
screenshots: install-dev system-tools
	$(BIN)/python tools/screenshots.py

## bench: the scale benchmark (README, "Performance"): 2,000, 10,000 and 50,000 trainees on SQLite and
## PostgreSQL, about 12 minutes; BENCH_ARGS passes options, e.g. BENCH_ARGS="--sizes 2000 --databases sqlite"
bench: install
	$(BIN)/python bench/scale.py $(BENCH_ARGS)

## lock: after changing requirements*.txt, pin every transitive dependency with hashes (keeps the other pins)
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements-dev.txt

clean:
	rm -rf $(VENV) .pytest_cache
