# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden`` with no arguments: the tray app.

Start-up, in order: the QApplication with the app's identity (set once, here) and the
translations (:mod:`words.i18n`); asyncio inside Qt's event loop (qasync, so dbus-fast runs on
it); the session bus; one tray per session (a second ``memwarden`` raises the first one's window
and exits, see :mod:`link.single_instance`); the tray icon at once; then, in the background, the
monitor — found, activated or started (:mod:`link.monitor_launcher`) — and the notification
server. Without a system tray the main window opens instead.

Quitting the tray leaves the monitor guarding, unless the person chose "Quit and stop guarding".
SIGTERM and SIGINT quit like "Quit".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from memwarden import __version__

log = logging.getLogger("memwarden.ui")

#: Qt shows the application name as the tray's StatusNotifierItem ``Title`` (and ``Id``), as the
#: class of the X11 WM_CLASS (xdotool and window rules match it without regard to case) and as the
#: app name of the notifications the tray icon sends on a StatusNotifierItem desktop. Nothing
#: derives a file or bus name from it: the settings folder is platformdirs' "memwarden", the
#: single-instance name is :data:`single_instance.BUS_NAME`, the catalogs are
#: :data:`i18n.CATALOG`.
APP_NAME = "MemWarden"
DESKTOP_FILE = "io.github.memwarden.MemWarden"
#: At session start the tray host may come up after us: wait this long before deciding that
#: there is none and opening the window instead.
TRAY_WAIT_S = 3.0


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with MemWarden's identity (once per process)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        list(argv) if argv is not None else [sys.argv[0]]
    )  # fmt: skip
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationDomain("memwarden.github.io")
    app.setDesktopFileName(DESKTOP_FILE)
    app.setQuitOnLastWindowClosed(False)
    from memwarden.ui import resources

    app.setWindowIcon(resources.app_icon())
    return app


class TrayApp:
    """The running tray: owns the bus connection and the objects on it."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.quit_event = asyncio.Event()
        self.stop_guarding = False
        self.tray: object | None = None

    def request_quit(self, stop_guarding: bool = False) -> None:
        """Quit (and stop the monitor too when asked)."""
        self.stop_guarding = self.stop_guarding or stop_guarding
        self.quit_event.set()

    async def run(self) -> int:
        """Run until quit; the exit status."""
        from dbus_fast import BusType
        from dbus_fast.aio import MessageBus

        from memwarden.ui.link import single_instance
        from memwarden.ui.link.monitor_calls import MonitorError
        from memwarden.ui.link.monitor_client import MonitorClient
        from memwarden.ui.link.monitor_launcher import MonitorLauncher
        from memwarden.ui.link.slot_tasks import run_logged
        from memwarden.ui.tray import ui_events
        from memwarden.ui.tray.controller import TrayController

        try:
            bus = await MessageBus(bus_type=BusType.SESSION).connect()
        except Exception as exc:
            log.error("no session bus (%s): MemWarden's tray needs a desktop session", exc)
            return 1
        tray: TrayController | None = None

        def on_action(action: str) -> None:
            ui_events.record("activate", action=action)
            if tray is None:
                return
            if action == "open-window":
                tray.open_window()
            elif action == "show-prompt":
                run_logged(tray.show_prompt())
            elif action == "free-memory":
                tray.free_memory()
            elif action == "quit":
                self.request_quit()

        if not await single_instance.claim(bus, on_action):
            bus.disconnect()
            return 0
        client = MonitorClient(bus)
        launcher = MonitorLauncher(bus)
        tray = TrayController(client, launcher)
        self.tray = tray
        tray.quitRequested.connect(self.request_quit)
        tray.show()
        ui_events.record("started", version=__version__, platform=self.app.platformName())
        # The notification server first: a monitor already warning is reported at once.
        await tray.notifier.start()
        try:
            await client.start()
        except MonitorError as exc:
            log.error("cannot listen to the monitor: %s", exc)
        tray.update_icon()
        run_logged(launcher.ensure_running())
        background = [
            asyncio.ensure_future(self._open_window_without_tray(tray)),
            asyncio.ensure_future(self._quit_with_the_bus(bus)),
        ]

        await self.quit_event.wait()
        ui_events.record("quit", stop_guarding=self.stop_guarding)
        for task in background:
            task.cancel()
        with contextlib.suppress(Exception):  # a bus that went away: nothing left to take down
            await tray.paused_apps.withdraw_all()
        if self.stop_guarding:
            await launcher.stop_monitor()
        else:
            launcher.forget()
        tray.hide()
        # Calls still running (a window refreshing, a notification) end now, before the bus
        # goes: a task cut off by the disconnect would only log an error on the way out.
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await client.close()
        with contextlib.suppress(Exception):
            await bus.release_name(single_instance.BUS_NAME)
        bus.disconnect()
        return 0

    async def _open_window_without_tray(self, tray: object) -> None:
        from memwarden.ui.tray.controller import TrayController

        assert isinstance(tray, TrayController)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TRAY_WAIT_S
        while not QSystemTrayIcon.isSystemTrayAvailable():
            if loop.time() > deadline:
                log.info("no system tray: opening the window")
                tray.open_window()
                return
            await asyncio.sleep(0.25)

    async def _quit_with_the_bus(self, bus: object) -> None:
        with contextlib.suppress(Exception):
            await bus.wait_for_disconnect()  # type: ignore[attr-defined]
        if not self.quit_event.is_set():
            log.warning("the session bus went away: quitting")
            self.request_quit()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tray; the exit status."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="memwarden: %(levelname)s %(name)s: %(message)s")  # fmt: skip
    from memwarden.ui.link.event_loop import QtAsyncLoop
    from memwarden.ui.words.i18n import install_translator

    app = make_application(argv)
    install_translator(app)  # before any widget: Qt translates when a string is asked for
    loop = QtAsyncLoop(app)
    asyncio.set_event_loop(loop)
    tray_app = TrayApp(app)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, tray_app.request_quit)
    try:
        with loop:
            return int(loop.run_until_complete(tray_app.run()))
    finally:
        asyncio.set_event_loop(None)
