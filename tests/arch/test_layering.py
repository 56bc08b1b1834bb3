# SPDX-License-Identifier: GPL-3.0-or-later
"""The one-way doors of DESIGN.md: core, monitor and helper never load Qt or the UI, core loads
nothing above it, and the UI is a client of the monitor's D-Bus API, never of its code (it may use
only the API's names, monitor/dbus_constants.py).

Each module is imported in a fresh interpreter (an import already done by another test would hide
a violation), then its sys.modules is checked.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

_CHECK = """
import importlib, sys
importlib.import_module(sys.argv[1])
top_level, prefixes = set(sys.argv[2].split(",")), tuple(sys.argv[3].split(","))
print(",".join(sorted(m for m in sys.modules
                      if m.split(".")[0] in top_level or m.startswith(prefixes))))
"""


def _modules(package: str) -> list[str]:
    """The package and every module and subpackage under it."""
    path = APP / package.replace(".", "/")
    return [package] + [m.name for m in pkgutil.walk_packages([str(path)], f"{package}.")]


def _forbidden_loaded(module: str, top_level: list[str], prefixes: list[str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", _CHECK, module, ",".join(top_level), ",".join(prefixes)],
        capture_output=True, text=True, check=True, cwd=APP,
    )
    return out.stdout.strip()


NON_UI = [m for p in ("memwarden.core", "memwarden.monitor", "memwarden.helper")
          for m in _modules(p)]
CORE = _modules("memwarden.core")
UI = _modules("memwarden.ui")
#: What the UI may load of the monitor: the package (its __init__ is a docstring) and the names
#: of the D-Bus API.
UI_MAY_LOAD = {"memwarden.monitor", "memwarden.monitor.dbus_constants"}


def test_there_are_modules_to_check():
    assert "memwarden.core.scanner" in CORE
    assert len(NON_UI) > 10
    assert {"memwarden.ui.window.settings_page", "memwarden.ui.tray.menu_presenter"} <= set(UI)


@pytest.mark.parametrize("module", NON_UI)
def test_no_qt_outside_ui(module):
    assert _forbidden_loaded(module, ["PySide6", "shiboken6", "qasync"], ["memwarden.ui"]) == ""


@pytest.mark.parametrize("module", CORE)
def test_core_imports_nothing_above_it(module):
    """core is pure: no D-Bus, no monitor/helper/ui, and no optional library at import time."""
    loaded = _forbidden_loaded(
        module,
        ["PySide6", "dbus_fast", "dbus_next", "psutil", "pynvml"],
        ["memwarden.monitor", "memwarden.helper", "memwarden.ui"],
    )
    assert loaded == ""


def test_the_check_itself_sees_a_violation():
    """Guard against a check that cannot fail: importing the ui package must be caught."""
    assert _forbidden_loaded("memwarden.ui", ["PySide6"], ["memwarden.ui"]) == "memwarden.ui"


@pytest.mark.parametrize("module", UI)
def test_the_ui_loads_nothing_of_the_monitor_but_its_api_names(module):
    """The monitor keeps the settings: the UI reads and changes them over D-Bus, so it never
    loads the monitor's config code (which once made it a second writer of the file)."""
    loaded = set(_forbidden_loaded(module, [], ["memwarden.monitor"]).split(",")) - {""}
    assert loaded - UI_MAY_LOAD == set()


def test_the_ui_check_itself_sees_a_monitor_module():
    """Guard against a check that cannot fail: the monitor's config module is caught."""
    loaded = _forbidden_loaded("memwarden.monitor.config", [], ["memwarden.monitor"]).split(",")
    assert "memwarden.monitor.config" in set(loaded) - UI_MAY_LOAD


#: The UI's own doors (memwarden/ui/__init__.py): what each subpackage must not load at import.
#: The tray opens the window on demand, so not even the tray loads it up front.
UI_DOORS = {
    "memwarden.ui.words": ["memwarden.ui.link", "memwarden.ui.tray", "memwarden.ui.window"],
    "memwarden.ui.link": ["memwarden.ui.words", "memwarden.ui.tray", "memwarden.ui.window"],
    "memwarden.ui.window": ["memwarden.ui.tray"],
    "memwarden.ui.tray": ["memwarden.ui.window"],
}
UI_DOOR_CASES = [(m, tuple(UI_DOORS[p])) for p in UI_DOORS for m in _modules(p)]


@pytest.mark.parametrize(("module", "forbidden"), UI_DOOR_CASES)
def test_the_ui_subpackages_keep_their_doors(module, forbidden):
    assert _forbidden_loaded(module, [], list(forbidden)) == ""


def test_the_ui_doors_check_sees_a_violation():
    """The main window loads the window's controller: a check that cannot fail would miss it."""
    loaded = _forbidden_loaded("memwarden.ui.window.main_window", [], ["memwarden.ui.window"])
    assert "memwarden.ui.window.controller" in loaded.split(",")
