# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray tests' tools (a module of its own: several test folders have a conftest.py, so
``from conftest import …`` would find whichever was imported last).

* :class:`MonitorProcess`: a monitor subprocess on a test bus; :func:`dry_monitor_argv`.
* :class:`NamespaceMonitor`: the monitor with memory hogs in a PID namespace (e2e_monitor.py);
  :data:`GAME` and :data:`EDITOR`, the hogs the tests use.
* :class:`TrayProcess`: the real tray (``python -m memwarden``) on a test desktop;
  :func:`stop_monitor`, for the dry-run monitor it starts.
* :func:`start_dunst`: a real dunst on a test bus that reads markup in bodies, or not.
* :func:`run_until`: run the Qt/asyncio loop until a condition holds (bounded).
* :func:`attach_log`: a log shown in the report of a failing test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import qasync

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the desktop package
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ui: e2e_monitor

from e2e_monitor import HOG_SOURCE, config_text

from desktop import DUNSTRC, FAKE_DMENU, NOTIFY_LOGGER, TestDesktop, wait_until

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
APP = REPO / "app"
MONITOR_NAME = "io.github.memwarden.Monitor1"
#: The running tray's single-instance name and object (org.freedesktop.Application).
TRAY_NAME = "io.github.memwarden.MemWarden"
TRAY_PATH = "/io/github/memwarden/MemWarden"

LOGS = pytest.StashKey[list[tuple[str, Path]]]()


def attach_log(request: pytest.FixtureRequest, name: str, path: Path) -> None:
    """Show this log in the report if the test fails (the monitor's, the tray's)."""
    logs = request.node.stash.setdefault(LOGS, [])
    logs.append((name, path))


def app_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """PYTHONPATH for this checkout."""
    return {"PYTHONPATH": str(APP), **(extra or {})}


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


def run_until(loop: qasync.QEventLoop, predicate: Callable[[], bool], timeout_s: float = 60,
              what: str = "") -> None:  # fmt: skip
    """Run the Qt/asyncio loop until ``predicate()`` holds (bounded)."""

    async def poll() -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what or predicate}")
            await asyncio.sleep(0.02)

    loop.run_until_complete(poll())


class TrayProcess:
    """``python -m memwarden`` on the test desktop, with its UI event record and its log."""

    def __init__(self, desktop: TestDesktop, directory: Path, **env: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.desktop = desktop
        self.events_path = directory / "ui-events.jsonl"
        self.log = directory / "tray.log"
        environment = desktop.env(
            PYTHONPATH=str(APP),
            MEMWARDEN_UI_EVENTS=str(self.events_path),
            XDG_CONFIG_HOME=str(directory / "config"),
            XDG_STATE_HOME=str(directory / "state"),
            MEMWARDEN_MONITOR_COMMAND=shlex.join(dry_monitor_argv()),
            LANG="C.UTF-8",
        )
        environment.pop("LANGUAGE", None)
        environment.pop("LC_ALL", None)
        environment.update(env)
        self.started = time.monotonic()
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "memwarden"], env=environment,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        self.wait_for("started")

    def events(self, kind: str) -> list[dict]:
        if not self.events_path.exists():
            return []
        lines = self.events_path.read_text().splitlines()
        return [e for e in map(json.loads, lines) if e["event"] == kind]

    def wait_for(self, kind: str, match: Callable[[dict], bool] = lambda e: True,
                 timeout_s: float = 30) -> dict:  # fmt: skip
        found: list[dict] = []

        def seen() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the tray exited ({self.proc.returncode}):\n{self.output()}")
            found[:] = [e for e in self.events(kind) if match(e)]
            return bool(found)

        wait_until(seen, timeout_s, f"UI event {kind!r}")
        return found[-1]

    def action(self, name: str) -> None:
        """org.freedesktop.Application.ActivateAction on the running tray."""
        self.desktop.call(TRAY_NAME, TRAY_PATH, "org.freedesktop.Application", "ActivateAction",
                          "sava{sv}", [name, [], {}])

    def quit(self) -> int:
        if self.proc.poll() is None:
            self.action("quit")
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")



def monitor_pid(desktop: TestDesktop) -> int | None:
    if not desktop.name_has_owner(MONITOR_NAME):
        return None
    out = desktop.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus.GetConnectionUnixProcessID",
                           f"string:{MONITOR_NAME}")  # fmt: skip
    return int(out.split()[-1])


def stop_monitor(desktop: TestDesktop) -> None:
    """Stop the dry-run monitor a tray started (it outlives the tray by design), also one that
    is not on the bus yet (a tray that quits right after starting it): found by the bus address
    in its environment."""
    pid = monitor_pid(desktop)
    if pid is not None and b"--dry-run" in Path(f"/proc/{pid}/cmdline").read_bytes():
        os.kill(pid, signal.SIGTERM)  # ours; a namespace's monitor is stopped by its fixture
        wait_until(lambda: not desktop.name_has_owner(MONITOR_NAME), 20, "the monitor to stop")
    for other in _dry_monitors_of(desktop):
        with contextlib.suppress(ProcessLookupError):
            os.kill(other, signal.SIGTERM)
    wait_until(lambda: not _dry_monitors_of(desktop), 20, "the tray's monitors to stop")


def _dry_monitors_of(desktop: TestDesktop) -> list[int]:
    """Dry-run monitors whose session bus is this desktop's."""
    found = []
    wanted = f"DBUS_SESSION_BUS_ADDRESS={desktop.address}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            if b"monitor" not in argv or b"--dry-run" not in argv:
                continue
            if wanted in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                found.append(int(entry))
        except OSError:
            continue
    return found


def start_dunst(bus: TestDesktop, markup: str) -> subprocess.Popen[bytes]:
    """A real dunst on ``bus`` (and its display), with ``markup = full`` (it advertises
    body-markup and renders the body as Pango markup) or ``no`` (it escapes the body itself),
    else configured as the test desktop's own (which sets no markup). What it receives is in
    ``bus.notifications()``. The caller stops it."""
    folder = bus.dir / f"dunst-{markup}"
    folder.mkdir(parents=True, exist_ok=True)
    dmenu, logger, config = folder / "dmenu.sh", folder / "logger.py", folder / "dunstrc"
    dmenu.write_text(FAKE_DMENU.format(log=folder / "dmenu.log", pick=bus.pick_file))
    logger.write_text(NOTIFY_LOGGER.format(python=sys.executable, out=str(bus.notify_log)))
    dmenu.chmod(0o755)
    logger.chmod(0o755)
    config.write_text(DUNSTRC.format(dmenu=dmenu, logger=logger)
                      .replace("[global]\n", f"[global]\n    markup = {markup}\n", 1))  # fmt: skip
    with open(folder / "dunst.log", "wb") as log:
        proc = subprocess.Popen(["dunst", "-config", str(config)], env=bus.env(),
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)  # fmt: skip
    wait_until(lambda: bus.name_has_owner("org.freedesktop.Notifications")
               or proc.poll() is not None, what="dunst")  # fmt: skip
    if proc.poll() is not None:
        raise RuntimeError(f"dunst exited: {(folder / 'dunst.log').read_text(errors='replace')}")
    return proc
