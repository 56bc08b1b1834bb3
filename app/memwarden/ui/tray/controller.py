# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray icon, and what happens on warnings, kills and the person's choices.

:class:`TrayController` glues the monitor client, the notifications, the prompt and the window.
What is shown comes from the presenters (:mod:`menu_presenter`, :mod:`prompt_presenter`) and the
words (:mod:`memwarden.ui.words.messages`); this module puts it on screen (the menu: :mod:`menu`;
paused apps: :mod:`paused_apps`) and turns clicks into monitor calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from memwarden.ui import resources
from memwarden.ui.link.app_rules import monitor_rule, rule_changes
from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.link.monitor_client import MonitorClient
from memwarden.ui.link.monitor_launcher import MonitorLauncher
from memwarden.ui.link.slot_tasks import run_logged
from memwarden.ui.tray import autostart, menu_presenter, ui_events
from memwarden.ui.tray.menu import fill_menu, menu_entries, menu_key
from memwarden.ui.tray.notifications import Notifier
from memwarden.ui.tray.paused_apps import PausedAppsTray
from memwarden.ui.tray.prompt import PromptWindow
from memwarden.ui.tray.prompt_presenter import build_prompt, derived_reason
from memwarden.ui.words import free_memory_words, messages
from memwarden.ui.words.messages import Text
from memwarden.ui.words.plain_text import tooltip

log = logging.getLogger(__name__)

# A snapshot younger than this is good enough for the menu (a scan costs the monitor ~0.1 s).
SNAPSHOT_FRESH_S = 5.0


