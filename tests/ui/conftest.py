# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the tray's tests.

* Qt warnings fail these tests (pytest-qt's ``qt_log_level_fail``), except the two lines the
  offscreen platform always prints for a tray icon.
* ``aloop``: asyncio inside Qt's loop (qasync), as in the app: ``aloop.run_until_complete(…)``.
* ``session_bus``: a private session bus (no X) — :mod:`desktop`.
* ``dry_monitor``: the real ``memwarden monitor`` on that bus, ``--dry-run`` (it never signals).
* ``ns_monitor``: the real monitor with memory hogs in a PID namespace of their own, warning at
  once; it can only ever close the hogs (needs root and ``unshare``).
* ``desktop``: the whole test desktop (Xvfb, trayer, dunst) for the session; skipped cleanly when
  its programs are missing.
* ``x_bus``: a private session bus whose programs show on the test desktop's X server (xcb, with
  trayer), with no notification server; ``dunst_on(bus, markup)`` starts a real dunst on one.

The app under test in the end-to-end tests is a real ``python -m memwarden`` process on the
desktop's display and bus (the pytest process itself stays on the offscreen platform: a Qt
process cannot switch platforms).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from memwarden.ui.link.event_loop import QtAsyncLoop

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ui: tray_testlib

from tray_testlib import (
    LOGS,
    REPO,
    HogSpec,
    MonitorProcess,
    NamespaceMonitor,
    attach_log,
    can_unshare,
    dry_monitor_argv,
    start_dunst,
)

from desktop import X_PROGRAMS, TestDesktop, missing_programs

#: What the offscreen platform prints for any tray icon or window: its limits, not our defects
#: (xcb supports all of these).
QT_NOISE = [
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
    r"No such signal QPlatformNativeInterface::systemTrayWindowChanged",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Qt warnings fail the tests in this folder (and only here: other folders decide)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*QT_NOISE))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test's report gets the logs of the processes it started."""
    report = yield
    if report.failed:
        for name, path in item.stash.get(LOGS, []):
            if path.exists():
                report.sections.append((name, path.read_text(errors="replace")[-6000:]))
    return report


@pytest.fixture
def aloop(qapp: Any) -> Iterator[QtAsyncLoop]:
    """An asyncio loop inside Qt's event loop, as the app has (memwarden.ui.link.event_loop)."""
    loop = QtAsyncLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDesktop]:
    """A private session bus; this process's DBUS_SESSION_BUS_ADDRESS points at it."""
    missing = missing_programs()
    if missing:
        pytest.skip(f"a private session bus needs {', '.join(missing)} (tests/debian-packages.txt)")
    bus = TestDesktop(tmp_path / "desk")
    bus.start_bus()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    yield bus
    bus.stop()


@pytest.fixture
def dry_monitor(
    session_bus: TestDesktop, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[MonitorProcess]:
    """The real monitor on the private bus, in dry-run mode."""
    monitor = MonitorProcess(session_bus, dry_monitor_argv("--verbose"), tmp_path / "monitor.log")
    attach_log(request, "memwarden monitor", monitor.log)
    monitor.wait_owning()
    yield monitor
    monitor.stop()


@pytest.fixture
def ns_monitor(
    session_bus: TestDesktop, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., NamespaceMonitor]]:
    """Start the monitor with hogs in a PID namespace: ``ns_monitor(GAME, EDITOR)``."""
    if not can_unshare():
        pytest.skip("needs root and unshare --pid (the monitor may only see the test's hogs)")
    started: list[NamespaceMonitor] = []

    def start(*hogs: HogSpec, bus: TestDesktop | None = None,
              config: bool = False) -> NamespaceMonitor:  # fmt: skip
        directory = tmp_path / f"ns{len(started)}"
        attach_log(request, f"memwarden monitor (PID namespace {len(started)})",
                   directory / "monitor.log")  # fmt: skip
        monitor = NamespaceMonitor(bus or session_bus, directory, list(hogs), config)
        started.append(monitor)
        return monitor

    yield start
    for monitor in started:
        monitor.stop()


@pytest.fixture(scope="session")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDesktop]:
    """Xvfb + trayer + dunst on a private session bus, for the whole session."""
    missing = missing_programs(("dbus-daemon", "dbus-send", *X_PROGRAMS))
    if missing:
        pytest.skip(f"the test desktop needs {', '.join(missing)} (tests/debian-packages.txt)")
    desk = TestDesktop(tmp_path_factory.mktemp("desktop"))
    try:
        desk.start()
    except (RuntimeError, TimeoutError) as exc:
        desk.stop()
        pytest.fail(f"cannot bring up the test desktop: {exc}", pytrace=False)
    yield desk
    desk.stop()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the end-to-end tests save their screenshots (``$MEMWARDEN_SCREENSHOTS``, else
    ``out/screenshots`` in the checkout)."""
    path = Path(os.environ.get("MEMWARDEN_SCREENSHOTS") or REPO / "out" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def x_bus(desktop: TestDesktop, session_bus: TestDesktop) -> TestDesktop:
    """A private session bus without notification server; its programs run on xcb, on the test
    desktop's X server (where trayer is the XEmbed tray)."""
    session_bus.display = desktop.display
    return session_bus


@pytest.fixture
def dunst_on() -> Iterator[Callable[[TestDesktop, str], None]]:
    """``dunst_on(bus, markup)``: a real dunst on that bus (:func:`tray_testlib.start_dunst`),
    stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(bus: TestDesktop, markup: str) -> None:
        started.append(start_dunst(bus, markup))

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
