# SPDX-License-Identifier: GPL-3.0-or-later
"""The main window's controller, without widgets: it asks the monitor, feeds the apps model and
the history, and turns the monitor's properties into the sentences of the status strip.

The window only shows what this controller and the presenters say, and forwards what the person
does; the tests drive this class with a test double of the monitor client and no widget at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTimer, Signal

from memwarden.ui.link.app_rules import rule_changes, rule_name
from memwarden.ui.link.client_api import MonitorClientApi
from memwarden.ui.window.apps_model import AppsFilterProxy, AppsTableModel
from memwarden.ui.window.history import HistoryBuffer
from memwarden.ui.words import code_words as words
from memwarden.ui.words import messages
from memwarden.ui.words.formatting import human_size, percent, time_left

log = logging.getLogger(__name__)

# How often the window asks for a snapshot while it is visible.
REFRESH_MS = 5000
# How often the history takes the latest announced values while the window is visible.
SAMPLE_MS = 2000

@dataclass(frozen=True, slots=True)
class StatusView:
    """The status strip, in words.

    Attributes:
        level: ``calm``, ``warning``, ``critical`` or ``offline`` (for colour).
        headline: The state in a few words.
        available: How much memory is left, of how much.
        time_left: When memory would run out at the current rate.
        pressure: How much programs wait for memory.
        next_victim: Which app would be closed first, and a hint why.
        paused: A sentence when the guard is paused, else empty.
    """

    level: str
    headline: str
    available: str
    time_left: str
    pressure: str
    next_victim: str
    paused: str


class WindowController(QObject):
    """Keeps the window's data current while it is shown.

    Args:
        client: The monitor client.
        parent: The Qt parent.
        history: The history to fill (shared with whoever keeps it while the window is closed).
        locale: Number formats; the application's locale by default.

    Signals:
        statusChanged(): :meth:`status` changed (state, numbers, connection).
        historyChanged(): a sample was added.
        snapshotChanged(): a new snapshot arrived (apps model, orphans, system figures).
        message(str): a transient sentence for the status bar (a refused rule, an error).
    """

    statusChanged = Signal()
    historyChanged = Signal()
    snapshotChanged = Signal()
    message = Signal(str)

    def __init__(
        self,
        client: MonitorClientApi,
        parent: QObject | None = None,
        *,
        history: HistoryBuffer | None = None,
        locale: QLocale | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.locale = locale
        self.history = history if history is not None else HistoryBuffer()
        self.apps = AppsTableModel(self, locale)
        self.proxy = AppsFilterProxy(self)
        self.proxy.setSourceModel(self.apps)
        self.snapshot: dict[str, Any] | None = None
        # The client may say whether it is connected; a filled property cache says so too.
        self.connected = bool(getattr(client, "connected", bool(client.properties)))
        self.last_error: str | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._refreshing = False
        self._refresh_again = False  # the rules changed while a snapshot was on its way

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._sample_timer = QTimer(self)
        self._sample_timer.setInterval(SAMPLE_MS)
        self._sample_timer.timeout.connect(self.sample)

        self.apps.ruleRequested.connect(self.set_app_rule)
        client.propertiesChanged.connect(self._on_properties)
        client.connectionChanged.connect(self._on_connection)

    # -- lifecycle --------------------------------------------------------------------------------

    def activate(self) -> None:
        """The window is shown: refresh now and then periodically."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()
            self._sample_timer.start()
        self.refresh()
        self.sample()

    def deactivate(self) -> None:
        """The window is hidden: stop asking (property changes still reach the history)."""
        self._refresh_timer.stop()
        self._sample_timer.stop()

    @property
    def active(self) -> bool:
        """True while the window is shown."""
        return self._refresh_timer.isActive()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def pending(self) -> bool:
        """True while a call to the monitor is in flight."""
        return bool(self._tasks)

    # -- reading the monitor ----------------------------------------------------------------------

    def refresh(self, *, after_change: bool = False) -> None:
        """Ask for a snapshot, unless one is on its way; with ``after_change`` (the rules
        changed), one more after it: the one on its way may predate the change."""
        if self._refreshing:
            self._refresh_again = self._refresh_again or after_change
            return
        self._refreshing = True
        self._spawn(self.refresh_now())

    async def refresh_now(self) -> None:
        """Get a snapshot and show it (and another, if the rules changed meanwhile)."""
        self._refreshing = True
        try:
            doc = await self.client.get_snapshot()
        except Exception as exc:
            self.last_error = messages.error_words(exc)
            log.info("snapshot failed: %r", exc)
            self.statusChanged.emit()
            return
        finally:
            self._refreshing = False
            if self._refresh_again:
                self._refresh_again = False
                self.refresh()
        self.last_error = None
        self.apply_snapshot(doc)

    def apply_snapshot(self, doc: dict[str, Any]) -> None:
        """Show a snapshot document (schema ``memwarden.scan/1``)."""
        self.snapshot = doc
        self.apps.set_apps(list(doc.get("apps") or []))
        system = doc.get("system") or {}
        self.history.capacity_bytes = int(system.get("mem_total", 0)) + int(
            system.get("swap_total", 0)
        )
        self.snapshotChanged.emit()
        self.statusChanged.emit()

    def rules(self) -> dict[str, str]:
        """The monitor's rules (``AppRules``: name → protect | prefer), for the settings page's
        list; which app each one gives a rule is the snapshot's (``rule`` of each app)."""
        rules = self.client.properties.get("AppRules") or {}
        return {str(k): str(v) for k, v in dict(rules).items()}

    def sample(self) -> None:
        """Add the latest announced values to the history."""
        props = self.client.properties
        if "AvailableBytes" not in props:
            return
        self.history.add(
            int(props.get("AvailableBytes") or 0),
            float(props.get("PressureSomeAvg10") or 0.0),
            float(props.get("PressureFullAvg10") or 0.0),
        )
        self.historyChanged.emit()

    def _on_properties(self, changed: dict[str, Any]) -> None:
        if not self.connected:
            self.connected = True
        if "AppRules" in changed and self.active:
            # From this window, the tray or the config file: the monitor says which apps the
            # rules now hold in its next snapshot.
            self.refresh(after_change=True)
        if {"AvailableBytes", "PressureSomeAvg10", "PressureFullAvg10"} & changed.keys():
            self.sample()
        self.statusChanged.emit()

    def _on_connection(self, connected: bool) -> None:
        self.connected = connected
        if connected and self.active:
            self.refresh()
        self.statusChanged.emit()

    # -- acting -----------------------------------------------------------------------------------

    def set_rule(self, name: str, rule: str) -> None:
        """Protect, sacrifice first or make normal (the monitor persists it)."""
        self._spawn(self.set_rule_now(name, rule))

    def set_app_rule(self, app_id: str, rule: str) -> None:
        """Give an app of the latest snapshot a rule (the person chose it in the table)."""
        app = next((a for a in (self.snapshot or {}).get("apps") or () if a["id"] == app_id), None)
        if app is not None:
            self._spawn(self.set_app_rule_now(app, rule))

    async def set_app_rule_now(self, app: Mapping[str, Any], rule: str) -> bool:
        """Give ``app`` the rule ``rule`` (:func:`~memwarden.ui.link.app_rules.rule_changes`: the
        rule that decides it now is made normal first where it would still decide)."""
        *first, (name, last) = rule_changes(app, rule)
        for other, change in first:
            if not await self._ask(other, change, str(app.get("name") or other)):
                return False
        return await self.set_rule_now(name, last)

    async def _ask(self, name: str, rule: str, display: str) -> bool:
        """``SetAppRule``; on refusal, say why."""
        try:
            await self.client.set_rule(name, rule)
        except Exception as exc:
            log.info("set_rule(%s, %s) failed: %r", name, rule, exc)
            self.message.emit(
                QCoreApplication.translate("WindowController", "Could not change %1: %2")
                .replace("%1", display)
                .replace("%2", messages.error_words(exc))
            )
            return False
        return True

    async def set_rule_now(self, name: str, rule: str) -> bool:
        """Ask the monitor, then show its next snapshot; on refusal, say why.

        ``name`` is what the rule is saved under (:func:`memwarden.ui.link.app_rules.rule_name`).
        """
        display = self.app_name(name)
        if not await self._ask(name, rule, display):
            return False
        # Even when AppRules did not change (the name was saved already): the rows show the
        # rule the monitor decides, nothing here guesses it.
        self.refresh(after_change=True)
        self.message.emit(
            QCoreApplication.translate("WindowController", "%1: %2", "app name: what its rule does")
            .replace("%1", display)
            .replace("%2", words.rule_hint(rule))
        )
        return True

    # -- in words ---------------------------------------------------------------------------------

    def app_name(self, key: str) -> str:
        """The name of the app with this id or rule name in the latest snapshot, else ``key``."""
        for app in (self.snapshot or {}).get("apps") or ():
            if key in (app.get("id"), rule_name(app)):
                return str(app.get("name") or key)
        return key

    def capacity_bytes(self) -> int:
        """RAM + swap, from the snapshot (0 before the first one)."""
        return self.history.capacity_bytes

    def status(self) -> StatusView:
        """The status strip for the current properties."""
        props = self.client.properties
        if not self.connected or not props:
            return StatusView(
                "offline",
                messages.state_title("error"),
                QCoreApplication.translate(
                    "WindowController",
                    "Nothing guards memory until it runs again. Start it with: memwarden monitor",
                ),
                "",
                "",
                "",
                "",
            )
        loc = self.locale
        level = str(props.get("State") or "calm")
        available = int(props.get("AvailableBytes") or 0)
        capacity = self.capacity_bytes()
        if capacity:
            available_text = (
                QCoreApplication.translate("WindowController", "%1 of %2 free (RAM and swap)")
                .replace("%1", human_size(available, loc))
                .replace("%2", human_size(capacity, loc))
            )
        else:
            available_text = QCoreApplication.translate("WindowController", "%1 free").replace(
                "%1", human_size(available, loc)
            )
        eta = props.get("EtaSeconds")
        if eta is None or float(eta) < 0:
            left = QCoreApplication.translate("WindowController", "Not running out at this rate")
        else:
            left = QCoreApplication.translate("WindowController", "Runs out %1").replace(
                "%1", time_left(float(eta), loc)
            )
        some = float(props.get("PressureSomeAvg10") or 0.0)
        full = float(props.get("PressureFullAvg10") or 0.0)
        pressure = (
            QCoreApplication.translate(
                "WindowController", "Waiting for memory: %1 of the time (everything stalled: %2)"
            )
            .replace("%1", percent(some, loc, 1))
            .replace("%2", percent(full, loc, 1))
        )
        victim_id = str(props.get("NextVictim") or "")
        if victim_id:
            victim = QCoreApplication.translate(
                "WindowController", "First to close if memory runs out: %1"
            ).replace("%1", self.app_name(victim_id))
        else:
            victim = QCoreApplication.translate(
                "WindowController", "No app would be closed right now."
            )
        paused = ""
        if props.get("Paused"):
            paused = QCoreApplication.translate(
                "WindowController", "Paused: MemWarden warns but closes nothing."
            )
        return StatusView(
            level, messages.state_title(level), available_text, left, pressure, victim, paused
        )

    def thresholds(self) -> dict[str, int]:
        """The monitor's thresholds in bytes (``warn``, ``close``, ``kill``)."""
        th = self.client.properties.get("Thresholds") or {}
        return {str(k): int(v) for k, v in dict(th).items()}

    def orphans(self) -> list[dict[str, Any]]:
        """The snapshot's orphan files."""
        return list((self.snapshot or {}).get("orphans") or [])

    def system(self) -> dict[str, Any]:
        """The snapshot's ``system`` object."""
        return dict((self.snapshot or {}).get("system") or {})
