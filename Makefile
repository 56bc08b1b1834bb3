# SPDX-License-Identifier: GPL-3.0-or-later
# One entry point for people and CI. `make test` is the README's test command and what .ci/run calls:
# it installs every Debian package and Python package the tests need, then runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: run test test-deps bench lint venv clean translations i18n-update

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test,dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP) translations
	$(VENV)/bin/memwarden scan

test-deps:
	bash scripts/install-debian-packages tests/debian-packages.txt

test: test-deps $(STAMP) translations
	$(PY) -m pytest $(PYTEST_ARGS)

bench: test-deps $(STAMP)
	bash scripts/install-debian-packages bench/debian-packages.txt
	$(PY) -m bench

# UI translations: i18n/*.ts are the committed sources, the .qm files are built into the package
# (gitignored) where memwarden.ui.i18n loads them. `make i18n-update` refreshes the .ts files from
# the code (translate+=_t: ui/messages.py calls QCoreApplication.translate through that alias).
TS := $(wildcard i18n/memwarden_*.ts)
QM := $(patsubst i18n/%.ts,app/memwarden/ui/translations/%.qm,$(TS))
LUPDATE_ARGS := -tr-function-alias translate+=_t -locations none -no-obsolete

translations: $(QM)

app/memwarden/ui/translations/%.qm: i18n/%.ts $(STAMP)
	@mkdir -p $(@D)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

i18n-update: $(STAMP)
	$(VENV)/bin/pyside6-lupdate $(LUPDATE_ARGS) app/memwarden/ui/*.py -ts $(TS)

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build dist app/*.egg-info
