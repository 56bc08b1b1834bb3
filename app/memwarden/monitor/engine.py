# SPDX-License-Identifier: GPL-3.0-or-later
"""The watcher: samples memory and pressure, forecasts the kill point, warns, and closes the app
that is really responsible when nothing else helps.

The cheap path (``/proc/meminfo`` + PSI, a few hundred microseconds) runs every tick; the full
accounting scan runs only when a decision or a listener needs it. The tick interval adapts to the
distance from the close threshold: memory could fill at ``ASSUMED_FILL_BYTES_PER_S`` (earlyoom's
assumption, peers §2.2) or at the measured rate, whichever is faster, and the next sample must come
before the threshold could be reached — 100 ms at the closest, 1 s when calm, 3 s when very calm.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from memwarden.core import report
from memwarden.core.cgroup import read_cgroup2_mount, read_pid_cgroups
from memwarden.core.errors import CoreError
from memwarden.core.forecast import TrendTracker
from memwarden.core.meminfo import MemInfo, MeminfoReader
from memwarden.core.mounts import read_mount_table
from memwarden.core.orphans import Orphan, read_orphans
from memwarden.core.policy import Choice, GrowthTracker, Rule, choose_victim, exclusion_reason
from memwarden.core.pressure import (
    Pressure,
    read_memory_pressure,
    read_pressure_file,
    worst_pressure,
)
from memwarden.core.scanner import Scanner
from memwarden.core.snapshot import AppRecord, Snapshot
from memwarden.core.sysvipc import read_sysvipc_shm
from memwarden.core.watch_state import Action, Assessment, StateMachine, Thresholds, WatchState
from memwarden.monitor.config import Config, ConfigStore
from memwarden.monitor.events import Event, Listener, app_summary
from memwarden.monitor.free_memory import measure_available_bytes
from memwarden.monitor.killer import Killer
from memwarden.monitor.protection import Protector

log = logging.getLogger(__name__)

ASSUMED_FILL_BYTES_PER_S = 6 * 1024**3
MIN_INTERVAL_S = 0.1
CALM_INTERVAL_S = 1.0
#: nohang's longest interval; the PSI trigger wakes us earlier when stalls begin.
VERY_CALM_INTERVAL_S = 3.0
#: While calm, new processes get their protect/prefer rule this often (a /proc listing).
CALM_RULES_EVERY_S = 10.0
#: A warning about the same app is repeated at most this often.
WARNING_REPEAT_S = 30.0
#: After a kill, memory needs a moment to come back before the next decision.
SETTLE_AFTER_KILL_S = 0.5
#: How long a walk of the tmpfs mounts for orphans stays valid.
ORPHANS_TTL_S = 2.0
#: For this long after a kill, freed pages in per-CPU lists count before another kill.
SECOND_KILL_WINDOW_S = 5.0


def is_memwarden_process(cmdline: tuple[str, ...]) -> bool:
    """True for MemWarden's own processes (tray, monitor, helper), by their command line."""
    for arg in cmdline[:3]:
        base = os.path.basename(arg)
        if base in ("memwarden", "memwarden-helper") or arg.startswith("memwarden."):
            return True
    return False


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
        self.protector = protector
        self.clock = clock
        self.uid = os.getuid()
        self.own_pids: set[int] = {os.getpid()}
        self.scanner = Scanner(proc_root, own_pids=self.own_pids)
        try:
            cgroup2 = read_cgroup2_mount(proc_root)
        except CoreError:
            cgroup2 = None
        self.killer = Killer(proc_root, uid=self.uid, cgroup2=cgroup2, dry_run=dry_run)
        self.user_pressure_path = self._user_pressure_path(cgroup2)
        self.trend = TrendTracker(window_s=10.0)
        self.growth = GrowthTracker()
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
        self.paused_until: float | None = None
        self._last_warning: dict[str, float] = {}
        self._last_rules_t = float("-inf")
        self._rules_changed = True
        self._last_kill_t = float("-inf")
        self._sleeping: asyncio.Future[None] | None = None
        self._orphans: tuple[float, list[Orphan]] | None = None
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
        self._last_rules_t = float("-inf")  # re-apply rules now
        self._rules_changed = True

    def set_rule(self, name: str, rule: str) -> None:
        """Protect / prefer / normal an app by name, persisted in the config file."""
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
        self._last_rules_t = float("-inf")
        self._rules_changed = True

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
                state=self.last.state.value,
                previous=previous.value,
                reasons=list(self.last.reasons),
                available=available,
                eta_s=_round(eta),
            )
        return self.last

    def next_interval(self) -> float:
        """Seconds until the next sample (see the module doc)."""
        if self.last is None:
            return MIN_INTERVAL_S
        margin = self.last.available_bytes - self.thresholds.close_bytes
        if margin <= 0:
            return MIN_INTERVAL_S
        trend = self.trend.trend()
        rate = float(ASSUMED_FILL_BYTES_PER_S)
        if trend is not None and -trend.slope_bytes_per_s > rate:
            rate = -trend.slope_bytes_per_s
        interval = margin / rate
        if (
            self.last.state is WatchState.CALM
            and self.last.available_bytes > 2 * self.thresholds.warn_bytes
        ):
            return min(max(interval, MIN_INTERVAL_S), VERY_CALM_INTERVAL_S)
        return min(max(interval, MIN_INTERVAL_S), CALM_INTERVAL_S)

    # -- scanning and choosing --------------------------------------------------------------------

    def scan(self, *, full: bool | None = None) -> Snapshot:
        """A fresh accounting snapshot (incremental when it can be)."""
        snap = self.scanner.scan(full=full)
        for pid, rec in snap.processes.items():
            if is_memwarden_process(rec.identity.cmdline):
                self.own_pids.add(pid)
        self.own_pids &= set(snap.processes) | {os.getpid()}
        self.scanner.own_pids = frozenset(self.own_pids)
        self.growth.update(self.clock(), snap)
        self.last_snapshot = snap
        return snap

    def orphans(self, snap: Snapshot) -> list[Orphan]:
        """tmpfs files and SysV segments no process holds (memory no kill can free).

        Walking /dev/shm, /tmp and /run/user costs a directory listing per folder: while not calm
        the engine chooses on every tick (down to 100 ms), and orphans change far more slowly,
        so the answer is kept for ``ORPHANS_TTL_S``.
        """
        now = self.clock()
        if self._orphans is not None and now - self._orphans[0] < ORPHANS_TTL_S:
            return self._orphans[1]
        try:
            found = read_orphans(
                snap.held_shmem_keys,
                read_mount_table("self", self.proc_root),
                read_sysvipc_shm(self.proc_root),
            )
        except CoreError:
            found = []
        self._orphans = (now, found)
        return found

    def choose(self, snap: Snapshot) -> Choice:
        """The app that would be closed now, and why."""
        self.last_choice = choose_victim(
            snap,
            self.config.rules(),
            uid=self.uid,
            own_pids=self.own_pids,
            growth=self.growth,
            orphan_bytes=sum(o.bytes for o in self.orphans(snap)),
        )
        return self.last_choice

    def guard(self, pid: int) -> str | None:
        """Why ``pid`` must not be signalled (checked again by the killer for every pid)."""
        if pid == 1 or pid in self.own_pids:
            return "self" if pid != 1 else "init"
        snap = self.last_snapshot
        app = snap.app_by_pid(pid) if snap is not None else None
        if app is None:
            return None  # a child forked after the snapshot: the killer checks its uid
        procs = [snap.processes[p].identity for p in app.pids if p in snap.processes]  # type: ignore[union-attr]
        rule = self.config.rules().rule_for(app.identity, procs)
        return exclusion_reason(app, rule, uid=self.uid, own_pids=self.own_pids)

    # -- one tick ---------------------------------------------------------------------------------

    async def tick(self) -> float:
        """Sample, decide, act; returns the seconds until the next tick."""
        if self.store is not None and self.store.changed():
            self.reload_config()
        assessment = self.sample()
        now = self.clock()
        paused = self.paused_until is not None and now < self.paused_until
        if assessment.state is not WatchState.CALM:
            snap = self.scan()
            await self.apply_rules(snap)
            choice = self.choose(snap)
            if (
                assessment.action is not Action.NONE
                and not paused
                and now >= self._last_kill_t + SETTLE_AFTER_KILL_S
                and self._still_needed_after_kill(assessment)
            ):
                await self.act(assessment, choice)
            elif assessment.state is WatchState.WARNING or assessment.action is not Action.NONE:
                self.warn(assessment, choice)
        elif now - self._last_rules_t >= CALM_RULES_EVERY_S and self._rules_need_a_scan():
            await self.apply_rules(self.scan())
        return self.next_interval()

    def _still_needed_after_kill(self, assessment: Assessment) -> bool:
        """Right after a kill, is another one needed? The victim's pages can wait in per-CPU free
        lists for seconds, unseen by MemAvailable (6.x, core/zoneinfo.py: 300-900 MiB seen here),
        so for a while after a kill they count as available; otherwise the next tick would close
        a second app for memory that is already free."""
        if self.clock() - self._last_kill_t > SECOND_KILL_WINDOW_S:
            return True
        available = measure_available_bytes(self.proc_root, with_swap=True)
        limit = (
            self.thresholds.kill_bytes
            if assessment.action is Action.KILL
            else self.thresholds.close_bytes
        )
        return available <= limit

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

    def warn(self, assessment: Assessment, choice: Choice) -> None:
        """Tell listeners which app would be closed, how big it is and when."""
        now = self.clock()
        key = choice.victim.app.id if choice.victim else f"-{choice.reason}"
        if now - self._last_warning.get(key, float("-inf")) < WARNING_REPEAT_S:
            return
        self._last_warning[key] = now
        self.emit(
            "warning",
            app=app_summary(choice.victim.app) if choice.victim else None,
            eta_s=_round(assessment.eta_s),
            reason=assessment.reasons[0] if assessment.reasons else "warning",
            reasons=list(assessment.reasons),
            victim_reason=choice.victim.reason if choice.victim else choice.reason,
            available=assessment.available_bytes,
            orphan_bytes=choice.orphan_bytes,
        )

    async def act(self, assessment: Assessment, choice: Choice) -> None:
        """Close (or kill) the chosen app, and report what it freed."""
        if choice.victim is None:
            self.warn(assessment, choice)
            return
        # A leak fast enough to skip the warning state still gets its warning, first.
        self.warn(assessment, choice)
        app = choice.victim.app
        graceful = assessment.action is Action.CLOSE
        before = assessment.available_bytes
        self.emit(
            "kill",
            app=app_summary(app),
            reason=assessment.reasons[0],
            victim_reason=choice.victim.reason,
            graceful=graceful,
            dry_run=self.dry_run,
            available=before,
            score_bytes=choice.victim.score_bytes,
            growth_bytes_per_s=round(choice.victim.growth_bytes_per_s),
        )
        outcome = await self.close_app(app, graceful=graceful)
        after = measure_available_bytes(self.proc_root, with_swap=True)
        self.emit(
            "killed",
            app=app_summary(app),
            reason=assessment.reasons[0],
            method=outcome.method,
            escalated=outcome.escalated,
            signalled=outcome.signalled,
            exited=sorted(outcome.exited),
            skipped={str(k): v for k, v in outcome.skipped.items()},
            freed_bytes=max(0, after - before),
            dry_run=self.dry_run,
        )
        self.trend.reset()
        self._last_kill_t = self.clock()

    async def close_app(self, app: AppRecord, *, graceful: bool = True) -> Any:
        """Close every process of ``app`` (the killer re-checks every pid)."""
        snap = self.last_snapshot
        pids = {
            pid: snap.processes[pid].identity.starttime_ticks
            for pid in app.pids
            if snap is not None and pid in snap.processes
        }

        def urgent() -> bool:
            return self.available_bytes(self._meminfo.read()) <= self.thresholds.kill_bytes

        return await self.killer.close(
            pids,
            cgroups=app.identity.cgroups,
            graceful=graceful,
            grace_s=self.config.grace_seconds,
            guard=self.guard,
            urgent=urgent,
        )

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
            if rule is Rule.PREFER and exclusion_reason(
                app, Rule.NORMAL, uid=self.uid, own_pids=self.own_pids
            ):
                continue
            if app.identity.uid != self.uid:
                continue
            if rule is not Rule.NORMAL or self.protector.touched(procs):
                result = await self.protector.apply(rule, procs, snap)
                if result is not None:
                    self.emit("protection", app=app_summary(app), rule=rule.value, **result)

    # -- the loop ---------------------------------------------------------------------------------

    def wake_now(self) -> None:
        """Cut the current wait short (a PSI trigger fired, or we are stopping)."""
        if self._sleeping is not None and not self._sleeping.done():
            self._sleeping.set_result(None)

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Tick until ``stop`` is set; ``wake`` (a PSI trigger) cuts a wait short.

        Each wait is one future and one timer: an idle tick must cost next to nothing (the budget
        is 0.02 CPU-seconds a minute), so no tasks are made per tick.
        """
        loop = asyncio.get_running_loop()
        wake = wake or asyncio.Event()
        watchers = [
            asyncio.ensure_future(self._forward(stop, clear=False)),
            asyncio.ensure_future(self._forward(wake, clear=True)),
        ]
        try:
            while not stop.is_set():
                try:
                    interval = await self.tick()
                except CoreError as exc:
                    # /proc/meminfo unreadable or malformed: say so, keep trying.
                    log.error("sampling failed: %s", exc)
                    interval = CALM_INTERVAL_S
                if stop.is_set():
                    break
                self._sleeping = loop.create_future()
                timer = loop.call_later(interval, self.wake_now)
                await self._sleeping
                timer.cancel()
        finally:
            self._sleeping = None
            for watcher in watchers:
                watcher.cancel()

    async def _forward(self, event: asyncio.Event, *, clear: bool) -> None:
        """Turn an event into wake-ups, for the life of the loop (one task, not one per tick)."""
        while True:
            await event.wait()
            if clear:
                event.clear()
            self.wake_now()
            if not clear:
                return

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
        return report.snapshot_json(snap, self.orphans(snap))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
