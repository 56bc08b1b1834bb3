# SPDX-License-Identifier: GPL-3.0-or-later
# One entry point for people and CI. `make test` is the README's test command and what .ci/run calls:
# it installs every Debian package and Python package the tests need, then runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: run test test-deps bench lint venv clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test,dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/memwarden scan

test-deps:
	bash scripts/install-debian-packages tests/debian-packages.txt

test: test-deps $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: test-deps $(STAMP)
	bash scripts/install-debian-packages bench/debian-packages.txt
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build dist app/*.egg-info
