# SPDX-License-Identifier: GPL-3.0-or-later
"""Which app to close: the user's choices first, then the app really responsible.

Order (issue 3): apps marked "sacrifice first"; then by true badness (kernel view + hidden view)
plus a growth term, so that the app eating memory *now* goes before a big idle one. Never: another
user's apps, protected apps, the session (compositor, shell, X/Wayland, panel), PID 1, MemWarden.
Every choice carries a reason code and the numbers behind it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import Enum

from memwarden.core.app_identity import AppIdentity, app_matches
from memwarden.core.forecast import TrendTracker
from memwarden.core.process import ProcessIdentity
from memwarden.core.snapshot import AppRecord, Snapshot

#: The growth term counts this many seconds of the current growth rate: an app growing by
#: 100 MiB/s weighs 1 GiB more than its size, enough to go before a bigger app that is idle.
GROWTH_HORIZON_S = 10.0


class Rule(Enum):
    """What the user chose for an app."""

    PROTECT = "protect"
    PREFER = "prefer"  # sacrifice first
    NORMAL = "normal"


@dataclass(frozen=True, slots=True)
class Rules:
    """The user's rules: names that match an app's id or name, or a process's comm/exe basename."""

    protect: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()

    def rule_for(self, app: AppIdentity, processes: Iterable[ProcessIdentity]) -> Rule:
        """The rule for an app; protect wins over prefer when both match."""
        procs = list(processes)
        if any(app_matches(app, procs, name) for name in self.protect):
            return Rule.PROTECT
        if any(app_matches(app, procs, name) for name in self.prefer):
            return Rule.PREFER
        return Rule.NORMAL


class GrowthTracker:
    """The growth rate of each app's true total over the last seconds."""

    def __init__(self, window_s: float = 10.0) -> None:
        self.window_s = window_s
        self._by_key: dict[tuple[int, str], TrendTracker] = {}

    def update(self, t: float, snapshot: Snapshot) -> None:
        """Record every app's total; forget apps that are gone."""
        seen = set()
        for app in snapshot.apps:
            key = (app.identity.uid, app.identity.app_id)
            seen.add(key)
            tracker = self._by_key.get(key)
            if tracker is None:
                tracker = self._by_key[key] = TrendTracker(self.window_s, min_samples=2)
            tracker.add(t, app.bytes.total)
        for key in self._by_key.keys() - seen:
            del self._by_key[key]

    def bytes_per_s(self, app: AppIdentity) -> float:
        """Growth in bytes per second (0 when unknown)."""
        tracker = self._by_key.get((app.uid, app.app_id))
        trend = tracker.trend() if tracker is not None else None
        return trend.slope_bytes_per_s if trend is not None else 0.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """An app that may be closed, with the numbers behind its place in the order.

    Attributes:
        app: The app.
        score_bytes: ``total + max(0, growth) * GROWTH_HORIZON_S``.
        growth_bytes_per_s: Its current growth rate.
        preferred: Marked "sacrifice first".
        reason: Why it is the one: ``sacrifice-first``, ``hidden-memory`` (most of it is memory the
            kernel does not see), ``growing`` (its growth outweighs its size) or ``largest``.
    """

    app: AppRecord
    score_bytes: int
    growth_bytes_per_s: float
    preferred: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Choice:
    """The outcome of choosing.

    Attributes:
        victim: The app to close, or None.
        reason: ``victim-chosen``, ``no-candidate`` or ``orphan-tmpfs`` (the memory is in tmpfs
            files nobody holds: no kill would free it).
        candidates: Every candidate, in order.
        excluded: App id -> why it may not be closed (``other-user``, ``session``,
            ``protected``, ``init``, ``self``).
        orphan_bytes: RAM in orphan tmpfs files and SysV segments.
    """

    victim: Candidate | None
    reason: str
    candidates: tuple[Candidate, ...] = ()
    excluded: dict[str, str] = field(default_factory=dict)
    orphan_bytes: int = 0


def exclusion_reason(
    app: AppRecord, rule: Rule, *, uid: int, own_pids: Collection[int]
) -> str | None:
    """Why an app must never be closed, or None when it may be."""
    if app.identity.uid != uid:
        return "other-user"
    if 1 in app.pids:
        # PID 1 of our namespace: the real init, or the namespace's init, whose death would kill
        # every process of the namespace.
        return "init"
    if any(pid in own_pids for pid in app.pids):
        return "self"
    if app.identity.kind == "session":
        return "session"
    if rule is Rule.PROTECT:
        return "protected"
    return None


def _why(app: AppRecord, preferred: bool, growth: float, leader: bool) -> str:
    # The hidden-memory reason goes before growth: it is what the kernel and the other tools miss,
    # and what the person needs to hear ("it holds 2 GiB the system could not see").
    if preferred:
        return "sacrifice-first"
    if app.bytes.hidden > app.bytes.kernel_view:
        return "hidden-memory"
    if leader and growth * GROWTH_HORIZON_S > app.bytes.total:
        return "growing"
    return "largest"


def choose_victim(
    snapshot: Snapshot,
    rules: Rules,
    *,
    uid: int,
    own_pids: Collection[int],
    growth: GrowthTracker | None = None,
    orphan_bytes: int = 0,
) -> Choice:
    """Choose the app to close, or say why there is none."""
    excluded: dict[str, str] = {}
    scored: list[tuple[bool, int, float, AppRecord]] = []
    for app in snapshot.apps:
        procs = [snapshot.processes[p].identity for p in app.pids if p in snapshot.processes]
        rule = rules.rule_for(app.identity, procs)
        why_not = exclusion_reason(app, rule, uid=uid, own_pids=own_pids)
        if why_not is not None:
            excluded[app.id] = why_not
            continue
        rate = growth.bytes_per_s(app.identity) if growth is not None else 0.0
        score = app.bytes.total + int(max(0.0, rate) * GROWTH_HORIZON_S)
        scored.append((rule is Rule.PREFER, score, rate, app))
    scored.sort(key=lambda s: (not s[0], -s[1]))
    candidates = tuple(
        Candidate(app, score, rate, preferred, _why(app, preferred, rate, i == 0))
        for i, (preferred, score, rate, app) in enumerate(scored)
    )
    if not candidates:
        return Choice(None, "no-candidate", (), excluded, orphan_bytes)
    first = candidates[0]
    if not first.preferred and orphan_bytes > first.app.bytes.total:
        # Closing the biggest app would free less than the orphans hold: the memory is in files
        # no process holds, and killing innocents will not bring it back (reference §5.5).
        return Choice(None, "orphan-tmpfs", candidates, excluded, orphan_bytes)
    return Choice(first, "victim-chosen", candidates, excluded, orphan_bytes)
