# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := FLASK_DEBUG=1 TRACKER_PORT=$(PORT) $(BIN)/flask --app wsgi

.PHONY: run test install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements change.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
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

## test: the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: install-dev
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

clean:
	rm -rf $(VENV) .pytest_cache
