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
	$(PIP) install --quiet -e '.[test,dev,nvidia]'
	touch $(STAMP)

venv: $(STAMP)

# The tray (it starts the monitor); `$(VENV)/bin/memwarden scan` shows the accounting in a terminal.
run: $(STAMP) translations
	$(VENV)/bin/memwarden

test-deps:
	bash scripts/install-debian-packages tests/debian-packages.txt

test: test-deps $(STAMP) translations
	$(PY) -m pytest $(PYTEST_ARGS)

bench: test-deps $(STAMP)
	bash scripts/install-debian-packages bench/debian-packages.txt
	$(PY) -m bench

# UI translations: i18n/*.ts are the committed sources, the .qm files are built into the package
# (gitignored) where memwarden.ui.words.i18n loads them. `make i18n-update` refreshes the .ts files from
# the code (translate+=_t: ui/words/messages.py calls QCoreApplication.translate through that alias).
TS := $(wildcard i18n/memwarden_*.ts)
QM := $(patsubst i18n/%.ts,app/memwarden/ui/translations/%.qm,$(TS))
LUPDATE_ARGS := -tr-function-alias translate+=_t -locations none -no-obsolete

translations: $(QM)

app/memwarden/ui/translations/%.qm: i18n/%.ts $(STAMP)
	@mkdir -p $(@D)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

i18n-update: $(STAMP)
	$(VENV)/bin/pyside6-lupdate $(LUPDATE_ARGS) $(shell find app/memwarden/ui -name '*.py' | sort) -ts $(TS)

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build dist app/*.egg-info

# ---- install, uninstall, .deb (issue 6) ---------------------------------------------------------
# `make install PREFIX=/usr DESTDIR=/tmp/stage` puts every file in its FHS place (see
# packaging/install-tree for where and why); `make uninstall` with the same settings removes it.
# The Python side is a private venv at $(PREFIX)/lib/memwarden/venv with wrappers in $(PREFIX)/bin.
PREFIX       ?= /usr/local
DESTDIR      ?=
# The .deb: xz is Debian's default and the smallest (≈24 MiB); the tests build with zstd (≈34 MiB,
# seconds instead of half a minute), which dpkg reads since 1.21.18 (Debian 12 has 1.21.22).
DEB_COMPRESS ?= xz
DEB_OUT      ?= dist
INSTALL_ENV   = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)'

.PHONY: install install-data install-python uninstall deb

install: install-data install-python

install-data:
	$(INSTALL_ENV) bash packaging/install-tree data

install-python: translations
	$(INSTALL_ENV) bash packaging/install-tree python

uninstall:
	$(INSTALL_ENV) bash packaging/install-tree uninstall

# The .deb carries the Python packages at the versions `make test` ran with (the dev venv's), and
# the compiled UI translations (package data: they must exist before the wheel is built).
deb: $(STAMP) translations
	mkdir -p build && $(PIP) freeze --exclude-editable > build/deb-constraints.txt
	PIP_CONSTRAINTS=$(abspath build/deb-constraints.txt) DEB_COMPRESS='$(DEB_COMPRESS)' \
	  bash packaging/deb/build-deb '$(DEB_OUT)'
