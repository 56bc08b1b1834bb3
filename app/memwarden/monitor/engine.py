# SPDX-License-Identifier: GPL-3.0-or-later
"""The watcher: samples memory and pressure, forecasts the kill point, warns, and closes the app
that is really responsible when nothing else helps.

The cheap path (``/proc/meminfo`` + PSI, a few hundred microseconds) runs every tick; the full
accounting scan runs only when a decision or a listener needs it.

The engine holds the state and runs the ticks; how long it waits between them is
:mod:`~memwarden.monitor.tick_schedule`'s, which app it would close is
:mod:`~memwarden.monitor.victim_choice`'s, and warning about that app and closing it is
:mod:`~memwarden.monitor.pressure_response`'s.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from memwarden.core import reason_codes as codes
from memwarden.core.cgroup2 import read_cgroup2_mount, user_manager_pressure_path
from memwarden.core.errors import CoreError
from memwarden.core.forecast import TrendTracker
from memwarden.core.meminfo import MemInfo
from memwarden.core.memory_left import MemoryLeft, MemoryLeftReader, measure_memory_left
from memwarden.core.pid_stat import read_pid_stat
from memwarden.core.policy import Choice
from memwarden.core.pressure import (
    Pressure,
    read_memory_pressure,
    read_pressure_file,
    worst_pressure,
)
from memwarden.core.snapshot import AppRecord, Snapshot
from memwarden.core.threshold_bytes import thresholds_dict
from memwarden.core.watch_state import Action, Assessment, StateMachine, WatchState
from memwarden.monitor import event_payloads
from memwarden.monitor.app_pause import Pauser
from memwarden.monitor.config import ConfigStore
from memwarden.monitor.engine_settings import EngineSettings
from memwarden.monitor.events import Event, Listener
from memwarden.monitor.kernel_rules import KernelRules
from memwarden.monitor.killer import Killer
from memwarden.monitor.looking import Looking
from memwarden.monitor.pausing import Pausing
from memwarden.monitor.pressure_response import PressureResponse
from memwarden.monitor.protection import Protector
from memwarden.monitor.tick_schedule import CALM_INTERVAL_S, next_interval, run_ticks

log = logging.getLogger(__name__)

#: A warning waits this long after the state left calm. No scan runs while calm, so no app's
#: growth is known then, and a leak that writes in bursts (20 MiB every 200 ms) may not have
#: grown between two scans 100 ms apart: the first warning named the big idle game instead of
#: the leak that will be closed. A close waits as long only when it could pause instead
#: (Engine._growth_known); a kill never waits.
GROWTH_SETTLE_S = 1.0


class Engine(EngineSettings):
    """The monitor's engine (its settings and rules: monitor/engine_settings.py).

    Args:
        store, overrides, extra_rules: The settings and rules (:class:`EngineSettings`).
        proc_root: The procfs to watch.
        dry_run: Decide and report, never signal.
        listeners: Called with every event.
        protector: Applies rules to oom_score_adj (None: rules only steer our own choices).
        paused_state_path: Where the paused apps' pids are kept, so that the next monitor resumes
            them if this one dies (monitor/app_pause.py); None: nowhere.
    """

    def __init__(
        self,
        store: ConfigStore | None = None,
        *,
        overrides: dict[str, Any] | None = None,
        extra_rules: dict[str, Collection[str]] | None = None,
        proc_root: Path = Path("/proc"),
        dry_run: bool = False,
        listeners: Collection[Listener] = (),
        protector: Protector | None = None,
        clock: Callable[[], float] = time.monotonic,
        paused_state_path: Path | None = None,
    ) -> None:
        super().__init__(store, overrides, extra_rules)
        self.proc_root = proc_root
        self.dry_run = dry_run
        self.listeners = list(listeners)
        #: Called after every tick (the D-Bus properties ride on them: no wake-ups of their own).
        self.tick_hooks: list[Callable[[], None]] = []
        self.protector = protector
        self.clock = clock
        self.uid = os.getuid()
        self.kernel_rules = KernelRules(
            protector, uid=self.uid, emit=self.emit, clock=clock, proc_root=proc_root
        )
        self.look = Looking(proc_root, uid=self.uid, clock=clock)
        try:
            cgroup2 = read_cgroup2_mount(proc_root)
        except CoreError:
            cgroup2 = None
        self.killer = Killer(proc_root, uid=self.uid, cgroup2=cgroup2, dry_run=dry_run)
        self.pausing = Pausing(
            Pauser(self.killer, state_path=paused_state_path),
            emit=self.emit,
            snapshot=lambda: self.look.last_snapshot,
            guard=self.guard,
            enabled=lambda: self.config.pause_growing,
            read_memory=lambda: self._memory_left.read(),
            has_cgroup2=cgroup2 is not None,
        )
        self.user_pressure_path = user_manager_pressure_path(cgroup2, proc_root, self.uid)
        self.trend = TrendTracker(window_s=10.0)
        self.response = PressureResponse(
            emit=self.emit,
            close_app=self.close_app,
            trend=self.trend,
            clock=clock,
            measure=self.measure_memory_left,
            pausing=self.pausing,
            dry_run=dry_run,
        )
        self._memory_left = MemoryLeftReader(proc_root)
        self.last_meminfo: MemInfo = self._memory_left.read_meminfo()
        self.thresholds = self._thresholds_now()
        self.machine = StateMachine(self.thresholds)
        self.last: Assessment | None = None
        self.last_pressure: Pressure | None = None
        self._not_calm_since = float("inf")  # when the state left calm (inf: calm)
        self.paused_until: float | None = None
        #: How the monitor guards itself (filled by the runner): reason codes.
        self.self_guard: dict[str, str] = {}

    # -- events -----------------------------------------------------------------------------------

    def emit(self, kind: str, **data: Any) -> None:
        """Send an event to every listener; a failing listener never stops the guard."""
        event = Event(kind, data)
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed")

    # -- sampling ---------------------------------------------------------------------------------

    def measure_memory_left(self) -> int:
        """Memory left now, every term read (core/memory_left.py): the measure behind a
        close's ``freed_bytes`` and "free memory now"'s result, the same the ticks decide on."""
        return measure_memory_left(self.proc_root)

    def _read_memory_left(self) -> MemoryLeft:
        """Memory left for a tick. The per-CPU term is left out only while the last tick found
        more than twice the warn threshold left (the ticks are 3 s apart then, tick_schedule.py):
        a few MiB cannot change a decision there, and zoneinfo would be most of an idle tick."""
        last = self.last
        far = last is not None and last.available_bytes > 2 * self.thresholds.warn_bytes
        return self._memory_left.read(per_cpu=not far)

    def sample(self) -> Assessment:
        """Read memory left and PSI, update the trend and the state (the cheap path)."""
        t = self.clock()
        reading = self._read_memory_left()
        self.last_meminfo = reading.meminfo
        self.last_pressure = pressure = read_memory_pressure(self.proc_root)
        if self.user_pressure_path is not None:
            pressure = worst_pressure(pressure, read_pressure_file(self.user_pressure_path))
        # Thresholds compare with memory left (core/memory_left.py): MemAvailable + SwapFree as
        # the flags promise (earlyoom and nohang compare the same), plus the free pages parked
        # in per-CPU lists, which are as free as the rest.
        available = reading.bytes
        self.trend.add(t, available)
        trend = self.trend.trend()
        # The ETA is to the close threshold: the moment the app will be closed.
        eta = trend.seconds_until(available, self.thresholds.close_bytes) if trend else None
        previous = self.machine.state
        self.last = self.machine.assess(t, available, eta, pressure)
        if self.last.state is not previous:
            self.emit(
                "state",
                **event_payloads.state_change(
                    self.last, previous=previous, available=available, eta=eta
                ),
            )
        return self.last

    # -- scanning and choosing --------------------------------------------------------------------

    def own_processes(self) -> dict[int, int]:
        """MemWarden's processes the monitor knows by itself: its own pid and start time."""
        pid = os.getpid()
        try:
            return {pid: read_pid_stat(pid, self.proc_root).starttime_ticks}
        except CoreError:
            return {}

    def choose(self, snap: Snapshot) -> Choice:
        """The app that would be closed now, with the rules and thresholds in force."""
        return self.look.choose(snap, self.config.rules(), self.last, self.thresholds.close_bytes)

    def guard(self, pid: int) -> str | None:
        """Why ``pid`` must not be signalled (checked again by the killer for every pid)."""
        return self.look.chooser.exclusion(pid, self.look.last_snapshot, self.config.rules())

    # -- one tick ---------------------------------------------------------------------------------

    async def tick(self) -> float:
        """Sample, decide, act; returns the seconds until the next tick."""
        if self.store is not None and self.store.changed():
            self.reload_config()
        assessment = self.sample()
        now = self.clock()
        if self.pausing.paused:
            self.pausing.forget_gone()
        paused = self.paused_until is not None and now < self.paused_until
        if assessment.state is not WatchState.CALM:
            if self._not_calm_since > now:
                self._not_calm_since = now
                self.look.tight_spell_begins()
            rules = self.config.rules()
            scanned = self.look.look(now, assessment, rules, self.thresholds.close_bytes)
            if scanned is not None:
                self.kernel_rules.apply_soon(scanned, rules)
            choice = self.look.last_choice
            assert choice is not None  # the first plan of a spell is a scan
            if (
                assessment.action is not Action.NONE
                and not paused
                and self.response.may_act(now)
                and self._growth_known(now, assessment)
            ):
                await self.response.act(assessment, choice)
                self.look.cadence.reset()  # the victim is gone: look again from a scan
            elif (
                (assessment.state is WatchState.WARNING or assessment.action is not Action.NONE)
                and assessment.reasons
                and now - self._not_calm_since >= GROWTH_SETTLE_S
            ):
                # No reasons: the state is only held by hysteresis while memory comes back (right
                # after a close): nothing is about to be closed, so nothing is named.
                self.response.warn(assessment, choice)
            return next_interval(self.last, self.thresholds, self.trend)
        self._not_calm_since = float("inf")
        if self.kernel_rules.due_while_calm(
            bool(self.config.protect or self.config.prefer), self.look.last_snapshot
        ):
            await self.apply_rules(self.look.scan())
        return next_interval(self.last, self.thresholds, self.trend)

    def _growth_known(self, now: float, assessment: Assessment) -> bool:
        """Whether a close may come now, or must wait for the growth to be known: when the app
        eating memory could be paused instead, a close at the close level waits until the spell
        is ``GROWTH_SETTLE_S`` old (its first look is every app's first sample: a leak that went
        from calm to the close level in one tick was closed, not paused). The kill level never
        waits."""
        return (
            assessment.action is Action.KILL
            or now - self._not_calm_since >= GROWTH_SETTLE_S
            or not self.pausing.possible()
        )

    async def close_app(
        self, app: AppRecord, *, graceful: bool = True, only: int | None = None
    ) -> Any:
        """Close every process of ``app`` (the killer re-checks every pid), or with ``only`` that
        one of its processes (a browser's tab: core/tabs.py), never its scope as a whole."""
        snap = self.look.last_snapshot
        known = (
            {pid: rec.identity.starttime_ticks for pid, rec in snap.processes.items()}
            if snap is not None
            else {}
        )
        # Only the members without a desktop role: MemWarden or the compositor inside an app
        # stay (the killer's guard would refuse them anyway).
        pids = {pid: known[pid] for pid in app.closable_pids if pid in known}
        if only is not None:
            pids = {only: pids[only]} if only in pids else {}

        def urgent() -> bool:
            return self._memory_left.read().bytes <= self.thresholds.kill_bytes

        return await self.killer.close(
            pids,
            cgroups=app.identity.cgroups if only is None else (),
            graceful=graceful,
            grace_s=self.config.grace_seconds,
            guard=self.guard,
            urgent=urgent,
            known=known,
        )

    async def apply_rules(self, snap: Snapshot) -> None:
        """Write oom_score_adj for protected and preferred apps' (new) processes, now."""
        await self.kernel_rules.apply(snap, self.config.rules())

    # -- the loop ---------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Tick until ``stop`` is set; ``wake`` (a PSI trigger) cuts a wait short."""
        self.pausing.recover()
        try:
            await run_ticks(self._tick_or_retry, stop, wake)
        finally:
            # Nothing stays paused behind the person's back once nobody guards it.
            self.pausing.resume_all(codes.STOPPING)
            await self.kernel_rules.close()

    async def _tick_or_retry(self) -> float:
        try:
            interval = await self.tick()
        except CoreError as exc:
            # /proc/meminfo unreadable or malformed: say so, keep trying.
            log.error("sampling failed: %s", exc)
            interval = CALM_INTERVAL_S
        for hook in self.tick_hooks:
            try:
                hook()
            except Exception:  # a listener's bookkeeping never stops the guard
                log.exception("tick hook failed")
        return interval

    # -- for the D-Bus API and the UI -------------------------------------------------------------

    def thresholds_json(self) -> dict[str, int]:
        """The thresholds in force, in bytes (the ``Thresholds`` property's shape)."""
        return thresholds_dict(self.thresholds)

    def snapshot_json(self) -> dict[str, Any]:
        """A fresh snapshot in the ``scan --json`` schema (:meth:`Looking.snapshot_json`)."""
        tight = self.last is not None and self.last.state is not WatchState.CALM
        return self.look.snapshot_json(tight=tight, rules=self.config.rules())
