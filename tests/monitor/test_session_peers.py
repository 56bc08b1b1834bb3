# SPDX-License-Identifier: GPL-3.0-or-later
"""The session bus says who owns the desktop's names and the tray's, by pid (a real private bus,
real processes owning the names)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus

from desktop import TestDesktop, missing_programs
from memwarden.core.desktop_roles import SessionFacts
from memwarden.core.pid_stat import read_pid_stat
from memwarden.monitor.dbus_constants import TRAY_BUS_NAME
from memwarden.monitor.session_peers import SessionPeers, is_interesting

OWNER = """
import asyncio, sys
from dbus_fast.aio import MessageBus
async def main():
    bus = await MessageBus(bus_address=sys.argv[1]).connect()
    for name in sys.argv[2:]:
        await bus.request_name(name)
    print("owned", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
asyncio.run(main())
"""


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[TestDesktop]:
    if missing_programs():
        pytest.skip(f"missing {missing_programs()}")
    desktop = TestDesktop(tmp_path / "desktop")
    desktop.start_bus()
    yield desktop
    desktop.stop()


def own(bus: TestDesktop, *names: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", OWNER, bus.address, *names],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "owned"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    proc.wait(timeout=10)
    proc.stdout.close()


def start(pid: int) -> int:
    return read_pid_stat(pid).starttime_ticks


def test_interesting_names() -> None:
    for name in ("org.freedesktop.Notifications", "org.kde.StatusNotifierWatcher",
                 "org.kde.StatusNotifierHost-4242", TRAY_BUS_NAME):  # fmt: skip
        assert is_interesting(name), name
    for name in (":1.42", "org.mozilla.firefox", "io.github.memwarden.Monitor1"):
        assert not is_interesting(name), name


def test_owners_by_pid_and_their_changes(bus: TestDesktop) -> None:
    notifier = own(bus, "org.freedesktop.Notifications")
    notifier_start = start(notifier.pid)
    published: list[SessionFacts] = []

    async def scenario() -> tuple[SessionFacts, SessionFacts, SessionFacts]:
        conn = await MessageBus(bus_address=bus.address).connect()
        peers = SessionPeers(published.append, own={1234: 5})
        await peers.attach(conn)
        first = peers.facts()
        tray = own(bus, TRAY_BUS_NAME, "org.kde.StatusNotifierHost-77")
        deadline = time.monotonic() + 10
        while tray.pid not in peers.facts().own:
            assert time.monotonic() < deadline, peers.facts()
            await asyncio.sleep(0.02)
        second = peers.facts()
        release(notifier)
        while notifier.pid in peers.facts().bus_names:
            assert time.monotonic() < deadline, peers.facts()
            await asyncio.sleep(0.02)
        third = peers.facts()
        release(tray)
        peers.detach()
        conn.disconnect()
        return first, second, third

    first, second, third = asyncio.run(scenario())
    daemon = next(p for p, (_s, name) in first.bus_names.items() if name == "org.freedesktop.DBus")
    assert daemon == bus._procs["dbus-daemon"].pid  # the bus itself is the desktop
    assert first.bus_names[notifier.pid] == (notifier_start, "org.freedesktop.Notifications")
    assert first.own == {1234: 5}  # what the monitor knows without the bus stays
    (tray_pid,) = set(second.own) - {1234}
    assert second.own[tray_pid] == second.bus_names[tray_pid][0] > 0
    assert second.bus_names[tray_pid][1] == "org.kde.StatusNotifierHost-77"
    assert notifier.pid not in third.bus_names and tray_pid in third.own
    assert published and published[-1].bus_names == {}  # detach forgets


def test_a_bus_that_reports_another_pid_for_us_is_not_believed(bus: TestDesktop,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:  # fmt: skip
    """In another PID namespace than the bus, its pids name other processes: none is used."""
    notifier = own(bus, "org.freedesktop.Notifications")
    monkeypatch.setattr("memwarden.monitor.session_peers.os.getpid", lambda: 999_999)

    async def scenario() -> SessionFacts:
        conn = await MessageBus(bus_address=bus.address).connect()
        peers = SessionPeers(lambda _f: None, own={})
        await peers.attach(conn)
        conn.disconnect()
        return peers.facts()

    try:
        assert asyncio.run(scenario()).bus_names == {}
    finally:
        release(notifier)
