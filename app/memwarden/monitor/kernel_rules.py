# SPDX-License-Identifier: GPL-3.0-or-later
"""Telling the kernel about the person's rules: ``oom_score_adj`` for the processes of protected
and "sacrifice first" apps, new processes included.

The writes go through the :class:`~memwarden.monitor.protection.Protector` (raising needs no
privilege; lowering goes through the helper, a system-bus call that may wait seconds), so they
never stand in the way of a close: while memory is tight they run in the background, one pass at
a time. While calm, a pass comes at most every ``CALM_RULES_EVERY_S``, and only when there are
rules and processes it has not seen (a listing of /proc: a fraction of a millisecond; a scan of a
busy desktop: tens, and the idle budget is 0.02 CPU-seconds a minute).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memwarden.core.policy import Rule, Rules, exclusion_reason
from memwarden.core.snapshot import Snapshot
from memwarden.monitor.events import app_summary
from memwarden.monitor.protection import Protector

log = logging.getLogger(__name__)

#: While calm, new processes get their protect/prefer rule this often (a /proc listing).
CALM_RULES_EVERY_S = 10.0


class KernelRules:
    """Applies the rules to ``oom_score_adj`` (see the module doc).

    Args:
        protector: Writes the values (None: rules only steer MemWarden's own choices).
        uid: The user whose processes may be changed.
        emit: Sends an event (``protection``) to the engine's listeners.
        clock: Monotonic seconds.
        proc_root: The procfs listed for new processes.
    """

    def __init__(
        self,
        protector: Protector | None,
        *,
        uid: int,
        emit: Callable[..., None],
        clock: Callable[[], float],
        proc_root: Path,
    ) -> None:
        self.protector = protector
        self._uid = uid
        self._emit = emit
        self._clock = clock
        self._proc = str(proc_root)
        self.last_t = float("-inf")  # when the last pass ran
        self._changed = True
        self._task: asyncio.Future[None] | None = None

    def moved(self) -> None:
        """The rules changed: the next calm tick applies them, whatever the time."""
        self.last_t = float("-inf")
        self._changed = True

    def due_while_calm(self, rules_given: bool, snap: Snapshot | None) -> bool:
        """Whether a calm tick should scan to apply the rules now (see the module doc)."""
        if self._clock() - self.last_t < CALM_RULES_EVERY_S:
            return False
        self.last_t = self._clock()
        changed, self._changed = self._changed, False
        if self.protector is None or not (rules_given or self.protector.has_applied()):
            return False
        if changed or snap is None:
            return True
        known = snap.processes.keys()
        return any(name.isdigit() and int(name) not in known for name in os.listdir(self._proc))

    def apply_soon(self, snap: Snapshot, rules: Rules) -> None:
        """Apply in the background (the close never waits for the helper); a pass still running
        makes this one unnecessary (the next look comes)."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._apply_logged(snap, rules))

    async def _apply_logged(self, snap: Snapshot, rules: Rules) -> None:
        try:
            await self.apply(snap, rules)
        except Exception:  # telling the kernel is extra: never a reason to stop guarding
            log.exception("applying the rules failed")

    async def apply(self, snap: Snapshot, rules: Rules) -> None:
        """Write oom_score_adj for protected and preferred apps' (new) processes."""
        self.last_t = self._clock()
        if self.protector is None:
            return
        self.protector.forget_gone(snap)
        for app in snap.apps:
            procs = [snap.processes[p].identity for p in app.pids if p in snap.processes]
            rule = rules.rule_for(app.identity, procs)
            # Never make the kernel prefer what we never close: init, ourselves, the session,
            # another user's apps (a "prefer" rule naming one is kept, and ignored).
            if rule is Rule.PREFER and exclusion_reason(app, Rule.NORMAL, uid=self._uid):
                continue
            if app.identity.uid != self._uid:
                continue
            # The kernel hears of a rule for the app's own processes, not for a desktop process
            # or MemWarden inside it.
            procs = [p for p in procs if p.pid not in app.roles]
            if rule is not Rule.NORMAL or self.protector.touched(procs):
                result: dict[str, Any] | None = await self.protector.apply(rule, procs, snap)
                if result is not None:
                    self._emit("protection", app=app_summary(app), rule=rule.value, **result)

    async def close(self) -> None:
        """Stop a pass still running (the monitor is stopping)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
