# SPDX-License-Identifier: GPL-3.0-or-later
"""Which app to close: the user's choices first, then the app really responsible.

Order: apps marked "sacrifice first"; then by true badness (kernel view + hidden view) plus a
growth term, so that the app eating memory *now* goes before a big idle one. Never: another user's
apps, protected apps, and never a process with a desktop role (the compositor, the panel, the
X/Wayland server, PID 1, MemWarden: :mod:`memwarden.core.desktop_roles`). Roles exclude processes,
not apps: an app counts with what closing it would free, its members without a role.
Every choice carries a reason code and the numbers behind it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from memwarden.core import reason_codes as codes
from memwarden.core import rule_codes
from memwarden.core.app_identity import AppIdentity, rule_key, rule_keys
from memwarden.core.forecast import TrendTracker
from memwarden.core.process import ProcessIdentity, ProcessKey
from memwarden.core.snapshot import AppRecord, Snapshot
from memwarden.core.tabs import TabTarget, tab_target

#: The growth term counts at least this many seconds of the current growth rate: an app growing by
#: 100 MiB/s weighs 1 GiB more than its size, enough to go before a bigger app that is idle. When
#: the kill point is forecast further away, the term counts the growth until then.
GROWTH_HORIZON_S = 10.0

#: At most this many names per rule list: matching is a set lookup whatever the number, but a
#: config file or a D-Bus client must not grow the monitor without bound.
MAX_RULES = 256


class TooManyRules(ValueError):
    """A rule list already holds ``MAX_RULES`` names."""


class Rule(Enum):
    """What the user chose for an app (the values: :mod:`memwarden.core.rule_codes`)."""

    PROTECT = rule_codes.PROTECT
    PREFER = rule_codes.PREFER  # sacrifice first
    NORMAL = rule_codes.NORMAL


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """The rule for an app, and which of the user's names gave it.

    Attributes:
        rule: The rule in force.
        source: The name in the user's rules that matched the app, as written there (a path such
            as ``/usr/bin/foo``, a desktop id, an app id); ``""`` for :attr:`Rule.NORMAL`.
    """

    rule: Rule
    source: str = ""


NO_RULE = RuleMatch(Rule.NORMAL)


def _names_by_key(names: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Each rule key with the place and the spelling of the first name that makes it."""
    out: dict[str, tuple[int, str]] = {}
    for place, name in enumerate(names):
        if name.strip():
            out.setdefault(rule_key(name), (place, name))
    return out


