# SPDX-License-Identifier: GPL-3.0-or-later
"""Suite-wide fixtures. Subsystems keep their own fixtures in their folder's conftest.py."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import hogs`
# helper_sysbus: the system-bus fixture below, shared by tests/helper and tests/packaging.
sys.path.insert(0, str(Path(__file__).parent / "helper"))

# Qt tests run offscreen unless a test desktop (Xvfb) says otherwise.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from helper_sysbus import BringUpError, SystemBusFixture

from hogs import Hog, start_hog


@pytest.fixture
def hog() -> Iterator[Callable[..., Hog]]:
    """Start real memory hogs (see tests/hogs.py); all are killed when the test ends."""
    started: list[Hog] = []

    def start(kind: str, size: int = 0, **kwargs: object) -> Hog:
        h = start_hog(kind, size, **kwargs)  # type: ignore[arg-type]
        started.append(h)
        return h

    yield start
    for h in started:
        h.stop()


@pytest.fixture(scope="session")
def system_bus() -> Iterator[SystemBusFixture]:
    """The real system bus with polkitd, the helper's packaging files and test users (root only).

    Defined here rather than in tests/helper so that the helper and the packaging tests share one
    instance per session: it holds a machine-wide lock (helper_sysbus.LOCK_PATH), and a second
    instance in the same session would wait for the first forever.
    """
    if os.geteuid() != 0:
        pytest.skip("needs root: system bus, polkitd, test users")
    fixture = SystemBusFixture()
    try:
        fixture.up()
    except BringUpError as exc:
        pytest.fail(f"cannot bring up the test system bus: {exc}", pytrace=False)
    yield fixture
    fixture.down()
