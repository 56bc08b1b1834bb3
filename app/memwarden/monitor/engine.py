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
import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from memwarden.core import report
from memwarden.core.cgroup2 import read_cgroup2_mount
from memwarden.core.desktop_roles import SessionFacts
from memwarden.core.errors import CoreError
from memwarden.core.forecast import TrendTracker
from memwarden.core.meminfo import MemInfo, MeminfoReader
from memwarden.core.pid_cgroup import read_pid_cgroups
from memwarden.core.pid_stat import read_pid_stat
from memwarden.core.policy import (
    MAX_RULES,
    Choice,
    GrowthTracker,
    Rule,
    TooManyRules,
    exclusion_reason,
)
from memwarden.core.pressure import (
    Pressure,
    read_memory_pressure,
    read_pressure_file,
    worst_pressure,
)
from memwarden.core.scanner import Scanner
from memwarden.core.snapshot import AppRecord, Snapshot
from memwarden.core.watch_state import Action, Assessment, StateMachine, Thresholds, WatchState
from memwarden.monitor import event_payloads
from memwarden.monitor.config import Config, ConfigStore
from memwarden.monitor.events import Event, Listener, app_summary
from memwarden.monitor.killer import Killer
from memwarden.monitor.pressure_response import PressureResponse
from memwarden.monitor.protection import Protector
from memwarden.monitor.tick_schedule import CALM_INTERVAL_S, next_interval, run_ticks
from memwarden.monitor.victim_choice import VictimChooser

log = logging.getLogger(__name__)

#: While calm, new processes get their protect/prefer rule this often (a /proc listing).
CALM_RULES_EVERY_S = 10.0
#: While not calm, memory is sampled as often as every 20 ms (tick_schedule), but scanned and the
#: victim chosen at most this often: a rescan of a busy desktop costs tens of ms (make bench), so a
#: scan per sample would make the samples late. A close acts on a choice at most this old (the
#: killer re-checks every pid against the rules and its start time).
CHOICE_MAX_AGE_S = 0.1
#: A warning waits this long after the state left calm. No scan runs while calm, so no app's
#: growth is known then, and a leak that writes in bursts (20 MiB every 200 ms) may not have
#: grown between two scans 100 ms apart: the first warning named the big idle game instead of
#: the leak that will be closed. A close does not wait (it warns first, with what it knows).
GROWTH_SETTLE_S = 1.0