@dataclass(frozen=True, slots=True)
class Rules:
    """The user's rules: NAMEs that mean apps (:func:`memwarden.core.app_identity.rule_keys`:
    app ids, desktop ids, program paths, the names of trusted programs).

    The names are turned into a lookup table once, so that choosing costs the same with 3 rules
    or 300.
    """

    protect: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()
    _protect_names: dict[str, tuple[int, str]] = field(init=False, repr=False, compare=False)
    _prefer_names: dict[str, tuple[int, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_protect_names", _names_by_key(self.protect))
        object.__setattr__(self, "_prefer_names", _names_by_key(self.prefer))

    def match(self, app: AppIdentity, processes: Iterable[ProcessIdentity]) -> RuleMatch:
        """The rule for an app and the name that gave it.

        Protect wins over prefer when both match. When several names of one list match (the
        app's desktop id and one of its programs, say), the one written first gives it, so the
        answer stays the same from one scan to the next.
        """
        if not (self._protect_names or self._prefer_names):
            return NO_RULE
        keys = rule_keys(app, processes)
        for rule, names in ((Rule.PROTECT, self._protect_names), (Rule.PREFER, self._prefer_names)):
            matched = names.keys() & keys
            if matched:
                return RuleMatch(rule, min(names[key] for key in matched)[1])
        return NO_RULE

    def rule_for(self, app: AppIdentity, processes: Iterable[ProcessIdentity]) -> Rule:
        """The rule for an app (:meth:`match`, without the name): what the killer obeys."""
        return self.match(app, processes).rule


#: An app's growth counts once its samples span this long. A process that just started grows
#: by its whole size between its first two samples: a screenshot tool's 9 MB in 45 ms read as
#: 200 MB/s, ten seconds of which outweighed a 1 GiB game (seen on a real sway session). Shorter
#: than the engine's GROWTH_SETTLE_S, so a leak's growth is known by the time a close may come.
GROWTH_MIN_SPAN_S = 0.5


class GrowthTracker:
    """The growth rate of each app's true total over the last seconds, and of each process of an
    app with several (where the growth is inside a browser: :mod:`memwarden.core.tabs`)."""

    def __init__(self, window_s: float = 10.0) -> None:
        self.window_s = window_s
        self._by_key: dict[tuple[int, str], TrendTracker] = {}
        self._by_process: dict[ProcessKey, TrendTracker] = {}
        self._growing: dict[ProcessKey, float] | None = None

    def update(
        self,
        t: float,
        snapshot: Snapshot,
        only: Collection[tuple[int, str]] | None = None,
        read: Collection[int] | None = None,
    ) -> None:
        """Record every app's total and forget apps that are gone; or, with ``only`` (the keys
        a partial refresh re-read) and ``read`` (the pids it re-read), record just those (the
        others' figures are old)."""
        self._growing = None
        seen = set()
        seen_processes: set[ProcessKey] = set()
        for app in snapshot.apps:
            key = (app.identity.uid, app.identity.app_id)
            if only is not None and key not in only:
                continue
            seen.add(key)
            self._add(self._by_key, key, t, app.bytes.total)
            if len(app.pids) < 2:
                continue
            for pid in app.pids:
                rec = snapshot.processes.get(pid)
                if rec is not None and (read is None or pid in read):
                    process = rec.identity.key
                    seen_processes.add(process)
                    self._add(self._by_process, process, t, rec.bytes.total)
        if only is None:
            for key in self._by_key.keys() - seen:
                del self._by_key[key]
            for process in self._by_process.keys() - seen_processes:
                del self._by_process[process]

    def _add(self, trackers: dict[Any, TrendTracker], key: Any, t: float, total: int) -> None:
        tracker = trackers.get(key)
        if tracker is None:
            tracker = trackers[key] = TrendTracker(
                self.window_s, min_samples=2, min_span_s=GROWTH_MIN_SPAN_S
            )
        tracker.add(t, total)

    def forget(self) -> None:
        """Start afresh: the samples so far say nothing about now (taken while calm, seconds
        apart, they would flatten the slope of a leak that just started)."""
        self._by_key.clear()
        self._by_process.clear()
        self._growing = None

    def bytes_per_s(self, app: AppIdentity) -> float:
        """Growth in bytes per second (0 when unknown)."""
        return _slope(self._by_key.get((app.uid, app.app_id)))

    def process_bytes_per_s(self, process: ProcessKey) -> float:
        """A process's growth in bytes per second (0 when unknown, or a single-process app)."""
        return _slope(self._by_process.get(process))

    def growing_processes(self) -> dict[ProcessKey, float]:
        """The processes (of apps with several) that grow, with their rate; kept until the next
        update. A choice looks at these only, not at each of a 1,000-process app's processes."""
        if self._growing is None:
            self._growing = {
                key: rate for key, tracker in self._by_process.items()
                if (rate := _slope(tracker)) > 0
            }  # fmt: skip
        return self._growing


def _slope(tracker: TrendTracker | None) -> float:
    trend = tracker.trend() if tracker is not None else None
    return trend.slope_bytes_per_s if trend is not None else 0.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """An app that may be closed, with the numbers behind its place in the order.

    Attributes:
        app: The app.
        score_bytes: What closing it frees now, plus its growth until the forecast kill point.
        growth_bytes_per_s: Its current growth rate.
        preferred: Marked "sacrifice first".
        reason: Why it is the one: ``sacrifice-first``, ``hidden-memory`` (most of it is memory the
            kernel does not see), ``growing`` (its growth outweighs its size) or ``largest``.
        tab: For the app chosen: the expendable child (a browser's tab) to close instead of the
            whole app, when the risk is there (:mod:`memwarden.core.tabs`); None: the whole app.
    """

    app: AppRecord
    score_bytes: int
    growth_bytes_per_s: float
    preferred: bool
    reason: str
    tab: TabTarget | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """The outcome of choosing.

    Attributes:
        victim: The app to close, or None.
        reason: ``victim-chosen``, ``no-candidate`` or ``orphan-tmpfs`` (the memory is in tmpfs
            files nobody holds: no kill would free it).
        candidates: Every candidate, in order.
        excluded: App id -> why it may not be closed (``other-user``, ``protected``, or, when
            every process in it has a desktop role, ``session``, ``init`` or ``self``).
        orphan_bytes: RAM in orphan tmpfs files and SysV segments.
    """

    victim: Candidate | None
    reason: str
    candidates: tuple[Candidate, ...] = ()
    excluded: dict[str, str] = field(default_factory=dict)
    orphan_bytes: int = 0


def exclusion_reason(app: AppRecord, rule: Rule, *, uid: int) -> str | None:
    """Why an app must never be closed, or None when it may be (without its role members)."""
    if app.identity.uid != uid:
        return codes.OTHER_USER
    if rule is Rule.PROTECT:
        return codes.PROTECTED
    if app.closable_pids:
        return None
    roles = set(app.roles.values())
    # Every member has a role: name the one that matters most to a reader.
    for role, reason in (("self", codes.SELF), ("init", codes.INIT)):
        if role in roles:
            return reason
    return codes.SESSION


def _why(app: AppRecord, preferred: bool, growth: float, leader: bool) -> str:
    # The hidden-memory reason goes before growth: it is what the kernel and the other tools miss,
    # and what the person needs to hear ("it holds 2 GiB the system could not see").
    if preferred:
        return codes.SACRIFICE_FIRST
    mem = app.closable_bytes
    if mem.hidden > mem.kernel_view:
        return codes.HIDDEN_MEMORY
    if leader and growth * GROWTH_HORIZON_S > mem.total:
        return codes.GROWING
    return codes.LARGEST


def choose_victim(
    snapshot: Snapshot,
    rules: Rules,
    *,
    uid: int,
    growth: GrowthTracker | None = None,
    orphan_bytes: int = 0,
    horizon_s: float | None = None,
    headroom_bytes: int | None = None,
) -> Choice:
    """Choose the app to close, or say why there is none.

    Args:
        snapshot: The scan to choose from (its processes carry their desktop roles).
        rules: The user's rules.
        uid: The user whose apps may be closed.
        growth: Each app's growth rate.
        orphan_bytes: RAM in tmpfs files and SysV segments no process holds.
        horizon_s: Seconds until the forecast kill point: each app is ranked by the size it will
            have then (its size plus its growth until then); at least ``GROWTH_HORIZON_S``. The
            app named in a warning is then the one that will be closed.
        headroom_bytes: Memory left before the kill point: no app can grow by more than that, so
            the growth beyond ``GROWTH_HORIZON_S`` is capped there (a burst of growth times an
            hour is not a forecast).
    """
    horizon = max(GROWTH_HORIZON_S, horizon_s or 0.0)

    def gain(rate: float) -> int:
        """The growth that counts until the close point (see the Args)."""
        grown = max(0.0, rate) * horizon
        if headroom_bytes is not None:
            # Ten seconds of growth always count (the rule without a forecast); beyond that,
            # at most what is left before the kill point.
            grown = max(max(0.0, rate) * GROWTH_HORIZON_S, min(grown, headroom_bytes))
        return int(grown)

    excluded: dict[str, str] = {}
    scored: list[tuple[bool, int, float, AppRecord]] = []
    for app in snapshot.apps:
        procs = [snapshot.processes[p].identity for p in app.pids if p in snapshot.processes]
        rule = rules.rule_for(app.identity, procs)
        why_not = exclusion_reason(app, rule, uid=uid)
        if why_not is not None:
            excluded[app.id] = why_not
            continue
        rate = growth.bytes_per_s(app.identity) if growth is not None else 0.0
        score = app.closable_bytes.total + gain(rate)
        scored.append((rule is Rule.PREFER, score, rate, app))
    scored.sort(key=lambda s: (not s[0], -s[1]))
    candidates = tuple(
        Candidate(app, score, rate, preferred, _why(app, preferred, rate, i == 0))
        for i, (preferred, score, rate, app) in enumerate(scored)
    )
    if not candidates:
        return Choice(None, codes.NO_CANDIDATE, (), excluded, orphan_bytes)
    first = candidates[0]
    if not first.preferred and orphan_bytes > first.app.closable_bytes.total:
        # Closing the biggest app would free less than the orphans hold: the memory is in files
        # no process holds, and killing innocents will not bring it back.
        return Choice(None, codes.ORPHAN_TMPFS, candidates, excluded, orphan_bytes)
    # Each process's size at the close point; one that does not grow is its size now (the
    # default of tab_target), so only the growing ones are looked up.
    closable = set(first.app.closable_pids)
    projected = {
        key.pid: rec.bytes.total + gain(rate)
        for key, rate in (growth.growing_processes().items() if growth else ())
        if key.pid in closable
        and (rec := snapshot.processes.get(key.pid)) is not None
        and rec.identity.starttime_ticks == key.starttime_ticks
    }
    tab = tab_target(first.app, snapshot.processes, projected)
    if tab is not None:
        first = dataclasses.replace(first, tab=tab)
    return Choice(first, codes.VICTIM_CHOSEN, (first, *candidates[1:]), excluded, orphan_bytes)
