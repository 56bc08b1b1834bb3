# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the main window's tests: a real snapshot, the client double, the asyncio loop in
Qt's loop, English number formats, and Qt warnings as failures."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QLocale, QtMsgType
from window_doubles import FakeMonitorClient
from window_scene import Scene, monitor_properties, start_scene

_BAD_QT_MESSAGES = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
# The offscreen platform plugin says this for any top-level window whose minimum size changes
# (QPlatformWindow's default propagateSizeHints); it is the plugin's limit, not a defect of ours,
# and xcb/wayland do not say it.
_PLATFORM_NOISE = frozenset({"This plugin does not support propagateSizeHints()"})


@pytest.fixture(autouse=True)
def _qt_warnings_fail(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt warning (bad connection, painter misuse, …) fails the test (DESIGN.md, Tests)."""
    qtlog = request.getfixturevalue("qtlog")
    yield
    bad = [
        r for r in qtlog.records
        if r.type in _BAD_QT_MESSAGES and r.message not in _PLATFORM_NOISE
    ]  # fmt: skip
    assert not bad, "Qt warned: " + "; ".join(r.message for r in bad)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Numbers as an English desktop writes them, whatever LANG the test run has."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


@pytest.fixture(scope="session")
def aloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """asyncio inside Qt's event loop (qasync), as the tray runs it; qtbot waits drive it.

    One loop for the session, like the app has: stopping a qasync loop calls
    ``QApplication.exit()``, after which a new loop's callbacks never ran here (qasync 0.28).
    """
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    loop.stop()
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture(autouse=True)
def _no_task_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every call a test started has finished or is cancelled when it ends."""
    yield
    if "aloop" not in request.fixturenames:
        return
    loop = request.getfixturevalue("aloop")
    for task in asyncio.all_tasks(loop):
        task.cancel()


@pytest.fixture(scope="session")
def scene() -> Scene:
    """A real scan of this machine with the scene's apps and orphan (window_scene.py).

    The scene is stopped right after the scan: the scan and its document are data, and other
    tests must not see its processes or its orphan file.
    """
    started = start_scene()
    started.stop()
    return started


@pytest.fixture(scope="session")
def scene_doc(scene: Scene) -> dict[str, Any]:
    """The real snapshot document of the scene."""
    return scene.doc


@pytest.fixture
def doc(scene_doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of the real snapshot a test may change."""
    return copy.deepcopy(scene_doc)


@pytest.fixture
def client(doc: dict[str, Any], scene: Scene, tmp_path: Path, aloop: Any) -> FakeMonitorClient:
    """The client double over the real snapshot, with a config file in tmp_path; its snapshots
    carry the rules its ``AppRules`` give each app of the scan, as the monitor decides them."""
    return FakeMonitorClient(
        doc, monitor_properties(doc, tmp_path / "config.toml"), scan=scene.scan
    )
