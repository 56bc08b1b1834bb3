# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the helper tests: a private bus (any user) and the real system bus (root).

``system_bus`` (defined in tests/conftest.py, so that the packaging tests share the one
instance: it holds a machine-wide lock) brings up the real system bus, polkitd, the packaging
files and test users once per session (see :mod:`helper_sysbus`) and tears all of it down
afterwards; ``make test`` needs nothing else. When a test that used it fails, the helper's and
polkitd's logs are added to its report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helper_private_bus import PrivateBus
from helper_sysbus import SystemBusFixture


@pytest.fixture
def spawn_as(system_bus: SystemBusFixture) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """``spawn_as(user)`` starts a ``sleep`` owned by ``user``; all are killed after the test."""
    stack: list[Any] = []

    def spawn(user: Any, argv: list[str] | None = None) -> subprocess.Popen[bytes]:
        cm = system_bus.spawn_as(user, argv or ["sleep", "300"])
        proc = cm.__enter__()
        stack.append(cm)
        return proc

    yield spawn
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


@pytest.fixture
def private_bus(tmp_path: Path) -> Iterator[PrivateBus]:
    """A throw-away bus daemon of type "system" (no root needed), with an activation directory."""
    if shutil.which("dbus-daemon") is None:
        pytest.fail("dbus-daemon not found: install tests/debian-packages.txt", pytrace=False)
    bus = PrivateBus(tmp_path / "bus")
    bus.start()
    yield bus
    bus.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the helper's and polkitd's logs to a failing test that used the system bus."""
    report = yield
    if report.failed and "system_bus" in getattr(item, "fixturenames", ()):
        fixture = item.funcargs.get("system_bus") if hasattr(item, "funcargs") else None
        if isinstance(fixture, SystemBusFixture):
            report.sections.append(("memwarden-helper and polkitd logs", fixture.logs()))
    return report