class Engine:
    """The monitor's engine.

    Args:
        store: The config file (None: defaults, nothing saved — tests and ``--no-config``).
        overrides: Settings from the command line, on top of the file.
        extra_rules: ``--protect``/``--prefer`` names, on top of the file's.
        proc_root: The procfs to watch.
        dry_run: Decide and report, never signal.
        listeners: Called with every event.
        protector: Applies rules to oom_score_adj (None: rules only steer our own choices).
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
    ) -> None:
        self.store = store
        self.overrides = dict(overrides or {})
        self.extra_rules = {k: tuple(v) for k, v in (extra_rules or {}).items()}
        self.proc_root = proc_root
        self.dry_run = dry_run
        self.listeners = list(listeners)
        #: Called after every tick (the D-Bus properties ride on them: no wake-ups of their own).
        self.tick_hooks: list[Callable[[], None]] = []
        self.protector = protector
        self.clock = clock
        self.uid = os.getuid()
        self.scanner = Scanner(proc_root)
        try:
            cgroup2 = read_cgroup2_mount(proc_root)
        except CoreError:
            cgroup2 = None
        self.killer = Killer(proc_root, uid=self.uid, cgroup2=cgroup2, dry_run=dry_run)
        self.user_pressure_path = self._user_pressure_path(cgroup2)
        self.trend = TrendTracker(window_s=10.0)
        self.growth = GrowthTracker()
        self.chooser = VictimChooser(
            uid=self.uid, growth=self.growth, proc_root=proc_root, clock=clock
        )
        self.response = PressureResponse(
            emit=self.emit,
            close_app=self.close_app,
            trend=self.trend,
            clock=clock,
            proc_root=proc_root,
            dry_run=dry_run,
        )
        self.config = self._effective_config()
        self._meminfo = MeminfoReader(proc_root)
        meminfo = self._meminfo.read()
        self.thresholds = self.config.thresholds(meminfo)
        self.machine = StateMachine(self.thresholds)
        self.last: Assessment | None = None
        self.last_meminfo: MemInfo = meminfo
        self.last_pressure: Pressure | None = None
        self.last_snapshot: Snapshot | None = None
        self.last_choice: Choice | None = None
        self._choice_t = float("-inf")  # when ``last_choice`` was made (reset: choose again)
        self._not_calm_since = float("inf")  # when the state left calm (inf: calm)
        self._rules_task: asyncio.Future[None] | None = None
        self.paused_until: float | None = None
        self._last_rules_t = float("-inf")
        self._rules_changed = True
        #: How the monitor guards itself (filled by the runner): reason codes.
        self.self_guard: dict[str, str] = {}

    def _user_pressure_path(self, cgroup2: Any) -> Path | None:
        """The user manager's ``memory.pressure`` (cgroup v2 desktops): stalls of the user's own
        apps, which the system-wide file dilutes with everyone else's."""
        if cgroup2 is None:
            return None
        try:
            cgroups = read_pid_cgroups(os.getpid(), self.proc_root)
        except CoreError:
            return None
        parts = (cgroups.v2 or "").split("/")
        for i, part in enumerate(parts):
            if part == f"user@{self.uid}.service":
                directory = cgroup2.dir_of("/".join(parts[: i + 1]))
                path = directory / "memory.pressure" if directory is not None else None
                return path if path is not None and path.exists() else None
        return None

    # -- configuration ----------------------------------------------------------------------------

    def _effective_config(self) -> Config:
        base = self.store.config if self.store is not None else Config()
        config = dataclasses.replace(base, **self.overrides)
        if self.extra_rules:
            config = dataclasses.replace(
                config,
                protect=tuple(dict.fromkeys(config.protect + self.extra_rules.get("protect", ()))),
                prefer=tuple(dict.fromkeys(config.prefer + self.extra_rules.get("prefer", ()))),
            )
        return config

    def reload_config(self) -> None:
        """Re-read the file and apply it (thresholds, rules)."""
        if self.store is not None:
            self.store.load()
            if self.store.error:
                self.emit("config", error=self.store.error, backup=str(self.store.backup or ""))
        self.config = self._effective_config()
        self.thresholds = self.config.thresholds(self.last_meminfo)
        self.machine.thresholds = self.thresholds
        self._rules_moved()

    def set_rule(self, name: str, rule: str) -> None:
        """Protect / prefer / normal an app by name, persisted in the config file.

        Raises:
            TooManyRules: the list already holds ``MAX_RULES`` names (a client must not grow the
                monitor, or the file, without bound).
        """
        names = getattr(self.config, rule, ()) if rule != "normal" else ()
        if name not in names and len(names) >= MAX_RULES:
            raise TooManyRules(f"{rule}: at most {MAX_RULES} names")
        self.extra_rules = {
            k: tuple(n for n in v if n != name) for k, v in self.extra_rules.items()
        }
        if self.store is not None:
            self.store.save(self.store.config.with_rule(name, rule))
        elif rule != "normal":
            self.extra_rules.setdefault(rule, ())
            self.extra_rules[rule] += (name,)
        self.config = self._effective_config()
        if self.store is None and rule == "normal":
            self.config = self.config.with_rule(name, "normal")
        self._rules_moved()

    def _rules_moved(self) -> None:
        """The rules changed: apply them to processes now, and never act on an older choice (it
        may name an app that is protected now)."""
        self._last_rules_t = float("-inf")
        self._rules_changed = True
        self._choice_t = float("-inf")

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

    @staticmethod
    def available_bytes(meminfo: MemInfo) -> int:
        """``MemAvailable + SwapFree``: what is left before the kernel must kill."""
        return (meminfo.mem_available_kib + meminfo.swap_free_kib) * 1024

    def sample(self) -> Assessment:
        """Read meminfo and PSI, update the trend and the state (the cheap path)."""
        t = self.clock()
        self.last_meminfo = meminfo = self._meminfo.read()
        self.last_pressure = pressure = read_memory_pressure(self.proc_root)
        if self.user_pressure_path is not None:
            pressure = worst_pressure(pressure, read_pressure_file(self.user_pressure_path))
        # Thresholds compare with MemAvailable + SwapFree, as the flags promise and earlyoom and
        # nohang do. (Free pages parked in per-CPU lists count only after a kill: see act().)
        available = self.available_bytes(meminfo)
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

    def scan(self, *, full: bool | None = None) -> Snapshot:
        """A fresh accounting snapshot (incremental when it can be)."""
        snap = self.scanner.scan(full=full)
        self.growth.update(self.clock(), snap)
        self.last_snapshot = snap
        return snap

    def own_processes(self) -> dict[int, int]:
        """MemWarden's processes the monitor knows by itself: its own pid and start time."""
        pid = os.getpid()
        try:
            return {pid: read_pid_stat(pid, self.proc_root).starttime_ticks}
        except CoreError:
            return {}

    def set_session_facts(self, facts: SessionFacts) -> None:
        """What the buses say about who is who (MemWarden's tray and helper, the owners of the
        desktop's bus names), for the next scan."""
        self.scanner.facts = facts

    def choose(self, snap: Snapshot) -> Choice:
        """The app that would be closed now, and why (kept as ``last_choice``).

        Apps are ranked by the size they will have at the forecast close point, so that a
        warning names the app that will be closed then, not the biggest one now.
        """
        last = self.last
        headroom = None
        if last is not None:
            headroom = last.available_bytes - self.thresholds.close_bytes
        self.last_choice = self.chooser.choose(
            snap,
            self.config.rules(),
            horizon_s=last.eta_s if last is not None else None,
            headroom_bytes=headroom,
        )
        return self.last_choice

    def guard(self, pid: int) -> str | None:
        """Why ``pid`` must not be signalled (checked again by the killer for every pid)."""
        return self.chooser.exclusion(pid, self.last_snapshot, self.config.rules())

    # -- one tick ---------------------------------------------------------------------------------

    async def tick(self) -> float:
        """Sample, decide, act; returns the seconds until the next tick."""
        if self.store is not None and self.store.changed():
            self.reload_config()
        assessment = self.sample()
        now = self.clock()
        paused = self.paused_until is not None and now < self.paused_until
        if assessment.state is not WatchState.CALM:
            if self._not_calm_since > now:
                # Growth is measured from here: what scans saw while calm (a GetSnapshot from
                # the tray, seconds ago) would flatten the slope of a leak that just started.
                self._not_calm_since = now
                self.growth.forget()
            choice = self.last_choice
            if choice is None or now - self._choice_t >= CHOICE_MAX_AGE_S:
                snap = self.scan()
                self._apply_rules_soon(snap)
                choice = self.choose(snap)
                self._choice_t = now
            if (
                assessment.action is not Action.NONE
                and not paused
                and self.response.may_act(now, assessment, self.thresholds)
            ):
                await self.response.act(assessment, choice)
                self._choice_t = float("-inf")  # the victim is gone: choose afresh
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
        if now - self._last_rules_t >= CALM_RULES_EVERY_S and self._rules_need_a_scan():
            await self.apply_rules(self.scan())
        return next_interval(self.last, self.thresholds, self.trend)

    def _rules_need_a_scan(self) -> bool:
        """While calm, scan for rules only when there are rules and new processes: a listing of
        /proc is a fraction of a millisecond, a scan of a busy desktop tens (the idle budget is
        0.02 CPU-seconds a minute)."""
        self._last_rules_t = self.clock()
        changed, self._rules_changed = self._rules_changed, False
        if self.protector is None or not (
            self.config.protect or self.config.prefer or self.protector.has_applied()
        ):
            return False
        if changed or self.last_snapshot is None:
            return True
        known = self.last_snapshot.processes.keys()
        return any(name.isdigit() and int(name) not in known for name in os.listdir(self.proc_root))

    async def close_app(self, app: AppRecord, *, graceful: bool = True) -> Any:
        """Close every process of ``app`` (the killer re-checks every pid)."""
        snap = self.last_snapshot
        known = (
            {pid: rec.identity.starttime_ticks for pid, rec in snap.processes.items()}
            if snap is not None
            else {}
        )
        # Only the members without a desktop role: MemWarden or the compositor inside an app
        # stay (the killer's guard would refuse them anyway).
        pids = {pid: known[pid] for pid in app.closable_pids if pid in known}

        def urgent() -> bool:
            return self.available_bytes(self._meminfo.read()) <= self.thresholds.kill_bytes

        return await self.killer.close(
            pids,
            cgroups=app.identity.cgroups,
            graceful=graceful,
            grace_s=self.config.grace_seconds,
            guard=self.guard,
            urgent=urgent,
            known=known,
        )

    def _apply_rules_soon(self, snap: Snapshot) -> None:
        """Apply the rules in the background: telling the kernel goes through the helper (a
        system-bus call that may wait seconds), and the close must never wait for it. One pass
        at a time; a pass still running makes this one unnecessary (the next choice comes)."""
        if self._rules_task is None or self._rules_task.done():
            self._rules_task = asyncio.ensure_future(self._apply_rules_logged(snap))

    async def _apply_rules_logged(self, snap: Snapshot) -> None:
        try:
            await self.apply_rules(snap)
        except Exception:  # telling the kernel is extra: never a reason to stop guarding
            log.exception("applying the rules failed")

    async def apply_rules(self, snap: Snapshot) -> None:
        """Write oom_score_adj for protected and preferred apps' (new) processes."""
        self._last_rules_t = self.clock()
        if self.protector is None:
            return
        rules = self.config.rules()
        self.protector.forget_gone(snap)
        for app in snap.apps:
            procs = [snap.processes[p].identity for p in app.pids if p in snap.processes]
            rule = rules.rule_for(app.identity, procs)
            # Never make the kernel prefer what we never close: init, ourselves, the session,
            # another user's apps (a "prefer" rule naming one is kept, and ignored).
            if rule is Rule.PREFER and exclusion_reason(app, Rule.NORMAL, uid=self.uid):
                continue
            if app.identity.uid != self.uid:
                continue
            # The kernel hears of a rule for the app's own processes, not for a desktop process
            # or MemWarden inside it.
            procs = [p for p in procs if p.pid not in app.roles]
            if rule is not Rule.NORMAL or self.protector.touched(procs):
                result = await self.protector.apply(rule, procs, snap)
                if result is not None:
                    self.emit("protection", app=app_summary(app), rule=rule.value, **result)

    # -- the loop ---------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Tick until ``stop`` is set; ``wake`` (a PSI trigger) cuts a wait short."""
        try:
            await run_ticks(self._tick_or_retry, stop, wake)
        finally:
            if self._rules_task is not None and not self._rules_task.done():
                self._rules_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._rules_task

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

    def thresholds_json(self) -> dict[str, Any]:
        """The thresholds in force, in bytes."""
        th: Thresholds = self.thresholds
        return {
            "warn": th.warn_bytes,
            "close": th.close_bytes,
            "kill": th.kill_bytes,
            "horizon_s": th.horizon_s,
        }

    def snapshot_json(self) -> dict[str, Any]:
        """A fresh snapshot in the ``scan --json`` schema."""
        snap = self.scan()
        return report.snapshot_json(snap, self.chooser.orphans(snap))
