# SPDX-License-Identifier: GPL-3.0-or-later
"""What the engine does once memory runs short: warn about the app it would close, then close it.

Between the warning and the close there is one more step: an app that is growing at the close
level is paused and the person asked (monitor/pausing.py has the policy).

Both are paced. A warning about the same app is repeated at most every ``WARNING_REPEAT_S``, not
on every tick (down to 20 ms). After a close, the next one waits ``SETTLE_AFTER_KILL_S`` for
memory to come back. The victim's pages can wait in per-CPU free lists for seconds, unseen by
``MemAvailable``, but memory left counts them (core/memory_left.py), so the next tick does not
close a second app for memory that is already free: one shortage costs one app.

A close the person asked for (``CloseApp``, from the tray or a paused app's notification) runs
beside the ticks, for as long as its grace period. While it is under way the engine closes
nothing else at the close level and names no other app, and after it the next close waits as
after its own: the app is going and its memory is coming back. (A real sway session lost its
game this way: the person closed the paused leak, and the next tick, before the leak's memory
was back, closed the game.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from memwarden.core.forecast import TrendTracker
from memwarden.core.policy import Choice
from memwarden.core.watch_state import Action, Assessment
from memwarden.monitor import event_payloads
from memwarden.monitor.pausing import Pausing

#: A warning about the same app is repeated at most this often.
WARNING_REPEAT_S = 30.0
#: After a kill, memory needs a moment to come back before the next decision.
SETTLE_AFTER_KILL_S = 0.5


class PressureResponse:
    """Warns about the chosen app and closes it, reporting both as events.

    Args:
        emit: Sends an event to the engine's listeners.
        close_app: Closes every process of an app (the engine's: the killer re-checks every pid).
        trend: The engine's trend of available memory, restarted after a close (the slope that
            led to it no longer holds).
        clock: Monotonic seconds.
        measure: Memory left now, in bytes: the measure the assessments were made with
            (core/memory_left.py), so that ``freed_bytes`` compares like with like.
        pausing: Pauses the app that is eating memory instead of closing it, when it should.
        dry_run: Decide and report, never signal.
    """

    def __init__(
        self,
        *,
        emit: Callable[..., None],
        close_app: Callable[..., Awaitable[Any]],
        trend: TrendTracker,
        clock: Callable[[], float],
        measure: Callable[[], int],
        pausing: Pausing,
        dry_run: bool,
    ) -> None:
        self._emit = emit
        self._close_app = close_app
        self._trend = trend
        self._clock = clock
        self._measure = measure
        self._pausing = pausing
        self._dry_run = dry_run
        self._last_warning: dict[str, float] = {}
        self._last_kill_t = float("-inf")
        self._requested_closes = 0

    def may_act(self, now: float) -> bool:
        """Whether a close may come now: the last one had time to settle.

        Whether it freed enough is the tick's own assessment: memory left counts the victim's
        pages that still wait in per-CPU lists (core/memory_left.py).
        """
        return now >= self._last_kill_t + SETTLE_AFTER_KILL_S

    @contextlib.contextmanager
    def closing_on_request(self) -> Iterator[None]:
        """Around a close the person asked for: see the module's doc."""
        self._requested_closes += 1
        try:
            yield
        finally:
            self._requested_closes -= 1
            self._trend.reset()
            self._last_kill_t = self._clock()

    def _settling(self, now: float) -> bool:
        """Whether an app is being closed, or was just now: its memory is coming back."""
        return self._requested_closes > 0 or now < self._last_kill_t + SETTLE_AFTER_KILL_S

    def warn(self, assessment: Assessment, choice: Choice) -> None:
        """Tell listeners which app would be closed, how big it is and when."""
        now = self._clock()
        if self._settling(now) and assessment.action is not Action.KILL:
            return  # the app that was just closed still counts, or its memory is not back yet
        if self._pausing.paused:
            # The person was asked already, and while an app is paused nothing else is closed
            # at the close level: "will be closed" would contradict "paused" (of the paused app)
            # or be false (of another; the kill level ends the paused app first).
            return
        key = choice.victim.app.id if choice.victim else f"-{choice.reason}"
        if now - self._last_warning.get(key, float("-inf")) < WARNING_REPEAT_S:
            return
        self._last_warning[key] = now
        self._emit("warning", **event_payloads.warning(assessment, choice))

    def forget_warning(self, app_id: str) -> None:
        """Warn about this app at once the next time (it was resumed: if its growth returns, the
        person hears it again)."""
        self._last_warning.pop(app_id, None)

    async def act(self, assessment: Assessment, choice: Choice) -> None:
        """Pause the chosen app, or close (or kill) it, or only its tab where the risk is, and
        report what it freed (monitor/pausing.py decides between pausing and closing)."""
        if self._requested_closes and assessment.action is Action.CLOSE:
            return  # the person's close is under way: its memory is about to come back
        paused = self._pausing.paused
        if assessment.action is Action.KILL and paused:
            await self._kill_paused(assessment)
            return
        victim = choice.victim
        if assessment.action is Action.CLOSE:
            if paused:
                # The paused app is the one responsible, and the person decides; an app that
                # grows meanwhile (one just started, a game loading a level) is left alone.
                return
            if victim is not None and self._pausing.wants(victim):
                self.warn(assessment, choice)
                if await self._pausing.pause(victim) is not None:
                    self._trend.reset()  # the slope that led here no longer holds
                    return
        if victim is None:
            self.warn(assessment, choice)
            return
        # A leak fast enough to skip the warning state still gets its warning, first.
        self.warn(assessment, choice)
        graceful = assessment.action is Action.CLOSE
        # Measured here, not taken from the assessment: the same reading on both sides (an
        # assessment far from the thresholds may leave the per-CPU term out).
        before = self._measure()
        self._emit(
            "kill",
            **event_payloads.kill_decision(
                assessment, victim, graceful=graceful, dry_run=self._dry_run
            ),
        )
        only = victim.tab.pid if victim.tab is not None else None
        outcome = await self._close_app(victim.app, graceful=graceful, only=only)
        after = self._measure()
        self._emit(
            "killed",
            **event_payloads.kill_result(
                victim, assessment, outcome, freed_bytes=max(0, after - before),
                dry_run=self._dry_run,
            ),
        )  # fmt: skip
        self._trend.reset()
        self._last_kill_t = self._clock()

    async def _kill_paused(self, assessment: Assessment) -> None:
        """The kill level came while an app was paused: nobody answered, and it is the one
        responsible. Killed as any app at the kill level, and reported as paused."""
        before = self._measure()
        paused = next(iter(self._pausing.paused.values()))
        self._emit("kill", **event_payloads.paused_kill_decision(assessment, paused))
        _paused, outcome = await self._pausing.kill_oldest()
        after = self._measure()
        self._emit("killed", **event_payloads.paused_kill_result(
            assessment, paused, outcome, freed_bytes=max(0, after - before)))  # fmt: skip
        self._trend.reset()
        self._last_kill_t = self._clock()
