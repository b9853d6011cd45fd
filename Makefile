# legalduty: `make run` starts the whole system, `make test` runs the whole suite.
# requirements.txt is what the services need to run (the image installs only that); requirements-dev.txt
# adds the test, lint and benchmark tools. `make run` installs the first, test/lint/bench the second.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Debian packages the tests need: Chromium for the console's browser tests (Playwright cannot download its
# own browser here) and a CJK font (or Chinese renders as boxes in their screenshots); wrk for benchmarks
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: run test lint bench clean .system-test-deps .system-bench-deps

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP) $(DEV_STAMP)

.system-test-deps:
	@command -v chromium >/dev/null 2>&1 && dpkg -s fonts-wqy-microhei >/dev/null 2>&1 \
	  || ($(SUDO) apt-get update -qq && $(APT_INSTALL) chromium fonts-wqy-microhei >/dev/null)

.system-bench-deps: .system-test-deps
	@command -v wrk >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(APT_INSTALL) wrk >/dev/null)

run: $(STAMP)
	$(PY) -m services.launch

test: $(DEV_STAMP) .system-test-deps
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check services tests bench
	$(VENV)/bin/ruff format --check services tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy services

bench: $(DEV_STAMP) .system-bench-deps
	$(PY) -m bench

clean:
	rm -rf var .pytest_cache
