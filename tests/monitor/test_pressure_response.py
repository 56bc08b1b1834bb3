# SPDX-License-Identifier: GPL-3.0-or-later
"""What a close reports it freed: memory left measured the same way before and after.

The assessment that triggers a close may leave the per-CPU free pages out (core/memory_left.py),
and once compared MemAvailable + SwapFree before the close with that plus the per-CPU lists after
it: a close that freed nothing read as having freed whatever sat in those lists.
"""

from __future__ import annotations

import asyncio
from typing import Any

from test_decisions import snapshot

from memwarden.core.forecast import TrendTracker
from memwarden.core.memory_left import MemoryLeft
from memwarden.core.policy import Candidate, Choice
from memwarden.core.watch_state import Action, Assessment, WatchState
from memwarden.monitor.app_pause import Pauser
from memwarden.monitor.killer import Killer, KillOutcome
from memwarden.monitor.pausing import Pausing
from memwarden.monitor.pressure_response import SETTLE_AFTER_KILL_S, PressureResponse

MiB = 1024**2


def _no_pausing() -> Pausing:
    """Pausing switched off: these tests are about closing."""
    def never() -> MemoryLeft:
        raise AssertionError("nothing is paused, so nothing is reclaimed")

    return Pausing(
        Pauser(Killer(dry_run=True)), emit=lambda kind, **data: None, snapshot=lambda: None,
        guard=lambda pid: None, enabled=lambda: False, read_memory=never, has_cgroup2=False,
    )


def _respond(measures: list[int]) -> tuple[PressureResponse, list[tuple[str, dict[str, Any]]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    readings = iter(measures)
    clock = iter(range(1000))

    async def close_app(app: Any, *, graceful: bool, only: int | None) -> KillOutcome:
        return KillOutcome(signalled=list(app.pids), exited=list(app.pids))

    response = PressureResponse(
        emit=lambda kind, **data: events.append((kind, data)),
        close_app=close_app,
        trend=TrendTracker(window_s=10.0),
        clock=lambda: float(next(clock)),
        measure=lambda: next(readings),
        pausing=_no_pausing(),
        dry_run=False,
    )
    return response, events


def _close(response: PressureResponse, available: int) -> None:
    snap = snapshot(("leak", "other", 100 * MiB, 900 * MiB, [4242]))
    victim = Candidate(snap.apps[0], 1000 * MiB, 0.0, False, "hidden-memory")
    assessment = Assessment(WatchState.CRITICAL, Action.CLOSE, ("below-close-threshold",),
                            available, None)  # fmt: skip
    asyncio.run(response.act(assessment, Choice(victim, "victim-chosen", (victim,))))


def test_a_close_that_freed_nothing_reports_nothing_freed() -> None:
    # The assessment read 100 MiB without the per-CPU term; memory left is 300 MiB throughout.
    response, events = _respond([300 * MiB, 300 * MiB])
    _close(response, available=100 * MiB)
    killed = [data for kind, data in events if kind == "killed"]
    assert [k["freed_bytes"] for k in killed] == [0]


def test_a_close_reports_the_measured_rise() -> None:
    response, events = _respond([300 * MiB, 1300 * MiB])
    _close(response, available=300 * MiB)
    killed = [data for kind, data in events if kind == "killed"]
    assert [k["freed_bytes"] for k in killed] == [1000 * MiB]
    # Memory falling meanwhile is no gain, whatever the numbers.
    response, events = _respond([300 * MiB, 200 * MiB])
    _close(response, available=300 * MiB)
    assert [d["freed_bytes"] for k, d in events if k == "killed"] == [0]


def test_the_next_close_waits_for_the_last_to_settle() -> None:
    response, _events = _respond([300 * MiB, 300 * MiB])
    assert response.may_act(0.0)
    _close(response, available=300 * MiB)
    # The fake clock read 0 (warning), 1 (the close's end): settled from 1 + SETTLE_AFTER_KILL_S.
    assert not response.may_act(1.0)
    assert response.may_act(1.0 + SETTLE_AFTER_KILL_S)
