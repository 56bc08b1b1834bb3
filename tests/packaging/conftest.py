# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the packaging tests.

``installed_deb`` builds the .deb (``make deb``), installs it on this machine with its
dependencies, and purges it afterwards, on the suite's real system bus with polkitd
(``system_bus``, tests/conftest.py). It needs root; the static checks of the files in the tree
(test_files.py, test_install_tree.py) need nothing.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))  # elf_needed

import deb_lib
from deb_lib import InstalledDeb
from helper_sysbus import SystemBusFixture


@pytest.fixture(scope="module")
def installed_deb(
    system_bus: SystemBusFixture, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InstalledDeb]:
    """The .deb built from this tree, installed; purged (if a test has not) at the end."""
    for tool in ("dpkg-deb", "apt-get", "make"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found", pytrace=False)
    work = tmp_path_factory.mktemp("deb")
    if deb_lib.is_installed():  # left by a run that was killed
        deb_lib.purge()
    deb = deb_lib.build_deb(work)
    deb_lib.install_dependencies(deb, work)
    system_bus.stop_helper()  # this checkout's helper owns the name until it idles out
    lifted = deb_lib.LiftedFiles()
    lifted.lift()
    try:
        before = deb_lib.snapshot()
        deb_lib.install(deb)
        files = deb_lib.run("dpkg-query", "-L", deb_lib.PACKAGE).stdout.split("\n")
        yield InstalledDeb(deb, before, [f for f in files if f and f != "/."])
    finally:
        if deb_lib.is_installed():
            deb_lib.purge()
        # A helper the purge did not stop would hold the name and break later helper tests.
        for pid, _argv in deb_lib.memwarden_processes():
            deb_lib.stop_pid(pid)
        lifted.restore()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the polkitd log to a failing .deb test (the bus fixture keeps it)."""
    report = yield
    if report.failed and "installed_deb" in getattr(item, "fixturenames", ()):
        fixture = item.funcargs.get("system_bus") if hasattr(item, "funcargs") else None
        if isinstance(fixture, SystemBusFixture):
            report.sections.append(("polkitd log", fixture.logs()))
    return report
