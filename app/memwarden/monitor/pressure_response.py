# SPDX-License-Identifier: GPL-3.0-or-later
"""What the engine does once memory runs short: warn about the app it would close, then close it.

Both are paced. A warning about the same app is repeated at most every ``WARNING_REPEAT_S``, not
on every tick (down to 20 ms). After a close, the next one waits ``SETTLE_AFTER_KILL_S`` for
memory to come back, and for ``SECOND_KILL_WINDOW_S`` the pages still in per-CPU free lists count
as available, so that one shortage costs one app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from memwarden.core.forecast import TrendTracker
from memwarden.core.policy import Choice
from memwarden.core.watch_state import Action, Assessment, Thresholds
from memwarden.monitor import event_payloads
from memwarden.monitor.free_memory import measure_available_bytes

#: A warning about the same app is repeated at most this often.
WARNING_REPEAT_S = 30.0
#: After a kill, memory needs a moment to come back before the next decision.
SETTLE_AFTER_KILL_S = 0.5
#: For this long after a kill, freed pages in per-CPU lists count before another kill.
SECOND_KILL_WINDOW_S = 5.0


class PressureResponse:
    """Warns about the chosen app and closes it, reporting both as events.

    Args:
        emit: Sends an event to the engine's listeners.
        close_app: Closes every process of an app (the engine's: the killer re-checks every pid).
        trend: The engine's trend of available memory, restarted after a close (the slope that
            led to it no longer holds).
        clock: Monotonic seconds.
        proc_root: The procfs whose free memory is measured.
        dry_run: Decide and report, never signal.
    """

    def __init__(
        self,
        *,
        emit: Callable[..., None],
        close_app: Callable[..., Awaitable[Any]],
        trend: TrendTracker,
        clock: Callable[[], float],
        proc_root: Path,
        dry_run: bool,
    ) -> None:
        self._emit = emit
        self._close_app = close_app
        self._trend = trend
        self._clock = clock
        self._proc_root = proc_root
        self._dry_run = dry_run
        self._last_warning: dict[str, float] = {}
        self._last_kill_t = float("-inf")

    def may_act(self, now: float, assessment: Assessment, thresholds: Thresholds) -> bool:
        """Whether a close may come now: the last one had time to settle, and did not free enough.

        Args:
            now: The tick's time (monotonic seconds).
            assessment: The tick's assessment, whose action is a close or a kill.
            thresholds: The thresholds in force.
        """
        return now >= self._last_kill_t + SETTLE_AFTER_KILL_S and self._still_needed_after_kill(
            assessment, thresholds
        )

    def _still_needed_after_kill(self, assessment: Assessment, thresholds: Thresholds) -> bool:
        """Right after a kill, is another one needed? The victim's pages can wait in per-CPU free
        lists for seconds, unseen by MemAvailable (6.x, core/zoneinfo.py: 300-900 MiB seen here),
        so for a while after a kill they count as available; otherwise the next tick would close
        a second app for memory that is already free."""
        if self._clock() - self._last_kill_t > SECOND_KILL_WINDOW_S:
            return True
        available = measure_available_bytes(self._proc_root, with_swap=True)
        limit = (
            thresholds.kill_bytes if assessment.action is Action.KILL else thresholds.close_bytes
        )
        return available <= limit

    def warn(self, assessment: Assessment, choice: Choice) -> None:
        """Tell listeners which app would be closed, how big it is and when."""
        now = self._clock()
        key = choice.victim.app.id if choice.victim else f"-{choice.reason}"
        if now - self._last_warning.get(key, float("-inf")) < WARNING_REPEAT_S:
            return
        self._last_warning[key] = now
        self._emit("warning", **event_payloads.warning(assessment, choice))

    async def act(self, assessment: Assessment, choice: Choice) -> None:
        """Close (or kill) the chosen app, or only its tab where the risk is, and report what it
        freed."""
        victim = choice.victim
        if victim is None:
            self.warn(assessment, choice)
            return
        # A leak fast enough to skip the warning state still gets its warning, first.
        self.warn(assessment, choice)
        graceful = assessment.action is Action.CLOSE
        before = assessment.available_bytes
        self._emit(
            "kill",
            **event_payloads.kill_decision(
                assessment, victim, graceful=graceful, dry_run=self._dry_run
            ),
        )
        only = victim.tab.pid if victim.tab is not None else None
        outcome = await self._close_app(victim.app, graceful=graceful, only=only)
        after = measure_available_bytes(self._proc_root, with_swap=True)
        self._emit(
            "killed",
            **event_payloads.kill_result(
                victim, assessment, outcome, freed_bytes=max(0, after - before),
                dry_run=self._dry_run,
            ),
        )  # fmt: skip
        self._trend.reset()
        self._last_kill_t = self._clock()
