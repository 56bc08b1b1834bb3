# SPDX-License-Identifier: GPL-3.0-or-later
"""Which app the engine would close, and which processes it must never signal.

The choice itself is :func:`memwarden.core.policy.choose_victim`; this module gives it the
monitor's inputs (the user's rules, our own pids, growth rates, the memory in orphan tmpfs files
and SysV segments, which no kill can free) and answers the killer's per-pid question.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from memwarden.core.errors import CoreError
from memwarden.core.mounts import read_mount_table
from memwarden.core.orphans import Orphan, read_orphans
from memwarden.core.policy import Choice, GrowthTracker, Rules, choose_victim, exclusion_reason
from memwarden.core.snapshot import Snapshot
from memwarden.core.sysvipc import read_sysvipc_shm

#: How long a walk of the tmpfs mounts for orphans stays valid.
ORPHANS_TTL_S = 2.0


class VictimChooser:
    """Chooses the app to close for one user, and says which pids must never be signalled.

    Args:
        uid: The user whose apps may be closed.
        growth: Each app's growth rate (the engine updates it on every scan).
        proc_root: The procfs to read mounts and SysV segments from.
        clock: Monotonic seconds, for the orphans' lifetime.
    """

    def __init__(
        self, *, uid: int, growth: GrowthTracker, proc_root: Path, clock: Callable[[], float]
    ) -> None:
        self.uid = uid
        self.growth = growth
        self.proc_root = proc_root
        self.clock = clock
        self._orphans: tuple[float, list[Orphan]] | None = None

    def orphans(self, snap: Snapshot) -> list[Orphan]:
        """tmpfs files and SysV segments no process holds (memory no kill can free).

        Walking /dev/shm, /tmp and /run/user costs a directory listing per folder: while not calm
        the engine chooses up to ten times a second, and orphans change far more slowly,
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

    def choose(self, snap: Snapshot, rules: Rules, *, own_pids: Collection[int]) -> Choice:
        """The app that would be closed now, and why."""
        return choose_victim(
            snap,
            rules,
            uid=self.uid,
            own_pids=own_pids,
            growth=self.growth,
            orphan_bytes=sum(o.bytes for o in self.orphans(snap)),
        )

    def exclusion(
        self, pid: int, snap: Snapshot | None, rules: Rules, *, own_pids: Collection[int]
    ) -> str | None:
        """Why ``pid`` must not be signalled, or None when it may be.

        Args:
            pid: The process about to be signalled.
            snap: The latest snapshot (None: none yet).
            rules: The user's rules.
            own_pids: MemWarden's own processes.
        """
        if pid == 1 or pid in own_pids:
            return "self" if pid != 1 else "init"
        app = snap.app_by_pid(pid) if snap is not None else None
        if app is None:
            return None  # a child forked after the snapshot: the killer checks its uid
        procs = [snap.processes[p].identity for p in app.pids if p in snap.processes]  # type: ignore[union-attr]
        rule = rules.rule_for(app.identity, procs)
        return exclusion_reason(app, rule, uid=self.uid, own_pids=own_pids)
