# The two commands of the README: `make run` and `make test`. Each sets itself up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in this many processes (pytest-xdist), each test module whole in one of them.
TEST_PROCESSES ?= 2

# Development defaults; real deployments set their own PORTAL_* variables.
export PORTAL_SECRET_KEY ?= development-only-secret-do-not-deploy
export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test setup translations lint chromium lighthouse clean

CATALOGS := $(foreach lang,sv da en,locales/$(lang)/LC_MESSAGES/messages.mo)

setup: $(STAMP) $(CATALOGS)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Compiled catalogs are built, never committed.
locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages -l $*

run: setup
	PORTAL_DEV_IDP=1 $(BIN)/portal db upgrade
	PORTAL_DEV_IDP=1 $(BIN)/portal occupations import --if-empty
	PORTAL_DEV_IDP=1 $(BIN)/portal demo-data --if-empty
	@echo "Serving on $(PORTAL_BASE_URL) with the development IdP (personas: anna, bo, karin, lars, erik, vera, admin, palle)"
	PORTAL_DEV_IDP=1 $(BIN)/portal serve --host $(HOST) --port $(PORT)

chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'"; \
		exit 1; \
	fi

# Lighthouse (npm, pinned, installed into var/lighthouse) on six pages; one JSON line per page.
lighthouse: setup chromium
	$(BIN)/python -m bench.lighthouse

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy portal bench tests
	$(BIN)/lint-imports

test: setup chromium lint
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile

# After changing user-facing text: collect the messages and update each language's catalog.
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _ --no-location --omit-header \
		--sort-output -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching \
		--ignore-obsolete --width 100

clean:
	rm -rf $(VENV) var locales/*/LC_MESSAGES/*.mo
