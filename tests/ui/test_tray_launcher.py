# SPDX-License-Identifier: GPL-3.0-or-later
"""MonitorLauncher on a private session bus: a monitor already there, D-Bus activation, the
systemd user unit, starting one itself — and starting it again when it dies, giving up when it
keeps dying, stopping it when the person stops guarding. Every monitor is ``--dry-run``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import sys
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from tray_testlib import APP, MONITOR_NAME, MonitorProcess, dry_monitor_argv, run_until

from memwarden.ui.link.monitor_launcher import COMMAND_ENV, MonitorLauncher


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, session_bus) -> None:
    """Monitors started from here run this checkout, in dry-run mode."""
    monkeypatch.setenv("PYTHONPATH", str(APP))
    monkeypatch.setenv(COMMAND_ENV, shlex.join(dry_monitor_argv()))


@pytest.fixture
def launcher_on(aloop, tmp_path: Path):
    """``launcher_on(systemctl=…)``: a launcher on its own connection (closed after the test)."""
    buses: list[MessageBus] = []
    launchers: list[MonitorLauncher] = []

    async def connect() -> MessageBus:
        return await MessageBus().connect()

    def make(systemctl: str = "") -> MonitorLauncher:
        bus = aloop.run_until_complete(connect())
        buses.append(bus)
        launcher = MonitorLauncher(bus, log_path=tmp_path / "state" / "monitor.log",
                                   systemctl=systemctl)  # fmt: skip
        launcher.backoff_s = 0.05
        launchers.append(launcher)
        return launcher

    yield make
    for launcher in launchers:
        launcher.forget()
        if launcher.process is not None and launcher.process.poll() is None:
            launcher.process.kill()
            launcher.process.wait(timeout=10)
    for bus in buses:
        bus.disconnect()
        with contextlib.suppress(Exception):
            aloop.run_until_complete(asyncio.wait_for(bus.wait_for_disconnect(), 5))


def owner_pid(session_bus) -> int:
    out = session_bus.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus.GetConnectionUnixProcessID",
                               f"string:{MONITOR_NAME}")  # fmt: skip
    return int(out.split()[-1])


def test_uses_the_monitor_already_running(aloop, session_bus, dry_monitor, launcher_on, env):
    launcher = launcher_on()
    assert aloop.run_until_complete(launcher.ensure_running()) == "bus"
    assert launcher.process is None and launcher.status == "running"


def test_starts_it_itself_restarts_it_when_it_dies_and_stops_it(aloop, session_bus, tmp_path,
                                                                 launcher_on, env):  # fmt: skip
    launcher = launcher_on()
    statuses: list[str] = []
    launcher.statusChanged.connect(statuses.append)
    assert aloop.run_until_complete(launcher.ensure_running()) == "spawned"
    first = launcher.process
    assert first is not None and owner_pid(session_bus) == first.pid
    # It runs in a session of its own: it outlives the tray, and the tray's signals miss it.
    assert os.getsid(first.pid) == first.pid
    assert (tmp_path / "state" / "monitor.log").exists()
    os.kill(first.pid, signal.SIGKILL)  # a crash: noticed through the pidfd
    run_until(aloop, lambda: launcher.process is not None and launcher.process is not first
              and launcher.status == "running", 30, "a new monitor")  # fmt: skip
    second = launcher.process
    assert second is not None and owner_pid(session_bus) == second.pid
    assert statuses[:2] == ["starting", "running"] and statuses[-1] == "running"
    assert aloop.run_until_complete(launcher.stop_monitor())
    assert second.poll() is not None and not session_bus.name_has_owner(MONITOR_NAME)
    assert launcher.status == "stopped"
    # Stopped on purpose: not started again.
    aloop.run_until_complete(asyncio.sleep(0.3))
    assert not session_bus.name_has_owner(MONITOR_NAME)


def test_gives_up_on_a_monitor_that_keeps_dying(aloop, session_bus, tmp_path, monkeypatch,
                                                launcher_on, env):  # fmt: skip
    monkeypatch.setenv(COMMAND_ENV, "sh -c 'echo broken monitor; exit 3'")
    launcher = launcher_on()
    assert aloop.run_until_complete(launcher.ensure_running()) == "failed"
    run_until(aloop, lambda: launcher.status == "failed" and len(launcher._restarts) >= 5, 30,
              "the launcher to give up")  # fmt: skip
    assert "broken monitor" in (tmp_path / "state" / "monitor.log").read_text()


def test_starts_it_by_dbus_activation(aloop, session_bus, launcher_on, env):
    session_bus.add_service(MONITOR_NAME, shlex.join(dry_monitor_argv()))
    launcher = launcher_on()
    assert aloop.run_until_complete(launcher.ensure_running()) == "activation"
    assert launcher.process is None
    pid = owner_pid(session_bus)
    # Stopping guarding stops an activated monitor too (ours: same user, a memwarden monitor).
    assert aloop.run_until_complete(launcher.stop_monitor())
    run_until(aloop, lambda: not os.path.exists(f"/proc/{pid}") or _zombie(pid), 20,
              "the activated monitor to exit")  # fmt: skip


def test_starts_the_systemd_user_unit(aloop, session_bus, tmp_path, launcher_on, env):
    """systemctl's contract (``show -p LoadState --value``, ``start``, ``stop``), played by a
    script: there is no systemd user manager on a CI machine."""
    fake = tmp_path / "systemctl"
    pidfile = tmp_path / "unit.pid"
    fake.write_text(f"""#!/bin/sh
