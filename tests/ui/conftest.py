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

The app under test in the end-to-end tests is a real ``python -m memwarden`` process on the
desktop's display and bus (the pytest process itself stays on the offscreen platform: a Qt
process cannot switch platforms).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import qasync

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the desktop package
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ui: e2e_monitor

from e2e_monitor import HOG_SOURCE, config_text

from desktop import X_PROGRAMS, TestDesktop, missing_programs, wait_until

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
APP = REPO / "app"
MONITOR_NAME = "io.github.memwarden.Monitor1"

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


def attach_log(request: pytest.FixtureRequest, name: str, path: Path) -> None:
    """Show this log in the report if the test fails (the monitor's, the tray's)."""
    logs = request.node.stash.setdefault(LOGS, [])
    logs.append((name, path))


LOGS = pytest.StashKey[list[tuple[str, Path]]]()


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
def aloop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    """An asyncio loop running inside Qt's event loop."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    asyncio.set_event_loop(None)
    loop.close()


def app_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """PYTHONPATH for this checkout."""
    return {"PYTHONPATH": str(APP), **(extra or {})}


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


class MonitorProcess:
    """A monitor subprocess on a test bus, with its log."""

    def __init__(self, bus: TestDesktop, argv: list[str], log: Path) -> None:
        self.bus = bus
        self.log = log
        with open(log, "w") as out:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                env=bus.env(**app_env()),
            )  # fmt: skip

    def wait_owning(self, timeout_s: float = 30) -> None:
        wait_until(lambda: self.bus.name_has_owner(MONITOR_NAME) or self.proc.poll() is not None,
                   timeout_s, "the monitor on the bus")  # fmt: skip
        if self.proc.poll() is not None:
            raise AssertionError(f"monitor exited:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def dry_monitor_argv(*extra: str) -> list[str]:
    """A monitor that decides but never signals, without config file or helper."""
    return [sys.executable, "-m", "memwarden", "monitor", "--no-config", "--no-helper",
            "--dry-run", *extra]  # fmt: skip


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


def can_unshare() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                           capture_output=True, check=False)  # fmt: skip
    return probe.returncode == 0


@dataclass
class HogSpec:
    """A hog for :class:`NamespaceMonitor`: a script named ``file_name`` holding ``mib`` MiB of
    unmapped memfd, its process named ``comm``."""

    label: str
    file_name: str
    mib: int
    comm: str


class NamespaceMonitor:
    """The monitor and hogs of e2e_monitor.py in a fresh PID namespace on a test bus."""

    def __init__(self, bus: TestDesktop, directory: Path, hogs: list[HogSpec],
                 config: bool = False) -> None:  # fmt: skip
        directory.mkdir(parents=True, exist_ok=True)
        self.bus = bus
        self.log = directory / "monitor.log"
        self.config = directory / "config.toml" if config else None
        specs = []
        for hog in hogs:
            script = directory / hog.file_name
            script.write_text(HOG_SOURCE)
            specs.append({"label": hog.label, "script": str(script), "mib": hog.mib,
                          "comm": hog.comm})  # fmt: skip
        spec = {"hogs": specs, "warn_extra_mib": 8192, "log": str(self.log),
                "config": str(self.config) if self.config else ""}  # fmt: skip
        self.proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", sys.executable,
             str(Path(__file__).with_name("e2e_monitor.py")), json.dumps(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=bus.env(**app_env()),
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the namespace did not start:\n{self.output()}")
        ready = json.loads(line)
        self.pids: dict[str, int] = ready["hogs"]
        self.warn_mib = int(ready["warn_mib"])
        wait_until(lambda: bus.name_has_owner(MONITOR_NAME), 30, "the monitor on the bus")

    def close_now(self) -> None:
        """Move the close limit above what is available: the monitor closes apps by itself (the
        hogs: it sees nothing else). Needs ``config=True``."""
        assert self.config is not None
        self.config.write_text(config_text(self.warn_mib, close_mib=self.warn_mib - 1))
        self.bus.call(MONITOR_NAME, "/io/github/memwarden/Monitor1", MONITOR_NAME, "ReloadConfig")

    def alive(self, label: str) -> bool:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"alive {label}\n")
        self.proc.stdin.flush()
        return bool(json.loads(self.proc.stdout.readline())["alive"])

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


GAME = HogSpec("game", "SpaceGame.py", 400, "SpaceGame.exe")
EDITOR = HogSpec("editor", "notes.py", 120, "notes")


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


def run_until(loop: qasync.QEventLoop, predicate: Callable[[], bool], timeout_s: float = 20,
              what: str = "") -> None:  # fmt: skip
    """Run the Qt/asyncio loop until ``predicate()`` holds (bounded)."""

    async def poll() -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what or predicate}")
            await asyncio.sleep(0.02)

    loop.run_until_complete(poll())
