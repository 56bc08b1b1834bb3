# SPDX-License-Identifier: GPL-3.0-or-later
"""The values of the monitor's D-Bus properties, and when a change is worth announcing.

The properties are compared with the values last announced after every event and call, and every
second (every 5 s while calm). While calm that rides on the engine's ticks (:meth:`after_tick`),
so the API adds no wake-up of its own to the monitor's idle cost; otherwise a timer of its own
keeps them fresh even while a tick waits out a grace period. ``PropertiesChanged`` carries only
those that changed *meaningfully* (``AvailableBytes`` by at least 1 % of RAM + swap,
``EtaSeconds`` by 10 %, PSI by one point; the others on any change), so an idle desktop is not
woken every tick. ``Get`` always returns the engine's latest value.

``NextVictim``: once not calm the engine chooses on every look (monitor/scan_cadence.py). While
calm it scans rarely (for rules only, to keep its idle budget), so the choice is made here on each
new snapshot: after GetSnapshot, SetAppRule, SetSettings, ReloadConfig and the engine's own
scans. It can be old while calm; a client that shows it calls GetSnapshot first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from memwarden import __version__
from memwarden.core.memory_left import memory_left_bytes
from memwarden.core.snapshot import Snapshot
from memwarden.core.threshold_bytes import thresholds_dict
from memwarden.core.watch_state import WatchState
from memwarden.monitor.settings_calls import settings_property

if TYPE_CHECKING:
    from memwarden.monitor.engine import Engine

log = logging.getLogger(__name__)

#: How often the properties are compared with what was last announced: once a second when not
#: calm; while calm every 5 s, since little changes then and the idle budget is small (about
#: 0.02 CPU-seconds a minute for the whole monitor).
PROPERTY_POLL_S = 1.0
CALM_PROPERTY_POLL_S = 5.0
#: ``AvailableBytes`` is announced when it moved by this share of RAM + swap.
AVAILABLE_STEP_FRACTION = 0.01
#: ``EtaSeconds`` is announced when it moved by this share (and at least a second).
ETA_STEP_FRACTION = 0.1
#: PSI averages are announced when they moved by this many percentage points.
PSI_STEP_PCT = 1.0


class PropertyPublisher:
    """Reads the properties from the engine and announces those that changed meaningfully.

    Args:
        engine: The running engine.
        announce: Sends ``PropertiesChanged`` with the given values (the interface's signal).
    """

    def __init__(self, engine: Engine, announce: Callable[[dict[str, Any]], None]) -> None:
        self._engine = engine
        self._announce = announce
        self._published: dict[str, Any] = {}
        self._compared_at = float("-inf")
        self._left_calm = asyncio.Event()
        self._chosen_on: Snapshot | None = None
        self._readers: dict[str, Callable[[], Any]] = {
            "State": lambda: engine.machine.state.value,
            "AvailableBytes": self._available_bytes,
            "EtaSeconds": self._eta_seconds,
            "PressureSomeAvg10": lambda: self._pressure("some"),
            "PressureFullAvg10": lambda: self._pressure("full"),
            "NextVictim": self._next_victim,
            "Thresholds": lambda: thresholds_dict(engine.thresholds),
            "Paused": self._paused,
            "HelperStatus": self._helper_status,
            "ConfigError": lambda: (engine.store.error or "") if engine.store else "",
            "ConfigPath": lambda: str(engine.store.path) if engine.store else "",
            "AppRules": self._app_rules,
            "PausedApps": lambda: json.dumps(engine.pausing.entries(), separators=(",", ":")),
            "Version": lambda: __version__,
            "SelfGuard": lambda: {str(k): str(v) for k, v in engine.self_guard.items()},
            "Settings": lambda: settings_property(engine.saved_settings()),
            "SettingsFromFlags": lambda: sorted(engine.overrides),
        }
        # What a property reads as when its reader fails (it never should): the right type.
        self._fallback: dict[str, Any] = {
            "State": "calm", "AvailableBytes": 0, "EtaSeconds": -1.0, "PressureSomeAvg10": 0.0,
            "PressureFullAvg10": 0.0, "NextVictim": "", "Thresholds": {}, "Paused": False,
            "HelperStatus": "unknown", "ConfigError": "", "ConfigPath": "", "AppRules": {},
            "Version": __version__, "SelfGuard": {}, "PausedApps": "[]", "Settings": {},
            "SettingsFromFlags": [],
        }  # fmt: skip

    # -- reading the engine -----------------------------------------------------------------------

    def _available_bytes(self) -> int:
        engine = self._engine
        if engine.last is not None:
            return engine.last.available_bytes
        return memory_left_bytes(engine.last_meminfo)

    def _eta_seconds(self) -> float:
        last = self._engine.last
        if last is None or last.eta_s is None or not math.isfinite(last.eta_s):
            return -1.0
        return round(max(0.0, last.eta_s), 1)

    def _pressure(self, which: str) -> float:
        pressure = self._engine.last_pressure
        if pressure is None:
            return 0.0
        line = pressure.some if which == "some" else pressure.full
        return float(line.avg10_pct) if line is not None else 0.0

    def _next_victim(self) -> str:
        paused = self._engine.pausing.paused
        if paused:  # nothing else is closed while one is paused; the kill level ends it first
            return next(iter(paused))
        choice = self._engine.look.last_choice
        return choice.victim.app.id if choice is not None and choice.victim is not None else ""

    def _paused(self) -> bool:
        until = self._engine.paused_until
        return until is not None and self._engine.clock() < until

    def _helper_status(self) -> str:
        protector = self._engine.protector
        return protector.kernel_protection if protector is not None else "no-helper"

    def _app_rules(self) -> dict[str, str]:
        config = self._engine.config
        return {**{n: "prefer" for n in config.prefer}, **{n: "protect" for n in config.protect}}

    def read(self, name: str) -> Any:
        """One property's value now (the last announced one, or its type's, if reading fails)."""
        try:
            return self._readers[name]()
        except Exception:
            log.exception("reading property %s", name)
            return self._published.get(name, self._fallback[name])

    def current(self) -> dict[str, Any]:
        """Every property's value now."""
        return {name: self.read(name) for name in self._readers}

    # -- announcing changes -----------------------------------------------------------------------

    def _significant(self, name: str, old: Any, new: Any) -> bool:
        if name == "AvailableBytes":
            meminfo = self._engine.last_meminfo
            total = (meminfo.mem_total_kib + meminfo.swap_total_kib) * 1024
            return bool(abs(new - old) >= max(1, int(total * AVAILABLE_STEP_FRACTION)))
        if name == "EtaSeconds":
            if (old < 0) != (new < 0):
                return True
            return bool(abs(new - old) >= max(1.0, abs(old) * ETA_STEP_FRACTION))
        if name in ("PressureSomeAvg10", "PressureFullAvg10"):
            return bool(abs(new - old) >= PSI_STEP_PCT or (old == 0) != (new == 0))
        return bool(old != new)

    def publish(self, *, announce: bool = True) -> dict[str, Any]:
        """Compare the properties with what was announced; announce what changed meaningfully.

        When ``State`` changes, the numbers go along whatever their change, so a client sees the
        state with the figures behind it. Returns what was announced.
        """
        now = self.current()
        changed = {
            name: value
            for name, value in now.items()
            if name not in self._published or self._significant(name, self._published[name], value)
        }
        if "State" in changed:
            for name in ("AvailableBytes", "EtaSeconds", "PressureSomeAvg10", "PressureFullAvg10"):
                changed[name] = now[name]
        if not changed:
            return {}
        self._published.update(changed)
        if announce:
            self._announce(changed)
        return changed

    def refresh_choice(self, *, force: bool = False) -> None:
        """Keep ``NextVictim`` current while calm, when the engine does not choose.

        The engine chooses on every look once it is not calm (up to five a second); while calm
        it only rescans now and then (to apply rules) and a client may scan (GetSnapshot). Choose
        on each new snapshot, or now when the rules changed (``force``).
        """
        engine = self._engine
        snap = engine.look.last_snapshot
        if snap is None and force:
            snap = engine.look.scan()
        if snap is None or (snap is self._chosen_on and not force):
            return
        self._chosen_on = snap
        if force or engine.machine.state is WatchState.CALM:
            engine.choose(snap)

    def after_tick(self) -> None:
        """After each engine tick: compare, at most every 5 s while calm and every second else."""
        calm = self._engine.machine.state is WatchState.CALM
        if not calm:
            self._left_calm.set()
        if self._engine.clock() - self._compared_at >= (
            CALM_PROPERTY_POLL_S if calm else PROPERTY_POLL_S
        ):
            self._compare()

    async def watch(self, stop: asyncio.Event) -> None:
        """Compare every second while not calm, until ``stop`` (Served.close cancels it sooner).

        While calm it sleeps until a tick ends outside "calm": the ticks carry the comparisons.
        """
        while not stop.is_set():
            if self._engine.machine.state is WatchState.CALM:
                self._left_calm.clear()
                await self._left_calm.wait()
                continue
            # A plain sleep: cheaper than waiting on ``stop`` with a timeout (no task each time).
            await asyncio.sleep(PROPERTY_POLL_S)
            if self._engine.clock() - self._compared_at >= PROPERTY_POLL_S:  # else a tick did
                self._compare()

    def _compare(self) -> None:
        self._compared_at = self._engine.clock()
        try:
            self.refresh_choice()
            self.publish()
        except Exception:  # never let the API's bookkeeping end the API
            log.exception("publishing properties")
