# SPDX-License-Identifier: GPL-3.0-or-later
"""Which app the engine would close, and which processes it must never signal.

The choice itself is :func:`memwarden.core.policy.choose_victim`; this module gives it the
monitor's inputs (the user's rules, growth rates, the memory in orphan tmpfs files and SysV
segments, which no kill can free) and answers the killer's per-pid question.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from memwarden.core import reason_codes as codes
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
        the engine chooses up to five times a second, and orphans change far more slowly,
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

    def choose(
        self,
        snap: Snapshot,
        rules: Rules,
        *,
        horizon_s: float | None = None,
        headroom_bytes: int | None = None,
    ) -> Choice:
        """The app that would be closed now, and why (``horizon_s``, ``headroom_bytes``: see
        :func:`~memwarden.core.policy.choose_victim`)."""
        return choose_victim(
            snap,
            rules,
            uid=self.uid,
            growth=self.growth,
            orphan_bytes=sum(o.bytes for o in self.orphans(snap)),
            horizon_s=horizon_s,
            headroom_bytes=headroom_bytes,
        )

    def exclusion(self, pid: int, snap: Snapshot | None, rules: Rules) -> str | None:
        """Why ``pid`` must not be signalled, or None when it may be.

        Roles are per process: a desktop process is refused even inside an app that may be
        closed. A pid the snapshot does not know (a child forked after it) passes here; the
        killer adds such pids only as descendants of the app's own processes, and checks their
        uids.

        Args:
            pid: The process about to be signalled.
            snap: The latest snapshot (None: none yet, and nothing is known to allow).
            rules: The user's rules.
        """
        if pid == 1:
            return codes.INIT
        if pid == os.getpid():
            return codes.SELF
        if snap is None:
            return codes.NO_SNAPSHOT
        rec = snap.processes.get(pid)
        if rec is not None and rec.role is not None:
            return {"self": codes.SELF, "init": codes.INIT}.get(rec.role, codes.SESSION)
        app = snap.app_by_pid(pid)
        if app is None:
            return None
        procs = [snap.processes[p].identity for p in app.pids if p in snap.processes]
        return exclusion_reason(app, rules.rule_for(app.identity, procs), uid=self.uid)
