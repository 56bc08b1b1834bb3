# SPDX-License-Identifier: GPL-3.0-or-later
"""When to pause the app that is eating memory, and what the engine says about it.

The policy, at the close level:

1. While an app is paused, nothing else is paused or closed at the close level, and no other
   app is warned about: the paused app is the one responsible, memory no longer falls because
   of it, and the person decides. (An app that grows meanwhile, one just started or a game
   loading a level, is not the leak: a real desktop's screenshot tool was paused for it.)
2. The app chosen is *growing* (at least ``PAUSE_MIN_GROWTH_BYTES_PER_S``: the one eating memory
   now, not a big idle one), pausing is on (``pause_growing``), a tray shows it, and it is a whole
   app (a browser's leaking tab is closed as before: losing a tab costs little): it is paused
   (monitor/app_pause.py), its memory given back where the system allows
   (monitor/pause_reclaim.py), and the person is asked.
3. Else the app is closed as before.

At the kill level, a paused app is killed first: nobody answered, and memory still ran out. It is
the responsible one.

Events (the D-Bus signals ``AppPaused``/``AppResumed``): ``paused`` with the entry of
``PausedApps``; ``resumed`` with the app id and a reason code (core/reason_codes.py
``RESUME_REASONS``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from memwarden.core import reason_codes as codes
from memwarden.core.memory_left import MemoryLeft
from memwarden.core.policy import Candidate
from memwarden.core.snapshot import Snapshot
from memwarden.monitor.app_pause import PausedApp, Pauser
from memwarden.monitor.event_payloads import victim_summary
from memwarden.monitor.killer import Guard, KillOutcome
from memwarden.monitor.pause_reclaim import reclaim_paused

log = logging.getLogger(__name__)

#: An app growing at least this fast at the close level is paused rather than closed.
PAUSE_MIN_GROWTH_BYTES_PER_S = 1024 * 1024


class Pausing:
    """The engine's pausing: the policy above over a :class:`Pauser`.

    Args:
        pauser: Pauses and resumes with the killer's guards.
        emit: Sends an event to the engine's listeners.
        snapshot: The snapshot the choice was made on (its processes' start times).
        guard: Why a pid must not be signalled (the engine's, asked again for every pid).
        enabled: Whether pausing is on (``pause_growing``).
        read_memory: Memory left now, with its meminfo (the reclaim's measurement).
        has_cgroup2: Whether the machine has a cgroup v2 hierarchy.
    """

    def __init__(
        self,
        pauser: Pauser,
        *,
        emit: Callable[..., None],
        snapshot: Callable[[], Snapshot | None],
        guard: Guard,
        enabled: Callable[[], bool],
        read_memory: Callable[[], MemoryLeft],
        has_cgroup2: bool,
    ) -> None:
        self._pauser = pauser
        self._emit = emit
        self._snapshot = snapshot
        self._guard = guard
        self._enabled = enabled
        self._read_memory = read_memory
        self._has_cgroup2 = has_cgroup2
        #: Whether a tray shows what is paused (it owns its bus name): set by the D-Bus service.
        self.tray_present = False

    @property
    def paused(self) -> dict[str, PausedApp]:
        """The paused apps, by app id, oldest first."""
        return self._pauser.paused

    def entries(self) -> list[dict[str, Any]]:
        """The ``PausedApps`` property."""
        return [paused.json() for paused in self._pauser.paused.values()]

    def possible(self) -> bool:
        """Whether an app could be paused now: pausing is on, a tray shows it, and the monitor
        sends signals (not a dry run)."""
        return self._enabled() and self.tray_present and not self._pauser.dry_run

    def wants(self, victim: Candidate) -> bool:
        """Whether the app chosen at the close level is paused rather than closed."""
        return (
            self.possible()
            and victim.tab is None
            and victim.app.id not in self._pauser.paused
            and victim.growth_bytes_per_s >= PAUSE_MIN_GROWTH_BYTES_PER_S
        )

    async def pause(self, victim: Candidate) -> PausedApp | None:
        """Pause the app, give its memory back where the system allows, and say so (``paused``).
        None when none of its processes could be stopped (gone, or refused by the guard)."""
        snap = self._snapshot()
        if snap is None:
            return None
        known = {pid: rec.identity.starttime_ticks for pid, rec in snap.processes.items()}
        pids = {pid: known[pid] for pid in victim.app.closable_pids if pid in known}
        paused = self._pauser.pause(
            victim.app, victim_summary(victim), pids=pids, known=known, guard=self._guard,
            growth_bytes_per_s=victim.growth_bytes_per_s,
        )  # fmt: skip
        if paused is None:
            return None
        # memory.reclaim is synchronous and may take a second: the guard's loop stays free.
        paused.reclaim = await asyncio.to_thread(
            reclaim_paused, paused.frozen, has_cgroup2=self._has_cgroup2, read=self._read_memory
        )
        self._emit("paused", **paused.json())
        return paused

    def resume(self, app_id: str, reason: str) -> bool:
        """Let a paused app run again, and say why (``resumed``); False when it was not paused."""
        if self._pauser.resume(app_id) is None:
            return False
        self._emit("resumed", app_id=app_id, reason=reason)
        return True

    def resume_all(self, reason: str) -> None:
        """Resume every paused app (the tray left the bus, or the monitor stops)."""
        for paused in self._pauser.resume_all():
            self._emit("resumed", app_id=paused.app.id, reason=reason)

    def set_tray_present(self, present: bool) -> None:
        """A tray owns (or stopped owning) its bus name: without one, nothing stays paused, since
        nobody would see it."""
        self.tray_present = present
        if not present and self._pauser.paused:
            log.warning("no tray shows the paused apps any more: resuming them")
            self.resume_all(codes.NO_TRAY)

    def forget_gone(self) -> None:
        """Paused apps whose processes all exited (the person closed them) are paused no more."""
        for paused in self._pauser.gone():
            self._emit("resumed", app_id=paused.app.id, reason=codes.GONE)

    async def kill_oldest(self) -> tuple[PausedApp, KillOutcome]:
        """Kill the app paused first (the kill level came while it was paused)."""
        app_id = next(iter(self._pauser.paused))
        paused = self._pauser.paused[app_id]
        outcome = await self._pauser.kill(app_id)
        self._emit("resumed", app_id=app_id, reason=codes.KILLED)
        return paused, outcome

    def recover(self) -> None:
        """Resume what a monitor that died left paused."""
        self._pauser.recover(self._guard)