class TrayController(QObject):
    """The tray.

    Args:
        client: The monitor client (started).
        launcher: Starts and restarts the monitor (None: the tray only watches).
        notifier: Sends notifications (its fallback uses this tray's icon).
        window_factory: Makes the main window (``MainWindow(client)``); None: the window is
            imported when first opened.

    Signals:
        quitRequested(bool): the person chose Quit; True when guarding should stop too.
    """

    quitRequested = Signal(bool)

    def __init__(
        self,
        client: MonitorClient,
        launcher: MonitorLauncher | None = None,
        *,
        window_factory: Callable[[MonitorClient], QWidget] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.launcher = launcher
        self._window_factory = window_factory
        self.window: QWidget | None = None
        self.prompt: PromptWindow | None = None
        self.snapshot: dict[str, Any] | None = None
        self._snapshot_t = float("-inf")
        self._snapshot_task: asyncio.Task[Any] | None = None
        self._warned_since_connect = False
        self._icons = {state: resources.tray_icon(state) for state in menu_presenter.ICON_STATES}
        self.icon_state = ""
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.notifier = Notifier(client.bus, self.icon, icon=resources.notification_icon(),
                                 parent=self)  # fmt: skip
        self.paused_apps = PausedAppsTray(
            client, self.notifier, close_app=self.close_app, error=self._error,
            show_prompt=lambda app_id: run_logged(self.show_prompt(select=app_id)),
            rules_changed=lambda: self.refresh_snapshot(after_change=True), parent=self,
        )  # fmt: skip
        client.propertiesChanged.connect(self._properties_changed)
        client.connectionChanged.connect(self._connection_changed)
        client.stateChanged.connect(self._state_changed)
        client.warning.connect(self._warning)
        client.killed.connect(self._killed)
        client.appResumed.connect(self.paused_apps.resumed)
        if launcher is not None:
            launcher.statusChanged.connect(lambda _status: self.update_icon())

    # -- showing ----------------------------------------------------------------------------------

    def show(self) -> None:
        """Put the icon in the tray (with the menu built once, for trays that read it early)."""
        self.update_icon()
        self.rebuild_menu()
        self.icon.show()

    def update_icon(self) -> None:
        """Icon and tooltip from the current properties."""
        # A launcher that has not tried yet is starting the monitor too; without a launcher
        # nobody is starting it.
        status = ""
        if self.launcher is not None:
            status = self.launcher.status or "starting"
        props = self.client.properties
        state = menu_presenter.icon_state(props, self.client.connected, status)
        if not self.client.connected and status == "starting" and not props:
            state = "calm"  # starting up, nothing known yet: no alarm (the tooltip says so)
        if state != self.icon_state:
            self.icon_state = state
            self.icon.setIcon(self._icons[state])
            ui_events.record("tray-icon", state=state)
        log_path = str(self.launcher.log_path) if self.launcher is not None else ""
        self.icon.setToolTip(tooltip(menu_presenter.tooltip(
            props, self.client.connected, snapshot=self.snapshot, launcher_status=status,
            log_path=log_path, last_warning=self.client.last_warning,
        )))  # fmt: skip

    def rebuild_menu(self) -> None:
        """Fill the menu anew (it is rebuilt every time it opens); fetch a fresh snapshot when
        the one at hand is old, and rebuild with it."""
        connected = self.client.connected
        fill_menu(self.menu, self, self.client.properties, connected=connected,
                  snapshot=self.snapshot, can_start=self.launcher is not None,
                  paused_choices=self.paused_apps,
                  last_warning=self.client.last_warning)  # fmt: skip
        ui_events.record("menu", entries=menu_entries(self.menu))
        if connected and time.monotonic() - self._snapshot_t > SNAPSHOT_FRESH_S:
            self.refresh_snapshot(rebuild=True)

    def refresh_snapshot(
        self, *, rebuild: bool = False, after_change: bool = False
    ) -> asyncio.Task[Any]:
        """Fetch a snapshot (one fetch at a time); then update what shows it. With
        ``after_change`` (the rules changed), a fetch on its way may predate the change: a new
        one follows it."""
        previous = self._snapshot_task
        if previous is not None and not previous.done() and not after_change:
            return previous

        async def fetch() -> None:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            snapshot = await self.client.get_snapshot()
            changed = menu_key(snapshot) != menu_key(self.snapshot)
            self.snapshot, self._snapshot_t = snapshot, time.monotonic()
            self.update_icon()
            if self.prompt is not None and self.prompt.isVisible():
                self._update_prompt()
            if rebuild and changed:
                self.rebuild_menu()

        self._snapshot_task = run_logged(fetch())
        return self._snapshot_task

    # -- reacting to the monitor ------------------------------------------------------------------

    def _properties_changed(self, changed: Mapping[str, Any]) -> None:
        self.update_icon()
        newly_paused = self.paused_apps.sync() if "PausedApps" in changed else []
        if newly_paused:  # as urgent as the critical state: the prompt, with the app's choices
            run_logged(self.notifier.withdraw("warning"))  # "will be closed" is no longer true
            run_logged(self.show_prompt(select=newly_paused[0]))
        elif self.prompt is not None and self.prompt.isVisible() and (
            {"NextVictim", "AppRules", "AvailableBytes", "PausedApps"} & changed.keys()
        ):
            self._update_prompt()

    def _connection_changed(self, connected: bool) -> None:
        self.update_icon()
        if connected:
            self._warned_since_connect = False
            run_logged(self._warn_if_already_low())
        elif self.launcher is not None:
            self.launcher.monitor_lost()

    async def _warn_if_already_low(self) -> None:
        """A tray that starts (or a monitor that restarts) while memory is already low has missed
        the monitor's Warning, which repeats only every 30 s: warn now from the properties."""
        await self.refresh_snapshot()
        props = self.client.properties
        if self._warned_since_connect or props.get("State") not in ("warning", "critical"):
            return
        app = menu_presenter.app_names(self.snapshot).get(str(props.get("NextVictim", "")))
        reasons = self.client.state_reasons
        why = derived_reason(app, monitor_rule(app)) if app else ""
        self._warning(dict(app) if app else {}, float(props.get("EtaSeconds", -1.0)),
                      reasons[0] if reasons else "", why)

    def _state_changed(self, state: str) -> None:
        if state == "critical":
            run_logged(self.show_prompt())
        elif state == "calm":
            run_logged(self.notifier.withdraw("warning"))

    def _warning(self, app: dict[str, Any], eta: float, reason: str, why: str) -> None:
        self._warned_since_connect = True
        text = messages.warning_text(app or None, eta, reason, why)
        actions: list[tuple[str, str]] = [("default", self.tr("Show apps"))]
        if app:
            name = messages.app_name(app)
            actions += [
                ("protect", self.tr("Protect %1").replace("%1", name)),
                ("close", self.tr("Close %1").replace("%1", name)),
            ]
        actions.append(("free", self.tr("Free memory")))

        def on_action(action: str) -> None:
            if action == "protect" and app:
                self.set_rule(app, "protect")
            elif action == "close" and app:
                self.close_app(app)
            elif action == "free":
                self.free_memory()
            elif action == "default":
                run_logged(self.show_prompt())

        run_logged(self.notifier.notify(
            "warning", text, actions=actions, on_action=on_action,
            critical=self.client.state == "critical", persistent=True,
        ))  # fmt: skip
        self.refresh_snapshot()

    def _killed(self, app: dict[str, Any], freed: int, reason: str) -> None:
        text = messages.killed_text(app or None, int(freed), reason)
        run_logged(self.notifier.notify("killed", text))
        run_logged(self.notifier.withdraw("warning"))
        if app:
            self.paused_apps.withdraw(str(app.get("id", "")))  # this message replaces it
        self.refresh_snapshot()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.open_window()

    # -- the person's choices ---------------------------------------------------------------------

    def _error(
        self, what: str, app: Mapping[str, Any] | None = None
    ) -> Callable[[MonitorError], None]:
        def show(exc: MonitorError) -> None:
            text = Text(what, messages.refusal(exc.reason))
            ui_events.record("error", summary=text.summary, reason=exc.reason)
            if self.prompt is not None and self.prompt.isVisible():
                self.prompt.set_result(f"{text.summary} {text.body}")
            run_logged(self.notifier.notify("error", text))
            if app is not None:  # an app the monitor paused still waits for a choice
                self.paused_apps.show_again(str(app.get("id", "")))

        return show

    def set_rule(self, app: Mapping[str, Any], rule: str) -> asyncio.Task[Any]:
        """Protect / sacrifice first / normal for an app (saved under its rule name)."""
        name = messages.app_name(app)
        what = {
            "protect": self.tr("Could not protect %1"),
            "prefer": self.tr("Could not mark %1 to sacrifice first"),
        }.get(rule, self.tr("Could not change the rule of %1")).replace("%1", name)

        async def run() -> None:
            # The rule that decides the app now is made normal first where it would still decide.
            for name, change in rule_changes(app, rule):
                await self.client.set_rule(name, change)
                ui_events.record("rule", app=str(app.get("id")), name=name, rule=change)
            await self.client.refresh()
            # Its rule shows once the monitor's snapshot has it (fetch() updates the prompt).
            self.refresh_snapshot(after_change=True)

        return run_logged(run(), self._error(what))

    def close_app(self, app: Mapping[str, Any]) -> asyncio.Task[Any]:
        """Close an app gracefully through the monitor (it refuses protected apps)."""
        what = self.tr("Could not close %1").replace("%1", messages.app_name(app))

        async def run() -> None:
            if self.prompt is not None:
                self.prompt.set_busy(True)
            try:
                result = await self.client.close_app(str(app.get("id", "")))
            finally:
                if self.prompt is not None:
                    self.prompt.set_busy(False)
            ui_events.record("closed", app=str(app.get("id")), result=result)
            self.refresh_snapshot()

        return run_logged(run(), self._error(what, app))

    def free_memory(self) -> asyncio.Task[Any]:
        """Free memory now: show what the monitor measured; when that is not enough, the prompt
        with the apps to close."""

        async def run() -> None:
            if self.prompt is not None:
                self.prompt.set_busy(True)
            try:
                result = await self.client.free_memory_now()
            finally:
                if self.prompt is not None:
                    self.prompt.set_busy(False)
            text = free_memory_words.free_result_text(result)
            ui_events.record("free-memory", summary=text.summary, body=text.body, result=result)
            if self.prompt is not None and self.prompt.isVisible():
                self.prompt.set_result(f"{text.summary}. {text.body}")
            await self.notifier.notify("free-memory", text)
            props = await self.client.refresh()
            warn = int((props.get("Thresholds") or {}).get("warn", 0))
            if props.get("State") != "calm" or int(props.get("AvailableBytes", 0)) <= warn:
                await self.show_prompt()

        return run_logged(run(), self._error(self.tr("Could not free memory")))

    def pause(self, seconds: int) -> asyncio.Task[Any]:
        """Pause guarding (0: until the monitor restarts)."""
        return run_logged(self.client.pause(seconds), self._error(self.tr("Could not pause")))

    def resume(self) -> asyncio.Task[Any]:
        """End a pause."""
        return run_logged(self.client.resume(), self._error(self.tr("Could not resume")))

    def start_monitor(self) -> None:
        """Start the monitor again (after it was stopped, or the launcher gave up)."""
        if self.launcher is not None:
            run_logged(self.launcher.ensure_running())

    def set_autostart(self, enabled: bool) -> None:
        """Start at login (writes or removes the XDG autostart entry)."""
        try:
            autostart.set_enabled(enabled)
        except OSError as exc:
            log.warning("autostart: %s", exc)
            run_logged(self.notifier.notify("error", Text(
                self.tr("Could not change Start at login"), str(exc)
            )))  # fmt: skip
        ui_events.record("autostart", enabled=autostart.is_enabled())

    # -- windows ----------------------------------------------------------------------------------

    async def show_prompt(self, select: str = "") -> None:
        """Show the prompt (without taking the focus) with a fresh snapshot, ``select``'s row."""
        if self.prompt is None:
            self.prompt = PromptWindow(resources.app_icon())
            self.prompt.closeRequested.connect(self.close_app)
            self.prompt.protectRequested.connect(
                lambda app, on: self.set_rule(app, "protect" if on else "normal")
            )
            self.prompt.resumeRequested.connect(self.paused_apps.resume)
            self.prompt.protectResumeRequested.connect(self.paused_apps.protect_and_resume)
            self.prompt.freeRequested.connect(self.free_memory)
        if self.snapshot is None or time.monotonic() - self._snapshot_t > 1.0:
            task = self.refresh_snapshot()
            await asyncio.wait([task], timeout=10)
        self._update_prompt()
        if select:
            self.prompt.select_app(select)
        self.prompt.show_without_focus()

    def _update_prompt(self) -> None:
        if self.prompt is None:
            return
        self.prompt.set_model(build_prompt(
            self.snapshot, self.client.properties, self.client.last_warning
        ))  # fmt: skip

    def open_window(self) -> None:
        """Open the main window (:class:`~memwarden.ui.window.main_window.MainWindow`); until it
        exists in this installation, the prompt is the window."""
        ui_events.record("open-window")
        if self.window is None:
            factory = self._window_factory
            if factory is None:
                try:
                    from memwarden.ui.window.main_window import MainWindow
                except ImportError:
                    log.info("no main window in this version: showing the prompt")
                    run_logged(self.show_prompt())
                    return
                factory = MainWindow
            self.window = factory(self.client)
            self.window.setWindowIcon(resources.app_icon())
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def hide(self) -> None:
        """Take the icon away and close the windows (quitting)."""
        self.icon.hide()
        if self.prompt is not None:
            self.prompt.deleteLater()
        if self.window is not None:
            self.window.close()
