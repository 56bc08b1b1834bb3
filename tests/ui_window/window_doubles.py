# SPDX-License-Identifier: GPL-3.0-or-later
"""A test double for the monitor client: the same Qt signals, coroutines and property cache as
:class:`memwarden.ui.link.monitor_client.MonitorClient`, without D-Bus.

It behaves as the monitor does where the window can tell: ``set_rule`` updates ``AppRules`` and
announces it; given the scan its snapshot was made from, each snapshot's apps carry the ``rule``
and ``rule_source`` those rules give them, decided by the monitor's own code
(:func:`memwarden.core.report.rule_json`); ``set_settings`` checks with the settings table
(core/settings.py) as the monitor does and announces ``Settings`` and ``Thresholds``; errors are
the client's own :class:`MonitorError` with the monitor's reason codes. The real bus is covered by
the tray's end-to-end tests and by tests/ui/test_rules_from_monitor.py.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from PySide6.QtCore import QObject, Signal

from memwarden.core import report
from memwarden.core.policy import Rules
from memwarden.core.rule_codes import NORMAL, PREFER, PROTECT, RULES
from memwarden.core.settings import (
    SettingsError,
    check_fits,
    saved_values,
    settings_from_values,
    with_changes,
)
from memwarden.core.snapshot import Snapshot
from memwarden.core.threshold_bytes import thresholds_dict, thresholds_for
from memwarden.ui.link.monitor_calls import MonitorError

INVALID_ARGUMENT = "io.github.memwarden.Monitor1.Error.InvalidArgument"


class FakeMonitorClient(QObject):
    """The monitor client's interface over a fixed snapshot.

    Attributes:
        snapshot: What ``get_snapshot`` returns (a copy each time, with the rules in force when
            ``scan`` is given).
        scan: The scan ``snapshot`` was made from, or None (the apps keep the rules they have).
        calls: Every method call, as ``(name, *args)``.
        failures: Method name -> the exception its next calls raise.
    """

    #: No bus: a tray over this double sends its notifications to the tray icon's fallback.
    bus = None
    #: The last Warning, as the real client keeps it (none here).
    last_warning: dict[str, Any] | None = None

    stateChanged = Signal(str)
    propertiesChanged = Signal(dict)
    warning = Signal(dict, float, str, str)
    killed = Signal(dict, object, str)
    appPaused = Signal(dict)
    appResumed = Signal(str, str)
    connectionChanged = Signal(bool)

    def __init__(
        self, snapshot: dict[str, Any], properties: dict[str, Any], scan: Snapshot | None = None
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.scan = scan
        self._properties = dict(properties)
        self._connected = True
        self.calls: list[tuple[Any, ...]] = []
        self.failures: dict[str, BaseException] = {}

    @property
    def properties(self) -> dict[str, Any]:
        return self._properties

    @property
    def connected(self) -> bool:
        return self._connected

    # -- test controls ----------------------------------------------------------------------------

    def announce(self, **changed: Any) -> None:
        """The monitor announces changed properties."""
        self._properties.update(changed)
        self.propertiesChanged.emit(dict(changed))
        if "State" in changed:
            self.stateChanged.emit(changed["State"])

    def go_away(self) -> None:
        """The monitor leaves the bus (the cache keeps the last values, as the client does)."""
        self._connected = False
        self.connectionChanged.emit(False)

    def come_back(self) -> None:
        """A monitor appears again."""
        self._connected = True
        self.connectionChanged.emit(True)
        self.propertiesChanged.emit(dict(self._properties))

    def _check(self, name: str, *args: Any) -> None:
        self.calls.append((name, *args))
        if not self._connected:
            raise MonitorError("no-monitor", "org.freedesktop.DBus.Error.ServiceUnknown")
        failure = self.failures.get(name)
        if failure is not None:
            raise failure

    # -- the client's coroutines ------------------------------------------------------------------

    async def get_snapshot(self) -> dict[str, Any]:
        await asyncio.sleep(0)  # a real call always yields to the loop
        self._check("get_snapshot")
        doc = copy.deepcopy(self.snapshot)
        if self.scan is not None:
            in_force = self._rules_in_force(self.scan)
            for app in doc["apps"]:
                app.update(in_force.get(app["id"], {}))
        return doc

    def _rules_in_force(self, scan: Snapshot) -> dict[str, dict[str, str]]:
        """App id -> its ``rule`` and ``rule_source`` under ``AppRules``, as the monitor decides."""
        app_rules = self._properties.get("AppRules", {})
        rules = Rules(
            protect=tuple(n for n, r in app_rules.items() if r == PROTECT),
            prefer=tuple(n for n, r in app_rules.items() if r == PREFER),
        )
        return {app.id: report.rule_json(app, scan.processes, rules) for app in scan.apps}

    async def set_rule(self, name: str, rule: str) -> None:
        await asyncio.sleep(0)
        self._check("set_rule", name, rule)
        if rule not in RULES:
            raise MonitorError("unknown-rule", INVALID_ARGUMENT)
        rules = {k: v for k, v in self._properties.get("AppRules", {}).items() if k != name}
        if rule != NORMAL:
            rules[name] = rule
        self.announce(AppRules=rules)

    async def set_settings(self, changes: dict[str, float], reset: list[str]) -> None:
        await asyncio.sleep(0)
        self._check("set_settings", dict(changes), list(reset))
        system = self.snapshot["system"]
        try:
            settings = with_changes(settings_from_values(self._properties["Settings"]), changes,
                                    reset)  # fmt: skip
            check_fits(settings, system["mem_total"] + system["swap_total"])
        except SettingsError as exc:
            raise MonitorError(exc.reason, INVALID_ARGUMENT, exc.key) from None
        th = thresholds_for(settings, system["mem_total"], system["swap_total"])
        self.announce(Settings=saved_values(settings), Thresholds=thresholds_dict(th))

    async def reload_config(self) -> None:
        await asyncio.sleep(0)
        self._check("reload_config")

    async def close_app(self, app_id: str) -> dict[str, Any]:
        await asyncio.sleep(0)
        self._check("close_app", app_id)
        return {}

    async def resume_app(self, app_id: str) -> None:
        await asyncio.sleep(0)
        self._check("resume_app", app_id)
        paused = self._properties.get("PausedApps") or []
        kept = [e for e in paused if e["app"]["id"] != app_id]
        if len(kept) == len(paused):
            raise MonitorError("not-paused", "io.github.memwarden.Monitor1.Error.NoSuchApp")
        self.announce(PausedApps=kept)
        self.appResumed.emit(app_id, "user-request")

    async def free_memory_now(self) -> dict[str, Any]:
        await asyncio.sleep(0)
        self._check("free_memory_now")
        return {}

    async def pause(self, seconds: int) -> None:
        await asyncio.sleep(0)
        self._check("pause", seconds)

    async def resume(self) -> None:
        await asyncio.sleep(0)
        self._check("resume")
