# legalduty: `make run` starts the whole system, `make test` runs the whole suite.
# requirements.txt is what the services need to run (the image installs only that); requirements-dev.txt
# adds the test, lint and benchmark tools. `make run` installs the first, test/lint/bench the second.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP) $(DEV_STAMP)

run: $(STAMP)
	$(PY) -m services.launch

test: $(DEV_STAMP)
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check services tests bench
	$(VENV)/bin/ruff format --check services tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy services

bench: $(DEV_STAMP)
	$(PY) -m bench

clean:
	rm -rf var .pytest_cache
