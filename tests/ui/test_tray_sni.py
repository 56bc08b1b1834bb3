# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray as a StatusNotifierItem, the D-Bus tray of KDE, swaybar, waybar and GNOME's
AppIndicator extension: with a StatusNotifierWatcher on the session bus (sni_watcher.py), Qt
exports the tray icon over D-Bus instead of XEmbed, and its messages become notifications that
Qt sends itself.

Each test has a private session bus without notification server (``x_bus``); its programs show
on the test desktop's X display (Xvfb, with trayer as the XEmbed tray). The item's properties are
read over D-Bus, as a tray host reads them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tray_testlib import TrayProcess, attach_log, stop_monitor

from desktop import TestDesktop, wait_until

HERE = Path(__file__).resolve().parent
ITEM_PATH = "/StatusNotifierItem"
ITEM = "org.kde.StatusNotifierItem"


class SniBus:
    """The private bus with its watcher: ``items()`` lists the items that registered."""

    def __init__(self, bus: TestDesktop, record: Path) -> None:
        self.bus = bus
        self.record = record

    def items(self) -> list[str]:
        return self.record.read_text().split()

    def item_of(self, pid: int) -> str:
        """The bus name under which process ``pid`` registered its item (Qt gives its
        connection's unique name)."""
        found: list[str] = []

        def registered() -> bool:
            found[:] = [i for i in self.items() if self._pid_of(i) == pid]
            return bool(found)

        wait_until(registered, 20, f"process {pid}'s StatusNotifierItem")
        return found[0]

    def _pid_of(self, service: str) -> int | None:
        try:
            [pid] = self.bus.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                  "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s",
                                  [service])  # fmt: skip
        except RuntimeError:  # gone
            return None
        return int(str(pid))

    def item_property(self, service: str, name: str) -> object:
        [value] = self.bus.call(service, ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                                "ss", [ITEM, name])  # fmt: skip
        return getattr(value, "value", value)


@pytest.fixture
def sni(x_bus: TestDesktop, tmp_path: Path) -> Iterator[SniBus]:
    """The same bus with a StatusNotifierWatcher: Qt exports tray icons over D-Bus."""
    record = tmp_path / "sni-items"
    record.touch()
    watcher = subprocess.Popen(
        [sys.executable, str(HERE / "sni_watcher.py"), str(record)], env=x_bus.env(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert watcher.stdout is not None
    assert watcher.stdout.readline().strip() == "ready"
    yield SniBus(x_bus, record)
    watcher.terminate()
    watcher.wait(timeout=10)
    watcher.stdout.close()


def test_the_tray_item_is_titled_memwarden(
    sni: SniBus, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The host shows the item's Title (in a list of hidden items, for one): it is the app's
    name as people read it, set once at start-up."""
    attach_log(request, "memwarden tray", tmp_path / "tray" / "tray.log")
    tray = TrayProcess(sni.bus, tmp_path / "tray")
    try:
        service = sni.item_of(tray.proc.pid)
        assert sni.item_property(service, "Title") == "MemWarden"
        assert sni.item_property(service, "Id") == "MemWarden"
        tooltip = sni.item_property(service, "ToolTip")
        assert isinstance(tooltip, (list, tuple)) and str(tooltip[2]).startswith("MemWarden: ")
    finally:
        assert tray.quit() == 0, tray.output()
        stop_monitor(sni.bus)
    assert "Traceback" not in tray.output(), tray.output()
