# SPDX-License-Identifier: GPL-3.0-or-later
"""How much accounting a tick does while memory is tight: a scan, a refresh of the candidates,
or nothing.

The fast signal (``/proc/meminfo`` and PSI: a few hundred microseconds) runs on every tick; it
says how close the close point is. The accounting says *who* would be closed, and a scan of every
process costs tens of milliseconds per hundred processes: repeated ten times a second for as long
as a warning lasts (hours, with a game and a browser in 16 GB), it took a third of a core. So:

* a **scan** (every process, incremental) when the state leaves calm, then every
  ``SCAN_EVERY_S`` — 15 s in a warning, 5 s near the close point — or less often where a scan is
  dear: the periodic scans take at most ``MAX_SCAN_SHARE`` of a core. On the bench's desktop of
  1,000 processes and 63,000 fds an incremental scan costs 105 ms of CPU (0.7 % of a core every
  15 s: the cap does not bind), a full one (every tenth) about 1 s; a slower machine or a bigger
  desktop would pay that every 15 s for as long as a warning lasts;
* in between, a **refresh** of the candidates only (:mod:`memwarden.core.partial_refresh`;
  :class:`CandidatePicker`: the apps first in line and the growing ones) every
  ``REFRESH_EVERY_S`` — 1 s in a warning, 0.2 s near the close point, where a close acts on a
  choice at most that old (the killer checks every pid again before it signals it);
* a scan sooner, at most every ``EARLY_SCAN_AFTER_S``, when what the refreshes see does not
  explain the fall of available memory by ``UNEXPLAINED_BYTES``: an app outside the candidates,
  or a process started since the scan, has begun to grow (a new process that does not grow does
  not matter, and desktops start many); and the second look of a tight spell is a scan too,
  since growth needs two.

"Near" is the critical state, a close or kill due, or a forecast close within ``NEAR_ETA_S``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from memwarden.core.policy import Choice, GrowthTracker
from memwarden.core.snapshot import Snapshot
from memwarden.core.watch_state import Action, Assessment, WatchState

MiB = 1024 * 1024

SCAN_EVERY_S = {"warning": 15.0, "near": 5.0}
#: The periodic scans' share of a core at most (the last scan's CPU time sets their period).
MAX_SCAN_SHARE = {"warning": 0.015, "near": 0.05}
REFRESH_EVERY_S = {"warning": 1.0, "near": 0.2}
#: A forecast close this close makes the engine watch the candidates five times a second.
NEAR_ETA_S = 10.0
#: A fall of available memory this much beyond the candidates' growth since the last scan means an
#: app outside them is growing.
UNEXPLAINED_BYTES = 256 * MiB
#: The soonest a scan comes for memory the candidates do not explain, after the last one.
EARLY_SCAN_AFTER_S = 2.0
#: The first apps in line that every refresh re-reads, besides the growing ones.
CANDIDATES = 6
#: An app growing faster than this is refreshed even when it is small (a leak starting).
GROWING_BYTES_PER_S = 1 * MiB
#: Of an app with more processes, a refresh re-reads those that moved and this many others in turn.
PROCESSES_PER_APP = 32

Plan = Literal["scan", "refresh", "none"]


def is_near(assessment: Assessment) -> bool:
    """Whether the close point is near (see the module doc)."""
    return (
        assessment.state is WatchState.CRITICAL
        or assessment.action is not Action.NONE
        or (assessment.eta_s is not None and assessment.eta_s <= NEAR_ETA_S)
    )


class ScanCadence:
    """Decides each not-calm tick's accounting (see the module doc).

    """

    def __init__(self) -> None:
        self._scan_t = float("-inf")
        self._scan_cpu_s = 0.0
        self._scan_available = 0
        self._scans_in_spell = 0
        self._refresh_t = float("-inf")
        self._unexplained = 0
        #: Scans and refreshes done (tests and ``make bench`` count them).
        self.scans = 0
        self.refreshes = 0

    def reset(self) -> None:
        """Calm again, or an app was just closed: the next look starts with a scan."""
        self._scan_t = self._refresh_t = float("-inf")
        self._scans_in_spell = 0
        self._unexplained = 0

    def plan(self, now: float, assessment: Assessment, scan: Snapshot | None) -> Plan:
        """What this tick does: ``scan``, ``refresh`` or ``none``.

        Args:
            now: The tick's time (monotonic seconds).
            assessment: The tick's reading.
            scan: The last scan (None: none yet).
        """
        pace = "near" if is_near(assessment) else "warning"
        since_scan = now - self._scan_t
        every = max(SCAN_EVERY_S[pace], self._scan_cpu_s / MAX_SCAN_SHARE[pace])
        if scan is None or since_scan >= every:
            return "scan"
        if now - self._refresh_t < REFRESH_EVERY_S[pace]:
            return "none"
        if self._scans_in_spell < 2:
            # No app's growth is known from a single scan (none runs while calm), and the
            # candidates are chosen by it: the second look is a scan too.
            return "scan"
        if since_scan >= EARLY_SCAN_AFTER_S and self._unexplained > UNEXPLAINED_BYTES:
            return "scan"
        return "refresh"

    def scanned(self, now: float, available: int, cpu_s: float = 0.0) -> None:
        """A scan was made, with ``available`` bytes left; it took ``cpu_s`` of CPU time."""
        self._scan_cpu_s = cpu_s
        self.scans += 1
        self._scans_in_spell += 1
        self._scan_t = self._refresh_t = now
        self._scan_available = available
        self._unexplained = 0

    def refreshed(self, now: float, available: int, candidates_grew: int) -> None:
        """A refresh was made: its candidates grew by ``candidates_grew`` bytes since the scan,
        while available memory fell to ``available``."""
        self.refreshes += 1
        self._refresh_t = now
        self._unexplained = self._scan_available - available - candidates_grew


class CandidatePicker:
    """Which processes a refresh re-reads: those of the first ``CANDIDATES`` apps in line and of
    every app growing faster than ``GROWING_BYTES_PER_S``.

    An app of many processes (a browser, or a program that forked a worker per core) is not
    re-read whole: its processes that moved at the last refresh, and ``PROCESSES_PER_APP`` of the
    others in turn. A process that starts to grow among the others is met within a few refreshes,
    and its growth is in the fall of available memory at once (a scan then comes early).
    """

    def __init__(self) -> None:
        self._turn: dict[tuple[int, str], int] = {}
        self._moved: set[int] = set()

    def pick(
        self, choice: Choice | None, growth: GrowthTracker, scan: Snapshot
    ) -> tuple[set[int], list[tuple[int, str]]]:
        """The pids to re-read, and the keys of the apps they belong to."""
        first = [c.app.identity for c in choice.candidates[:CANDIDATES]] if choice else []
        keys = {(ident.uid, ident.app_id) for ident in first}
        pids: set[int] = set()
        for app in scan.apps:
            key = (app.identity.uid, app.identity.app_id)
            if key not in keys and growth.bytes_per_s(app.identity) <= GROWING_BYTES_PER_S:
                continue
            keys.add(key)
            if len(app.pids) <= PROCESSES_PER_APP:
                pids.update(app.pids)
                continue
            start = self._turn.get(key, 0) % len(app.pids)
            turn = (app.pids + app.pids)[start : start + PROCESSES_PER_APP]
            self._turn[key] = start + PROCESSES_PER_APP
            pids.update(turn)
            pids.update(self._moved.intersection(app.pids))
        return pids, sorted(keys)

    def moved(self, pids: set[int]) -> None:
        """The processes whose figures changed at the last refresh: re-read them next time."""
        self._moved = pids


def total_of(snap: Snapshot, keys: Iterable[tuple[int, str]]) -> int:
    """The bytes of these apps in a snapshot."""
    wanted = set(keys)
    return sum(a.bytes.total for a in snap.apps if (a.identity.uid, a.identity.app_id) in wanted)
