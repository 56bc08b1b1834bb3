# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's look at the processes: scans, refreshes of the candidates, and the choice.

While memory is tight, each tick asks :mod:`~memwarden.monitor.scan_cadence` how much to look
(a scan of every process, a refresh of the candidates, or nothing) and chooses again on what it
saw. While calm nothing is looked at, except for the rules (kernel_rules) and for a client
(GetSnapshot).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memwarden.core import report
from memwarden.core.desktop_roles import SessionFacts
from memwarden.core.policy import Choice, GrowthTracker, Rules
from memwarden.core.scanner import Scanner
from memwarden.core.snapshot import ProcessRecord, Snapshot
from memwarden.core.watch_state import Assessment
from memwarden.monitor.scan_cadence import CandidatePicker, ScanCadence, total_of
from memwarden.monitor.victim_choice import VictimChooser

#: While memory is tight, GetSnapshot answers with the engine's own last look when it is at most
#: this old: a window that polls snapshots must not double the engine's scans.
SNAPSHOT_MAX_AGE_S = 1.0


class Looking:
    """What the engine knows of the processes, and how it keeps that current.

    Args:
        proc_root: The procfs to read.
        uid: The user whose apps may be closed.
        clock: Monotonic seconds.
    """

    def __init__(self, proc_root: Path, *, uid: int, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.scanner = Scanner(proc_root)
        self.growth = GrowthTracker()
        self.chooser = VictimChooser(uid=uid, growth=self.growth, proc_root=proc_root, clock=clock)
        self.cadence = ScanCadence()
        self.candidates = CandidatePicker()
        self.last_scan: Snapshot | None = None  # the last scan of every process
        self.last_snapshot: Snapshot | None = None  # the last look: a scan or a refresh
        self.last_choice: Choice | None = None
        self._refreshed: dict[int, ProcessRecord] = {}  # what refreshes read since the scan
        self._snapshot_t = float("-inf")  # when last_snapshot was made
        self._rechoose = False

    def set_session_facts(self, facts: SessionFacts) -> None:
        """What the buses say about who is who, for the next scan."""
        self.scanner.facts = facts

    def rules_moved(self) -> None:
        """The rules changed: choose again before acting, even when no look is due."""
        self._rechoose = True

    def tight_spell_begins(self) -> None:
        """The state left calm: growth is measured afresh (what scans saw while calm, seconds
        apart, would flatten the slope of a leak that just started) and the first look is a
        scan."""
        self.growth.forget()
        self.cadence.reset()

    # -- looking ----------------------------------------------------------------------------------

    def scan(self, *, full: bool | None = None) -> Snapshot:
        """A fresh snapshot of every process (incremental when it can be)."""
        snap = self.scanner.scan(full=full)
        self.growth.update(self.clock(), snap)
        self.last_scan = self.last_snapshot = snap
        self._refreshed = {}
        self._snapshot_t = self.clock()
        return snap

    def refresh(self, available: int) -> Snapshot:
        """The last scan with only the candidates re-read (``available``: bytes left now, which
        tells the cadence how much of the fall the candidates explain)."""
        scan = self.last_scan
        assert scan is not None  # the cadence plans a scan first
        pids, keys = self.candidates.pick(self.last_choice, self.growth, scan)
        view, read = self.scanner.refresh(scan, pids, self._refreshed)
        before = {p: self._refreshed.get(p, scan.processes[p]).bytes.total for p in read}
        self._refreshed.update((p, view.processes[p]) for p in read)
        self.candidates.moved({p for p in read if view.processes[p].bytes.total != before[p]})
        now = self.clock()
        self.growth.update(now, view, only=keys, read=read)
        self.last_snapshot = view
        self._snapshot_t = now
        self.cadence.refreshed(now, available, total_of(view, keys) - total_of(scan, keys))
        return view

    def look(self, now: float, assessment: Assessment, rules: Rules, close_bytes: int
             ) -> Snapshot | None:  # fmt: skip
        """A tight tick's look (scan_cadence decides which) and choice; the snapshot when the
        look was a scan (the rules are applied to new processes then), else None."""
        plan = self.cadence.plan(now, assessment, self.last_scan)
        scanned = None
        if plan == "scan":
            cpu0 = time.process_time()
            scanned = self.scan()
            self.cadence.scanned(now, assessment.available_bytes, time.process_time() - cpu0)
            self.choose(scanned, rules, assessment, close_bytes)
        elif plan == "refresh":
            self.choose(self.refresh(assessment.available_bytes), rules, assessment, close_bytes)
        elif self._rechoose and self.last_snapshot is not None:
            self.choose(self.last_snapshot, rules, assessment, close_bytes)
        self._rechoose = False
        return scanned

    def choose(
        self, snap: Snapshot, rules: Rules, assessment: Assessment | None, close_bytes: int
    ) -> Choice:
        """The app that would be closed now, and why (kept as ``last_choice``).

        Apps are ranked by the size they will have at the forecast close point, so that a
        warning names the app that will be closed then, not the biggest one now.
        """
        self.last_choice = self.chooser.choose(
            snap,
            rules,
            horizon_s=assessment.eta_s if assessment is not None else None,
            headroom_bytes=(
                assessment.available_bytes - close_bytes if assessment is not None else None
            ),
        )
        return self.last_choice

    def snapshot_json(self, *, tight: bool, rules: Rules) -> dict[str, Any]:
        """A fresh snapshot in the ``scan --json`` schema: while memory is ``tight``, the last
        look if it is at most ``SNAPSHOT_MAX_AGE_S`` old; else a scan. Each app carries the rule
        ``rules`` give it, decided here as for a choice (clients never match names)."""
        snap = self.last_snapshot
        if snap is None or not tight or self.clock() - self._snapshot_t > SNAPSHOT_MAX_AGE_S:
            snap = self.scan()
        return report.snapshot_json(snap, self.chooser.orphans(snap), rules=rules)
