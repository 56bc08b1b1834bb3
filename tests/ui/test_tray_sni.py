# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray as a StatusNotifierItem, the D-Bus tray of KDE, swaybar, waybar and GNOME's
AppIndicator extension: with a StatusNotifierWatcher on the session bus (sni_watcher.py), Qt
exports the tray icon over D-Bus instead of XEmbed, and its messages become notifications that
Qt sends itself. And the tray icon's messages, the notifications' fallback, on both kinds of
tray (fallback_app.py).

Each test has a private session bus without notification server (``x_bus``); its programs show
on the test desktop's X display (Xvfb, with trayer as the XEmbed tray). The item's properties are
read over D-Bus, as a tray host reads them.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tray_testlib import APP, TrayProcess, attach_log, stop_monitor

from desktop import TestDesktop, wait_until

HERE = Path(__file__).resolve().parent
ITEM_PATH = "/StatusNotifierItem"
ITEM = "org.kde.StatusNotifierItem"
#: An app's name as a hostile program would choose it (see tests/ui_window for the widgets).
NAME = '<b>bold</b><img src="/some/local.png"> & co'
#: A notification that names it in its summary and its body.
SUMMARY, BODY = f"Closed {NAME}", f"{NAME} was using 2.0 GiB."


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


class FallbackApp:
    """fallback_app.py on a test bus: a tray icon whose notifications have no server to go to."""

    def __init__(self, bus: TestDesktop, log: Path, summary: str, body: str,
                 *extra: str) -> None:  # fmt: skip
        with open(log, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(HERE / "fallback_app.py"), json.dumps([summary, body]),
                 *extra],
                env=bus.env(PYTHONPATH=str(APP)), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=err, text=True,
            )  # fmt: skip
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout

    def found(self) -> str:
        """``server`` or ``fallback``: what the notifier found at start."""
        return self.stdout.readline().strip()

    def notify(self) -> list[list[object]]:
        """Send the notification; the labels of the balloon Qt showed for it."""
        self.stdin.write("go\n")
        self.stdin.flush()
        return list(json.loads(self.stdout.readline()))

    def quit(self) -> None:
        self.stdin.close()
        self.proc.wait(timeout=20)
        self.stdout.close()


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


@pytest.mark.parametrize("server", ["dunst reading markup", "dunst reading text", "none"])
def test_over_an_sni_tray_the_fallback_escapes_the_body_where_it_is_markup(
    sni: SniBus, dunst_on: Callable[[TestDesktop, str], None], tmp_path: Path,
    request: pytest.FixtureRequest, server: str,
) -> None:  # fmt: skip
    """No notification server when the tray looked: its messages go to the tray icon. Over
    StatusNotifierItem Qt sends them on to org.freedesktop.Notifications itself (a server that
    came up later, as in a session still starting) and into the item's tooltip. Where the body
    is read as markup (a server with body-markup; the tooltip's text) the name in it must be
    escaped; a server that reads text gets it as it is. The summary is plain text for every
    server."""
    log = tmp_path / "app.log"
    attach_log(request, "fallback_app.py", log)
    app = FallbackApp(sni.bus, log, SUMMARY, BODY)
    try:
        assert app.found() == "fallback"
        service = sni.item_of(app.proc.pid)  # Qt exports the icon over D-Bus
        if server != "none":
            dunst_on(sni.bus, "full" if server == "dunst reading markup" else "no")
        assert app.notify() == []  # no balloon of Qt's own
        if server == "none":
            # The item asks for attention; its tooltip carries the message.
            tooltip = sni.item_property(service, "ToolTip")
            assert isinstance(tooltip, (list, tuple))
            assert list(tooltip[2:]) == [SUMMARY, html.escape(BODY, quote=False)]
            return
        wait_until(lambda: bool(sni.bus.notifications()), 20, "dunst's record of it")
        [shown] = sni.bus.notifications()
        if server == "dunst reading markup":
            assert shown["body"] == html.escape(BODY, quote=False)  # &, < and >
            assert "&lt;img src=" in shown["body"] and "<img" not in shown["body"]
        else:
            assert shown["body"] == BODY
        assert shown["summary"] == SUMMARY
        assert shown["app_name"] == "MemWarden"  # Qt sends the application name
    finally:
        app.quit()


def test_on_an_xembed_tray_the_fallback_balloon_shows_the_name_as_written(
    x_bus: TestDesktop, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Without a StatusNotifierWatcher the icon sits in the XEmbed tray, and Qt shows the
    message in a balloon of its own, as plain text: the body goes unescaped (escaped, the person
    would read "&lt;")."""
    log = tmp_path / "app.log"
    attach_log(request, "fallback_app.py", log)
    app = FallbackApp(x_bus, log, SUMMARY, BODY, "xembed")
    try:
        assert app.found() == "fallback"
        assert sorted(app.notify()) == sorted([[SUMMARY, True], [BODY, True]])
    finally:
        app.quit()