echo "$@" >> {tmp_path}/systemctl.log
case "$*" in
  "--user show -p LoadState --value memwarden-monitor.service") echo loaded ;;
  "--user start memwarden-monitor.service")
     {shlex.join(dry_monitor_argv())} </dev/null >{tmp_path}/unit.log 2>&1 &
     echo $! > {pidfile} ;;
  "--user stop memwarden-monitor.service") kill "$(cat {pidfile})" ;;
  *) exit 1 ;;
esac
""")
    fake.chmod(0o755)
    launcher = launcher_on(systemctl=str(fake))
    assert aloop.run_until_complete(launcher.ensure_running()) == "systemd"
    assert owner_pid(session_bus) == int(pidfile.read_text())
    assert aloop.run_until_complete(launcher.stop_monitor())
    calls = (tmp_path / "systemctl.log").read_text().splitlines()
    assert calls[-1] == "--user stop memwarden-monitor.service"


def test_a_monitor_that_is_not_ours_is_not_stopped(aloop, session_bus, tmp_path, launcher_on,
                                                    env):  # fmt: skip
    """Only a MemWarden monitor is sent SIGTERM: here another program owns the name."""
    impostor = MonitorProcess(session_bus, [sys.executable, "-c", IMPOSTOR], tmp_path / "i.log")
    try:
        impostor.wait_owning()
        launcher = launcher_on()
        assert aloop.run_until_complete(launcher.ensure_running()) == "bus"
        launcher.forget()
        launcher._stopping = False
        assert not aloop.run_until_complete(_stop_quickly(launcher))
        assert impostor.proc.poll() is None
    finally:
        impostor.stop()


IMPOSTOR = f"""
import asyncio
from dbus_fast.aio import MessageBus
async def main():
    bus = await MessageBus().connect()
    await bus.request_name({MONITOR_NAME!r})
    await asyncio.sleep(120)
asyncio.run(main())
"""


async def _stop_quickly(launcher: MonitorLauncher) -> bool:
    import memwarden.ui.link.monitor_launcher as ml

    before = ml.START_TIMEOUT_S
    ml.START_TIMEOUT_S = 0.5
    try:
        return await launcher.stop_monitor()
    finally:
        ml.START_TIMEOUT_S = before


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


def test_a_command_cut_off_by_quitting_is_killed_and_reaped(
    aloop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Quitting cancels a start still under way (``systemctl --user show`` running): the command
    is killed and reaped while the loop runs. Before, it was left to the garbage collector, which
    could come after the loop was closed: asyncio then printed a traceback on the tray's way
    out. The test holds the process object, as a reference cycle would."""
    started: list[asyncio.subprocess.Process] = []
    spawn = asyncio.create_subprocess_exec

    async def recording_spawn(*args: object, **kwargs: object) -> asyncio.subprocess.Process:
        proc = await spawn(*args, **kwargs)  # type: ignore[arg-type]
        started.append(proc)
        return proc

    monkeypatch.setattr(asyncio, "create_subprocess_exec", recording_spawn)

    async def cut_off() -> None:
        task = asyncio.ensure_future(MonitorLauncher._run(["sleep", "30"]))
        while not started:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # inside communicate()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    aloop.run_until_complete(cut_off())
    assert started[0].returncode is not None  # killed and reaped, the loop still running
